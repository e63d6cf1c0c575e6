"""Public cases and named mistakes for notebook 01's exercises (kept out of the test cells).

Expected values come from the references in ``helpers.numpy_nn.logistic``; the natural wrong
answers a student makes are listed with a message naming each mistake, so that no visible
test cell spells out the answer.
"""

from __future__ import annotations

import numpy as np

from helpers.checks import Case
from helpers.numpy_nn.logistic import bce_with_logits, logistic_gradients, sigmoid


# ----------------------------------------------------------------------------- exercise 2
def bce_eps_case() -> Case:
    """A large eps separates clipping from the look-alike log(a + eps)."""
    a, y, eps = np.array([0.95, 0.02]), np.array([1.0, 0.0]), 0.1
    clipped = np.clip(a, eps, 1 - eps)
    expected = float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))
    shifted = float(-np.mean(y * np.log(a + eps) + (1 - y) * np.log(1 - a + eps)))
    return Case(args=(a, y), kwargs={"eps": eps}, expected=expected, label="eps = 0.1",
                mistakes=[(shifted, "log(a + eps) is not clipping: np.clip(a, eps, 1 - eps) "
                                    "moves a into [eps, 1 - eps] before the logarithms")],
                hint="clip a into [eps, 1 - eps] with np.clip, then take the logarithms")


# ----------------------------------------------------------------------------- exercise 3
def grad_case(X, y, w, b, l2, hint=None) -> Case:
    """The right (dw, db) of the L2-penalised loss, and what the common mistakes give."""
    N, D = X.shape
    z = X @ w + b
    data_dw, db = logistic_gradients(X, y, w, b)
    db = float(db)
    dw = data_dw + l2 * w
    mistakes = [
        ((N * data_dw + l2 * w, db), "dw is N times too large: divide X.T @ (a − y) by N"),
        ((N * data_dw + l2 * w, N * db), "dw and db are N times too large: the loss is a "
                                         "mean, so divide by N (db = mean, not sum)"),
        ((dw, N * db), "db is N times too large: db = mean(a − y), not the sum"),
        ((N / D * data_dw + l2 * w, N / D * db), "divided by D = X.shape[1] (the number of "
                                                 "features); N = X.shape[0] counts the samples"),
        ((-data_dw + l2 * w, -db), "the data term has the wrong sign: a − y, not y − a"),
        ((X.T @ (z - y) / N + l2 * w, float(np.mean(z - y))),
         "did you forget the sigmoid? a = σ(Xw + b), not the score Xw + b"),
        ((X.T @ (sigmoid(X @ w) - y) / N + l2 * w, float(np.mean(sigmoid(X @ w) - y))),
         "include the bias: a = σ(X @ w + b)"),
        ((data_dw, db), "the penalty is missing: add l2 * w to dw"),
        ((data_dw + l2 * w / N, db), "the penalty is divided by N: only the data term is a "
                                     "mean over samples; the penalty's gradient is l2 * w"),
        ((data_dw + l2 * w / 2, db), "the derivative of (λ/2)‖w‖² is λw, not λw/2"),
        ((data_dw + 2 * l2 * w, db), "the derivative of (λ/2)‖w‖² is λw, not 2λw"),
        ((data_dw - l2 * w, db), "the penalty's gradient is added, + l2 * w, not subtracted"),
        ((data_dw + l2 / 2 * w**2, db), "l2/2 * w**2 is the penalty itself; its derivative "
                                        "is l2 * w"),
        ((data_dw + l2 * np.sign(w), db), "l2 * sign(w) is the L1 penalty's gradient; the L2 "
                                          "penalty's is l2 * w"),
        ((data_dw + l2 * np.sum(w), db), "the penalty's gradient is l2 * w, one entry per "
                                         "weight, not l2 * sum(w)"),
        ((dw, db + l2 * float(np.sum(w))), "the bias is not penalised: db has no l2 term"),
    ]
    return Case(args=(X, y, w, b, l2), expected=(dw, db), mistakes=mistakes, hint=hint)


# ----------------------------------------------------------------------------- exercise 4
def step_case(X, y, w, b, lr) -> Case:
    """The new (w, b) after one plain gradient-descent step, with the common slips."""
    N = len(y)
    dw, db = logistic_gradients(X, y, w, b)
    return Case(
        args=(X, y, w, b, lr), expected=(w - lr * dw, b - lr * db),
        mistakes=[
            ((w - N * lr * dw, b - lr * db), f"w moved N = {N} times too far: did you forget "
                                             "to divide by N in dw?"),
            ((w - N * lr * dw, b - N * lr * db), f"the step is N = {N} times too large: dw "
                                                 "and db are means over the samples"),
            ((w - lr * dw, b - N * lr * db), f"b moved N = {N} times too far: db = mean(a − y), "
                                             "not the sum"),
            ((w - lr * dw, b), "b did not move: the bias takes a step too, with its own gradient"),
            ((w - dw, b - db), "the step ignores lr: multiply the gradient by the step size lr"),
            ((dw, db), "you returned the gradient (dw, db), not the new parameters"),
            ((w + lr * dw, b + lr * db), "the step went uphill (the loss grows): a descent step "
                                         "moves against the gradient"),
            ((b - lr * db, w - lr * dw), "the tuple is in the wrong order: return (w, b)"),
        ],
        hint="one step moves each parameter against its gradient (Section 4), scaled by lr")


# ----------------------------------------------------------------------------- exercise 5
PUSH_SCORES = np.array([4.0, 0.2, -6.0, 3.0])   # the batch of the exercise: scores
PUSH_LABELS = np.array([1.0, 1.0, 1.0, 0.0])    # and labels (5, 5, 5, 3)


def push_case_mixed() -> Case:
    """Both labels and scores of both signs: a loss that ignores y (or reads it the wrong
    way round) gets the numbers of the other class."""
    z = np.array([2.0, -3.0, 0.5, -1.0, 4.0])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    losses = np.array([bce_with_logits(z[i:i + 1], y[i:i + 1]) for i in range(len(z))])
    as_if = {label: np.array([bce_with_logits(z[i:i + 1], np.array([label]))
                              for i in range(len(z))]) for label in (0.0, 1.0)}
    flipped = np.array([bce_with_logits(z[i:i + 1], 1 - y[i:i + 1]) for i in range(len(z))])
    return Case(
        args=(z, y), expected=(losses, sigmoid(z) - y), label="labels 0 and 1, scores of both signs",
        mistakes=[
            (lambda got: np.allclose(got[0], as_if[1.0]), "the losses ignore y: every sample "
             "was scored as if its label were 1 (the loss of a sample with y = 0 is large when "
             "its score is large)"),
            (lambda got: np.allclose(got[0], as_if[0.0]), "the losses ignore y: every sample "
             "was scored as if its label were 0"),
            (lambda got: np.allclose(got[0], flipped), "the labels are read the wrong way "
             "round: a sample with y = 1 and a large score must cost little"),
        ],
        hint="the per-sample loss depends on both the score and the label (Section 3)")


def most_influential_expected() -> int:
    return int(np.argmax(np.abs(sigmoid(PUSH_SCORES) - PUSH_LABELS)))


def most_influential_mistakes() -> list:
    push = sigmoid(PUSH_SCORES) - PUSH_LABELS
    losses = np.array([bce_with_logits(PUSH_SCORES[i:i + 1], PUSH_LABELS[i:i + 1])
                       for i in range(len(PUSH_SCORES))])
    right = most_influential_expected()
    wrong: dict[int, list[str]] = {}
    for value, message in [
        (int(np.argmax(push)), "the largest a − y with its sign? a push's size is |a − y|: "
                               "pushes down count as much as pushes up"),
        (int(np.argmin(np.abs(PUSH_SCORES))), "the least confident prediction (score nearest "
                                              "0) is not the one that pushes hardest: compare "
                                              "|a − y|"),
        (int(np.argmin(np.abs(push))), "that is the sample that pushes least (smallest |a − y|)"),
        (right + 1, "a 1-based index? Python counts from 0: the first sample is index 0"),
        (int(np.argmax(PUSH_SCORES)), "the highest score is a confident correct prediction; "
                                      "it barely pushes"),
    ]:
        wrong.setdefault(value, []).append(message)
    wrong.pop(right, None)
    assert int(np.argmax(losses)) == right  # the largest loss is the same sample
    return [(value, "; or ".join(messages)) for value, messages in wrong.items()]
