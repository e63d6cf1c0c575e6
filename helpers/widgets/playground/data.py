"""The Playground's data: toy sets on the plane [-6, 6]², the split, the input features.

:func:`make_playground_data` scales the toy sets of :mod:`helpers.synthetic` (and a longer
two-arm spiral) to the plane for classification, and makes the TensorFlow Playground's two
regression sets ("plane" and "multi_gaussian", targets in about [-1, 1]);
:func:`split_train_test` splits them; :func:`feature_matrix` computes the network's inputs
(x1, x2, x1², x2², x1·x2, sin x1, sin x2).
"""

from __future__ import annotations

import numpy as np

from helpers.data import train_val_split
from helpers.synthetic import make_dataset

DATASETS = ("circle", "xor", "gaussian", "spiral", "moons")  # classification (labels 0/1)
REGRESSION_DATASETS = ("plane", "multi_gaussian")  # regression (real targets in about [-1, 1])
PROBLEMS = ("classification", "regression")
DATASETS_FOR = {"classification": DATASETS, "regression": REGRESSION_DATASETS}
DATASET_LABELS = {"circle": "circle", "xor": "XOR", "gaussian": "Gauss", "spiral": "spiral",
                  "moons": "moons", "plane": "plane", "multi_gaussian": "multi-Gaussian"}
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2")
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
                  "sin_x1": "sin x₁", "sin_x2": "sin x₂"}
DOMAIN = 6.0  # the input plane is [-DOMAIN, DOMAIN]^2, as in the TensorFlow Playground

def make_playground_data(dataset: str, n: int = 500, noise: float = 0.0, seed: int = 0):
    """One of the toy sets, scaled to fit the plane [-6, 6]².

    ``noise`` runs from 0 to 0.5 (the Playground's 0-50 %) and is mapped to each generator's
    own noise parameter. Returns ``X: (n, 2) float64`` and ``y: (n,)``: ``int64`` labels in
    {0, 1} for the classification sets (``DATASETS``), ``float64`` targets for the regression
    sets (``REGRESSION_DATASETS``).
    """
    if dataset not in DATASETS + REGRESSION_DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS + REGRESSION_DATASETS}, "
                         f"got {dataset!r}")
    if not 0.0 <= noise <= 0.5:
        raise ValueError(f"noise must be in [0, 0.5] (0-50 %), got {noise!r}")
    if dataset in REGRESSION_DATASETS:
        return _regression_set(dataset, n, noise, seed)
    if dataset == "circle":
        X, y = make_dataset("circles", n=n, noise=0.4 * noise, seed=seed, factor=0.5)
        X = 5.0 * X
    elif dataset == "xor":
        X, y = make_dataset("xor", n=n, noise=0.4 * noise, seed=seed)
        X = 4.5 * X
    elif dataset == "gaussian":
        X, y = make_dataset("blobs", n=n, noise=0.4 + 1.4 * noise, seed=seed, n_classes=2)
        X = 1.5 * X
    elif dataset == "spiral":
        X, y = _two_spirals(n, noise=0.6 * noise, seed=seed)
        X = 5.5 * X
    else:  # moons: centre the two half circles on the origin
        X, y = make_dataset("moons", n=n, noise=0.4 * noise, seed=seed)
        X = 2.5 * (X - np.array([0.5, 0.25]))
    return X.astype(np.float64), y.astype(np.int64)


_GAUSSIANS = ((-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
              (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0))


def regression_target(dataset: str, X) -> np.ndarray:
    """The noise-free regression target at the points ``X: (N, 2)``; returns ``(N,)``.

    - ``plane``: ``(x1 + x2) / 10``, a tilted plane (-1.2 to 1.2 over the square);
    - ``multi_gaussian``: six bumps of height ±1 (centres at x1 = -4, 0, 4 and x2 = ±2.5,
      signs alternating), each falling linearly to 0 at distance 2; at every point the bump
      with the largest magnitude wins. Both as in the TensorFlow Playground.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    if dataset == "plane":
        return (X[:, 0] + X[:, 1]) / 10.0
    if dataset != "multi_gaussian":
        raise ValueError(f"dataset must be one of {REGRESSION_DATASETS}, got {dataset!r}")
    out = np.zeros(len(X))
    for cx, cy, sign in _GAUSSIANS:
        v = sign * np.clip(1.0 - np.hypot(X[:, 0] - cx, X[:, 1] - cy) / 2.0, 0.0, 1.0)
        out = np.where(np.abs(v) > np.abs(out), v, out)
    return out


def _regression_set(dataset: str, n: int, noise: float, seed: int):
    """Points uniform on the plane; the target is read at the point moved by uniform noise
    of up to ``noise`` × 6 in each coordinate (the TensorFlow Playground's recipe)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-DOMAIN, DOMAIN, size=(n, 2))
    shift = rng.uniform(-DOMAIN, DOMAIN, size=(n, 2)) * noise
    return X, regression_target(dataset, X + shift)


def _two_spirals(n: int, noise: float, seed: int, turns: float = 1.75):
    """Two interleaved spiral arms of ``turns`` turns (the TensorFlow Playground's 1.75).

    The same construction as ``helpers.synthetic.make_spiral`` (radius r in [0, 1), angle
    k·π + 2π·turns·r + noise for class k), whose arms make only 4 radians (0.64 turns): a
    spiral that short is solved by any small network, so it could not show why depth helps.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    r = np.empty(n)
    for k in range(2):
        idx = np.flatnonzero(y == k)
        r[idx] = np.linspace(0.0, 1.0, len(idx), endpoint=False)
    theta = y * np.pi + 2 * np.pi * turns * r + rng.normal(0.0, noise, size=n)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    order = rng.permutation(n)
    return X[order], y[order].astype(np.int64)


def split_train_test(X, y, train_ratio: float, seed: int = 0):
    """``(X_train, y_train, X_test, y_test)`` with a fraction ``train_ratio`` in training.

    The course's one split (:func:`helpers.data.train_val_split`, which shuffles with ``seed``
    and puts the first ``val_size`` points of the shuffle in its second part): here the first
    ``round(train_ratio * n)`` points of the shuffle are the training set, as they always were
    in the Playground, so saved configurations give the same points.
    """
    if not 0.0 < train_ratio < 1.0:
        raise ValueError(f"train_ratio must be in (0, 1), got {train_ratio!r}")
    n = len(y)
    n_train = min(max(int(round(train_ratio * n)), 1), n - 1)
    X_test, y_test, X_train, y_train = train_val_split(X, y, val_size=n_train, seed=seed)
    return X_train, y_train, X_test, y_test


_FEATURE_FUNCS = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin_x1": lambda X: np.sin(X[:, 0]),
    "sin_x2": lambda X: np.sin(X[:, 1]),
}


def feature_matrix(X, features) -> np.ndarray:
    """The network's input: one column per selected feature of the points ``X: (N, 2)``.

    Columns follow the order of ``features`` (names from ``FEATURES``). Returns ``(N, F)``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        hint = " (it looks transposed)" if X.ndim == 2 and X.shape[0] == 2 else ""
        raise ValueError(f"X must have shape (N, 2), got {X.shape}{hint}")
    if not features:
        raise ValueError("features must name at least one input feature")
    bad = [f for f in features if f not in _FEATURE_FUNCS]
    if bad:
        raise ValueError(f"unknown features {bad}; choose from {FEATURES}")
    return np.column_stack([_FEATURE_FUNCS[f](X) for f in features])
