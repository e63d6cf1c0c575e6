"""Public cases and named mistakes for notebook 06's exercises (kept out of the test cells).

Each ``cases_*`` returns a list of ``helpers.checks.Case`` for ``check_function``. The right
values and the wrong versions a beginner writes are computed here, each wrong one with a
message naming the mistake, so that no visible test cell spells out an answer.
"""

from __future__ import annotations

import contextlib

import numpy as np

from helpers.checks import Case, CheckFailed, check_true


def _xavier(fan_in, fan_out):
    return float(np.sqrt(2 / (fan_in + fan_out)))


def _he(fan_in):
    return float(np.sqrt(2 / fan_in))


_VAR = "that is the variance; the function returns the standard deviation, its square root"
_NO2 = "the factor 2 is missing (variance 1/(...) instead of 2/(...))"
_ROOT = ("the square root covers the whole fraction: the std is the root of the variance "
         "2/(...), not 2 or the denominator rooted on its own")


# ----------------------------------------------------------------------------- exercise 1
def cases_xavier_std():
    def case(fan_in, fan_out, hint):
        var = 2 / (fan_in + fan_out)
        wrong = [
            (var, _VAR),
            (np.sqrt(1 / (fan_in + fan_out)), _NO2),
            (np.sqrt(2) / (fan_in + fan_out), _ROOT),
            (2 / np.sqrt(fan_in + fan_out), _ROOT),
            (np.sqrt(2 / fan_in + fan_out), "operator precedence: 2 / fan_in + fan_out divides 2 "
                                            "by fan_in only; put the sum of the fans in parentheses"),
            (_he(fan_in), "that uses fan_in alone (He's std); Xavier's denominator involves both fans"),
            (np.sqrt(1 / fan_in), "that is the forward-only rule 1/fan_in; Xavier involves both fans"),
            (np.sqrt(2 / fan_out), "that uses fan_out alone; Xavier's denominator involves both fans"),
            (np.sqrt(6 / (fan_in + fan_out)),
             "that is the bound a of the uniform version U(-a, a); the normal version's std is "
             "the square root of the variance itself"),
        ]
        right = _xavier(fan_in, fan_out)
        mistakes = [(w, m) for w, m in wrong if not np.isclose(w, right)]
        return Case(args=(fan_in, fan_out), expected=right, mistakes=mistakes, hint=hint)

    return [case(300, 100, "Xavier's variance averages the forward and the backward requirement "
                           "(section 3); the function returns its square root"),
            case(784, 16, "both fans enter Xavier's variance")]


def cases_he_std():
    def case(fan_in, hint):
        wrong = [
            (2 / fan_in, _VAR),
            (np.sqrt(1 / fan_in), _NO2),
            (np.sqrt(2) / fan_in, _ROOT),
            (2 / np.sqrt(fan_in), _ROOT),
        ]
        right = _he(fan_in)
        mistakes = [(w, m) for w, m in wrong if not np.isclose(w, right)]
        return Case(args=(fan_in,), expected=right, mistakes=mistakes, hint=hint)

    return [case(200, "return the standard deviation, the square root of He's variance"),
            case(2, "He's variance has the factor that makes up for ReLU zeroing half of its inputs")]


# ----------------------------------------------------------------------------- exercise 2
def seeded(init_layer):
    """``init_layer`` called with a fresh ``np.random.default_rng(seed)``: cases can show a seed."""
    def init_layer_seeded(fan_in, fan_out, method, seed):
        return init_layer(fan_in, fan_out, method, np.random.default_rng(seed))
    return init_layer_seeded


def _looks_like(fan_in, fan_out, std):
    # any N(0, std^2) draw of this shape is right: a check of its statistics
    def check(got):
        if not isinstance(got, tuple | list) or len(got) != 2:
            return "return a tuple (W, b) of two arrays"
        W, b = got
        if np.shape(W) != (fan_in, fan_out):
            return f"W must have shape (fan_in, fan_out) = {(fan_in, fan_out)}, got {np.shape(W)}"
        if b is None or np.shape(b) != (fan_out,):
            return f"b must have shape (fan_out,) = {(fan_out,)}, got {np.shape(b) if b is not None else None}"
        if np.any(np.asarray(b) != 0):
            return f"b must be fan_out zeros, got {np.count_nonzero(b)} non-zero entries"
        W = np.asarray(W, dtype=float)
        if abs(W.mean()) > 0.05 * std:
            return (f"W should have mean 0, got {W.mean():.4g}"
                    + (": all entries have one sign (rng.random draws from [0, 1)); draw with "
                       "rng.standard_normal" if np.all(W >= 0) or np.all(W <= 0) else ""))
        if abs(W.std() / std - 1) > 0.03:
            return f"std of W should be {std:.5f} (within 3%), got {W.std():.5f}"
        tail = np.mean(np.abs(W) > 2 * W.std())  # 4.55% for a normal, 0% for a uniform
        if not 0.035 < tail < 0.056:
            return (f"W does not look normal: {tail:.2%} of its entries lie beyond 2 standard "
                    "deviations (a normal distribution has 4.55%, a uniform one 0%); draw with "
                    "rng.standard_normal")
        return None
    return check


def _std_is(target):
    return lambda got: abs(np.std(got[0]) / target - 1) < 0.03


def cases_init_layer():
    def case(fan_in, fan_out, method, seed, hint):
        xavier, he = _xavier(fan_in, fan_out), _he(fan_in)
        std = xavier if method == "xavier" else he
        other = "He" if method == "xavier" else "Xavier"
        mistakes = [
            (lambda got: not isinstance(got, tuple | list) or len(got) != 2,
             "return a tuple (W, b): the weight matrix AND the bias vector"),
            (lambda got: np.shape(got[0]) == (fan_out, fan_in),
             "W looks transposed: W maps fan_in inputs to fan_out outputs, shape (fan_in, fan_out)"),
            (lambda got: got[1] is None or np.shape(got[1]) != (fan_out,),
             "b must be a vector of fan_out zeros, shape (fan_out,)"),
            (lambda got: np.any(np.asarray(got[1]) != 0), "b must start at zero"),
            (_std_is(he if method == "xavier" else xavier),
             f"that is the {other} std; {method} uses "
             + ("both fans" if method == "xavier" else "fan_in alone")),
            (_std_is(std ** 2), "the spread is std², the variance: scale the normal draws by the std"),
            (_std_is(1.0), "the draws still have std 1: scale the standard normal draws by the std"),
        ]
        return Case(args=(fan_in, fan_out, method, seed), check=_looks_like(fan_in, fan_out, std),
                    mistakes=mistakes, hint=hint)

    return [case(400, 300, "xavier", 0, "standard normal draws from rng have std 1: scale them "
                                        "to the std of exercise 1"),
            case(500, 200, "he", 1, "the He std of exercise 1")]


def _layer_hidden_cases():
    """Exercise 2's graded cases: other shapes and seeds, same checks."""
    def case(fan_in, fan_out, method, seed):
        std = _xavier(fan_in, fan_out) if method == "xavier" else _he(fan_in)
        return Case(args=(fan_in, fan_out, method, seed), check=_looks_like(fan_in, fan_out, std))
    return [case(1000, 100, "he", 7), case(64, 1024, "xavier", 8)]


def check_init_layer_contract(init_layer):
    """Unknown methods are refused with a ValueError, and W comes from the rng given."""
    try:
        init_layer(3, 4, "uniform", np.random.default_rng(0))
        raised = None
    except ValueError:
        raised = "ValueError"
    except Exception as err:  # noqa: BLE001 - any other exception is the mistake to name
        raised = type(err).__name__
    if raised not in (None, "ValueError"):
        raise CheckFailed(
            f"✗ unknown method rejected: init_layer(3, 4, 'uniform', rng) raised {raised}, not "
            "ValueError: test the method yourself and `raise ValueError(...)` naming it when it "
            "is neither 'xavier' nor 'he'")
    check_true(raised == "ValueError",
               "init_layer(3, 4, 'uniform', rng) returned instead of raising a ValueError: an "
               "unknown method must be refused, not treated as one of the two",
               name="unknown method rejected")
    Wa = init_layer(30, 20, "xavier", np.random.default_rng(5))[0]
    Wb = init_layer(30, 20, "xavier", np.random.default_rng(5))[0]
    check_true(np.array_equal(Wa, Wb),
               "two calls with np.random.default_rng(5) gave different W: draw W with the rng you "
               "are given (rng.standard_normal), not with np.random.randn or a new generator",
               name="uses the given rng")
    Wc = init_layer(30, 20, "xavier", np.random.default_rng(6))[0]
    check_true(not np.array_equal(Wa, Wc),
               "np.random.default_rng(5) and np.random.default_rng(6) gave the same W: the function "
               "ignores the rng it is given (a fixed seed or a generator made inside the function); "
               "draw with rng.standard_normal",
               name="different generators give different W")


# ----------------------------------------------------------------------------- exercise 3
@contextlib.contextmanager
def named_errors(name):
    """Around ``check_function``: the TypeErrors of ``np.max(0, z)`` (np.max used as an
    element-wise maximum) and of ``math.tanh`` on an array become failed checks that name them;
    other exceptions pass through."""
    try:
        yield
    except TypeError as err:
        if "Python scalars" in str(err):
            raise CheckFailed(
                f"✗ {name}: {err}. The math module (math.tanh, math.sqrt) and float() work on one "
                "number; on arrays use NumPy's element-wise np.tanh, np.maximum, np.sqrt."
            ) from err
        if "scalar index" in str(err) or "axis" in str(err):
            raise CheckFailed(
                f"✗ {name}: {err}. np.max(a, b) is not the element-wise maximum of a and b: its "
                "second argument is the AXIS to reduce over (np.max reduces an array to its "
                "largest entries). Compare two arrays entry by entry instead."
            ) from err
        raise


def _relu(z):
    return np.maximum(z, 0)


def _g(activation):
    return np.tanh if activation == "tanh" else _relu


def _stds(X, weights, activation, *, record="A", feed="A", order="AW", g_first=False,
          std=np.std, g=None):
    """The right answer (defaults) and the variants a beginner writes instead."""
    g = g or _g(activation)
    out, A = [], X
    for W in weights:
        if g_first:
            Z = g(A) @ W
            A_next = Z
        else:
            Z = A @ W if order == "AW" else ((W @ A.T).T if order == "WA" else W @ A)
            A_next = g(Z)
        out.append(std(Z if record == "Z" else A_next))
        A = Z if feed == "Z" else (X if feed == "X" else A_next)
    return np.array(out)


def _np_max_relu(z):
    return np.max(z, 0)  # the mistake: np.max reduces over axis 0


def cases_activation_stds():
    def case(X, weights, activation, label=None, hidden=False):
        X = np.asarray(X, dtype=float)
        weights = [np.asarray(W, dtype=float) for W in weights]
        right = _stds(X, weights, activation)
        other = "relu" if activation == "tanh" else "tanh"
        variants = [(dict(g=np.abs), "np.abs is not the ReLU: the ReLU keeps a positive z and "
                                     "sets a negative z to 0 (|z| turns it positive)")] \
            if activation == "relu" else []
        variants += [
            (dict(record="Z"), "that is the std of Z_l = A_{l-1} @ W_l, before the non-linearity; "
                               "record the std of the activation A_l = g(Z_l)"),
            (dict(feed="Z"), "the next layer must take the activation A_l = g(Z_l) as its input; "
                             "you passed the pre-activation Z_l on"),
            (dict(feed="X"), "every layer after the first must take the previous layer's A_{l-1}; "
                             "you fed X into every layer"),
            (dict(order="WA"), "matmul order: rows are samples, so Z_l = A_{l-1} @ W_l (W_l has shape "
                               "(n_{l-1}, n_l)); W @ A or A @ W.T treats the layout the other way round"),
            (dict(g_first=True), "the non-linearity comes after the product: A_l = g(A_{l-1} @ W_l), "
                                 "not g(A_{l-1}) @ W_l"),
            (dict(std=lambda A: A.std(axis=0).mean()),
             "that is the mean of the per-column (per-unit) stds; take one std over ALL entries "
             "of A_l (A.std())"),
            (dict(std=np.var), "that is the variance of A_l; the std is its square root (A.std())"),
            (dict(order="WA_literal"), "matmul order: rows are samples, so Z_l = A_{l-1} @ W_l; "
                                       "W_l @ A_{l-1} multiplies the other way round"),
            (dict(std=lambda A: A.std(ddof=1)),
             "you used ddof=1; the std asked for is A.std(), which divides by the number of entries"),
            (dict(g=_g(other)), f"activation={activation!r} asks for "
                                + ("np.tanh" if activation == "tanh" else "max(0, z)")
                                + f"; you applied {other}"),
        ]
        variants.append((dict(g=lambda z: 1 / (1 + np.exp(-z))),
                         "that is the sigmoid; activation=" + repr(activation) + " asks for "
                         + ("np.tanh" if activation == "tanh" else "max(0, z)")))
        if activation == "relu":
            variants.append((dict(g=_np_max_relu),
                             "np.max(z, 0) is not max(0, z) entry by entry: its second argument is "
                             "the AXIS to reduce over; compare two arrays entry by entry "
                             "(np.maximum)"))
        mistakes = []
        for kw, message in variants:
            try:
                with np.errstate(all="ignore"):
                    wrong = _stds(X, weights, activation, **kw)
            except Exception:  # noqa: BLE001 - this mistake crashes on these shapes
                continue
            if wrong.shape != right.shape or not np.allclose(wrong, right):
                mistakes.append((wrong, message))
        mistakes += [
            (lambda got: np.ndim(got) == 2,
             "one number per layer: the std over all entries of A_l (A.std()), not one per column"),
            (lambda got: np.ndim(got) == 0,
             "return one std per layer, an array of length len(weights), not only the last one"),
            (lambda got: np.shape(got) == (len(weights) + 1,),
             "one std per weight matrix, for A_1 ... A_L: leave out A_0 = X"),
        ]
        return Case(args=(X, weights, activation), expected=right, mistakes=mistakes, label=label,
                    hint="one std per layer, of A_l = g(A_{l-1} @ W_l) (after the non-linearity), "
                         "over all entries; each layer takes the previous layer's activation")

    X = [[1.0, -1.0], [2.0, 0.5]]
    Ws = [[[1.0, 0.5], [-0.5, 1.0]], [[0.5, -0.5], [1.0, 2.0]]]
    X3 = [[0.5, -1.0, 2.0, 0.0], [-1.5, 1.0, 0.5, 1.0], [1.0, 2.0, -0.5, -1.0]]
    W3 = [[[0.5, -1.0, 0.2], [0.3, 0.4, -0.6], [-0.2, 0.1, 0.9], [1.0, -0.5, 0.3]],
          [[0.7, -0.4], [-0.3, 0.8], [0.5, 0.6]]]
    return [case(X, Ws[:1], "relu", "one layer"),
            case(X, Ws, "tanh", "two layers"),
            case(X, Ws, "relu", "two layers"),
            case(X3, W3, "tanh", "layers of different widths: 4 -> 3 -> 2")]


def hidden_cases_activation_stds():
    rng = np.random.default_rng(12)
    X = rng.standard_normal((20, 8))
    Ws = [rng.standard_normal((8, 6)) / np.sqrt(8), rng.standard_normal((6, 6)) / np.sqrt(6),
          rng.standard_normal((6, 3)) / np.sqrt(6)]
    return [Case(args=(X, Ws, a), expected=_stds(X, Ws, a)) for a in ("tanh", "relu")]


# ----------------------------------------------------------------------------- exercise 4
def cases_he_uniform_limit():
    def case(fan_in, hint):
        std = _he(fan_in)
        wrong = [
            (std, "that is He's standard deviation, not the bound a of U(-a, a)"),
            (std / np.sqrt(3), "the variance a²/3 must equal He's: multiply by 3, do not divide"),
            (np.sqrt(3 / fan_in), "He's variance is 2/fan_in: the factor 2 is missing"),
            (3 * std, "a²/3 = std² gives a² = 3·std², so a = √3·std, not 3·std"),
            (np.sqrt(6) / fan_in, "the square root covers the whole fraction, not its numerator only"),
            (6 / fan_in, "that is a², not a: take the square root"),
        ]
        right = float(np.sqrt(6 / fan_in))
        mistakes = [(w, m) for w, m in wrong if not np.isclose(w, right)]
        return Case(args=(fan_in,), expected=right, mistakes=mistakes, hint=hint)

    # fan_in = 24 first: at fan_in = 6, 2·√3/fan_in happens to equal He's std, a misleading name
    return [case(24, "set the variance of U(-a, a) equal to He's variance and solve for a"),
            case(6, "the variance a²/3 must equal He's variance; a itself is a square root")]

