"""Public cases and named mistakes for notebook 04's exercises 1-4 (kept out of the test cells).

Each ``_exN_case`` / ``_ex4_check`` builds one ``helpers.checks.Case``: the expected value and
the natural wrong answers a beginner writes, each with a message naming the mistake. Keeping
them here means no visible test cell spells out the answer. ``named_errors`` turns the
exceptions of natural mistakes (``np.max`` used as an element-wise maximum, a row max or sum
without ``keepdims``) into a failed check that says what happened.

The public cases' seeds are chosen so that 30-70% of the hidden ReLU outputs are positive in
every case of exercise 1 (no case has all units dead, which would hide a missing or wrong
activation).
"""

from __future__ import annotations

import contextlib

import numpy as np

from helpers.checks import Case, CheckFailed, shape_is
from helpers.numpy_nn.losses import softmax as reference_softmax


@contextlib.contextmanager
def named_errors(name):
    """Around ``check_function``: the exceptions of natural mistakes in the student's ``name``
    become a failed check with a named message (other exceptions pass through unchanged)."""
    try:
        yield
    except (np.exceptions.AxisError, TypeError) as err:
        if "axis" not in str(err) and "scalar index" not in str(err):
            raise
        raise CheckFailed(
            f"✗ {name}: {err}. Did you write the ReLU with np.max(Z1, 0)? np.max "
            "REDUCES: its second argument is an axis, so np.max(Z1, 0) is the largest entry "
            "of each column, one row of numbers, not Z1 with its negative entries set to 0. "
            "The ReLU compares every entry with 0 on its own (an element-wise maximum)."
        ) from err
    except ValueError as err:
        if "matmul" in str(err) or "aligned" in str(err):
            raise CheckFailed(
                f"✗ {name}: {err}. The inner sizes of a matrix product must match: "
                "write each factor's shape under it (the table of shapes in section 8) and "
                "choose the order and the transposes so that the result has the shape of "
                "what it is the gradient of."
            ) from err
        if "broadcast" not in str(err):
            raise
        raise CheckFailed(
            f"✗ {name}: {err}. Two arrays of these shapes cannot be combined entry "
            "by entry. In a softmax this is a row max or row sum taken without "
            "keepdims=True: its shape (N,) is lined up with the LAST axis (C) instead of the "
            "rows; keep the reduced axis, shape (N, 1). Elsewhere, compare each array's "
            "shape with the table of shapes (section 8)."
        ) from err


# ----------------------------------------------------------------------------- ex1-forward-test
NOT_FINITE = "P has inf/nan entries: an overflow in exp? Subtract each row's max first"


def _ex1_case(N, D, H, C, seed, scale=1.0):
    r = np.random.default_rng(seed)
    args = (r.standard_normal((N, D)), scale * r.standard_normal((D, H)), r.standard_normal(H),
            scale * r.standard_normal((H, C)), r.standard_normal(C))
    X, W1, b1, W2, b2 = args
    Z1 = X @ W1 + b1
    Z2 = np.maximum(Z1, 0) @ W2 + b2
    mistakes = [
        (lambda got: not np.all(np.isfinite(np.asarray(got, dtype=float))), NOT_FINITE),
        (Z2, "rows do not sum to 1: you returned the scores Z2; apply the softmax"),
        (np.exp(Z2 - Z2.max(0)) / np.exp(Z2 - Z2.max(0)).sum(0),
         "you normalised each column (axis=0, over the samples); the softmax normalises each row "
         "(axis=1, keepdims=True)"),
        (reference_softmax(np.tanh(Z1) @ W2 + b2),
         "that is a tanh hidden layer; this network uses ReLU"),
        (reference_softmax(Z1 @ W2 + b2),
         "the hidden layer has no activation: apply ReLU to Z1 before multiplying by W2"),
        (shape_is(C, N), "P is transposed (rows are samples: check which side of @ each array goes)"),
        (shape_is(C), "P has one number per class, not one row per sample: did you write the ReLU "
                      "with np.max(Z1, 0)? np.max reduces (its second argument is an axis), so it "
                      "returns each column's largest entry; the ReLU compares every entry with 0 "
                      "on its own (an element-wise maximum)"),
        (reference_softmax(0.5 * (1 + np.tanh(Z1 / 2)) @ W2 + b2),   # the sigmoid, without overflow
         "that is a sigmoid hidden layer; this network uses ReLU"),
        (reference_softmax(np.maximum(X @ W1, 0) @ W2 + b2),
         "the first layer's bias b1 is missing: each layer adds its bias after the product"),
        (reference_softmax(np.maximum(Z1, 0) @ W2),
         "the second layer's bias b2 is missing: each layer adds its bias after the product"),
    ]
    if H != C:
        mistakes.append((shape_is(N, H), "(N, H) is the hidden layer's shape: you returned A1 "
                                          "(or Z1); continue with Z2 = A1 @ W2 + b2 and the softmax"))
    big = f"scores Z2 up to {np.abs(Z2).max():.0e}: is the softmax stable?"
    return Case(args=args, expected=reference_softmax(Z2), mistakes=mistakes,
                label=big if scale > 1 else None)


# ----------------------------------------------------------------------------- ex2-output-grads-test
def _ex2_case(N, H, C, l2, seed):
    r = np.random.default_rng(seed)
    A1 = np.tanh(r.standard_normal((N, H)))
    P = reference_softmax(r.standard_normal((N, C)))
    y = r.integers(0, C, N)
    W2 = r.standard_normal((H, C))
    dZ2 = (P - np.eye(C)[y]) / N
    dW2, db2 = A1.T @ dZ2 + l2 * W2, dZ2.sum(axis=0)
    whole_columns = P.copy()
    whole_columns[:, y] -= 1
    structure = [
        (lambda got: not isinstance(got, tuple | list) or len(got) != 2,
         "return a tuple (dW2, db2) of two arrays"),
        (lambda got: np.shape(got[0]) == db2.shape and np.shape(got[1]) == dW2.shape,
         "the two gradients are swapped: return (dW2, db2), dW2 first"),
        (lambda got: np.shape(got[0]) == (C, H) != (H, C),
         "dW2 is transposed (rows are samples: check which side of @ each array goes)"),
        (lambda got: np.shape(got[1]) in ((1, C), (C, 1)),
         "db2: same entries, wrong layout: a (1, C) or (C, 1) from keepdims=True or a reshape? "
         "Sum with axis=0 and no keepdims for a bias gradient"),
    ]
    if N != C:
        structure.append((lambda got: np.shape(got[1]) == (N,),
                          "db2: you summed over the classes; sum over the samples, axis=0"))
    dW2_mistakes = [
        (N * (A1.T @ dZ2) + l2 * W2,
         f"dW2 is N = {N} times too large: divide (P - Y) by N, the loss is an average"),
        (N * dW2,
         f"dW2 is N = {N} times too large, regularisation included: only (P - Y) is divided by N"),
        (A1.T @ dZ2, "dW2 is missing the regularisation term l2 * W2"),
        (A1.T @ dZ2 + 0.5 * l2 * W2, "dW2 has 0.5 * l2 * W2: the 1/2 of (l2/2)·||W2||² cancels "
                                     "against the 2 of the square's derivative"),
        (A1.T @ P / N + l2 * W2, "dW2 uses P instead of P - Y: subtract 1 at each sample's true class"),
        (A1.T @ dZ2 + 2 * l2 * W2, "dW2 has 2 * l2 * W2: the derivative of (l2/2)·||W2||² is l2 * W2"),
        (-(A1.T @ dZ2) + l2 * W2, "dW2 has the wrong sign: dZ2 = (P - Y)/N, not (Y - P)/N (the "
                                  "gradient points uphill; the update subtracts it)"),
        (A1.T @ dZ2 + l2 * W2 / N,
         "dW2: the regularisation term is divided by N. Only (P - Y) is divided by N; the penalty "
         "(l2/2)·||W2||² is not averaged over samples, so its gradient is l2 * W2"),
        (A1.T @ ((P - y[:, None]) / N) + l2 * W2,
         "dW2: you subtracted the integer labels y from every column of P (P - y[:, None]); "
         "subtract the one-hot matrix Y instead, 1 only in the column of the true class "
         "(notebook 00's one-hot exercise builds it)"),
        (A1.T @ (whole_columns / N) + l2 * W2,
         "dW2: you subtracted 1 in whole columns (P[:, y] -= 1); subtract it only at each sample's "
         "own class: one entry per row, paired as (row i, column y[i])"),
    ]
    db2_mistakes = [
        (N * db2, f"db2 is N = {N} times too large: divide (P - Y) by N"),
        (db2 + l2, "db2 includes l2: biases are not regularised"),
        (-db2, "db2 has the wrong sign: dZ2 = (P - Y)/N, not (Y - P)/N"),
        (db2 / N, f"db2 is divided by N twice (N = {N} times too small): dZ2 already holds the "
                  "1/N, so sum it over the samples (axis=0); do not take the mean"),
    ]
    def part_is(k, wrong, right):  # item k of the answer is this wrong value (and not the right one)
        def hit(got):
            g = np.asarray(got[k], dtype=float)
            return (g.shape == np.shape(wrong) and np.allclose(g, wrong, rtol=1e-6, atol=1e-9)
                    and not np.allclose(g, right, rtol=1e-6, atol=1e-9))
        return hit

    mistakes = structure + [(part_is(0, wrong, dW2), msg) for wrong, msg in dW2_mistakes] + [
        (part_is(1, wrong, db2), msg) for wrong, msg in db2_mistakes]
    return Case(args=(A1, P, y, W2, l2), expected=(dW2, db2), mistakes=mistakes)


# ----------------------------------------------------------------------------- ex3-tanh-grad-test
def _ex3_case(N, H, C, seed):
    r = np.random.default_rng(seed)
    dZ2, W2 = r.standard_normal((N, C)), r.standard_normal((H, C))
    A1 = np.tanh(r.standard_normal((N, H)))
    dA1 = dZ2 @ W2.T
    mistakes = [
        (dA1, "you stopped at dA1 = dZ2 @ W2.T: multiply element-wise by tanh'(Z1) = 1 - A1**2"),
        (dA1 * (1 - A1) ** 2, "you squared (1 - A1); the derivative is 1 - A1**2 (square A1 first)"),
        (dA1 * (1 - np.tanh(A1) ** 2),
         "you used 1 - tanh(A1)**2, but A1 is already tanh(Z1): use 1 - A1**2"),
        (dA1 * A1 * (1 - A1),
         "you multiplied by A1 * (1 - A1), the sigmoid's derivative; tanh' = 1 - A1**2"),
        (1 - A1 ** 2, "you returned only tanh'(Z1) = 1 - A1**2 and forgot dA1: by the chain rule "
                      "dZ1 = dA1 * (1 - A1**2) with dA1 = dZ2 @ W2.T"),
        (dA1 * (A1 > 0),
         "you multiplied by the ReLU mask (A1 > 0); this hidden layer is tanh: use 1 - A1**2"),
        (dA1 * (1 - A1 ** 2) / N, f"dZ1 is N = {N} times too small: dZ2 already includes the 1/N "
                                  "of the average, so do not divide by N again"),
        (shape_is(H, N), "dZ1 is transposed (rows are samples: check which side of @ each array goes)"),
        (shape_is(N, N), "dZ1 is (N, N): you multiplied dA1 by (1 - A1**2) with @, a matrix product; "
                         "the tanh factor is applied entry by entry (element-wise *, the ⊙ of the text)"),
    ]
    return Case(args=(dZ2, W2, A1), expected=dA1 * (1 - A1 ** 2), mistakes=mistakes)


# ----------------------------------------------------------------------------- ex4-shapes-test
def _expected_shapes(architecture, N):
    rows = []
    for n, layer in enumerate(architecture, start=1):
        i, o = layer["input_dim"], layer["output_dim"]
        rows += [(f"W{n}", (i, o)), (f"b{n}", (o,)), (f"Z{n}", (N, o)), (f"A{n}", (N, o))]
    return rows


def _shape_problem(name, got, want, N):
    kind = name[0]
    if not isinstance(got, tuple) or not all(isinstance(s, int | np.integer) for s in got):
        return f"{name}: the shape must be a tuple of ints like {want}, got {got!r}"
    got = tuple(int(s) for s in got)
    if got == want:
        return None
    msg = f"{name} should have shape {want}, got {got}"
    if kind == "W" and got == want[::-1]:
        return msg + (": transposed. With rows as samples Z = A_prev @ W, so W is "
                      "(input_dim, output_dim); (output_dim, input_dim) is the columns-as-samples form")
    if kind == "b" and got in ((want[0], 1), (1, want[0])):
        return msg + ": a bias is one number per unit, shape (output_dim,), broadcast over the rows"
    if kind in "ZA" and got == want[::-1]:
        return msg + ": transposed. Rows are samples: (N, output_dim)"
    if kind in "ZA" and N in got and got != want:
        return msg + ": Z and A have one column per unit of *this* layer: (N, output_dim)"
    return msg


def _ex4_check(architecture, N):
    want = _expected_shapes(architecture, N)

    def check(got):
        if got is None:
            return "got None: did you forget to `return` the list?"
        got = list(got)
        first = got[0] if got else None
        if isinstance(first, tuple | list) and len(first) == 2 and first[0] in ("X", "A0"):
            return (f"the first row is {first[0]!r}: leave out the input X = A0 (it is not a layer's "
                    "output); the list starts with W1")
        if len(got) != len(want):
            return (f"expected {len(want)} rows (W, b, Z, A for each of the {len(architecture)} "
                    f"layers), got {len(got)}")
        for (name, shape), row in zip(want, got, strict=True):
            if not isinstance(row, tuple | list) or len(row) != 2:
                return f"each row must be a pair (name, shape); row for {name} is {row!r}"
            if row[0] != name:
                return f"expected the row for {name} here, got {row[0]!r} (order: W, b, Z, A per layer)"
            problem = _shape_problem(name, row[1], shape, N)
            if problem:
                return problem
        return None

    return Case(args=(architecture, N), check=check)


# ----------------------------------------------------------------------------- exercise 5
def _reference_init_params(architecture, seed) -> dict:
    """Exercise 5's answer for one architecture and seed: name -> array."""
    rng = np.random.default_rng(seed)
    out = {}
    for n, layer in enumerate(architecture, start=1):
        i, o = layer["input_dim"], layer["output_dim"]
        out[f"W{n}"] = rng.standard_normal((i, o)) / np.sqrt(i)
        out[f"b{n}"] = np.zeros(o)
    return out
