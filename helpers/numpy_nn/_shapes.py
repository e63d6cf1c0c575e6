"""Shape checks shared by every public function of ``helpers.numpy_nn``.

A shape mismatch is the most common error in this kind of code, so every function checks its inputs
before computing anything and says, in the error, which argument is wrong, what shape it
should have in symbols (``(N, D)``), what it got, and whether it looks transposed.

A spec is a tuple of symbols, one per axis: ``("N", "D")``. Symbols shared between arguments
must agree (``x: (N, D)`` and ``W: (D, M)`` share ``D``). The checks cost O(1), except the
label check, which looks at the label values once.
"""

from __future__ import annotations

import numpy as np

Spec = tuple[str, ...]


class NonFiniteError(ValueError, FloatingPointError):
    """An input holds NaN or inf. A ``ValueError`` (bad input) and a ``FloatingPointError``
    (what a training loop catches when a network diverges and its scores overflow)."""


def fmt_spec(spec: Spec) -> str:
    """``("N",)`` -> ``"(N,)"`` and ``("N", "D")`` -> ``"(N, D)"``, as NumPy prints shapes."""
    return "(" + ", ".join(spec) + ("," if len(spec) == 1 else "") + ")"


def check_array(name: str, a, floating: bool = True) -> None:
    """Raise ``TypeError`` unless ``a`` is a NumPy array (of floats when ``floating``)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(a).__name__}")
    if floating and not np.issubdtype(a.dtype, np.floating):
        raise TypeError(
            f"{name} must be a floating-point array, got dtype {a.dtype} "
            f"(convert with {name}.astype(np.float64))"
        )


def _bind(items, known: dict) -> tuple[str, str] | None:
    """Bind every symbol to a size; return (argument name, message) of the first conflict."""
    sizes = dict(known)
    for name, shape, spec in items:
        for axis, (size, sym) in enumerate(zip(shape, spec, strict=True)):
            if sym not in sizes:
                sizes[sym] = (size, f"{name}.shape[{axis}]")
            elif sizes[sym][0] != size:
                bound, source = sizes[sym]
                return name, f"{sym}={bound} (from {source})"
    return None


def check_shapes(*items, known: dict | None = None) -> None:
    """Check ``(name, array, spec)`` items against each other.

    ``known`` maps a symbol to ``(size, where it comes from)``, for sizes fixed elsewhere
    (a layer's ``input_dim``). Raises ``ValueError`` naming the argument, the expected shape,
    the shape it got and, when transposing one 2-D argument would make everything agree,
    that it looks transposed.
    """
    known = known or {}
    for name, a, spec in items:
        check_array(name, a)
        if a.ndim != len(spec):
            raise ValueError(
                f"{name} must have shape {fmt_spec(spec)}, got {a.shape}{_ndim_hint(name, a, spec)}"
            )
    shaped = [(name, a.shape, spec) for name, a, spec in items]
    conflict = _bind(shaped, known)
    if conflict is None:
        return
    culprit, detail = conflict
    # Try the failing argument first, then the others: is one of them simply transposed?
    order = sorted(range(len(shaped)), key=lambda i: shaped[i][0] != culprit)
    for i in order:
        name, shape, spec = shaped[i]
        if len(shape) != 2 or shape[0] == shape[1]:
            continue
        trial = list(shaped)
        trial[i] = (name, shape[::-1], spec)
        if _bind(trial, known) is None:
            raise ValueError(
                f"{name} must have shape {fmt_spec(spec)}, got {shape}: it looks transposed "
                f"(did you mean {name}.T?)"
            )
    name, shape, spec = next(s for s in shaped if s[0] == culprit)
    raise ValueError(f"{name} must have shape {fmt_spec(spec)} with {detail}, got {shape}")


def _ndim_hint(name: str, a: np.ndarray, spec: Spec) -> str:
    if a.ndim == 1 and len(spec) == 2:
        return f"; one sample still needs a batch axis: {name}.reshape(1, -1)"
    if a.ndim == 2 and len(spec) == 1 and 1 in a.shape:
        return f"; flatten it with {name}.ravel()"
    return ""


def check_like(name: str, a, shape: tuple, spec: str | None, what: str = "the forward output"):
    """Check that ``a`` (usually ``dout``) has exactly ``shape``, the shape of ``what``.

    ``spec`` is the shape in symbols, e.g. ``"(N, M)"``, or None to say "the shape of what".
    """
    check_array(name, a)
    shape = tuple(shape)
    if a.shape == shape:
        return
    hint = ""
    if a.ndim == 2 and a.shape[::-1] == shape:
        hint = f": it looks transposed (did you mean {name}.T?)"
    expected = (
        f"the shape of {what}, {shape}" if spec is None else f"shape {spec} = {shape} like {what}"
    )
    raise ValueError(f"{name} must have {expected}, got {a.shape}{hint}")


def check_labels(name: str, y, n: int, c: int | None = None, source: str = "scores") -> None:
    """Check class labels: integers, shape ``(N,)``, values in ``[0, C)``."""
    check_array(name, y, floating=False)
    if y.ndim == 2 and c is not None and y.shape == (n, c):
        raise ValueError(
            f"{name} must have shape (N,) with class indices, got {y.shape}: it looks one-hot "
            f"(use {name}.argmax(axis=1))"
        )
    if y.shape != (n,):
        hint = f"; flatten it with {name}.ravel()" if y.size == n else ""
        raise ValueError(
            f"{name} must have shape (N,) with N={n} (from {source}), got {y.shape}{hint}"
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(
            f"{name} must hold integer class indices, got dtype {y.dtype} "
            f"(convert with {name}.astype(np.int64))"
        )
    if c is not None and n > 0 and (y.min() < 0 or y.max() >= c):
        raise ValueError(
            f"{name} must hold class indices in [0, C) with C={c}, "
            f"got values in [{y.min()}, {y.max()}]"
        )


def check_positive_int(name: str, value) -> None:
    """Raise ``ValueError`` unless ``value`` is an int > 0 (a dimension, a piece count)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def check_choice(name: str, value, choices) -> None:
    """Raise ``ValueError`` listing the valid names unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(sorted(choices))}")


def check_finite(name: str, a, hint: str = "") -> None:
    """Raise ``NonFiniteError`` if the array ``a`` holds NaN or inf (says how many and where)."""
    a = np.asarray(a)
    if a.dtype.kind not in "fc" or a.size == 0:
        return
    bad = ~np.isfinite(a)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise NonFiniteError(
            f"{name} contains {int(bad.sum())} NaN or inf value(s) (first at index {first}, "
            f"{a[first]}){hint or ': an overflow upstream, log(0), 0/0 or a learning rate too large?'}"
        )


def check_nonempty(name: str, a, axis: int = 0, what: str = "N") -> None:
    """Raise ``ValueError`` if ``a`` has no entries along ``axis`` (an empty batch or class axis)."""
    if a.shape[axis] == 0:
        raise ValueError(f"{name} is empty along axis {axis} ({what} = 0), got shape {a.shape}: "
                         "a mean over no samples (or a softmax over no classes) is undefined")


def check_nonnegative(name: str, value) -> float:
    """Raise ``ValueError`` unless ``value`` is a finite real number >= 0; return it as float."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating) \
            and not (isinstance(value, np.ndarray) and value.ndim == 0):
        raise TypeError(f"{name} must be a number >= 0, got {type(value).__name__}")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be >= 0 (a finite number), got {value!r}")
    return float(value)


def check_int_at_least(name: str, value, low: int) -> int:
    """Raise ``ValueError`` unless ``value`` is an integer >= ``low``; return it as int."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def as_float_array(name: str, a) -> np.ndarray:
    """``a`` as a floating-point array (ints and bools become float64, float32 stays).

    Raises ``TypeError`` for a torch tensor (saying to call ``.numpy()``) or non-numbers.
    """
    if hasattr(a, "detach"):  # a torch tensor: say what to do rather than fail obscurely
        raise TypeError(f"{name} must be a NumPy array, got a torch tensor (use {name}.numpy())")
    a = np.asarray(a)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"{name} must hold numbers, got dtype {a.dtype}")
    return a.astype(np.result_type(a.dtype, np.float32), copy=False)
