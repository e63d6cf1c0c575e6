"""Public cases and named mistakes for notebook 05's exercises (kept out of the test cells).

Each ``cases_*`` returns a list of ``helpers.checks.Case`` for ``check_function``; the wrong
versions a beginner writes are computed here, each with a message naming the mistake, so no
visible test cell spells out the answer. ``named_errors`` turns the exceptions those mistakes
raise (``np.max`` used as an element-wise maximum, an overflowing ``np.exp``) into a failed
check that says what happened.
"""

from __future__ import annotations

import contextlib

import numpy as np

from helpers.checks import Case, CheckFailed


def _sig(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@contextlib.contextmanager
def named_errors(name):
    """Around ``check_function``: the exceptions of natural mistakes in the student's ``name``
    become a failed check with a named message (other exceptions pass through unchanged)."""
    try:
        yield
    except FloatingPointError as err:
        raise CheckFailed(
            f"✗ {name}: np.exp overflowed ({err}). The naive sigmoid exponentiates a "
            "large positive number for some inputs (exp(-x) at x = -1000, exp(x) at x = 1000); "
            "np.where(cond, a, b) computes BOTH a and b for every entry, so writing each branch "
            "naively does not help. Only ever exponentiate a number <= 0."
        ) from err
    except ValueError as err:
        if "truth value of an array" in str(err):
            raise CheckFailed(
                f"✗ {name}: {err}. `if x > 0:` asks ONE yes/no question about the whole array; "
                "choose entry by entry instead, with np.where(condition, a, b) or a boolean mask."
            ) from err
        raise
    except TypeError as err:
        if "Python scalars" in str(err):
            raise CheckFailed(
                f"✗ {name}: {err}. The math module (math.exp, math.sqrt) and float() work on one "
                "number; on arrays use NumPy's element-wise np.exp, np.abs, np.sqrt."
            ) from err
        if "scalar index" in str(err) or "axis" in str(err):
            raise CheckFailed(
                f"✗ {name}: {err}. np.max(a, b) is not the element-wise maximum of a "
                "and b: its second argument is the AXIS to reduce over (np.max reduces an "
                "array to its largest entries). Compare two arrays entry by entry instead."
            ) from err
        raise


# ----------------------------------------------------------------------------- exercise 1
def cases_leaky_relu():
    def case(x, alpha, label=None):
        x = np.asarray(x, dtype=float)
        mistakes = [
            (lambda got: np.ndim(got) == 0,
             "you returned one number for the whole array: np.max reduces an array to its "
             "largest entry (np.max(x, 0) is the largest entry along axis 0). Leaky ReLU works "
             "entry by entry and returns an array of the shape of x"),
            (np.maximum(x, 0), "that is the plain ReLU: negative inputs give 0 there, but Leaky "
                               "ReLU keeps a small slope: alpha times the input"),
            (np.where(x > 0, x, alpha), "for x <= 0 you returned alpha itself; the output "
                                        "there is alpha times x"),
            (np.where(x > 0, alpha * x, x), "the two branches are swapped: positive inputs pass "
                                            "unchanged, the others are scaled by alpha"),
            (alpha * x, "you scaled every entry by alpha; positive inputs pass unchanged"),
        ]
        if alpha != 0.01:
            mistakes.append((np.where(x > 0, x, 0.01 * x),
                             "you used a fixed slope 0.01: use the alpha passed to the function"))
        return Case(args=(x, alpha), expected=np.where(x > 0, x, alpha * x), mistakes=mistakes,
                    label=label,
                    hint="two regimes: positive inputs unchanged, the rest multiplied by alpha; "
                         "work element-wise on the whole array (no loop) and keep its shape")

    return [case([-2.0, 0.0, 3.0], 0.1), case([[-1.0, 2.0], [4.0, -5.0]], 0.01, "a 2-D input")]


def cases_leaky_relu_grad():
    def case(dout, x, alpha, label=None):
        dout, x = np.asarray(dout, dtype=float), np.asarray(x, dtype=float)
        right = np.where(x > 0, dout, alpha * dout)
        mistakes = [
            (np.where(x > 0, 1.0, alpha),
             "you returned only the local derivative g'(x): by the chain rule the answer is "
             "dout times it (dout is not always 1)"),
            (np.where(x >= 0, dout, alpha * dout),
             "at x = 0 you used the right-hand slope 1; use the left derivative alpha (as PyTorch "
             "does): x > 0 is False at 0"),
            (np.where(x > 0, dout, alpha * x * dout),
             "for x <= 0 you multiplied by alpha * x, the forward VALUE; the derivative of "
             "alpha * x with respect to x is alpha"),
            (np.where(x > 0, dout, 0.0),
             "that is ReLU's derivative (0 on the left); Leaky ReLU's left slope is alpha"),
            (np.where(x > 0, x, alpha * x) * dout,
             "you multiplied dout by the forward output leaky_relu(x); multiply by the derivative"),
            (np.where(x > 0, dout, alpha),
             "for x <= 0 you returned alpha itself; by the chain rule it is alpha times dout"),
            (np.where(dout > 0, dout, alpha * dout),
             "you chose the slope by the sign of dout; the slope depends on the sign of x, the "
             "forward input"),
        ]
        if alpha != 0.01:
            mistakes.append((np.where(x > 0, dout, 0.01 * dout),
                             "you used a fixed slope 0.01: use the alpha passed to the function"))
        return Case(args=(dout, x, alpha), expected=right, mistakes=mistakes, label=label,
                    hint="chain rule: dL/dx = dL/dout times the local slope of leaky_relu at x")

    return [case([1.0, 1.0, 1.0], [-2.0, 0.5, 3.0], 0.1),
            case([2.0, -3.0], [-1.0, 4.0], 0.2, "dout is not all ones"),
            case([5.0], [0.0], 0.1, "x = 0, the kink")]


# ----------------------------------------------------------------------------- exercise 2
def cases_sigmoid_grad():
    def case(s):
        s = np.asarray(s, dtype=float)
        t = _sig(s)
        mistakes = [
            (t * (1 - t), "you applied the sigmoid to s again: s is already sigma(z), the "
                          "forward output; write the derivative with s itself"),
            (1 - s ** 2, "that is tanh's derivative written with its output (1 - tanh^2)"),
            (s * (s - 1), "wrong sign: the sigmoid is increasing, so its derivative is >= 0"),
            (s * (1 + s), "the second factor is (1 - s), not (1 + s): write e^-z in terms of s "
                          "from s = 1/(1 + e^-z)"),
            (1 - s, "only one of the two factors: differentiate 1/(1 + e^-z) and write every "
                    "e^-z in terms of s"),
            (s, "you returned s unchanged (that is the derivative of e^z, not of the sigmoid)"),
            (lambda got: np.shape(got) == s.shape and not np.all(np.isfinite(got)),
             "your answer is not finite where s is 0 or 1: going back to z (a log of s/(1-s)) "
             "and through exp is what the exercise avoids; write sigma'(z) with s itself"),
        ]
        return Case(args=(s,), expected=s * (1 - s), mistakes=mistakes,
                    hint="differentiate sigma(z) = 1/(1 + exp(-z)) and express the result "
                         "through sigma(z) alone; its maximum is 1/4")

    return [case([0.5, 0.8]), case([0.0, 1.0, 0.9]), case([[0.2, 0.7], [0.99, 0.01]])]


# ----------------------------------------------------------------------------- exercise 3
def cases_dead_units():
    def case(A, label=None):
        A = np.asarray(A, dtype=float)
        zero = A == 0
        right = int(np.all(zero, axis=0).sum())
        wrong = [
            (int(np.all(zero, axis=1).sum()),
             "you counted samples (rows) whose outputs are all 0; a unit is a COLUMN: reduce "
             "over the samples, axis 0"),
            (np.all(zero, axis=0).mean(), "that is the fraction of dead units; return their number"),
            (int(np.any(zero, axis=0).sum()),
             "you counted units that are 0 for SOME sample; dead means 0 for EVERY sample"),
            (int(zero.sum()), "you counted zero entries; count units (columns) that are all 0"),
            (int((~np.all(zero, axis=0)).sum()), "you counted the living units"),
            (1, "len(np.where(mask)) counts the axes of the mask (np.where returns a tuple of "
                "index arrays, one per axis), not its True entries: count those with np.sum or "
                "np.count_nonzero"),
            (int(np.all(np.isclose(A, 0), axis=0).sum()),
             "a unit with tiny positive outputs is alive (ReLU passes its gradient there with "
             "slope 1); dead means exactly 0 for every sample: compare with == 0, no tolerance"),
        ]
        mistakes = [(lambda got, v=v: np.ndim(got) == 0 and float(got) == v, m)
                    for v, m in wrong if v != right]
        mistakes += [
            (lambda got: np.ndim(got) == 1,
             "you returned one value per unit (or per sample); return how many units are dead, "
             "one integer"),
        ]
        return Case(args=(A,), expected=right, mistakes=mistakes, label=label,
                    hint="a unit is a column; it is dead when its output is 0 for every sample")

    A1 = [[0.0, 1.0, 0.0, 0.0, 0.0],
          [0.0, 0.0, 2.0, 0.0, 0.0],
          [0.0, 0.0, 0.0, 0.0, 3.0]]
    return [case(A1), case([[0.0, 0.0], [0.0, 3.0], [0.0, 0.0]]),
            case([[0.0, 1e-9, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 1e-9, 0.0, 0.0]],
                 "tiny but positive outputs: alive"),
            case(np.zeros((4, 5)), "all dead"), case(np.ones((4, 5)), "none dead")]


# ----------------------------------------------------------------------------- exercise 4
def cases_swish():
    def case(x, label=None):
        x = np.asarray(x, dtype=float)
        s = _sig(x)
        mistakes = [
            (s, "you returned sigma(x); swish multiplies it by x"),
            (x * (1 - s), "x * (1 - sigma(x)) = x * sigma(-x): check which branch of your stable "
                          "sigmoid is used for x >= 0 and which for x < 0"),
            (x * s * (1 - s), "you multiplied x by the sigmoid's derivative; swish is x * sigma(x)"),
        ]
        return Case(args=(x,), expected=x * s, mistakes=mistakes, label=label,
                    hint="swish(1) = 1 * sigma(1) = 0.731; test stable_sigmoid alone on 0, 1, -1 "
                         "first")

    return [case([0.0, 1.0, -1.0]), case([-1000.0, 1000.0], "large |x|: no overflow allowed")]


def cases_swish_grad():
    def case(x, label=None):
        x = np.asarray(x, dtype=float)
        s = _sig(x)
        ds = s * (1 - s)
        mistakes = [
            (s + ds, "the product rule's second term is x * sigma'(x): you dropped the x"),
            (ds, "you returned sigma'(x) only; swish is a product x * sigma(x): use the product rule"),
            (x * ds, "you kept only x * sigma'(x); the product rule also gives sigma(x) * 1"),
            (s, "you returned sigma(x) only; the product rule has a second term"),
            (s + x * s, "the derivative of sigma is sigma * (1 - sigma), not sigma"),
            (s - x * ds, "sign slip: the product rule ADDS its two terms, "
                         "sigma(x) * 1 + x * sigma'(x)"),
        ]
        mistakes = [(w, m) for w, m in mistakes
                    if not np.allclose(w, s + x * ds, rtol=1e-6, atol=1e-9)]
        return Case(args=(x,), expected=s + x * ds, mistakes=mistakes, label=label,
                    hint="swish is a product of two functions of x: use the product rule, and "
                         "the sigmoid's derivative from exercise 2")

    return [case([0.0]), case([1.0, -2.0]), case([-1000.0, 1000.0], "large |x|: no overflow allowed")]
