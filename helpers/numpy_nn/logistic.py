"""Logistic regression in NumPy, as notebook 01 derives it.

Rows are samples: ``X: (N, D)``, labels ``y: (N,)`` in {0, 1}, weights ``w: (D,)``, bias
``b`` a float. The model and its gradient (notebook 01, "The gradient"):

    z = X @ w + b          (N,)   linear score
    a = sigmoid(z)         (N,)   P(y = 1 | x)
    L = mean(-[y log a + (1 - y) log(1 - a)])
    dL/dz = (a - y) / N,   dw = X.T @ (a - y) / N,   db = mean(a - y)

Every public function checks its inputs (with the library's checks, ``_shapes``) and raises
``ValueError`` naming the argument, the expected shape in symbols, the shape it got, and
"looks transposed" when it does. Outputs keep the inputs' floating dtype (float32 stays
float32; ints become float64).
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import as_float_array, check_finite, check_int_at_least
from helpers.numpy_nn.losses import binary_cross_entropy

__all__ = [
    "sigmoid", "sigmoid_derivative", "bce_loss", "bce_with_logits", "logistic_gradients",
    "predict_proba", "predict", "accuracy", "train_logistic_regression",
]


# --------------------------------------------------------------------------- validation
def _as_float_array(name: str, a) -> np.ndarray:
    a = as_float_array(name, a)
    check_finite(name, a)
    return a


def _check_X(X) -> np.ndarray:
    X = _as_float_array("X", X)
    if X.ndim != 2:
        hint = ""
        if X.ndim == 1:
            hint = " (one sample? use X[None, :]; one feature? use X[:, None])"
        elif X.ndim > 2:
            hint = " (images? flatten them to one row per sample: X.reshape(len(X), -1))"
        raise ValueError(f"X must have shape (N, D) with one row per sample, got {X.shape}{hint}")
    return X


def _check_y(y, N: int, X_shape: tuple, name: str = "y") -> np.ndarray:
    y = _as_float_array(name, y)
    if y.shape != (N,):
        msg = f"{name} must have shape (N,) = ({N},) to match X {X_shape}, got {y.shape}"
        if y.size == N:
            msg += f" (same number of entries: flatten it with {name}.reshape(-1))"
        elif y.ndim == 1 and len(X_shape) == 2 and y.shape[0] == X_shape[1]:
            msg += " (X looks transposed: X must be (N, D), rows are samples)"
        raise ValueError(msg)
    return y


def _check_labels(y, name: str = "y") -> None:
    if not np.all((y == 0) | (y == 1)):
        bad = np.unique(y[(y != 0) & (y != 1)])[:5]
        raise ValueError(f"{name} must hold labels 0 and 1, found {bad.tolist()}")


def _check_w(w, D: int, X_shape: tuple) -> np.ndarray:
    w = _as_float_array("w", w)
    if w.shape != (D,):
        msg = f"w must have shape (D,) = ({D},) for X {X_shape}, got {w.shape}"
        if w.size == D:
            msg += " (same number of entries: flatten it with w.reshape(-1))"
        elif w.ndim == 1 and w.shape[0] == X_shape[0]:
            msg += " (X looks transposed: X must be (N, D), rows are samples)"
        raise ValueError(msg)
    return w


def _check_b(b) -> float:
    arr = np.asarray(b)
    if arr.size != 1:
        raise ValueError(f"b must be a single number (one bias for one output neuron), got shape {arr.shape}")
    return float(arr.reshape(()))


def _check_same_shape(name_a: str, a, name_b: str, b) -> tuple[np.ndarray, np.ndarray]:
    a = _as_float_array(name_a, a)
    b = _as_float_array(name_b, b)
    if a.shape != b.shape:
        msg = f"{name_a} and {name_b} must have the same shape (N,), got {a.shape} and {b.shape}"
        if a.size == b.size:
            msg += " (same number of entries: a (N, 1) column against an (N,) vector? use .reshape(-1))"
        raise ValueError(msg)
    return a, b


# --------------------------------------------------------------------------- the model
def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), element-wise, without overflow for any finite z.

    For z ≥ 0 it uses 1 / (1 + e^(−z)); for z < 0 the equal form e^z / (1 + e^z). Either way
    only e^(−|z|) ≤ 1 is computed, so σ(±1000) is exactly 1 and 0 with no warning.
    """
    z = as_float_array("z", z)  # ±inf allowed: σ(±inf) = 1, 0
    e = np.exp(-np.abs(z))
    out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out if out.ndim else out.item()


def sigmoid_derivative(z):
    """σ'(z) = σ(z)(1 − σ(z)), at most 1/4 (at z = 0)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def bce_loss(a, y, eps: float = 1e-12) -> float:
    """Mean binary cross-entropy from probabilities ``a`` (N,) and labels ``y`` (N,).

    ``a`` is clipped to [eps, 1 − eps] so a saturated sigmoid (a == 1.0 exactly) gives a
    large finite loss instead of log(0) = −inf.
    """
    a, y = _check_same_shape("a", a, "y", y)
    if a.size == 0:
        raise ValueError("a and y are empty: the mean loss of no samples is undefined")
    if np.any((a < 0) | (a > 1)):
        raise ValueError("a must hold probabilities in [0, 1]; did you pass logits z? "
                         "use bce_with_logits(z, y)")
    a = np.clip(a, eps, 1.0 - eps)
    return float(-np.mean(y * np.log(a) + (1.0 - y) * np.log(1.0 - a)))


def bce_with_logits(z, y) -> float:
    """Mean binary cross-entropy from logits ``z`` (N,), exact for any finite z.

    −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − z·y + log(1 + e^(−|z|)).
    """
    z, y = _check_same_shape("z", z, "y", y)
    if z.size == 0:
        raise ValueError("z and y are empty: the mean loss of no samples is undefined")
    if z.ndim != 1:
        raise ValueError(f"z must have shape (N,), got {z.shape}")
    return float(binary_cross_entropy(z, y)[0])  # the library's one BCE from logits


def predict_proba(X, w, b):
    """P(y = 1 | x) = σ(X w + b) for every row of ``X`` (N, D): returns (N,)."""
    X = _check_X(X)
    w = _check_w(w, X.shape[1], X.shape)
    return sigmoid(X @ w + _check_b(b))


def predict(X, w, b, threshold: float = 0.5):
    """Class labels (N,) int64: 1 where P(y = 1 | x) ≥ ``threshold``, else 0."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must lie strictly between 0 and 1, got {threshold!r}")
    return (predict_proba(X, w, b) >= threshold).astype(np.int64)


def accuracy(y_pred, y) -> float:
    """Fraction of labels predicted right."""
    y_pred, y = _check_same_shape("y_pred", y_pred, "y", y)
    return float(np.mean(y_pred == y))


def logistic_gradients(X, y, w, b):
    """Gradient of the mean BCE with respect to ``w`` (D,) and ``b``: returns ``(dw, db)``.

    a = σ(Xw + b);  dw = Xᵀ(a − y) / N  (D,);  db = mean(a − y)  (float).
    """
    X = _check_X(X)
    N, D = X.shape
    y = _check_y(y, N, X.shape)
    w = _check_w(w, D, X.shape)
    a = sigmoid(X @ w + _check_b(b))
    return X.T @ (a - y) / N, float(np.mean(a - y))


def train_logistic_regression(X, y, lr: float = 0.1, steps: int = 1000, w0=None,
                              b0: float = 0.0, X_val=None, y_val=None, eval_every: int = 1):
    """Batch gradient descent on the mean BCE; returns ``(w, b, history)``.

    ``history`` holds lists ``"iteration"``, ``"loss"`` and ``"accuracy"`` (training set, at
    the parameters *before* that iteration's step) and, when ``X_val, y_val`` are given,
    ``"val_loss"`` and ``"val_accuracy"``, recorded every ``eval_every`` iterations and after
    the last step. ``w0`` (D,) defaults to zeros: a single neuron has no symmetry to break.
    """
    X = _check_X(X)
    N, D = X.shape
    y = _check_y(y, N, X.shape)
    _check_labels(y)
    check_int_at_least("steps", steps, 0)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    check_int_at_least("eval_every", eval_every, 1)
    w = np.zeros(D, dtype=X.dtype) if w0 is None else _check_w(w0, D, X.shape).astype(X.dtype)
    b = _check_b(b0)
    has_val = X_val is not None or y_val is not None
    if has_val:
        if X_val is None or y_val is None:
            raise ValueError("give both X_val and y_val, or neither")
        X_val = _check_X(X_val)
        if X_val.shape[1] != D:
            raise ValueError(f"X_val must have shape (M, D) with D = {D} like X, got {X_val.shape}")
        y_val = _check_y(y_val, X_val.shape[0], X_val.shape, name="y_val")
        _check_labels(y_val, "y_val")
    history = {"iteration": [], "loss": [], "accuracy": []}
    if has_val:
        history.update(val_loss=[], val_accuracy=[])

    def log(it, z):
        history["iteration"].append(it)
        history["loss"].append(bce_with_logits(z, y))
        history["accuracy"].append(float(np.mean((z >= 0) == (y == 1))))
        if has_val:
            z_val = X_val @ w + b
            history["val_loss"].append(bce_with_logits(z_val, y_val))
            history["val_accuracy"].append(float(np.mean((z_val >= 0) == (y_val == 1))))

    for it in range(steps):
        z = X @ w + b                   # (N,)  forward
        a = sigmoid(z)                  # (N,)
        if it % eval_every == 0:
            log(it, z)
        dz = (a - y) / N                # (N,)  dL/dz
        w = w - lr * (X.T @ dz)         # (D,)  dw = Xᵀ(a − y)/N
        b = b - lr * float(dz.sum())    # db = mean(a − y)
    log(steps, X @ w + b)
    return w, b, history
