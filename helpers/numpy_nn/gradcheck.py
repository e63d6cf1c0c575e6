"""Gradient checking: compare an analytic gradient with centred finite differences.

The numerical gradient of f at entry i is n_i = (f(x + h e_i) - f(x - h e_i)) / (2h). Its error
is about h^2 |f'''| / 6 from truncation plus eps |f| / h from rounding f (eps ~ 1e-16 in
float64): with h = 1e-6 and |f| ~ 1, roughly 1e-10 in absolute terms. We compare it with the
analytic gradient a entry by entry, with the relative error

    rel_i = |a_i - n_i| / max(|a_i| + |n_i|, tiny)

and report the largest. ``rel_error`` uses tiny = 1e-12 (it only avoids 0/0). ``grad_check``
raises tiny to noise / threshold, with noise = 10 eps |f| / h a generous bound on the rounding
error: a correct gradient entry of 1e-5 with 1e-10 of noise would otherwise show rel = 1e-5.
Entries that small are thus judged on their absolute error, which must stay below the noise.

How to read the result, in float64 with h = 1e-6:

- rel < 1e-7: the gradient is right;
- 1e-7 .. 1e-5: suspicious, unless the function has kinks (ReLU, max, hinge) near the
  evaluation point, where a finite difference straddling the kink is simply wrong;
- rel > 1e-3: a bug.

A check can also be **inconclusive**: when even the largest gradient entry of a parameter is so
small next to the rounding noise of f that a relative error of ``threshold`` is below the
noise (threshold * max(|a| + |n|) < noise), agreement proves nothing. ``grad_check`` then says
INCONCLUSIVE (``passed`` is False, ``status`` says why) instead of a vacuous PASS: check in
float64, on a loss of moderate size (a mean, not a huge sum), or with a larger ``h``.

Never gradient-check in float32: its eps is ~1e-7, so with h = 1e-6 the rounding error
eps |f| / h is ~0.1, as large as the derivative itself. Use float64 and, if there are
kinks, few of them (small networks, inputs away from 0).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from helpers.numpy_nn._shapes import check_array

TINY = 1e-12


def numerical_gradient(f, x, h=1e-6):
    """Centred-difference gradient of the scalar ``f(x)`` with respect to ``x`` (any shape).

    ``x`` is perturbed in place, one entry at a time, and restored, so ``f`` may ignore its
    argument and read ``x`` through a closure (e.g. ``lambda _: model.loss(X, y)[0]``).
    Returns an array of the shape of ``x``.
    """
    check_array("x", x)
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fplus = float(f(x))
        x[i] = old - h
        fminus = float(f(x))
        x[i] = old
        grad[i] = (fplus - fminus) / (2 * h)
    return grad


def _rel(a, b, tiny=TINY):
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), tiny)


def rel_error(a, b):
    """Largest entry-wise relative error |a - b| / max(|a| + |b|, 1e-12). a, b: same shape."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}, got {b.shape}")
    return float(_rel(a, b).max()) if a.size else 0.0


@dataclass
class GradCheckResult:
    """The outcome for one parameter: the worst entry and both gradients."""

    max_rel_error: float
    worst_index: tuple
    numeric: np.ndarray
    analytic: np.ndarray
    passed: bool
    status: str = ""  # "PASS", "FAIL" or "INCONCLUSIVE"

    def __post_init__(self):
        if not self.status:
            self.status = "PASS" if self.passed else "FAIL"


def _compare(name, num, ana, threshold, verbose, tiny, noise=0.0):
    ana = np.asarray(ana)
    if ana.shape != num.shape:
        raise ValueError(f"analytic[{name!r}] must have shape {num.shape}, got {ana.shape}")
    if num.size == 0:
        return GradCheckResult(0.0, (), num, ana, True)
    rel = _rel(ana, num, tiny)
    worst = tuple(int(i) for i in np.unravel_index(int(rel.argmax()), rel.shape))
    passed = bool(rel[worst] < threshold)
    scale = float(np.max(np.abs(ana) + np.abs(num)))
    status = "PASS" if passed else "FAIL"
    if 0 < threshold * scale < noise and float(np.max(np.abs(ana - num))) <= noise:
        passed, status = False, "INCONCLUSIVE"
    res = GradCheckResult(float(rel[worst]), worst, num, ana, passed, status)
    if verbose:
        print(
            f"{name:>8} {str(num.shape):>12}  max rel error {res.max_rel_error:.2e} at {worst}"
            f" (analytic {ana[worst]:+.6e}, numeric {num[worst]:+.6e})  {status}"
        )
        if status == "INCONCLUSIVE":
            print(f"{'':>8} the rounding noise of f (~{noise:.1e}) is larger than the differences "
                  f"a relative error of {threshold:g} must resolve (largest |a| + |n| = "
                  f"{scale:.1e}): check in float64, on a smaller loss (a mean), or with a larger h")
    return res


def grad_check(f, params, analytic, h=1e-6, threshold=1e-7, verbose=True):
    """Check ``analytic[name]`` against the numerical gradient of ``f()`` for every parameter.

    f: callable with no arguments returning the scalar loss, reading ``params`` (which are
    perturbed in place and restored); params, analytic: dicts name -> array of the same shape.
    Prints one line per parameter (name, shape, max relative error, worst entry with both
    values, PASS/FAIL/INCONCLUSIVE) and returns {name: GradCheckResult}.
    """
    if not isinstance(params, dict) or not isinstance(analytic, dict):
        raise TypeError("params and analytic must be dicts name -> array")
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    missing = set(params) - set(analytic)
    if missing:
        raise ValueError(f"analytic is missing gradients for {sorted(missing)}")
    for name, p in params.items():
        check_array(f"params[{name!r}]", p)
        if p.dtype != np.float64:
            warnings.warn(
                f"params[{name!r}] is {p.dtype}; check gradients in float64", stacklevel=2
            )
    # The noise floor of the module docstring, with float64's eps whatever the dtype.
    noise = 10 * np.finfo(np.float64).eps * max(abs(float(f())), 1.0) / h
    tiny = max(noise / threshold, TINY)
    results = {}
    for name, p in params.items():
        num = numerical_gradient(lambda _: f(), p, h)
        results[name] = _compare(name, num, analytic[name], threshold, verbose, tiny, noise)
    return results


def check_layer_grad(
    forward, backward, inputs, dout=None, h=1e-6, threshold=1e-7, verbose=True, seed=0
):
    """Check an op's backward against numerical gradients of sum(out * dout).

    forward(*inputs) -> (out, cache); backward(dout, cache) -> one gradient per input (a tuple,
    or a single array for a single input), in the order of ``inputs``. inputs: dict
    name -> array (or a list, named input0, input1, ...). dout: the shape of out (random
    N(0, 1) when None). Returns {name: GradCheckResult}.
    """
    if not isinstance(inputs, dict):
        inputs = {f"input{i}": v for i, v in enumerate(inputs)}
    arrays = list(inputs.values())
    out, cache = forward(*arrays)
    if dout is None:
        dout = np.random.default_rng(seed).standard_normal(out.shape).astype(out.dtype)
    grads = backward(dout, cache)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(arrays):
        raise ValueError(f"backward returned {len(grads)} gradients for {len(arrays)} inputs")

    def f():
        return float(np.sum(forward(*arrays)[0] * dout))

    return grad_check(f, inputs, dict(zip(inputs, grads, strict=True)), h, threshold, verbose)
