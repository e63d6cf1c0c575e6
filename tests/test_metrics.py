"""helpers.metrics: Wilson interval, confusion matrix and P/R/F1 against hand counts."""

import numpy as np
import pytest

from helpers.metrics import (
    accuracy_interval,
    confusion_matrix,
    format_accuracy,
    precision_recall_f1,
    wilson_interval,
)


def test_wilson_known_values():
    # k=81, n=263: the textbook example, 95% interval (0.2553, 0.3662)
    low, high = wilson_interval(81, 263)
    assert abs(low - 0.2553) < 1e-3 and abs(high - 0.3662) < 1e-3
    low, high = wilson_interval(0, 10)
    assert low < 1e-12 and 0.25 < high < 0.35
    low, high = wilson_interval(10, 10)
    assert high > 1 - 1e-12 and low < 1.0


def test_wilson_covers_truth_about_95_percent():
    rng = np.random.default_rng(0)
    p, n = 0.97, 500
    hits = 0
    for _ in range(2000):
        k = int(rng.binomial(n, p))
        lo, hi = wilson_interval(k, n)
        hits += lo <= p <= hi
    assert 0.92 < hits / 2000 < 0.98


def test_wilson_bad_input():
    with pytest.raises(ValueError, match="k must be"):
        wilson_interval(11, 10)
    with pytest.raises(TypeError, match="k must be an integer"):
        wilson_interval(0.5, 10)
    with pytest.raises(ValueError, match="n must be"):
        wilson_interval(0, 0)


def test_confusion_and_prf_vs_hand_count():
    y_true = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 1, 0, 1, 2, 2, 2, 0, 2])
    cm = confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(cm, [[2, 1, 0], [0, 1, 1], [1, 0, 3]])
    m = precision_recall_f1(cm)
    # class 0: TP 2, predicted 3, actual 3; class 1: TP 1, pred 2, act 2; class 2: 3, 4, 4
    np.testing.assert_allclose(m["precision"], [2 / 3, 1 / 2, 3 / 4])
    np.testing.assert_allclose(m["recall"], [2 / 3, 1 / 2, 3 / 4])
    np.testing.assert_allclose(m["f1"], [2 / 3, 1 / 2, 3 / 4])
    np.testing.assert_array_equal(m["support"], [3, 2, 4])
    acc, lo, hi = accuracy_interval(y_true, y_pred)
    assert acc == 6 / 9 and lo < acc < hi
    assert format_accuracy(y_true, y_pred).startswith("66.67%")


def test_prf_never_predicted_class_is_zero():
    m = precision_recall_f1(np.array([[3, 0], [2, 0]]))
    assert m["precision"][1] == 0 and m["f1"][1] == 0


def test_metrics_bad_input():
    with pytest.raises(ValueError, match="argmax"):
        confusion_matrix(np.zeros(3, dtype=int), np.zeros((3, 2), dtype=int))
    with pytest.raises(TypeError, match="integer"):
        accuracy_interval(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"\(K, K\)"):
        precision_recall_f1(np.ones((2, 3)))
    with pytest.raises(ValueError, match="num_classes"):
        confusion_matrix(np.array([0, 3]), np.array([0, 1]), 3)
    with pytest.raises(ValueError, match="empty"):
        format_accuracy(np.array([], dtype=int), np.array([], dtype=int))
