"""References and natural mistakes for notebook 11's exercises (kept out of the test cells).

Each ``cases_*`` returns a list of ``helpers.checks.Case`` for ``check_function``: expected
values from the reference, and the named mistakes a student is likely to make.
"""

from __future__ import annotations

import contextlib
import copy

import numpy as np
import torch
import torch.nn.functional as F

from helpers.checks import Case, CheckFailed, shape_is


# ----------------------------------------------------------------------------- exercise 1
def cases_gather(hidden=False):
    g = torch.Generator().manual_seed(111 if hidden else 11)
    shapes = [(3, 3), (4, 3), (5, 6), (1, 4)] if not hidden else [(7, 10), (1, 4), (6, 6)]
    out = []
    for n, c in shapes:
        scores = torch.randn(n, c, generator=g, dtype=torch.float64)
        y = torch.randint(0, c, (n,), generator=g)
        while n > 1 and bool((y == torch.arange(n) % c).all()):  # the diagonal hides mistakes
            y = torch.randint(0, c, (n,), generator=g)
        want = scores[torch.arange(n), y]
        mistakes = [
            (scores[y] if c <= n else shape_is(n, c),  # scores[y] exists when labels < N
             "scores[y] picks whole rows (N, C); each row i needs one entry, column y[i]"),
            (shape_is(n, 1), "gather keeps the axis you gathered along: (N, 1); squeeze it to (N,)"),
            (shape_is(n, n), "scores[:, y] takes *every* row's entries at all labels (N, N); "
                             "each row needs its own label"),
            (shape_is(1, n), "gather along dim=1 (the class axis) with index y of shape (N, 1)"),
            (shape_is(), "squeeze() without an argument also removed the batch axis (N = 1 "
                         "here); squeeze only the axis you gathered along"),
        ]
        if c <= n:  # the labels are valid row numbers too
            mistakes.append((scores.gather(0, y[:, None]).squeeze(1),
                             "you gathered along dim=0 (rows): that reads scores[y[i], 0]; the "
                             "label picks a column of row i: dim=1"))
        if n == c:
            mistakes.append((scores.gather(0, y[None])[0],
                             "you gathered along dim=0 (rows); the label picks a column: dim=1"))
            mistakes.append((scores[y, torch.arange(n)],
                             "row and column are swapped: row i, column y[i]"))
        out.append(Case(args=(scores, y), expected=want, mistakes=mistakes,
                        hint="gather's index tensor has as many dimensions as the tensor it reads "
                             "from (section 4)"))
    return out


# ----------------------------------------------------------------------------- exercise 2
def cases_standardize(hidden=False):
    g = torch.Generator().manual_seed(122 if hidden else 12)
    shapes = [(6, 3), (10, 4)] if not hidden else [(20, 7), (3, 2)]
    out = []
    for n, d in shapes:
        x = torch.randn(n, d, generator=g, dtype=torch.float64) * torch.arange(1, d + 1) + 5
        mu, sd = x.mean(dim=0), x.std(dim=0, unbiased=False)
        want = (x - mu) / sd
        mistakes = [
            ((x - mu) / x.std(dim=0), "torch's std divides by N - 1 by default; this "
                                      "standardisation uses the population std (divide by N)"),
            ((x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, unbiased=False, keepdim=True),
             "you standardised each row (dim=1); the statistics are per feature, over the "
             "samples: dim=0"),
            ((x - x.mean()) / x.std(unbiased=False), "one mean and std for the whole tensor; "
                                                     "each column (feature) needs its own"),
            (x - mu, "you subtracted the mean but did not divide by the standard deviation"),
        ]
        out.append(Case(args=(x,), expected=want, mistakes=mistakes,
                        hint="one mean and one std per feature (column), shaped so that they "
                             "broadcast against every row of x (section 7)"))
    return out


# ----------------------------------------------------------------------------- exercise 3
def _ref_train(model, X, y, lr, steps, zero_grad=True, step=True, after=False):
    model = copy.deepcopy(model)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(X), y)
        if zero_grad:
            opt.zero_grad()
        loss.backward()
        if step:
            opt.step()
        losses.append(F.cross_entropy(model(X), y).item() if after else loss.item())
    return losses


def cases_train_steps(hidden=False):
    torch.manual_seed(133 if hidden else 13)
    out = []
    for n, d, h, c, lr, steps in ([(16, 5, 8, 3, 0.5, 4), (32, 4, 6, 2, 0.2, 5)] if not hidden
                                  else [(24, 6, 10, 4, 0.3, 6)]):
        X = torch.randn(n, d)
        y = torch.randint(0, c, (n,))
        model = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU(), torch.nn.Linear(h, c))
        want = _ref_train(model, X, y, lr, steps)
        mistakes = [
            (_ref_train(model, X, y, lr, steps, zero_grad=False),
             "the gradients accumulate: call optimizer.zero_grad() before every backward()"),
            (_ref_train(model, X, y, lr, steps, step=False),
             "the loss never changes: the updates used zero gradients. The order is "
             "zero_grad(), backward(), step(): step() after backward(), and zero_grad() not "
             "between them (it erases the gradients backward() just computed)"),
            (_ref_train(model, X, y, lr, steps, after=True),
             "you recorded the loss after the update; record the loss computed before "
             "optimizer.step()"),
            (lambda got, k=steps: isinstance(got, list | tuple) and len(got) != k,
             f"return one loss per step ({steps} here)"),
        ]
        out.append(Case(args=(model, X, y, lr, steps), expected=want, mistakes=mistakes,
                        check=lambda got, want=want: _check_floats(got, want, hidden=hidden)))
    return out


def _check_floats(got, want, rtol=1e-4, atol=1e-6, hidden=False):
    """None when ``got`` is a list of Python floats equal to ``want``; else the problem."""
    from helpers.checks import _compare

    if isinstance(got, list | tuple) and any(isinstance(v, torch.Tensor) for v in got):
        return ("you returned loss tensors; return Python floats (loss.item()): a tensor that "
                "requires grad keeps its whole graph in memory")
    return _compare(got, want, rtol, atol, hidden=hidden)


# ----------------------------------------------------------------------------- exercise 4
def softplus_forward(x):
    """softplus(x) = log(1 + exp(x)), computed without overflow. x: any shape."""
    return np.logaddexp(0.0, x), x


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def cases_softplus_backward(hidden=False):
    rng = np.random.default_rng(144 if hidden else 14)
    out = []
    shapes = [(3, 4), (5,)] if not hidden else [(2, 3, 4), (7, 1)]
    for shape in shapes:
        x = rng.standard_normal(shape) * 3
        dout = rng.standard_normal(shape)
        want = dout * _sigmoid(x)
        mistakes = [
            (_sigmoid(x), "you returned softplus'(x) alone; the chain rule multiplies it by dout"),
            (dout * _sigmoid(-x), "sigmoid(-x) is the derivative of softplus(-x); here it is "
                                  "sigmoid(x)"),
            (dout * np.logaddexp(0.0, x), "that is softplus itself; its derivative is the sigmoid"),
            (dout * _sigmoid(x) * (1 - _sigmoid(x)), "that is the sigmoid's derivative; "
                                                     "softplus' = sigmoid"),
        ]
        out.append(Case(args=(dout, x), expected=want, mistakes=mistakes))
    x = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    out.append(Case(args=(np.ones(5), x), expected=_sigmoid(x),
                    label="large |x|: exp overflows if computed naively",
                    mistakes=[(lambda got: not np.all(np.isfinite(np.asarray(got))),
                               "exp(1000) overflows to inf: compute the sigmoid so that only "
                               "exp of a non-positive number is taken")]))
    return out


@contextlib.contextmanager
def named_overflow(name):
    """Around ``check_function`` under ``np.errstate(over="raise")``: an overflow in the
    student's backward becomes a failed check that says where it comes from."""
    try:
        yield
    except FloatingPointError as err:
        raise CheckFailed(
            f"✗ {name}: np.exp overflowed ({err}) on the case with x = ±1000. The derivative of "
            "softplus is a sigmoid, and its textbook form exponentiates a large positive number "
            "at one end (np.where computes both branches for every entry, so choosing the branch "
            "afterwards does not help). Write it so that np.exp only ever sees numbers <= 0."
        ) from err


def cases_softplus_far():
    """Far out, s'(x) is tiny but not 0: clipping x before a naive sigmoid changes it."""
    x = np.array([-50.0, -40.0, -30.0, 60.0])
    return [Case(args=(np.ones(4), x), expected=_sigmoid(x), label="far out: x = -50, -40, -30, 60",
                 mistakes=[(lambda got: np.asarray(got)[0] > 1e-20,
                            "s'(-50) ≈ 1.9e-22 came out too large: clipping x (e.g. into [-20, 20]) "
                            "changes the answer; rewrite the sigmoid instead, so that nothing "
                            "needs clipping")],
                 hint="compared to 6 significant digits, with no absolute slack")]


def gradcheck_softplus(backward) -> bool:
    """Wrap ``softplus_forward`` and ``backward`` with ``numpy_function`` and run
    ``torch.autograd.gradcheck`` on 9 points in [-4, 4] (float64); True when it passes."""
    from torch.autograd import gradcheck

    from helpers.torch_nn.numpy_function import numpy_function

    fn = numpy_function(softplus_forward, backward, name="softplus")
    x = torch.linspace(-4, 4, 9, dtype=torch.float64).requires_grad_(True)
    return bool(gradcheck(fn, (x,), raise_exception=False))
