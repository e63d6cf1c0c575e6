"""Regularisation ops: L1/L2 penalties, inverted dropout, batch and layer normalisation.

CS231n's names and contracts (``forward -> (out, cache)``, ``backward(dout, cache)``), rows are
samples, dtype in = dtype out. Conventions follow PyTorch where the two courses differ:

- **dropout**: ``dropout_param["p"]`` is the probability of *dropping* a unit, as in
  ``torch.nn.Dropout(p)`` (CS231n's assignment uses the *keep* probability; here keep = 1 - p).
  Inverted dropout: in training a unit is kept with probability ``1 - p`` and the kept values
  are divided by ``1 - p``, so E[out] = x; at test time the layer is the identity.
- **batch norm**: running statistics follow ``torch.nn.BatchNorm1d``: ``momentum`` (default
  0.1) is the weight of the *new* batch, ``running = (1 - momentum) * running + momentum *
  batch``; the running variance stores the *unbiased* batch variance (divide by N - 1), while
  normalisation in training uses the biased one (divide by N). Running mean starts at 0 and
  running variance at 1. (CS231n's ``momentum=0.9`` weighs the *old* value: 0.9 there is 0.1
  here.)
- **layer norm**: ``torch.nn.LayerNorm(D)``: statistics over the features of each sample
  (biased variance), the same in training and at test time.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_array, check_choice, check_like, check_shapes
from helpers.numpy_nn.losses import l2_penalty

__all__ = [
    "l1_penalty", "l2_penalty", "dropout_forward", "dropout_backward", "batchnorm_forward",
    "batchnorm_backward", "layernorm_forward", "layernorm_backward", "random_shifts",
]

MODES = ("train", "test")


def _check_weights(weights):
    if not isinstance(weights, list | tuple):
        raise TypeError(f"weights must be a list of arrays, got {type(weights).__name__}")
    for i, w in enumerate(weights):
        check_array(f"weights[{i}]", w)


def _check_strength(name, value):
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a number >= 0, got {type(value).__name__}")
    if not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")


def l1_penalty(weights, l1):
    """L1 regularisation ``l1 * sum_W sum_ij |W_ij|`` over a list of weight arrays (any shapes).

    Returns ``(loss, grads)``: ``grads`` one array per W, same shapes and dtypes,
    ``l1 * sign(W)``. |w| has no derivative at 0; we use the subgradient 0 there (what
    ``torch.abs`` back-propagates), so a weight that is exactly 0 stays put.
    (L2 is ``l2_penalty(weights, l2)``: ``0.5 * l2 * sum ||W||^2``, gradient ``l2 * W``.)
    """
    _check_weights(weights)
    _check_strength("l1", l1)
    loss = l1 * sum(float(np.sum(np.abs(w))) for w in weights)
    return loss, [(l1 * np.sign(w)).astype(w.dtype, copy=False) for w in weights]


# ----------------------------------------------------------------------------- dropout

def _check_param(name, param, required=("mode",)):
    if not isinstance(param, dict):
        raise TypeError(f"{name} must be a dict, got {type(param).__name__}")
    for key in required:
        if key not in param:
            raise ValueError(f"{name} needs the key {key!r}, got keys {sorted(param)}")
    check_choice(f"{name}['mode']", param["mode"], MODES)


def dropout_forward(x, dropout_param):
    """Inverted dropout. x: any shape, e.g. (N, D). Returns (out: x.shape, cache).

    ``dropout_param``: ``"mode"`` ``"train"`` or ``"test"``; ``"p"`` the probability of
    DROPPING a unit (PyTorch's convention; keep probability = 1 - p), 0 <= p < 1; optional
    ``"seed"`` (an int: the same mask on every call, for gradient checks) or ``"rng"`` (a
    ``np.random.Generator`` that advances between calls).

    train: mask = (U >= p) / (1 - p) with U ~ Uniform(0, 1) of x's shape, out = x * mask, so
    E[out] = x. test: out = x (no scaling: it was done in training). The mask is in the cache
    and ``dropout_backward`` reuses it.
    """
    check_array("x", x)
    _check_param("dropout_param", dropout_param, required=("mode", "p"))
    p = dropout_param["p"]
    if isinstance(p, bool) or not isinstance(p, int | float | np.floating) or not 0 <= p < 1:
        raise ValueError(f"dropout_param['p'] (the drop probability) must be in [0, 1), got {p!r}")
    mode = dropout_param["mode"]
    if mode == "test" or p == 0:
        return x.copy(), (dropout_param, None)
    rng = dropout_param.get("rng")
    if rng is None:
        rng = np.random.default_rng(dropout_param.get("seed"))
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(f"dropout_param['rng'] must be a np.random.Generator, got {type(rng).__name__}")
    u = rng.random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64)
    mask = ((u >= p) / x.dtype.type(1.0 - p)).astype(x.dtype, copy=False)
    return x * mask, (dropout_param, mask)


def dropout_backward(dout, cache):
    """dout: the shape of the forward's x. Returns dx: same shape (dout * mask in training)."""
    dropout_param, mask = cache
    if mask is None:
        check_array("dout", dout)
        return dout.copy()
    check_like("dout", dout, mask.shape, None, "the forward's x")
    return dout * mask


# ----------------------------------------------------------------------------- batch norm

def _check_affine(x, gamma, beta):
    check_shapes(("x", x, ("N", "D")), ("gamma", gamma, ("D",)), ("beta", beta, ("D",)))


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalisation over the batch axis. x: (N, D); gamma, beta: (D,).

    Returns (out: (N, D), cache). ``bn_param``: ``"mode"`` (``"train"``/``"test"``), optional
    ``"eps"`` (1e-5), ``"momentum"`` (0.1, PyTorch's: weight of the new batch),
    ``"running_mean"``/``"running_var"`` (D,) — created (zeros / ones) on first use and
    updated *in the dict* in training.

    train: mu = mean over N, var = biased variance over N (divide by N),
    x_hat = (x - mu) / sqrt(var + eps), out = gamma * x_hat + beta;
    running_mean <- (1 - momentum) running_mean + momentum mu,
    running_var  <- (1 - momentum) running_var + momentum var * N / (N - 1) (unbiased).
    test: the same with mu, var replaced by running_mean, running_var (nothing is updated).
    """
    _check_affine(x, gamma, beta)
    _check_param("bn_param", bn_param)
    n, d = x.shape
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.1)
    running_mean = bn_param.get("running_mean")
    if running_mean is None:
        running_mean = np.zeros(d, dtype=x.dtype)
    running_var = bn_param.get("running_var")
    if running_var is None:
        running_var = np.ones(d, dtype=x.dtype)
    check_shapes(("bn_param['running_mean']", running_mean, ("D",)),
                 ("bn_param['running_var']", running_var, ("D",)), known={"D": (d, "x.shape[1]")})
    if bn_param["mode"] == "train":
        if n < 2:
            raise ValueError(f"x must have shape (N, D) with N >= 2 in training mode (a batch "
                             f"variance needs two samples), got {x.shape}")
        mu = x.mean(axis=0)
        xc = x - mu
        var = (xc * xc).mean(axis=0)
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat = xc * inv_std
        out = gamma * x_hat + beta
        bn_param["running_mean"] = ((1 - momentum) * running_mean + momentum * mu).astype(x.dtype)
        bn_param["running_var"] = ((1 - momentum) * running_var
                                   + momentum * var * (n / (n - 1))).astype(x.dtype)
        cache = ("train", x_hat, gamma, inv_std)
    else:
        inv_std = 1.0 / np.sqrt(running_var + eps)
        x_hat = (x - running_mean) * inv_std
        out = gamma * x_hat + beta
        bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
        cache = ("test", x_hat, gamma, inv_std)
    return out.astype(x.dtype, copy=False), cache


def batchnorm_backward(dout, cache):
    """dout: (N, D). Returns (dx: (N, D), dgamma: (D,), dbeta: (D,)).

    With g = dout * gamma (the gradient w.r.t. x_hat) and sums over the batch axis:
    dbeta = sum(dout), dgamma = sum(dout * x_hat),
    train: dx = inv_std / N * (N g - sum(g) - x_hat * sum(g * x_hat)) (mu and var depend on x);
    test:  dx = g * inv_std (the running statistics are constants).
    """
    mode, x_hat, gamma, inv_std = cache
    check_like("dout", dout, x_hat.shape, "(N, D)")
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout * gamma
    if mode == "test":
        return g * inv_std, dgamma, dbeta
    dx = (inv_std / n) * (n * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


# ----------------------------------------------------------------------------- layer norm

def layernorm_forward(x, gamma, beta, ln_param=None):
    """Layer normalisation over the features of each sample. x: (N, D); gamma, beta: (D,).

    Returns (out: (N, D), cache). ``ln_param``: optional dict with ``"eps"`` (1e-5). For each
    row: mu = mean over D, var = biased variance over D, out = gamma * (x - mu) /
    sqrt(var + eps) + beta. No running statistics: training and test are the same.
    """
    _check_affine(x, gamma, beta)
    if ln_param is not None and not isinstance(ln_param, dict):
        raise TypeError(f"ln_param must be a dict or None, got {type(ln_param).__name__}")
    eps = (ln_param or {}).get("eps", 1e-5)
    mu = x.mean(axis=1, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = xc * inv_std
    return (gamma * x_hat + beta).astype(x.dtype, copy=False), (x_hat, gamma, inv_std)


def layernorm_backward(dout, cache):
    """dout: (N, D). Returns (dx: (N, D), dgamma: (D,), dbeta: (D,)).

    Batch norm's formula with the roles of the axes swapped: the sums run over the D
    features of each row, dx = inv_std / D * (D g - sum_D(g) - x_hat * sum_D(g * x_hat)).
    """
    x_hat, gamma, inv_std = cache
    check_like("dout", dout, x_hat.shape, "(N, D)")
    d = dout.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout * gamma
    dx = (inv_std / d) * (d * g - g.sum(axis=1, keepdims=True)
                          - x_hat * (g * x_hat).sum(axis=1, keepdims=True))
    return dx, dgamma, dbeta


# ----------------------------------------------------------------------------- augmentation

def random_shifts(X, max_shift, rng, side=28):
    """Shift each flattened square image by a random (dr, dc) in [-max_shift, max_shift]^2.

    X: (N, side * side) rows of images; pixels shifted in are 0. ``rng``: a
    ``np.random.Generator``. Returns (N, side * side), X's dtype. A data-augmentation step:
    a digit moved by a pixel or two is still the same digit.
    """
    check_array("X", X)
    if X.ndim != 2 or X.shape[1] != side * side:
        raise ValueError(f"X must have shape (N, {side * side}) (flattened {side}x{side} "
                         f"images), got {X.shape}")
    if isinstance(max_shift, bool) or not isinstance(max_shift, int | np.integer) or max_shift < 0:
        raise ValueError(f"max_shift must be an integer >= 0, got {max_shift!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
    n, m = len(X), int(max_shift)
    if m == 0:
        return X.copy()
    padded = np.pad(X.reshape(n, side, side), ((0, 0), (m, m), (m, m)))
    off = rng.integers(0, 2 * m + 1, size=(n, 2))
    rows = off[:, :1] + np.arange(side)  # (N, side)
    cols = off[:, 1:] + np.arange(side)
    out = padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    return out.reshape(n, side * side)
