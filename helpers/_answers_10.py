"""References and natural mistakes for notebook 10's exercises (kept out of the test cells)."""

from __future__ import annotations

import numpy as np
import torch  # noqa: F401 - see below

from helpers.checks import Case

# Importing torch patches inspect.getfile (torch.package does so). The notebooks import torch
# in their set-up cell (seed_everything), after the grader's tamper baseline is taken from the
# modules the test cells import; importing it here puts the patch into that baseline.
from helpers.metrics import confusion_matrix, precision_recall_f1


# ----------------------------------------------------------------------------- exercise 1
def _cm_case(y_true, y_pred, k, label):
    exp = confusion_matrix(y_true, y_pred, k)
    mistakes = [
        (exp.T, "rows are the TRUE classes and columns the PREDICTED ones: you built the "
                "transpose"),
        (lambda got: np.shape(got) == (k, k) and np.isclose(np.sum(got), 1.0),
         "return counts, not fractions (do not normalise)"),
        (lambda got: np.shape(got) != (k, k) and np.ndim(got) == 2,
         f"the matrix must be (num_classes, num_classes) = ({k}, {k}) even when a class never "
         "appears"),
        (lambda got: np.shape(got) == (k, k) and np.asarray(got).sum() < len(y_true),
         "every sample must be counted once: with fancy indexing cm[y_true, y_pred] += 1 "
         "repeated pairs count only once (use a loop or np.add.at)"),
    ]
    return Case(args=(y_true, y_pred, k), expected=exp, label=label, mistakes=mistakes,
                hint="one count per (true, predicted) pair")


def cases_confusion(hidden=False):
    if not hidden:
        return [
            _cm_case(np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1]), 3, "4 samples, 3 classes"),
            _cm_case(np.array([0, 0, 1, 1, 1]), np.array([1, 1, 1, 0, 1]), 3,
                     "repeated pairs, class 2 absent"),
        ]
    rng = np.random.default_rng(101)
    yt = rng.integers(0, 10, 500)
    yp = np.where(rng.random(500) < 0.8, yt, rng.integers(0, 10, 500))
    return [_cm_case(yt, yp, 10, "hidden 1"), _cm_case(np.array([3]), np.array([0]), 4, "h2")]


# ----------------------------------------------------------------------------- exercise 2
def _prf_case(cm, label):
    m = precision_recall_f1(cm)
    exp = (m["precision"], m["recall"], m["f1"])
    cm = np.asarray(cm)
    mistakes = [
        ((m["recall"], m["precision"], m["f1"]),
         "precision and recall are swapped: precision divides by what was PREDICTED as the "
         "class (a column sum), recall by what truly IS the class (a row sum)"),
        (lambda got: any(np.isnan(np.asarray(g, dtype=float)).any() for g in got),
         "a class that is never predicted (or never present) gives 0/0: report 0 there, "
         "not nan"),
        (lambda got: np.allclose(np.asarray(got[2], dtype=float),
                                 (m["precision"] + m["recall"]) / 2),
         "F1 is the HARMONIC mean of precision and recall, not the arithmetic mean"),
        (lambda got: np.ndim(got[0]) == 0,
         "return one value per class (arrays of shape (K,)), not a single average"),
        (lambda got: np.allclose(np.asarray(got[0], dtype=float), np.diag(cm) / cm.sum()),
         "precision divides the diagonal by each class's COLUMN sum (how often it was "
         "predicted), not by the total number of samples"),
        (lambda got: np.allclose(np.asarray(got[1], dtype=float), np.diag(cm) / cm.sum()),
         "recall divides the diagonal by each class's ROW sum (how often it truly occurs), "
         "not by the total number of samples"),
    ]
    return Case(args=(cm,), expected=exp, label=label, mistakes=mistakes,
                hint="TP is the diagonal; count what each class was predicted as and what it is")


def cases_prf(hidden=False):
    if not hidden:
        return [_prf_case(np.array([[5, 1], [2, 2]]), "2 classes"),
                _prf_case(np.array([[3, 0, 1], [1, 4, 0], [0, 0, 0]]),
                          "class 2 never present nor predicted")]
    rng = np.random.default_rng(102)
    return [_prf_case(rng.integers(0, 20, (10, 10)), "h1"),
            _prf_case(np.array([[2, 3], [0, 0]]), "h2")]


# ----------------------------------------------------------------------------- exercise 3
def _ref_diagnose(human_err, train_err, dev_err):
    bias, variance = train_err - human_err, dev_err - train_err
    return {"avoidable_bias": bias, "variance": variance,
            "focus": "bias" if bias > variance else "variance"}


def _diag_case(h, t, d, label):
    exp = _ref_diagnose(h, t, d)
    mistakes = [
        (lambda got: isinstance(got, dict) and np.isclose(got.get("avoidable_bias", -1), t),
         "avoidable bias is measured from the human-level (proxy for Bayes) error, not from 0: "
         "it is how far the training error sits above it"),
        (lambda got: isinstance(got, dict) and np.isclose(got.get("variance", -1), d - h),
         "variance is the gap between the dev error and the TRAINING error, not the gap "
         "to human-level error"),
        (lambda got: isinstance(got, dict) and got.get("focus") not in ("bias", "variance"),
         "focus must be exactly the string 'bias' or 'variance'"),
        (lambda got: isinstance(got, dict) and got.get("focus") != exp["focus"]
         and np.isclose(got.get("avoidable_bias", -1), exp["avoidable_bias"]),
         "focus on the LARGER of the two gaps"),
        (lambda got: isinstance(got, dict)
         and np.isclose(got.get("avoidable_bias", 0), -exp["avoidable_bias"]),
         "each gap is the higher error minus the lower one: avoidable bias = how far the "
         "training error is ABOVE human level (positive here)"),
        (lambda got: isinstance(got, dict)
         and np.isclose(got.get("avoidable_bias", 0), exp["avoidable_bias"] / 100),
         "the errors are given in percent and the gaps stay in percent points: do not divide "
         "by 100"),
    ]
    return Case(args=(h, t, d), expected=exp, label=label, mistakes=mistakes,
                hint="two differences between consecutive error levels")


def cases_diagnose(hidden=False):
    if not hidden:
        return [_diag_case(1.0, 8.0, 10.0, "human 1%, train 8%, dev 10%"),
                _diag_case(7.5, 8.0, 10.0, "human 7.5%, train 8%, dev 10%")]
    return [_diag_case(0.2, 0.5, 1.6, "h1"), _diag_case(0.5, 4.0, 4.5, "h2")]
