"""References and natural mistakes for notebook 09's exercises (kept out of the test cells).

Each ``cases_*`` returns a list of ``helpers.checks.Case`` for ``check_function``: expected
values from the reference, and the named mistakes a student is likely to make.
"""

from __future__ import annotations

import numpy as np
import torch  # noqa: F401 - see below

from helpers.checks import Case

# Importing torch patches inspect.getfile (torch.package does so). The notebooks import torch
# in their set-up cell (seed_everything), after the grader's tamper baseline is taken from the
# modules the test cells import; importing it here puts the patch into that baseline.


# ----------------------------------------------------------------------------- exercise 1
def _ref_dropout(x, p, mode, seed):
    if mode == "test":
        return x.copy()
    u = np.random.default_rng(seed).random(x.shape)
    return x * (u >= p) / (1 - p)


def cases_dropout(hidden=False):
    rng = np.random.default_rng(91 if hidden else 9)
    out = []
    shapes = [(4, 5), (3, 6)] if not hidden else [(50, 40), (7, 3)]
    ps = [0.5, 0.2] if not hidden else [0.3, 0.75]
    for shape, p in zip(shapes, ps, strict=True):
        out += _dropout_pair(rng, shape, p)
    return out


def _is_dropout_of(got, x, p):
    """Every entry is 0 or x / (1 - p): a dropout output, whatever the mask."""
    got = np.asarray(got, dtype=float)
    if got.shape != x.shape:
        return False
    return bool(np.all(np.isclose(got, 0) | np.isclose(got, x / (1 - p))))


def _dropout_pair(rng, shape, p):
    out = []
    if True:
        x = rng.standard_normal(shape) + 2.0
        seed = int(rng.integers(1000))
        u = np.random.default_rng(seed).random(shape)
        mistakes = [
            (x * (u >= p), "you did not scale the kept values by 1 / (1 - p) (the keep "
                           "probability): the expected output would shrink to (1 - p) x"),
            (x * (u >= p) / p, "divide by the KEEP probability 1 - p, not by the drop "
                               "probability p"),
            (x * (u < p) / p, "p is the probability of DROPPING a unit (as in torch): keep "
                              "where U >= p"),
            (x * (u < p) / (1 - p), "the mask keeps the wrong entries: p is the probability "
                                    "of DROPPING a unit (as in torch), and this exercise keeps "
                                    "an entry when its U is at least p (U < p, or U < 1 - p, "
                                    "selects other entries, even where the rate is right)"),
            (lambda got, x=x: _is_dropout_of(got, x, p) and len(x) > 1
             and (np.asarray(got) == 0).all(axis=0).sum()
             + (np.asarray(got) != 0).all(axis=0).sum() == x.shape[1],
             "every sample got the same mask (U drawn with shape x.shape[1:]?): draw one "
             "number per entry, U = rng.random(x.shape)"),
            (lambda got, x=x: _is_dropout_of(got, x, p),
             "kept values are scaled right, but the mask is not the one this seed gives: create "
             "rng = np.random.default_rng(seed) inside the function and draw "
             "U = rng.random(x.shape) exactly once (np.random.rand, rng.binomial or a second "
             "draw give a different mask)"),
        ]
        out.append(Case(args=(x, p, "train", seed), expected=_ref_dropout(x, p, "train", seed),
                        label=f"train mode, p={p}", mistakes=mistakes,
                        hint="draw U = rng.random(x.shape) once, keep where U >= p, rescale"))
        out.append(Case(args=(x, p, "test", seed), expected=x.copy(), label=f"test mode, p={p}",
                        mistakes=[(x / (1 - p), "you scaled at test time: with inverted dropout "
                                                "the scaling happened in training, test mode "
                                                "returns x unchanged"),
                                  (x * (1 - p), "you scaled at test time: with inverted dropout "
                                                "test mode returns x unchanged"),
                                  (lambda got: np.shape(got) == x.shape
                                   and np.mean(np.asarray(got) == 0) > 0.05,
                                   "you dropped units at test time: test mode keeps every unit")]))
    return out


# ----------------------------------------------------------------------------- exercise 2
def _ref_bn_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    n = x.shape[0]
    mu, var = x.mean(axis=0), x.var(axis=0)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    rm = (1 - momentum) * running_mean + momentum * mu
    rv = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    return out, rm, rv


def cases_bn_forward(hidden=False):
    rng = np.random.default_rng(92 if hidden else 2)
    out = []
    for n, d in ([(6, 3), (4, 5)] if not hidden else [(32, 8), (3, 2)]):
        out.append(_bn_forward_case(rng, n, d))
    return out


def _bn_forward_case(rng, n, d):
    if True:
        x = 2 * rng.standard_normal((n, d)) + 1
        gamma, beta = rng.random(d) + 0.5, rng.standard_normal(d)
        rm, rv = rng.standard_normal(d), rng.random(d) + 0.5
        args = (x, gamma, beta, rm.copy(), rv.copy())
        exp = _ref_bn_train(*args)
        mu, var, var1 = x.mean(0), x.var(0), x.var(0, ddof=1)
        mistakes = [
            (lambda got, o=exp[0], v=var, v1=var1, m=mu, g=gamma, b=beta: np.allclose(
                got[0], g * (x - m) / np.sqrt(v1 + 1e-5) + b) and not np.allclose(got[0], o),
             "in training, normalise with the biased batch variance (divide by N, ddof=0), "
             "not ddof=1"),
            (lambda got, e=exp: np.allclose(got[0], e[0]) and np.allclose(got[1], rm)
             and np.allclose(got[2], rv),
             "you forgot to update the running statistics (return the new running mean "
             "and variance)"),
            (lambda got, e=exp: np.allclose(got[0], e[0])
             and np.allclose(got[1], 0.9 * mu + 0.1 * rm),
             "momentum is the weight of the NEW batch (torch's convention): "
             "running = (1 - momentum) * running + momentum * batch"),
            (lambda got, e=exp: np.allclose(got[0], e[0]) and np.allclose(got[1], e[1])
             and np.allclose(got[2], 0.9 * rv + 0.1 * var),
             "the running variance stores the UNBIASED batch variance (N / (N - 1) times "
             "the one used to normalise), as torch.nn.BatchNorm1d does"),
            (lambda got: np.shape(got[0]) == x.shape and np.allclose(
                got[0], gamma * (x - x.mean(1, keepdims=True))
                / np.sqrt(x.var(1, keepdims=True) + 1e-5) + beta),
             "batch norm takes the mean and variance over the BATCH axis (axis=0, one per "
             "feature); over axis=1 (per sample) it would be layer norm"),
            (lambda got, e=exp: np.allclose(
                got[0], gamma * (x - mu) / (np.sqrt(var) + 1e-5) + beta)
             and not np.allclose(got[0], e[0]),
             "eps goes inside the square root: sqrt(var + eps)"),
            (lambda got, e=exp: np.allclose(got[0], e[0]) and np.allclose(got[1], e[1])
             and (np.allclose(got[2], 0.9 * rv + 0.1 * np.sqrt(var1))
                  or np.allclose(got[2], 0.9 * rv + 0.1 * np.sqrt(var))),
             "the running variance averages the batch VARIANCE (unbiased), not its standard "
             "deviation"),
            (lambda got: np.allclose(got[0], gamma * ((x - mu) / np.sqrt(var + 1e-5) + beta)),
             "scale first, then shift: out = gamma * x_hat + beta (you multiplied beta by "
             "gamma too)"),
            (lambda got: np.allclose(got[0], (x - mu) / np.sqrt(var + 1e-5)),
             "you returned x_hat: the layer then scales by gamma and shifts by beta"),
        ]
        return Case(args=args, expected=exp, label=f"N={n}, D={d}", mistakes=mistakes,
                    hint="mean and variance over the batch axis (axis=0), one per feature")


# ----------------------------------------------------------------------------- exercise 3
def _ref_bn_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu, var = x.mean(0), x.var(0)
    inv = 1 / np.sqrt(var + eps)
    xh = (x - mu) * inv
    g = dout * gamma
    dx = inv / n * (n * g - g.sum(0) - xh * (g * xh).sum(0))
    return dx, (dout * xh).sum(0), dout.sum(0)


def _ref_bn_backward_ddof1(dout, x, gamma, eps=1e-5):
    # the mistake: x_hat and s computed with the unbiased variance
    n = x.shape[0]
    inv = 1 / np.sqrt(x.var(0, ddof=1) + eps)
    xh = (x - x.mean(0)) * inv
    g = dout * gamma
    return inv / n * (n * g - g.sum(0) - xh * (g * xh).sum(0))


def cases_bn_backward(hidden=False):
    rng = np.random.default_rng(93 if hidden else 3)
    out = []
    for n, d in ([(5, 3), (8, 2)] if not hidden else [(30, 6), (2, 4)]):
        out.append(_bn_backward_case(rng, n, d))
    return out


def _bn_dx_partial(dout, x, gamma, inv, missing):
    n = x.shape[0]
    xh = (x - x.mean(0)) * inv
    g = dout * gamma
    mu_term = 0 if missing == "mu" else g.sum(0)
    var_term = 0 if missing == "var" else xh * (g * xh).sum(0)
    return inv / n * (n * g - mu_term - var_term)


def _bn_backward_case(rng, n, d):
    if True:
        x = rng.standard_normal((n, d)) * 2 + 1
        gamma, dout = rng.random(d) + 0.5, rng.standard_normal((n, d))
        exp = _ref_bn_backward(dout, x, gamma)
        inv = 1 / np.sqrt(x.var(0) + 1e-5)
        mistakes = [
            (lambda got: np.shape(got[1]) == x.shape or np.shape(got[2]) == x.shape,
             "dgamma and dbeta have one entry per feature, shape (D,): gamma and beta are shared "
             "by every row of the batch, so their gradients add up the rows' contributions"),
            (lambda got: np.shape(got[1]) == (n,) or np.shape(got[2]) == (n,),
             "a sum ran over the features (axis 1): the batch statistics, and the gradients of "
             "gamma and beta, run over the samples (axis 0)"),
            (lambda got, e=exp: np.allclose(got[0], n * e[0]),
             f"dx is N = {n} times too large: the mean and the variance each average over the "
             "batch, and that 1/N stays in their derivatives"),
            (lambda got, e=exp: np.allclose(got[0], e[0] / n),
             f"dx is N = {n} times too small: check where the 1/N of the batch averages enters"),
            (lambda got, e=exp, i=inv: np.allclose(got[0], dout * gamma * i)
             and not np.allclose(got[0], e[0]),
             "mu and var depend on x: dx is not just dout * gamma / sqrt(var + eps); "
             "differentiate through the batch mean and variance too"),
            (lambda got, i=inv: np.allclose(got[0], _bn_dx_partial(dout, x, gamma, i, "mu"))
             and not np.allclose(got[0], exp[0]),
             "the path through the batch mean is missing: subtract the batch sum of "
             "dout * gamma (every x_n moves mu)"),
            (lambda got, i=inv: np.allclose(got[0], _bn_dx_partial(dout, x, gamma, i, "var"))
             and not np.allclose(got[0], exp[0]),
             "the path through the batch variance is missing (the x_hat * sum(...) term)"),
            (lambda got: np.allclose(got[1], (dout * x).sum(0)),
             "dgamma multiplies dout by the NORMALISED x_hat, not by x"),
            (lambda got: np.allclose(got[2], dout.mean(0)),
             "beta is added to every row: dbeta SUMS dout over the batch (no mean)"),
            (lambda got: np.allclose(got[1], (dout * (x - x.mean(0)) * inv).mean(0)),
             "dgamma SUMS over the batch (no mean)"),
            (lambda got, e=exp: np.allclose(got[1], e[2]) and np.allclose(got[2], e[1]),
             "dgamma and dbeta are swapped: beta is added (dbeta = sum of dout), gamma "
             "multiplies x_hat (dgamma = sum of dout * x_hat)"),
            (lambda got: np.allclose(got[0], _ref_bn_backward(dout, x, np.ones_like(gamma))[0]),
             "dx is missing gamma: the gradient reaching x_hat is dout * gamma (y = gamma * "
             "x_hat + beta)"),
            (lambda got: np.allclose(got[0], _ref_bn_backward_ddof1(dout, x, gamma)),
             "recompute x_hat exactly as the forward pass does, with the biased variance "
             "(ddof=0, divide by N)"),
            (lambda got: np.shape(got[0]) == x.shape
             and not np.allclose(np.sum(got[0], axis=0), 0, atol=1e-7),
             "each column of dx must sum to 0 over the batch (adding a constant to a column of "
             "x does not change x_hat): check the sign and the 1/N of the term that comes "
             "through the batch mean"),
            (lambda got: np.shape(got[0]) == x.shape
             and not np.allclose(np.sum(got[0] * (x - x.mean(0)), axis=0), 0, atol=1e-7),
             "dx times (x - mu) must sum to 0 over the batch in each column (stretching a column "
             "of x does not change x_hat): check the term that comes through the batch "
             "variance"),
        ]
        return Case(args=(dout, x, gamma), expected=exp, label=f"N={n}, D={d}",
                    mistakes=mistakes,
                    hint="recompute x_hat in the forward direction first; the three terms "
                         "of dx come from x_hat's dependence on x directly, through mu "
                         "and through var")


# ----------------------------------------------------------------------------- exercise 4
def cases_l1(hidden=False):
    rng = np.random.default_rng(94 if hidden else 4)
    out = []
    for shape, lam in ([((3, 4), 0.1), ((5,), 0.5)] if not hidden else [((6, 6), 0.03),
                                                                       ((2, 3), 2.0)]):
        out.append(_l1_case(rng, shape, lam))
    return out


def _l1_case(rng, shape, lam):
    if True:
        W = rng.standard_normal(shape)
        W.flat[::3] = 0.0  # exact zeros: the kink
        exp = (lam * np.abs(W).sum(), lam * np.sign(W))
        return Case(
            args=(W, lam), expected=exp, label=f"W{shape}, l1={lam}",
            mistakes=[
                (lambda got: np.ndim(got[0]) > 0 and np.ndim(got[1]) == 0,
                 "the tuple is in the wrong order: the penalty (a number) comes first, then "
                 "the gradient"),
                (lambda got, W=W, lam=lam: np.allclose(got[1], lam * np.where(W >= 0, 1, -1)),
                 "the sign of L1 at 0: |w| has no slope at w = 0; use the subgradient 0 there "
                 "(np.sign(0) = 0), as torch does, so exact zeros stay zero"),
                (lambda got, W=W, lam=lam: np.allclose(got[1], lam * W),
                 "that is the L2 gradient (l1 * W): L1's gradient has constant size l1"),
                (lambda got, W=W: np.allclose(got[1], np.sign(W)) and lam != 1,
                 "multiply the gradient by the strength l1"),
                (lambda got, W=W, lam=lam: np.isclose(got[0], lam * np.abs(W).mean()),
                 "the penalty SUMS |w| over all entries (no mean)"),
                (lambda got, W=W, lam=lam: np.isclose(got[0], 0.5 * lam * np.abs(W).sum()),
                 "no 0.5 in the L1 penalty: it is l1 * sum |w|"),
                (lambda got, W=W, lam=lam: np.isclose(got[0], lam * W.sum()),
                 "the penalty sums ABSOLUTE values |w|: without them positive and negative "
                 "weights cancel"),
                (lambda got: np.isnan(np.asarray(got[1], dtype=float)).any(),
                 "W / |W| is 0/0 where an entry is exactly 0: use the sign function, which "
                 "gives the subgradient 0 there"),
            ],
            hint="a tuple (penalty: a float, gradient: the shape of W)")
