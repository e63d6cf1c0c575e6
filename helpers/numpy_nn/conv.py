"""Convolution and pooling layers in NumPy, written with loops (the "naive" versions).

Shapes (rows are samples, as in PyTorch and CS231n):

- ``x``: ``(N, C, H, W)`` a batch of N images with C channels of H x W pixels;
- ``w``: ``(F, C, HH, WW)`` F filters, each spanning all C channels and HH x WW pixels;
- ``b``: ``(F,)`` one bias per filter;
- ``conv_param = {"stride": s, "pad": p}``: the filter moves s pixels at a time over the
  input padded with p zeros on every side;
- ``pool_param = {"pool_height": ph, "pool_width": pw, "stride": s}``.

The output of a convolution is ``(N, F, H_out, W_out)`` with
``H_out = (H + 2p - HH) // s + 1`` and ``W_out = (W + 2p - WW) // s + 1`` (the floor, as in
``torch.nn.functional.conv2d``: rows of the padded input the last window does not reach are
ignored, and their gradient is zero). Like every deep-learning library, the layer computes a
**cross-correlation** (the kernel is not flipped):

    out[n, f, i, j] = b[f] + sum_{c, k, l} x_pad[n, c, i*s + k, j*s + l] * w[f, c, k, l].

The loops here run over output positions (i, j) only; everything else (the batch, the
filters, the channels) is one NumPy expression. ``helpers.numpy_nn.im2col`` has the fast
versions with the same signatures and results.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_like, check_shapes

__all__ = [
    "avg_pool_backward_naive",
    "avg_pool_forward_naive",
    "conv_backward_naive",
    "conv_forward_naive",
    "conv_output_size",
    "max_pool_backward_naive",
    "max_pool_forward_naive",
]


def _nonneg_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        kind = "a positive integer" if minimum == 1 else "an integer >= 0"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def conv_output_size(n: int, f: int, stride: int = 1, pad: int = 0) -> int:
    """Output length along one axis: floor((n + 2*pad - f) / stride) + 1.

    n: input length; f: filter length; raises ``ValueError`` when the filter does not fit.
    """
    n = _nonneg_int("n", n, 1)
    f = _nonneg_int("f", f, 1)
    stride = _nonneg_int("stride", stride, 1)
    pad = _nonneg_int("pad", pad, 0)
    if n + 2 * pad < f:
        raise ValueError(f"the filter (size {f}) is larger than the padded input "
                         f"(n + 2*pad = {n} + 2*{pad} = {n + 2 * pad})")
    return (n + 2 * pad - f) // stride + 1


def _conv_param(conv_param):
    if not isinstance(conv_param, dict):
        raise TypeError("conv_param must be a dict {'stride': s, 'pad': p}, "
                        f"got {type(conv_param).__name__}")
    missing = {"stride", "pad"} - set(conv_param)
    if missing:
        raise ValueError(f"conv_param must have keys 'stride' and 'pad', missing {sorted(missing)}")
    stride = _nonneg_int("conv_param['stride']", conv_param["stride"], 1)
    pad = _nonneg_int("conv_param['pad']", conv_param["pad"], 0)
    return stride, pad


def _check_conv_inputs(x, w, b, conv_param):
    """Validate a convolution's inputs; returns (stride, pad, H_out, W_out)."""
    check_shapes(("x", x, ("N", "C", "H", "W")), ("w", w, ("F", "C", "HH", "WW")),
                 ("b", b, ("F",)))
    stride, pad = _conv_param(conv_param)
    _, _, H, W = x.shape
    _, _, HH, WW = w.shape
    if H + 2 * pad < HH or W + 2 * pad < WW:
        raise ValueError(f"w's filters ({HH}x{WW}) are larger than the padded input "
                         f"({H + 2 * pad}x{W + 2 * pad} = x's {H}x{W} with pad={pad})")
    return stride, pad, (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1


def _pad_images(x, pad):
    """Zero-pad the two spatial axes of ``x: (N, C, H, W)`` by ``pad`` on every side."""
    if pad == 0:
        return x
    N, C, H, W = x.shape
    out = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=x.dtype)
    out[:, :, pad:pad + H, pad:pad + W] = x
    return out


def conv_forward_naive(x, w, b, conv_param):
    """Convolution (cross-correlation) forward with a loop over output positions.

    x: (N, C, H, W); w: (F, C, HH, WW); b: (F,); conv_param: {"stride", "pad"}.
    Returns (out: (N, F, H_out, W_out), cache).
    """
    stride, pad, Ho, Wo = _check_conv_inputs(x, w, b, conv_param)
    N, F = x.shape[0], w.shape[0]
    HH, WW = w.shape[2:]
    dtype = np.result_type(x, w, b)
    xp = _pad_images(x, pad)
    out = np.empty((N, F, Ho, Wo), dtype=dtype)
    for i in range(Ho):
        for j in range(Wo):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            # (N, C, HH, WW) . (F, C, HH, WW) summed over C, HH, WW -> (N, F)
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """Convolution backward. dout: (N, F, H_out, W_out).

    Returns (dx: (N, C, H, W), dw: (F, C, HH, WW), db: (F,)). Every output position (i, j)
    saw one window of the padded input: its gradient flows back to that window (dx) and to
    every weight (dw), and db sums dout over the batch and all positions.
    """
    x, w, b, conv_param = cache
    stride, pad, Ho, Wo = _check_conv_inputs(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    check_like("dout", dout, (N, F, Ho, Wo), "(N, F, H_out, W_out)")
    xp = _pad_images(x, pad)
    dxp = np.zeros(xp.shape, dtype=np.result_type(dout, w))
    dw = np.zeros(w.shape, dtype=np.result_type(dout, x))
    for i in range(Ho):
        for j in range(Wo):
            rows = slice(i * stride, i * stride + HH)
            cols = slice(j * stride, j * stride + WW)
            g = dout[:, :, i, j]  # (N, F)
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))  # (N, C, HH, WW)
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))  # (F, C, HH, WW)
    dx = dxp[:, :, pad:pad + H, pad:pad + W] if pad else dxp
    db = dout.sum(axis=(0, 2, 3))
    return np.ascontiguousarray(dx), dw, db.astype(np.result_type(dout, b), copy=False)


def _pool_param(pool_param):
    if not isinstance(pool_param, dict):
        raise TypeError("pool_param must be a dict {'pool_height', 'pool_width', 'stride'}, "
                        f"got {type(pool_param).__name__}")
    missing = {"pool_height", "pool_width", "stride"} - set(pool_param)
    if missing:
        raise ValueError("pool_param must have keys 'pool_height', 'pool_width' and 'stride', "
                         f"missing {sorted(missing)}")
    return (_nonneg_int("pool_param['pool_height']", pool_param["pool_height"], 1),
            _nonneg_int("pool_param['pool_width']", pool_param["pool_width"], 1),
            _nonneg_int("pool_param['stride']", pool_param["stride"], 1))


def _check_pool_inputs(x, pool_param):
    """Validate a pooling layer's inputs; returns (ph, pw, stride, H_out, W_out)."""
    check_shapes(("x", x, ("N", "C", "H", "W")))
    ph, pw, s = _pool_param(pool_param)
    H, W = x.shape[2:]
    if ph > H or pw > W:
        raise ValueError(f"the pooling window ({ph}x{pw}) is larger than x's images ({H}x{W})")
    return ph, pw, s, (H - ph) // s + 1, (W - pw) // s + 1


def max_pool_forward_naive(x, pool_param):
    """Max pooling forward. x: (N, C, H, W); pool_param: {"pool_height", "pool_width", "stride"}.

    Returns (out: (N, C, H_out, W_out), cache), H_out = (H - pool_height) // stride + 1.
    """
    ph, pw, s, Ho, Wo = _check_pool_inputs(x, pool_param)
    N, C = x.shape[:2]
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """Max pooling backward. dout: (N, C, H_out, W_out). Returns dx: (N, C, H, W).

    Each window's gradient goes to the one input that was its maximum (the first one, in
    row-major order, when several are equal, as in PyTorch); the other inputs get nothing.
    """
    x, pool_param = cache
    ph, pw, s, Ho, Wo = _check_pool_inputs(x, pool_param)
    N, C = x.shape[:2]
    check_like("dout", dout, (N, C, Ho, Wo), "(N, C, H_out, W_out)")
    dx = np.zeros(x.shape, dtype=np.result_type(dout, x))
    n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * s:i * s + ph, j * s:j * s + pw].reshape(N, C, ph * pw)
            k = window.argmax(axis=2)  # (N, C): the winner's position inside the window
            dx[n_idx, c_idx, i * s + k // pw, j * s + k % pw] += dout[:, :, i, j]
    return dx


def avg_pool_forward_naive(x, pool_param):
    """Average pooling forward; same shapes and ``pool_param`` as ``max_pool_forward_naive``."""
    ph, pw, s, Ho, Wo = _check_pool_inputs(x, pool_param)
    N, C = x.shape[:2]
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].mean(axis=(2, 3))
    return out, (x, pool_param)


def avg_pool_backward_naive(dout, cache):
    """Average pooling backward. dout: (N, C, H_out, W_out). Returns dx: (N, C, H, W).

    Every input of a window gets 1 / (pool_height * pool_width) of the window's gradient.
    """
    x, pool_param = cache
    ph, pw, s, Ho, Wo = _check_pool_inputs(x, pool_param)
    N, C = x.shape[:2]
    check_like("dout", dout, (N, C, Ho, Wo), "(N, C, H_out, W_out)")
    dx = np.zeros(x.shape, dtype=np.result_type(dout, x))
    share = dout / (ph * pw)
    for i in range(Ho):
        for j in range(Wo):
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += share[:, :, i, j, None, None]
    return dx

