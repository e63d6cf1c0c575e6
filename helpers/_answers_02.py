"""Public cases and named mistakes for notebook 02's exercises (kept out of the test cells).

Expected values come from ``helpers.numpy_nn.losses``; each natural wrong answer a student
makes is computed on the same inputs and listed with a message naming the mistake, so that
a visible test cell neither spells out the answer nor leaves a slip unexplained. Messages
and hints name the concept; they do not print the line of code to type.
"""

from __future__ import annotations

import inspect

import numpy as np

from helpers.checks import Case, code_names, shape_is, uses_python_loops  # noqa: F401
from helpers.numpy_nn.gradcheck import numerical_gradient, rel_error
from helpers.numpy_nn.losses import hinge_loss, log_softmax, softmax, softmax_cross_entropy

_OVERFLOW = ("got nan or inf: an exponent overflowed (e^1000 = inf) or a row's sum "
             "underflowed to 0. Shift every score of a row so that its largest exponent is "
             "e^0 = 1 (section 2)")


def _quiet(builder):
    """Build cases with NumPy's warnings off: some listed mistakes overflow on purpose."""
    def wrapped(*args, **kwargs):
        with np.errstate(all="ignore"):
            return builder(*args, **kwargs)
    wrapped.__name__, wrapped.__doc__ = builder.__name__, builder.__doc__
    return wrapped


def _not_finite(got) -> bool:
    arr = np.asarray(got, dtype=float)
    return not np.all(np.isfinite(arr))


def uses_library(fn, forbidden) -> list[str]:
    """The forbidden names (e.g. ``softmax``, ``torch``) that ``fn``'s code looks up as a
    global, a closure variable or an attribute. Comments, local variables and the student's
    own functions of that name (defined in the notebook) do not count."""
    found = set()
    code = getattr(fn, "__code__", None)
    namespace = dict(getattr(fn, "__globals__", {}))
    if code is not None and getattr(fn, "__closure__", None):
        for var, cell in zip(code.co_freevars, fn.__closure__, strict=True):
            try:
                namespace[var] = cell.cell_contents
            except ValueError:  # an empty cell
                pass
    names = code_names(fn) | set(code.co_freevars if code is not None else ())
    for name in names & set(forbidden):
        obj = namespace.get(name)
        if inspect.isfunction(obj) and obj.__module__ == getattr(fn, "__module__", None):
            continue  # a function the student wrote, e.g. their own log_softmax
        found.add(name)
    return sorted(found)


# ----------------------------------------------------------------------------- exercise 1
def _softmax_mistakes(s):
    e_row = np.exp(s - s.max(axis=1, keepdims=True))
    out = [
        (_not_finite, _OVERFLOW),
        (e_row / e_row.sum(), "you divided by the sum of the whole array; each row is its own "
                              "distribution, so the sum runs along the row (over the classes)"),
        (e_row / e_row.sum(axis=0, keepdims=True),
         "the columns sum to 1, not the rows: the sum runs over the samples instead of over "
         "the classes of each sample"),
    ]
    if s.shape[0] == s.shape[1]:  # square: a lost axis broadcasts along the wrong direction
        e_lost = np.exp(s - s.max(axis=1))
        out.append((e_lost / e_lost.sum(axis=1),
                    "the row max and row sum lost their axis: a shape (N,) vector lines up with "
                    "the columns, so row i is divided by row j's sum. Keep them as a column "
                    "(N, 1) (notebook 00, sections 7.5 and 7.6)"))
        out.append((e_row / e_row.sum(axis=1),
                    "the row sum lost its axis: a shape (N,) vector lines up with the columns, "
                    "so entry (i, j) is divided by row j's sum. Keep it a column (N, 1)"))
    return out


@_quiet
def softmax_cases() -> list[Case]:
    cases = [
        (np.array([[0.0, 0.0]]), None,
         "softmax of equal scores is uniform; each row's entries must sum to 1"),
        (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, np.log(2.0)]]), None,
         "each row is normalised on its own: its max and its sum are one number per row, and "
         "must stay a column of shape (N, 1) to broadcast along the row (a 'could not be "
         "broadcast' error means they lost that axis)"),
        (np.array([[2.0, 0.0], [0.0, 1.0]]), "square input",
         "with N = C a lost axis does not raise an error, it silently divides by the wrong "
         "row's numbers: keep each row's max and sum as a column (N, 1)"),
        (np.array([[1000.0, 0.0, -1000.0]]), "scores ±1000",
         "e^1000 overflows: softmax does not change when the same number is subtracted from "
         "every score of a row (section 2); choose it so that no exponent is positive"),
        (np.array([[-1000.0, -1000.0], [5.0, 5.0]]), "a row of −1000s",
         "the shift is chosen per row: the largest score of the whole array leaves the row of "
         "−1000s at e^−1005 = 0, and 0/0 = nan"),
    ]
    out = []
    for s, label, hint in cases:
        mistakes = _softmax_mistakes(s)
        if label == "a row of −1000s":
            mistakes.insert(0, (_not_finite, "got nan: the shift must be each row's own maximum; "
                                             "one maximum for the whole array leaves the row of "
                                             "−1000s at e^−1005 = 0, and 0/0 = nan"))
        out.append(Case(args=(s,), expected=softmax(s), label=label, hint=hint, mistakes=mistakes))
    return out


# ----------------------------------------------------------------------------- exercise 2
def _ce_mistakes(s, y):
    N = len(y)
    logp = log_softmax(s)
    true = logp[np.arange(N), y]
    m = s.max(axis=1, keepdims=True)
    dropped_m = s - np.log(np.exp(s - m).sum(axis=1, keepdims=True))
    return [
        (_not_finite, "got inf or nan: the log of a probability that underflowed to 0 (or of "
                      "e^1000 = inf). Compute log p from the scores, shifted by the row "
                      "maximum, without ever forming p (section 3, the log-sum-exp trick)"),
        (shape_is(N), "you returned one loss per sample; the exercise asks for their mean over "
                      "the N samples, a single number"),
        (float(true.mean()), "the sign: the loss is −log p, a positive number (log p ≤ 0)"),
        (float(-true.mean() / np.log(10)), "log base 10: the loss uses the natural logarithm"),
        (float(-true.sum()), "the sum over the samples; the loss is their mean (divide by N)"),
        (float(-logp.mean()), "you averaged −log p over all N·C entries; only the entry of each "
                              "row's true class counts, then average over the N samples"),
        (float(-logp[:, y].mean()),
         "indexing with y alone picks whole columns (every row's entries at every label); each "
         "row needs only its own label's entry: pair row i with column y[i]"),
        (float(-dropped_m[np.arange(N), y].mean()),
         "the row maximum was subtracted inside the exponentials but not added back outside "
         "the log: log p must not change when every score grows by the same amount"),
    ]


@_quiet
def ce_cases() -> list[Case]:
    cases = [
        (np.log(np.array([[0.5, 0.5, 1.0]])), np.array([2]), None,
         "these scores give p = (0.25, 0.25, 0.5); the loss is −log of the true class's "
         "probability (natural log), a positive number"),
        (np.log(np.array([[0.5, 0.5, 1.0]])) + 5.0, np.array([2]), "every score + 5",
         "adding the same number to every score of a row does not change p, so it must not "
         "change the loss"),
        (np.log(np.array([[0.3, 0.3, 0.4], [0.1, 0.2, 0.7]])), np.array([2, 0]), "N = 2",
         "N = 2 samples, C = 3 classes: each row contributes −log p of its own label; the loss "
         "is the mean of the N numbers. Each row's max and log-sum stay a column (N, 1)"),
        (np.array([[1000.0, 0.0, -1000.0]]), np.array([2]), "scores ±1000",
         "p of the true class underflows to 0 here, and log 0 = −inf: compute log p straight "
         "from the shifted scores (section 3)"),
        (np.array([[1000.0, 0.0], [0.0, 1.0]]), np.array([1, 1]), "rows on different scales",
         "each row is a distribution of its own, so each row is shifted by its OWN maximum: "
         "one maximum for the whole array leaves the second row's exponentials at e^−1000 = 0"),
    ]
    return [Case(args=(s, y), expected=float(softmax_cross_entropy(s, y)[0]), label=label,
                 hint=hint, mistakes=_ce_mistakes(s, y)) for s, y, label, hint in cases]


# ----------------------------------------------------------------------------- exercise 3
def _svm_mistakes(s, y, delta):
    N = len(y)
    true = s[np.arange(N), y][:, None]
    margins = np.maximum(0, s - true + delta)
    keep = np.ones_like(s, dtype=bool)
    keep[np.arange(N), y] = False
    right = margins[keep].sum()
    out = [
        (float(np.maximum(0, s - true + 1.0)[keep].sum() / N),
         "Δ = 1 was used: use the delta argument"),
        (float((right + N * delta) / N), "the term j = y_i was counted: it is always "
                                         "max(0, Δ) = Δ and the sum leaves it out"),
        (float(right / s.size), "you averaged over all N·C entries; L_i is a sum over the "
                                "classes j ≠ y_i, then the mean is over the N samples"),
        (float(right), "the sum over the samples; the loss is their mean (divide by N)"),
        (float(np.maximum(0, true - s + delta)[keep].sum() / N),
         "the margin is reversed: it is the other class's score minus the true class's, "
         "plus Δ (a violation is another class scoring too close to the true one)"),
        (float((s - true + delta)[keep].sum() / N),
         "negative terms were added: each term is clamped at 0, so a satisfied margin "
         "contributes nothing"),
    ]
    if N > 1:
        no_col = np.maximum(0, s - s[np.arange(N), y] + delta) if N == s.shape[1] else None
        if no_col is not None:
            no_col[np.arange(N), y] = 0
            out.append((float(no_col.sum() / N),
                        "the true-class scores lost their axis: as a shape (N,) vector they line "
                        "up with the columns, so row i compares with sample j's true score. Keep "
                        "them a column (N, 1)"))
        cols = np.maximum(0, s - s[:, y] + delta)
        cols[np.arange(N), y] = 0
        out.append((float(cols.sum() / N),
                    "indexing with y alone picks whole columns; each row needs its own true "
                    "class's score: pair row i with column y[i]"))
    return out


@_quiet
def svm_cases() -> list[Case]:
    cases = [
        (np.zeros((1, 3)), np.array([0]), 1.0, None,
         "all scores equal: each j ≠ y_i adds max(0, 0 − 0 + 1) = 1. max(0, ·) is taken entry "
         "by entry, between 0 and each margin; NumPy's max reduces one array along an axis "
         "(its second argument is an axis), which is a different operation"),
        (np.array([[3.2, 5.1, -1.7]]), np.array([0]), 1.0, "the cat example of section 4",
         "section 4 works this sample out term by term: 2.9 + 0"),
        (np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]), np.array([0, 1, 2]),
         1.0, "N = C = 3",
         "each row compares its own true class's score with the row's other scores; the true "
         "scores form a column (N, 1); the loss is the mean over the N samples"),
        (np.array([[0.0, 0.5]]), np.array([0]), 2.0, "delta = 2",
         "the margin is the delta argument, not a fixed 1"),
    ]
    out = []
    for s, y, delta, label, hint in cases:
        kwargs = {"delta": delta} if delta != 1.0 else {}
        out.append(Case(args=(s, y), kwargs=kwargs,
                        expected=float(hinge_loss(s, y, delta=delta)[0]), label=label,
                        hint=hint, mistakes=_svm_mistakes(s, y, delta)))
    return out


@_quiet
def svm_hidden_cases() -> list[Case]:
    s, y = np.array([[10.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), np.array([0, 2])
    return [Case(args=(s, y), expected=float(hinge_loss(s, y)[0]),
                 hint="satisfied margins contribute 0, and the true class never counts")]


# ----------------------------------------------------------------------------- exercise 4
def _grad_mistakes(s, y):
    N, C = s.shape
    Y = np.zeros_like(s)
    Y[np.arange(N), y] = 1
    right = (softmax(s) - Y) / N
    cols = softmax(s)
    cols[:, y] -= 1
    argmax = softmax(s)
    argmax[np.arange(N), s.argmax(axis=1)] -= 1
    out = [
        (_not_finite, _OVERFLOW),
        (right * N, "N times too large: L is the mean over the N samples, so each row's "
                    "P − Y is divided by N"),
        (-right, "the sign: the derivative is P − Y (probability minus target), not Y − P"),
        (softmax(s) / N, "P / N without the one-hot target: the true class's entry loses 1 "
                         "(the derivative of −s_{i,y_i})"),
        (cols / N, "indexing with y alone changes whole columns; only entry (i, y[i]) of each "
                   "row loses 1: pair row i with column y[i]"),
        (argmax / N, "1 was subtracted at the predicted class (the largest score); it belongs "
                     "at the true class y[i]"),
    ]
    if y.max() + 1 < C:
        try:
            short = (softmax(s) - np.eye(y.max() + 1)[y]) / N
            out.append((short, "the one-hot targets have fewer than C columns: there is one "
                               "column per class (C = the number of scores in a row), whether "
                               "or not the class occurs among the labels"))
        except ValueError:
            pass
    if C != N:
        out.append((right * N / C, "divided by C, the number of classes; the mean is over the "
                                   "N samples (rows)"))
    return out


@_quiet
def grad_cases() -> list[Case]:
    cases = [
        (np.zeros((1, 2)), np.array([0]), None,
         "the derivative of the mean cross-entropy is P − Y divided by N: probability minus "
         "one-hot target (section 7)"),
        (np.zeros((3, 2)), np.array([0, 0, 1]), "N = 3",
         "each row's target has a single 1, at its own label; L is the mean over the N rows"),
        (np.array([[1000.0, 0.0, -1000.0]]), np.array([2]), "scores ±1000",
         "the probabilities must come from a softmax that survives ±1000 (exercise 1)"),
        (np.array([[1000.0, 0.0], [0.0, 1.0]]), np.array([1, 0]), "rows on different scales",
         "each row is a distribution of its own, so each row is shifted by its OWN maximum: "
         "one maximum for the whole array leaves the second row's exponentials at e^−1000 = 0"),
    ]
    return [Case(args=(s, y), expected=softmax_cross_entropy(s, y)[1], label=label, hint=hint,
                 mistakes=_grad_mistakes(s, y)) for s, y, label, hint in cases]


def grad_check_error(fn) -> float:
    """Relative error between ``fn(s, y)`` and centred finite differences of the mean loss."""
    s, y = np.random.default_rng(5).normal(size=(4, 3)), np.array([0, 2, 1, 2])
    numeric = numerical_gradient(lambda z: softmax_cross_entropy(z, y)[0], s.copy())
    return float(rel_error(np.asarray(fn(s.copy(), y), dtype=float), numeric))


@_quiet
def grad_hidden_cases() -> list[Case]:
    s, y = np.array([[1000.0, 0.0], [-1000.0, -1000.0]]), np.array([1, 0])
    return [Case(args=(s, y), expected=softmax_cross_entropy(s, y)[1],
                 hint="the probabilities must come from a softmax that survives ±1000")]


# ----------------------------------------------------------------------------- exercise 5
def _step_parts(W, b, X, y):
    _, dS = softmax_cross_entropy(X @ W + b, y)
    return X.T @ dS, dS.sum(axis=0)


def step_case(W, b, X, y, lr, l2, label=None, hint=None) -> Case:
    """The new (W, b) after one step of the L2-penalised softmax loss, and the common slips."""
    N = len(y)
    dW_data, db = _step_parts(W, b, X, y)
    dW = dW_data + l2 * W
    expected = (W - lr * dW, b - lr * db)
    dW_nob, db_nob = _step_parts(W, np.zeros_like(b), X, y)
    mistakes = [
        ((dW, db), "you returned the gradient (dW, db), not the new parameters"
                   + (" (or stepped uphill: from W = 0 and b = 0 with lr = 1 the two give the "
                      "same numbers)" if lr == 1 and not W.any() and not b.any() else "")),
        ((W + lr * dW, b + lr * db), "the step went uphill: gradient descent moves against "
                                     "the gradient"),
        ((W - dW, b - db), "the step ignores lr: scale the gradient by the step size"),
        ((W - lr * dW_data, b - lr * db), "the penalty's gradient λW is missing from dW"),
        ((W - lr * (dW_data + 0.5 * l2 * W), b - lr * db),
         "the derivative of ½λ‖W‖² is λW, not ½λW"),
        ((W - lr * (dW_data + 2 * l2 * W), b - lr * db),
         "the derivative of ½λ‖W‖² is λW, not 2λW"),
        ((W - lr * dW_data - l2 * W, b - lr * db),
         "the penalty's gradient was not multiplied by lr: the whole gradient, data term plus "
         "λW, is scaled by the step size"),
        ((W - lr * dW, b - lr * (db + l2 * b)), "b was penalised too; only W is in ½λ‖W‖²"),
        ((W - lr * dW, b - lr * db / N), f"b moved N = {N} times too little: dS already carries "
                                         "the 1/N, so b's gradient is a sum over the samples"),
        ((W - lr * (dW_data / N + l2 * W), b - lr * db),
         f"W moved N = {N} times too little: dS already carries the 1/N of the mean"),
        ((W - lr * (dW_data * N + l2 * W), b - lr * db * N),
         f"the step is N = {N} times too large: the loss is a mean over the samples"),
        ((W - lr * dW, b), "b did not move: update the bias too, with its gradient summed over "
                           "the samples (each row of dS sums to 0, so a sum over the classes "
                           "gives zeros)"),
        ((W - lr * (dW_nob + l2 * W), b - lr * db_nob),
         "the scores left out the bias: S = XW + b"),
    ]
    return Case(args=(W, b, X, y, lr, l2), expected=expected, label=label,
                mistakes=mistakes, hint=hint)


@_quiet
def step_cases() -> list[Case]:
    X1, y1 = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])
    W3 = np.array([[0.5, -1.0, 0.0], [1.0, 0.0, -0.5]])
    b3 = np.array([0.2, -0.1, 0.3])
    X3, y3 = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]]), np.array([0, 0, 2])
    return [
        step_case(np.zeros((2, 2)), np.zeros(2), X1, y1, 1.0, 0.0, label="W = 0, no penalty",
                  hint="one step moves W and b against their gradients (section 7)"),
        step_case(np.eye(2), np.zeros(2), X1, y1, 0.25, 0.2, label="with the penalty",
                  hint="the penalty ½λ‖W‖² adds its own derivative to W's gradient"),
        step_case(W3, b3, X3, y3, 0.5, 0.0, label="D = 2, C = 3, N = 3",
                  hint="W's gradient has W's shape (D, C); b's gradient has b's shape (C,) "
                       "(section 7 derives both)"),
        step_case(W3, b3, X3, y3, 0.3, 0.2, label="D = 2, C = 3, N = 3, with the penalty",
                  hint="only W is penalised, not b"),
    ]


@_quiet
def step_hidden_case() -> Case:
    r = np.random.default_rng(9)
    W, b, X, y = r.normal(size=(3, 4)), r.normal(size=4), r.normal(size=(5, 3)), r.integers(0, 4, 5)
    return step_case(W, b, X, y, 0.1, 0.3)


def reference_step_by_autograd(W, b, X, y, lr, l2):
    """The same step by torch.autograd (the tests compare it with ``step_case``)."""
    import torch

    Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    (torch.nn.functional.cross_entropy(torch.tensor(X) @ Wt + bt, torch.tensor(y))
     + 0.5 * l2 * (Wt ** 2).sum()).backward()
    return W - lr * Wt.grad.numpy(), b - lr * bt.grad.numpy()
