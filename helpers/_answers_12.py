"""References and natural mistakes for notebook 12's exercises (kept out of the test cells).

Each ``cases_*`` returns a list of ``helpers.checks.Case`` for ``check_function``: expected
values from a reference (PyTorch's ``conv2d``/``max_pool2d`` or the course library), and the
named mistakes a student is likely to make.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from helpers.checks import Case, shape_is
from helpers.numpy_nn.conv import conv_output_size
from helpers.numpy_nn.im2col import im2col


# ----------------------------------------------------------------------------- exercise 1
def _case_size(n, f, s, p):
    want = conv_output_size(n, f, s, p)
    mistakes = [(lambda got: isinstance(got, float | np.floating),
                 "use integer division (//): a size is an int"),
                (want - 1, "one too few: count the first position too (the + 1)"),
                (want + 1, "one too many: did you add 1 twice, or round up?")]
    if p:
        mistakes.insert(0, (conv_output_size(n, f, s, 0),
                            "you forgot the padding: it adds p pixels on *each* side"))
        # mistakes: [forgot padding, float, want - 1, want + 1]
        once = conv_output_size(n - p, f, s, p) if n > p else None
        if once == want - 1:  # the same number: name both
            mistakes[2] = (once, "one too few: count the first position too (the + 1), and "
                                 "the padding on both sides (2p)")
        elif once is not None:
            mistakes.insert(1, (once, "the padding goes on both sides: 2p, not p"))
    if s > 1:
        mistakes.append((n + 2 * p - f + 1, "you forgot to divide by the stride"))
    return Case(args=(n, f, s, p), expected=want, mistakes=mistakes)


def cases_output_size(hidden=False):
    if hidden:
        return [_case_size(6, 3, 2, 0), _case_size(15, 4, 3, 1), _case_size(5, 5, 1, 0),
                _case_size(224, 7, 2, 3)]
    return [_case_size(28, 3, 1, 1), _case_size(28, 5, 1, 0), _case_size(7, 3, 2, 0),
            _case_size(32, 5, 2, 2)]


# ----------------------------------------------------------------------------- exercise 2
def _xcorr(image, kernel, s, p):
    out = F.conv2d(torch.tensor(image)[None, None], torch.tensor(kernel)[None, None],
                   stride=s, padding=p)
    return out[0, 0].numpy()


def _case_conv(H, W, f, s, p, seed):
    r = np.random.default_rng(seed)
    image, kernel = r.standard_normal((H, W)), r.standard_normal((f, f))
    want = _xcorr(image, kernel, s, p)
    mistakes = [(_xcorr(image, kernel[::-1, ::-1].copy(), s, p),
                 "you flipped the kernel: that is the true convolution; deep-learning layers "
                 "compute the cross-correlation (no flip)")]
    if p:
        mistakes.append((shape_is(conv_output_size(H, f, s, 0), conv_output_size(W, f, s, 0)),
                         "you forgot the padding (the output has the unpadded size)"))
    if s > 1:
        unstrided = _xcorr(image, kernel, 1, p)
        mistakes.append((unstrided[:want.shape[0], :want.shape[1]],
                         "wrong stride indexing: window (i, j) starts at row i*stride, "
                         "column j*stride"))
        mistakes.append((shape_is(*unstrided.shape),
                         "you ignored the stride: the output has the stride-1 size"))
    if f > 1:
        mistakes.append((_xcorr(image, kernel.T.copy(), s, p),
                         "you transposed the kernel: kernel[k, l] multiplies the pixel k rows "
                         "down and l columns right of the window's corner"))
    mistakes.append((lambda got: np.asarray(got).dtype.kind in "iub",
                     "your output array has an integer dtype, so every sum was truncated: "
                     "create it as a float array (np.zeros(shape) is float64)"))
    mistakes += [(shape_is(want.shape[0] - 1, want.shape[1] - 1),
                  "off by one: the output size has a + 1"),
                 (shape_is(want.shape[0] + 1, want.shape[1] + 1),
                  "off by one: one position too many")]
    return Case(args=(image, kernel, s, p), expected=want, mistakes=mistakes)


def cases_conv2d_single(hidden=False):
    if hidden:
        return [_case_conv(9, 6, 2, 3, 1, seed=4), _case_conv(4, 4, 4, 1, 0, seed=5),
                _case_conv(10, 10, 5, 2, 2, seed=6)]
    return [_case_conv(5, 5, 3, 1, 0, seed=0), _case_conv(6, 5, 3, 1, 1, seed=1),
            _case_conv(7, 7, 3, 2, 0, seed=2), _case_conv(8, 9, 3, 2, 1, seed=3)]


# ----------------------------------------------------------------------------- exercise 3
def _pool_grad(dout, x, size, s):
    t = torch.tensor(x, requires_grad=True)
    F.max_pool2d(t[None, None], size, stride=s).backward(torch.tensor(dout)[None, None])
    return t.grad.numpy()


def _pool_grad_overwrite(dout, x, size, s):
    """Each window assigns its gradient instead of adding it."""
    dx = np.zeros_like(x)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            g = np.zeros_like(dout)
            g[i, j] = dout[i, j]
            d = _pool_grad(g, x, size, s)
            dx[d != 0] = d[d != 0]
    return dx


def _spread(dout, x, size, s):
    """Every position of every window gets the window's whole gradient."""
    dx = np.zeros_like(x)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            dx[i * s:i * s + size, j * s:j * s + size] += dout[i, j]
    return dx


def _routed(dout, x, size, s, where):
    """Each window's dout[i, j] added at ``where(i, j, k, l)``, (k, l) its first argmax."""
    dx = np.zeros_like(x)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            win = x[i * s:i * s + size, j * s:j * s + size]
            k, c = np.unravel_index(np.argmax(win), win.shape)
            dx[where(i, j, k, c)] += dout[i, j]
    return dx


def _all_ties(dout, x, size, s):
    """Every input equal to its window's maximum gets the window's whole gradient."""
    dx = np.zeros_like(x)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            win = x[i * s:i * s + size, j * s:j * s + size]
            dx[i * s:i * s + size, j * s:j * s + size] += (win == win.max()) * dout[i, j]
    return dx


def _case_pool(H, W, size, s, seed, ties=False):
    r = np.random.default_rng(seed)
    if ties:  # few distinct values: most windows hold their maximum twice or more
        x = r.integers(0, 3, (H, W)).astype(float)
    else:
        x = r.permutation(H * W).reshape(H, W).astype(float)  # distinct: one max per window
    ho, wo = (H - size) // s + 1, (W - size) // s + 1
    dout = r.standard_normal((ho, wo))
    spread = _spread(dout, x, size, s)
    mistakes = [
        (_routed(dout, x, size, s, lambda i, j, k, lt: (i * s + lt, j * s + k)),
         "row and column of the argmax are swapped: np.unravel_index(np.argmax(window), "
         "window.shape) gives (row, column) in that order (or divmod(index, size) gives "
         "(index // size, index % size) = (row, column))"),
        (_routed(dout, x, size, s, lambda i, j, k, lt: (k, lt)),
         "you put the gradient at the argmax's position inside the window; add the window's "
         "corner (i*stride, j*stride) to get its position in x"),
        (_routed(np.ones_like(dout), x, size, s, lambda i, j, k, lt: (i * s + k, j * s + lt)),
         "the argmax received 1; it must receive the window's gradient dout[i, j] "
         "(chain rule)"),
        (_all_ties(dout, x, size, s),
         "several inputs tie for a window's maximum and you gave the gradient to all of them; "
         "only the first in row-major order (np.argmax of the flattened window) gets it"),
        (_all_ties(dout, x, size, s) / np.maximum(1, _all_ties(np.ones_like(dout), x, size, s)),
         "several inputs tie for a window's maximum and you shared the gradient between them; "
         "only the first in row-major order (np.argmax of the flattened window) gets it"),
    ]
    mistakes += [(spread, "you routed the gradient to every position of the window; only the "
                         "argmax gets it"),
                (spread / size ** 2, "that is average pooling's backward (dout shared equally); "
                                     "max pooling sends it all to the argmax"),
                (lambda got: np.shape(got) == dout.shape,
                 "dx has the shape of the input x, not of dout")]
    if s < size:
        mistakes.append((_pool_grad_overwrite(dout, x, size, s),
                         "overlapping windows must add (+=) their gradients, not overwrite them"))
    return Case(args=(dout, x, size, s), expected=_pool_grad(dout, x, size, s),
                mistakes=mistakes,
                hint="window (i, j) covers rows i*stride to i*stride + size - 1 of x (and the "
                     "same for columns), so consecutive windows start stride pixels apart",
                label="ties: the first maximum in row-major order gets the gradient" if ties
                else "")


def cases_max_pool_backward(hidden=False):
    if hidden:
        return [_case_pool(6, 8, 2, 2, seed=3), _case_pool(9, 5, 3, 3, seed=4),
                _case_pool(6, 6, 4, 1, seed=5)]
    return [_case_pool(4, 4, 2, 2, seed=0), _case_pool(5, 6, 3, 1, seed=1),
            _case_pool(7, 7, 3, 2, seed=2), _case_pool(6, 6, 2, 2, seed=7, ties=True)]


# ----------------------------------------------------------------------------- exercise 4
def _case_im2col(C, H, W, f, s, p, seed):
    r = np.random.default_rng(seed)
    x = r.standard_normal((C, H, W))
    want = im2col(x[None], f, f, s, p)
    rows = want.shape[0]
    by_pixel = want.reshape(rows, C, f, f).transpose(0, 2, 3, 1).reshape(rows, -1)
    mistakes = [(want.T, "you returned one *column* per window; this im2col has one row per "
                         "window"),
                (lambda got: np.shape(got) == want.shape[::-1] and want.shape[0] != want.shape[1],
                 "transposed: one row per window"),
                (by_pixel, "each row must be the (C, f, f) window flattened channel first: "
                           "window.ravel()")]
    Ho, Wo = conv_output_size(H, f, s, p), conv_output_size(W, f, s, p)
    if Ho > 1 and Wo > 1:
        column_major = want.reshape(Ho, Wo, -1).transpose(1, 0, 2).reshape(rows, -1)
        mistakes.append((column_major, "the windows are in column-major order; row-major means "
                                       "window (0, 0), (0, 1), … along the first output row, "
                                       "then the next row"))
    if s > 1:
        one = im2col(x[None], f, f, 1, p)
        Ho1, Wo1 = conv_output_size(H, f, 1, p), conv_output_size(W, f, 1, p)
        mistakes.append((one.reshape(Ho1, Wo1, -1)[:Ho, :Wo].reshape(rows, -1),
                         "wrong stride indexing: window (i, j) starts at row i*stride, "
                         "column j*stride of the padded input"))
    if p:
        mistakes.append((shape_is(*im2col(x[None], f, f, s, 0).shape),
                         "you forgot the zero padding"))
        mistakes.append((shape_is(rows, (C + 2 * p) * f * f),
                         "you padded the channel axis too: pad only the two spatial axes "
                         "(np.pad takes one (before, after) pair per axis)"))
    return Case(args=(x, f, s, p), expected=want, mistakes=mistakes)


def cases_im2col_single(hidden=False):
    if hidden:
        return [_case_im2col(2, 7, 5, 3, 2, 1, seed=3), _case_im2col(1, 4, 4, 4, 1, 0, seed=4)]
    return [_case_im2col(1, 3, 3, 2, 1, 0, seed=0), _case_im2col(2, 4, 4, 3, 1, 1, seed=1),
            _case_im2col(3, 5, 6, 3, 2, 0, seed=2)]
