"""References and natural mistakes for notebook 03's exercises (kept out of the test cells).

Each ``cases_*`` returns a list of ``helpers.checks.Case`` for ``check_function``: expected
values from a reference (``torch.autograd``), and the named mistakes a student is likely to make.
``used_torch_autograd`` tells whether a function really went through ``torch.autograd``.
"""

from __future__ import annotations

import numpy as np
import torch

from helpers.checks import Case


def _torch_grads(f, *arrays, dout):
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    f(*ts).backward(torch.tensor(dout, dtype=torch.float64))
    return tuple(t.grad.numpy() for t in ts)


# ----------------------------------------------------------------------------- exercise 2
def cases_mul() -> list[Case]:
    """``mul_backward(x, y, dout)`` cases: the reference is torch.autograd of x * y."""
    cases = []
    for x, y, dout, hint in [
        ([3.0], [-4.0], [1.0], "a multiply node SWAPS: each input's gradient uses the OTHER input"),
        ([1.0, 2.0], [5.0, -1.0], [2.0, 3.0], "the upstream gradient dout multiplies element by element"),
    ]:
        x, y, dout = (np.array(v) for v in (x, y, dout))
        want = _torch_grads(torch.mul, x, y, dout=dout)
        cases.append(Case(args=(x, y, dout), expected=want, hint=hint, mistakes=[
            ((x * dout, y * dout), "no swap: x's gradient is the OTHER input y times dout (and y's is x times dout)"),
            ((y, x), "you forgot the upstream gradient dout: multiply the local derivative by it"),
            ((dout, dout), "that is the ADD node's rule (copy dout); a multiply node swaps its inputs"),
            (lambda got: isinstance(got, tuple) and len(got) == 2 and np.ndim(got[0]) == 0,
             "element-wise: use *, not np.dot (a dot product sums the entries into one number)"),
        ]))
    return cases


# ----------------------------------------------------------------------------- exercise 3
def cases_max() -> list[Case]:
    """``max_backward(x, y, dout)`` cases (no ties): the reference is torch.maximum's backward."""
    cases = []
    for x, y, dout, hint in [
        ([3.0], [-4.0], [2.0], "max ROUTES: the larger input gets all of dout, the other gets 0"),
        ([1.0, 5.0, -2.0], [2.0, 4.0, -3.0], [1.0, -2.0, 0.5],
         "compare element by element (a boolean mask), and pass dout on as it is"),
    ]:
        x, y, dout = (np.array(v) for v in (x, y, dout))
        want = _torch_grads(torch.maximum, x, y, dout=dout)
        mx, my = (x > y).astype(float), (y > x).astype(float)
        cases.append(Case(args=(x, y, dout), expected=want, hint=hint, mistakes=[
            ((mx, my), "you forgot dout: the mask says WHERE the gradient goes, dout is WHAT goes there"),
            ((dout, dout), "both inputs got dout (the add node's rule); max sends it to the larger one only"),
            ((np.maximum(x, y) * dout * mx, np.maximum(x, y) * dout * my),
             "the local derivative of max is 1 (for the larger input), not the max value itself"),
            ((np.abs(dout) * mx, np.abs(dout) * my), "pass dout on with its sign (no abs): it can be negative"),
            ((dout * (x == np.maximum(x, y).max()), dout * (y == np.maximum(x, y).max())),
             "compare element by element (x > y), not with the max of the whole array"),
        ]))
    return cases


# ----------------------------------------------------------------------------- exercise 5
def _g(t):
    # the function of the statement (public): y1 = x1 x2, y2 = sin x1 + x2^2, y3 = e^x2
    x1, x2 = t[0], t[1]
    return torch.stack((x1 * x2, torch.sin(x1) + x2 * x2, torch.exp(x2)))


def _reference_jacobian(x) -> np.ndarray:
    return torch.autograd.functional.jacobian(_g, torch.tensor(x, dtype=torch.float64)).numpy()


def cases_jacobian() -> list[Case]:
    """``jacobian_at(x)`` cases: the reference is torch.autograd.functional.jacobian."""
    cases = []
    for x in ([1.0, 2.0], [0.0, 0.0], [-0.5, 0.3]):
        x = np.array(x)
        J = _reference_jacobian(x)
        cases.append(Case(args=(x,), expected=J,
                          hint="row i holds the derivatives of output i: shape (3 outputs, 2 inputs)",
                          mistakes=[
            (lambda got: isinstance(got, torch.Tensor),
             "you returned a torch tensor: the statement asks for a NumPy array (.detach().numpy())"),
            (J.T, "you returned the transpose: rows are outputs (3), columns are inputs (2)"),
            (np.tile(J.sum(axis=0), (3, 1)),
             "each row is the sum of all rows: one backward with v = (1, 1, 1) gives v^T J, "
             "not J; use one unit vector per row"),
            (np.cumsum(J, axis=0),
             "row i holds rows 0..i added up: x.grad accumulates across backward calls, zero it "
             "(x.grad.zero_()) between rows"),
        ]))
    return cases


def used_torch_autograd(fn, *args) -> bool:
    """Whether ``fn(*args)`` calls ``torch.autograd.grad`` or ``torch.autograd.backward``
    (``Tensor.backward`` and ``torch.autograd.functional.jacobian`` go through them)."""
    calls = []
    grad, backward = torch.autograd.grad, torch.autograd.backward

    def counting(real):
        def wrapper(*a, **k):
            calls.append(real.__name__)
            return real(*a, **k)
        return wrapper

    torch.autograd.grad, torch.autograd.backward = counting(grad), counting(backward)
    try:
        fn(*args)
    finally:
        torch.autograd.grad, torch.autograd.backward = grad, backward
    return bool(calls)
