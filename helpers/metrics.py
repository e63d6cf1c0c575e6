"""Classification metrics: accuracy with a confidence interval, confusion matrix, P/R/F1.

    from helpers.metrics import wilson_interval, confusion_matrix, precision_recall_f1
    low, high = wilson_interval(9850, 10000)          # 95% interval of an accuracy

**Wilson score interval** for a proportion: with k successes out of n, p = k / n and z the
normal quantile of the confidence (1.96 for 95%),

    centre = (p + z^2 / (2n)) / (1 + z^2 / n)
    half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2)).

Unlike p ± z sqrt(p(1-p)/n) it stays inside [0, 1] and is sensible near 0 or 1.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np


def _check_count(name, v):
    if isinstance(v, bool) or not isinstance(v, int | np.integer):
        raise TypeError(f"{name} must be an integer count, got {type(v).__name__} {v!r}")


def wilson_interval(k, n, confidence=0.95):
    """Wilson interval ``(low, high)`` of a proportion from ``k`` successes in ``n`` trials."""
    _check_count("k", k)
    _check_count("n", n)
    if n <= 0:
        raise ValueError(f"n must be a positive number of trials, got {n}")
    if not 0 <= k <= n:
        raise ValueError(f"k must be between 0 and n={n}, got {k}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), e.g. 0.95, got {confidence!r}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def _check_labels(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1:
        raise ValueError(f"y_true must have shape (N,), got {y_true.shape}")
    if y_pred.shape != y_true.shape:
        hint = " (scores? take y_pred.argmax(axis=1))" if y_pred.ndim == 2 else ""
        raise ValueError(f"y_pred must have shape (N,) with N={len(y_true)} like y_true, "
                         f"got {y_pred.shape}{hint}")
    for name, a in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(a.dtype, np.integer):
            raise TypeError(f"{name} must hold integer class indices, got dtype {a.dtype}")
    if len(y_true) == 0:
        raise ValueError("y_true is empty")
    return y_true, y_pred


def accuracy_interval(y_true, y_pred, confidence=0.95):
    """Returns ``(accuracy, low, high)`` with the Wilson interval. y_true, y_pred: (N,)."""
    y_true, y_pred = _check_labels(y_true, y_pred)
    k = int((y_true == y_pred).sum())
    low, high = wilson_interval(k, len(y_true), confidence)
    return k / len(y_true), low, high


def format_accuracy(y_true, y_pred, confidence=0.95) -> str:
    """``"98.53% [98.28, 98.75]"``: accuracy and its Wilson interval, in percent."""
    acc, low, high = accuracy_interval(y_true, y_pred, confidence)
    return f"{100 * acc:.2f}% [{100 * low:.2f}, {100 * high:.2f}]"


def confusion_matrix(y_true, y_pred, num_classes=None):
    """y_true, y_pred: (N,) ints. Returns C: (K, K) int64, C[i, j] = #(true i, predicted j)."""
    y_true, y_pred = _check_labels(y_true, y_pred)
    k = int(max(y_true.max(), y_pred.max())) + 1 if num_classes is None else num_classes
    if min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= k:
        raise ValueError(f"labels must be in [0, num_classes) with num_classes={k}")
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def precision_recall_f1(cm):
    """cm: (K, K) confusion matrix (rows true, columns predicted).

    Returns a dict of (K,) arrays: ``precision`` = TP / (TP + FP) (column sums), ``recall`` =
    TP / (TP + FN) (row sums), ``f1`` = their harmonic mean, ``support`` = row sums. A class
    never predicted (or never present) gets 0 rather than 0/0.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must have shape (K, K), got {cm.shape}")
    tp = np.diag(cm).astype(float)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return {"precision": precision, "recall": recall, "f1": f1, "support": actual}
