"""Fast convolution and max pooling in pure NumPy: im2col turns a convolution into one matrix
product.

``im2col(x, HH, WW, stride, pad)`` copies every receptive field (one HH x WW window across
all C channels) of every image into one row of a matrix:

    cols: (N * H_out * W_out, C * HH * WW),   row (n, i, j) = x_pad[n, :, i*s:i*s+HH, j*s:j*s+WW]

so that the convolution is ``cols @ w.reshape(F, -1).T + b`` (one row per output position,
one column per filter), reshaped to ``(N, F, H_out, W_out)``. Its backward is two more matrix
products and ``col2im``, which adds each row of the gradient back into the window it came
from (windows overlap when stride < HH, so their gradients add up).

No compiled extension: the copies are made with a loop over the HH * WW kernel offsets (9
for a 3 x 3 kernel), each a strided NumPy slice of the whole batch. Same signatures, shapes
and results as ``helpers.numpy_nn.conv``'s naive versions.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_array, check_like, check_shapes
from helpers.numpy_nn.conv import (
    _check_conv_inputs,
    _check_pool_inputs,
    _nonneg_int,
    _pad_images,
)

__all__ = [
    "col2im",
    "conv_backward_im2col",
    "conv_forward_im2col",
    "im2col",
    "max_pool_backward_fast",
    "max_pool_forward_fast",
]


def _geometry(shape, HH, WW, stride, pad):
    HH = _nonneg_int("field_height", HH, 1)
    WW = _nonneg_int("field_width", WW, 1)
    stride = _nonneg_int("stride", stride, 1)
    pad = _nonneg_int("pad", pad, 0)
    N, C, H, W = shape
    if H + 2 * pad < HH or W + 2 * pad < WW:
        raise ValueError(f"the window ({HH}x{WW}) is larger than the padded images "
                         f"({H + 2 * pad}x{W + 2 * pad})")
    return HH, WW, stride, pad, (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1


def im2col(x, field_height, field_width, stride=1, pad=0):
    """Receptive fields as rows. x: (N, C, H, W).

    Returns cols: (N * H_out * W_out, C * field_height * field_width); row ``(n * H_out + i)
    * W_out + j`` holds the window of output position (i, j) of image n, flattened in (c, k, l)
    order, the order of ``w[f].ravel()``.
    """
    check_shapes(("x", x, ("N", "C", "H", "W")))
    HH, WW, s, pad, Ho, Wo = _geometry(x.shape, field_height, field_width, stride, pad)
    N, C = x.shape[:2]
    xp = _pad_images(x, pad)
    cols = np.empty((N, Ho, Wo, C, HH, WW), dtype=x.dtype)
    for k in range(HH):
        for m in range(WW):
            # every window's (k, m) pixel at once: (N, C, Ho, Wo) -> (N, Ho, Wo, C)
            cols[:, :, :, :, k, m] = xp[:, :, k:k + s * Ho:s, m:m + s * Wo:s].transpose(0, 2, 3, 1)
    return cols.reshape(N * Ho * Wo, C * HH * WW)


def col2im(cols, x_shape, field_height, field_width, stride=1, pad=0):
    """The adjoint of ``im2col``: add every row back into its window.

    cols: (N * H_out * W_out, C * field_height * field_width); x_shape: (N, C, H, W).
    Returns an array of shape x_shape (overlapping windows add up; padding is cut off).
    """
    check_array("cols", cols)
    if (not isinstance(x_shape, tuple | list) or len(x_shape) != 4
            or not all(isinstance(v, int | np.integer) and v > 0 for v in x_shape)):
        raise ValueError(f"x_shape must be a tuple (N, C, H, W) of positive ints, got {x_shape!r}")
    N, C, H, W = (int(v) for v in x_shape)
    HH, WW, s, pad, Ho, Wo = _geometry((N, C, H, W), field_height, field_width, stride, pad)
    check_like("cols", cols, (N * Ho * Wo, C * HH * WW), "(N*H_out*W_out, C*HH*WW)",
               what="im2col's output for x_shape")
    c6 = cols.reshape(N, Ho, Wo, C, HH, WW)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=cols.dtype)
    for k in range(HH):
        for m in range(WW):
            xp[:, :, k:k + s * Ho:s, m:m + s * Wo:s] += c6[:, :, :, :, k, m].transpose(0, 3, 1, 2)
    return xp[:, :, pad:pad + H, pad:pad + W] if pad else xp


def conv_forward_im2col(x, w, b, conv_param):
    """Convolution forward as one matrix product.

    x: (N, C, H, W); w: (F, C, HH, WW); b: (F,); conv_param: {"stride", "pad"}.
    Returns (out: (N, F, H_out, W_out), cache), equal to ``conv_forward_naive``.
    """
    stride, pad, Ho, Wo = _check_conv_inputs(x, w, b, conv_param)
    N, F = x.shape[0], w.shape[0]
    HH, WW = w.shape[2:]
    dtype = np.result_type(x, w, b)
    cols = im2col(x.astype(dtype, copy=False), HH, WW, stride, pad)
    out = cols @ w.reshape(F, -1).astype(dtype, copy=False).T  # (N*Ho*Wo, F)
    out += b
    out = np.ascontiguousarray(out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2))
    return out, (x, w, b, conv_param, cols)


def conv_backward_im2col(dout, cache):
    """Convolution backward. dout: (N, F, H_out, W_out).

    Returns (dx: (N, C, H, W), dw: (F, C, HH, WW), db: (F,)), equal to ``conv_backward_naive``.
    """
    x, w, b, conv_param, cols = cache
    stride, pad, Ho, Wo = _check_conv_inputs(x, w, b, conv_param)
    N, F = x.shape[0], w.shape[0]
    HH, WW = w.shape[2:]
    check_like("dout", dout, (N, F, Ho, Wo), "(N, F, H_out, W_out)")
    dtype = np.result_type(dout, x, w)
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, F).astype(dtype, copy=False)  # (N*Ho*Wo, F)
    db = dout.sum(axis=(0, 2, 3)).astype(np.result_type(dout, b), copy=False)
    dw = (d2.T @ cols).reshape(w.shape)
    dcols = d2 @ w.reshape(F, -1).astype(dtype, copy=False)
    dx = col2im(dcols, x.shape, HH, WW, stride, pad)
    return np.ascontiguousarray(dx), dw, db


def max_pool_forward_fast(x, pool_param):
    """Max pooling forward without Python loops over positions.

    x: (N, C, H, W); pool_param: {"pool_height", "pool_width", "stride"}.
    Returns (out: (N, C, H_out, W_out), cache), equal to ``max_pool_forward_naive``.
    """
    ph, pw, s, Ho, Wo = _check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(2, 3))
    windows = windows[:, :, ::s, ::s][:, :, :Ho, :Wo]  # (N, C, Ho, Wo, ph, pw), a view
    flat = windows.reshape(N, C, Ho, Wo, ph * pw)  # one copy
    k = flat.argmax(axis=4)  # first maximum, as PyTorch
    out = np.take_along_axis(flat, k[..., None], axis=4)[..., 0]
    # the flat index into x of every window's winner, for the backward
    rows = np.arange(Ho)[:, None] * s + k // pw
    cols = np.arange(Wo)[None, :] * s + k % pw
    base = (np.arange(N)[:, None] * C + np.arange(C)[None, :]) * (H * W)
    winner = base[:, :, None, None] + rows * W + cols
    return out, (x.shape, x.dtype, pool_param, winner)


def max_pool_backward_fast(dout, cache):
    """Max pooling backward: each window's gradient goes to its maximum (``np.bincount`` adds
    the contributions of overlapping windows). dout: (N, C, H_out, W_out). Returns dx: (N, C, H, W).
    """
    shape, dtype, pool_param, winner = cache
    check_like("dout", dout, winner.shape, "(N, C, H_out, W_out)")
    dx = np.bincount(winner.ravel(), weights=dout.ravel(), minlength=int(np.prod(shape)))
    return dx.reshape(shape).astype(np.result_type(dout, dtype), copy=False)
