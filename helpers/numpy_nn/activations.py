"""Activation functions, each as a ``*_forward`` / ``*_backward`` pair.

``X_forward(x, ...) -> (out, cache)`` and ``X_backward(dout, cache) -> dx`` (ops with a
parameter return its gradient too). Element-wise ops accept ``x`` of any shape, usually
``(N, D)``; ``out``, ``dout`` and ``dx`` have the shape of ``x``.

Kink convention: ReLU, Leaky ReLU and PReLU are not differentiable at exactly 0. We use the
*left* derivative there, as PyTorch does: relu'(0) = 0 and leaky_relu'(0) = prelu'(0) = alpha.
(ELU is differentiable at 0 when alpha = 1; in general we also take the left side, alpha.)

``ACTIVATIONS[name] = (f, df)`` gives plain functions of ``x`` for plotting, and
``activation_forward(name, x)`` / ``activation_backward(name, dout, cache)`` dispatch by name
(the MLP uses them).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from helpers.numpy_nn._shapes import check_array, check_choice, check_like, check_shapes

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# --------------------------------------------------------------------------- erf
# W. J. Cody's rational approximations (Math. Comp. 1969, as in his CALERF routine):
# about 1e-16 relative error in float64, vectorised. The 7.1.26 formula of Abramowitz and
# Stegun is only good to 1.5e-7, too coarse to match torch's exact GELU in float64.
_ERF_A = (
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
)
_ERF_B = (
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
_ERF_C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
)
_ERF_D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_ERF_P = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
)
_ERF_Q = (
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)


def _ratio(t, num, den):
    """Cody's Horner scheme: num[-1]*t^n + num[0]*t^(n-1) + ... over t^n + den[0]*t^(n-1) ..."""
    n = len(den)
    xnum, xden = num[-1] * t, t
    for i in range(n - 1):
        xnum = (xnum + num[i]) * t
        xden = (xden + den[i]) * t
    return (xnum + num[n - 1]), (xden + den[n - 1])


def _exp_neg_square(y):
    # exp(-y^2) computed as exp(-s^2) * exp(-(y-s)(y+s)) with s = y rounded down to 1/16,
    # which keeps the relative error of the product near machine precision.
    s = np.trunc(y * 16.0) / 16.0
    return np.exp(-s * s) * np.exp(-(y - s) * (y + s))


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, element-wise, to about 1e-16 in float64. ``x``: any shape."""
    check_array("x", x)
    y = np.abs(x)
    out = np.empty_like(y)
    small, big = y <= 0.46875, y > 4.0
    mid = ~(small | big)
    ys = y[small]
    num, den = _ratio(ys * ys, _ERF_A, _ERF_B)
    out[small] = ys * num / den
    ym = y[mid]
    num, den = _ratio(ym, _ERF_C, _ERF_D)
    out[mid] = 1.0 - _exp_neg_square(ym) * num / den  # num/den = exp(y^2) * erfc(y)
    yb = np.minimum(y[big], 30.0)  # erfc(y) underflows to 0 beyond 26.6: avoid overflow in y^2
    t = 1.0 / (yb * yb)
    num, den = _ratio(t, _ERF_P, _ERF_Q)
    out[big] = 1.0 - _exp_neg_square(yb) * (1.0 / math.sqrt(math.pi) - t * num / den) / yb
    return np.copysign(out, x)


def _stable_sigmoid(x):
    # Never exponentiate a large positive number: e = exp(-|x|) is in (0, 1].
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _dx(dout, cache_x):
    check_like("dout", dout, cache_x.shape, None, "the forward input x")


# --------------------------------------------------------------------------- element-wise
def sigmoid_forward(x):
    """sigma(x) = 1 / (1 + exp(-x)), computed without overflow. x: any shape."""
    check_array("x", x)
    out = _stable_sigmoid(x)
    return out, out


def sigmoid_backward(dout, cache):
    """dx = dout * sigma * (1 - sigma). dout: shape of x."""
    out = cache
    _dx(dout, out)
    return dout * out * (1.0 - out)


def tanh_forward(x):
    """tanh(x). x: any shape."""
    check_array("x", x)
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    """dx = dout * (1 - tanh^2). dout: shape of x."""
    out = cache
    _dx(dout, out)
    return dout * (1.0 - out * out)


def relu_forward(x):
    """max(0, x). x: any shape."""
    check_array("x", x)
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """dx = dout where x > 0, else 0 (so relu'(0) = 0, as in torch). dout: shape of x."""
    x = cache
    _dx(dout, x)
    return np.where(x > 0, dout, 0)


def leaky_relu_forward(x, alpha=0.01):
    """x if x > 0 else alpha * x. x: any shape; alpha: a number."""
    check_array("x", x)
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout, cache):
    """dx = dout if x > 0 else alpha * dout (so the derivative at 0 is alpha, as in torch)."""
    x, alpha = cache
    _dx(dout, x)
    return np.where(x > 0, dout, alpha * dout)


def prelu_forward(x, alpha):
    """Leaky ReLU with a learnable slope.

    x: (N, D); alpha: a number, shape (1,), or (D,) for one slope per feature.
    Returns out: (N, D).
    """
    check_shapes(("x", x, ("N", "D")))
    if isinstance(alpha, np.ndarray):
        if alpha.shape not in ((), (1,), (x.shape[1],)):
            check_shapes(("alpha", alpha, ("D",)), known={"D": (x.shape[1], "x.shape[1]")})
    elif isinstance(alpha, bool) or not isinstance(alpha, int | float | np.number):
        raise TypeError(f"alpha must be a number or an array, got {type(alpha).__name__}")
    return np.where(x > 0, x, alpha * x), (x, alpha)


def prelu_backward(dout, cache):
    """Returns (dx: (N, D), dalpha: shape of alpha). The derivative at 0 is alpha, as in torch."""
    x, alpha = cache
    _dx(dout, x)
    neg = x <= 0
    dx = np.where(neg, alpha * dout, dout)
    contrib = np.where(neg, x * dout, 0)
    # A shared slope collects the gradient of every entry; a per-feature slope, of its column.
    shape = np.shape(alpha)
    dalpha = contrib.sum() if np.size(alpha) == 1 else contrib.sum(axis=0)
    return dx, np.reshape(dalpha, shape) if shape else dalpha


def elu_forward(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1). x: any shape."""
    check_array("x", x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), (x, alpha)


def elu_backward(dout, cache):
    """dx = dout if x > 0 else dout * alpha * exp(x) (left derivative, alpha, at 0)."""
    x, alpha = cache
    _dx(dout, x)
    return np.where(x > 0, dout, dout * alpha * np.exp(np.minimum(x, 0)))


def swish_forward(x, beta=1.0):
    """x * sigma(beta * x); beta = 1 is SiLU (torch.nn.functional.silu). x: any shape."""
    check_array("x", x)
    s = _stable_sigmoid(beta * x)
    return x * s, (x, s, beta)


def swish_backward(dout, cache):
    """dx = dout * (s + beta * x * s * (1 - s)) with s = sigma(beta * x)."""
    x, s, beta = cache
    _dx(dout, x)
    return dout * (s + beta * x * s * (1.0 - s))


def gelu_forward(x, approximate="none"):
    """GELU: x * Phi(x), Phi the standard normal CDF. x: any shape.

    approximate="none" is the exact form 0.5 * x * (1 + erf(x / sqrt(2))) (our ``erf``);
    approximate="tanh" is 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))).
    Both match torch.nn.functional.gelu with the same ``approximate``.
    """
    check_array("x", x)
    check_choice("approximate", approximate, ("none", "tanh"))
    if approximate == "tanh":
        t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3))
        return 0.5 * x * (1.0 + t), (x, t, approximate)
    phi = 0.5 * (1.0 + erf(np.asarray(x * (1.0 / math.sqrt(2.0)))))
    return x * phi, (x, phi, approximate)


def gelu_backward(dout, cache):
    """dx = dout * (Phi(x) + x * pdf(x)) (exact) or the derivative of the tanh form."""
    x, p, approximate = cache
    _dx(dout, x)
    if approximate == "tanh":
        du = _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
        return dout * (0.5 * (1.0 + p) + 0.5 * x * (1.0 - p * p) * du)
    return dout * (p + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x))


def identity_forward(x):
    """The identity ("linear" activation). x: any shape."""
    check_array("x", x)
    return x, x


def identity_backward(dout, cache):
    """dx = dout."""
    _dx(dout, cache)
    return dout


# --------------------------------------------------------------------------- with weights / gates
def maxout_forward(x, W, b, k):
    """Maxout: M units, each the max of k linear pieces.

    x: (N, D); W: (D, M*k); b: (M*k,); k: pieces per unit. Columns m*k ... m*k + k-1 of W
    belong to unit m. Returns out: (N, M).
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k <= 0:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    check_shapes(("x", x, ("N", "D")), ("W", W, ("D", "M*k")), ("b", b, ("M*k",)))
    if W.shape[1] % k:
        raise ValueError(
            f"W must have shape (D, M*k) with k={k}, got {W.shape}: {W.shape[1]} is not a "
            f"multiple of k"
        )
    n, mk = x.shape[0], W.shape[1]
    z = (x @ W + b).reshape(n, mk // k, k)
    idx = z.argmax(axis=2)[:, :, None]
    out = np.take_along_axis(z, idx, axis=2)[:, :, 0]
    return out, (x, W, idx, k)


def maxout_backward(dout, cache):
    """dout: (N, M). Returns (dx: (N, D), dW: (D, M*k), db: (M*k,)).

    Like a max node, the gradient goes only to the winning piece (the first one on ties).
    """
    x, W, idx, k = cache
    n, mk = x.shape[0], W.shape[1]
    check_like("dout", dout, (n, mk // k), "(N, M)")
    dz = np.zeros((n, mk // k, k), dtype=dout.dtype)
    np.put_along_axis(dz, idx, dout[:, :, None], axis=2)
    dz = dz.reshape(n, mk)
    return dz @ W.T, x.T @ dz, dz.sum(axis=0)


def _check_halves(x):
    check_array("x", x)
    if x.ndim == 0 or x.shape[-1] % 2:
        raise ValueError(f"x must have shape (N, 2H) (an even last axis), got {x.shape}")


def glu_forward(x):
    """Gated linear unit: a * sigma(b), with a, b the two halves of the last axis.

    x: (N, 2H) (or (..., 2H)). Returns out: (N, H). Matches torch.nn.functional.glu(x, -1).
    """
    _check_halves(x)
    a, b = np.split(x, 2, axis=-1)
    s = _stable_sigmoid(b)
    return a * s, (a, s)


def gtu_forward(x):
    """Gated tanh unit: tanh(a) * sigma(b). x: (N, 2H). Returns out: (N, H)."""
    _check_halves(x)
    a, b = np.split(x, 2, axis=-1)
    t, s = np.tanh(a), _stable_sigmoid(b)
    return t * s, (t, s)


def glu_backward(dout, cache):
    """dout: (N, H). Returns dx: (N, 2H)."""
    a, s = cache
    check_like("dout", dout, a.shape, "(N, H)")
    return np.concatenate([dout * s, dout * a * s * (1.0 - s)], axis=-1)


def gtu_backward(dout, cache):
    """dout: (N, H). Returns dx: (N, 2H)."""
    t, s = cache
    check_like("dout", dout, t.shape, "(N, H)")
    return np.concatenate([dout * (1.0 - t * t) * s, dout * t * s * (1.0 - s)], axis=-1)


# --------------------------------------------------------------------------- 0-d in, arrays out
def _as_arrays(fn):
    """NumPy turns 0-d results into scalars (np.float32(...)); give arrays back, as promised."""

    def arr(v):
        return np.asarray(v) if isinstance(v, np.generic) else v

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        if not isinstance(result, tuple):
            return arr(result)
        if fn.__name__.endswith("_forward"):  # (out, cache): the cache stays as it is
            return (arr(result[0]), *result[1:])
        return tuple(arr(v) for v in result)

    return wrapper


for _name in [n for n in list(globals()) if n == "erf" or (not n.startswith("_") and n.endswith(("_forward", "_backward")))]:
    globals()[_name] = _as_arrays(globals()[_name])
del _name


# --------------------------------------------------------------------------- dispatch by name
def _gelu_tanh_forward(x):
    return gelu_forward(x, approximate="tanh")


_ELEMENTWISE = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "elu": (elu_forward, elu_backward),
    "swish": (swish_forward, swish_backward),
    "gelu": (gelu_forward, gelu_backward),
    "gelu_tanh": (_gelu_tanh_forward, gelu_backward),
    "linear": (identity_forward, identity_backward),
    "identity": (identity_forward, identity_backward),
}
ELEMENTWISE_NAMES = tuple(_ELEMENTWISE)


def activation_forward(name, x):
    """Element-wise activation ``name`` (one of ``ELEMENTWISE_NAMES``). x: any shape."""
    check_choice("activation", name, _ELEMENTWISE)
    return _ELEMENTWISE[name][0](x)


def activation_backward(name, dout, cache):
    """Backward of ``activation_forward(name, x)``. dout: shape of x. Returns dx."""
    check_choice("activation", name, _ELEMENTWISE)
    return _ELEMENTWISE[name][1](dout, cache)


def _plain(name):
    def f(x):
        return activation_forward(name, x)[0]

    def df(x):
        out, cache = activation_forward(name, x)
        return activation_backward(name, np.ones_like(out), cache)

    f.__name__, df.__name__ = name, f"d{name}"
    return f, df


#: ``ACTIVATIONS[name] = (f, df)``: the function and its derivative, element-wise, for plots.
ACTIVATIONS = {name: _plain(name) for name in _ELEMENTWISE}
