"""Exercise checks: run a student's function on cases and say exactly what is wrong.

    from helpers.checks import Case, check_function
    check_function(sigmoid, [
        Case(args=(np.array([0.0]),), expected=np.array([0.5])),
        Case(args=(np.array([-1000.0, 1000.0]),), expected=np.array([0.0, 1.0]),
             hint="exp(1000) overflows: use a form that only exponentiates negative numbers"),
    ])

On success one line is printed (``✓ sigmoid: 2/2 cases passed``). On the first failing case
a ``CheckFailed`` (an ``AssertionError``, so graders count it as a failed test) names the
inputs, the expected and the received value with shape and dtype, what differs, and a hint.
An exception raised by the student's code is not caught: its own traceback is shown, with a
note saying which case was running. Hidden cases (``hidden=True``) report what was wrong
with the output but not the case's inputs or expected value.
"""

import ast
import copy
import inspect
import os
import sys
import sysconfig
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message says what is wrong."""


@dataclass
class Case:
    """One call of the student's function and what it should return.

    ``expected`` is compared with tolerance (arrays and numbers) or exactly (other types).
    Alternatively ``check`` is a callable ``check(got) -> str | None`` returning a problem
    description (or ``None`` when the result is acceptable), for answers with many right
    values (e.g. any unit vector).

    ``mistakes`` names the natural wrong answers: a list of ``(wrong, message)`` pairs where
    ``wrong`` is a value (the result of the mistake on this case, compared with the same
    tolerance) or a predicate ``wrong(got) -> bool``. When the answer is wrong and matches
    a mistake, the failure says that mistake's message instead of a bare difference:

        Case(args=(z,), expected=ref(z),
             mistakes=[(ref(z).T, "you returned the transpose"),
                       (shape_is(3, 1), "keep the batch axis first: (N, 1), not (1, N)")])

    ``parts`` names the items of a tuple answer, so that a difference in item 2 reads
    ``item 2 (dWx): ...``.
    """

    args: tuple = ()
    expected: Any = None
    hint: str | None = None
    kwargs: dict = field(default_factory=dict)
    check: Any = None
    label: str | None = None
    mistakes: list = field(default_factory=list)
    parts: tuple = ()


def shape_is(*shape):
    """A ``mistakes`` predicate: the answer is an array of exactly this shape."""
    return lambda got: tuple(np.shape(_as_array(got))) == tuple(shape)


def _named_mistake(case, got, rtol, atol) -> str | None:
    """The message of the first listed mistake the (wrong) answer matches, else None."""
    for wrong, message in case.mistakes:
        try:
            if callable(wrong):
                hit = bool(wrong(got))
            else:
                hit = _compare(got, wrong, rtol, atol) is None
        except Exception:  # noqa: BLE001 - a predicate that cannot judge this answer
            hit = False
        if hit:
            return message
    return None


def _describe(value, max_items: int = 8) -> str:
    if isinstance(value, np.generic):  # a NumPy scalar: show it as a plain number
        return f"{type(value).__name__} {value.item()!r}"
    if isinstance(value, np.ndarray):
        # Fixed-point printing would show 1.9e-22 as 0.; use it only when nothing is tiny.
        finite = np.abs(value[np.isfinite(value)]) if value.dtype.kind in "fc" else np.array([])
        tiny = bool(((finite > 0) & (finite < 1e-4)).any())
        with np.printoptions(precision=6, threshold=max_items, edgeitems=3, suppress=not tiny):
            body = np.array2string(value, separator=", ")
        body = " ".join(body.split())
        return f"array shape {value.shape} dtype {value.dtype}: {body}"
    if hasattr(value, "detach") and hasattr(value, "shape"):  # a torch tensor
        return f"tensor shape {tuple(value.shape)} dtype {value.dtype}: " + _describe(
            value.detach().cpu().numpy())[len("array "):].split(": ", 1)[-1]
    if isinstance(value, tuple | list) and len(value) <= max_items:
        inner = ", ".join(_describe(v) for v in value)
        return f"{type(value).__name__} of {len(value)}: ({inner})"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 200 else text[:200] + '…'}"


def _as_array(value):
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().cpu().numpy()
    return value


def _compare(got, expected, rtol: float, atol: float, where: str = "",
             hidden: bool = False,
             none_hint: str = "did you forget to `return` the result?",
             parts: tuple = ()) -> str | None:
    """Return a description of the first difference, or ``None`` if they match. ``parts``
    names the items of a tuple answer (``("dx", "dw", "db")``) in the message."""
    problem = _wrong_type(got, expected, where)
    if problem:
        return problem
    got = _as_array(got)
    expected = _as_array(expected)
    if isinstance(expected, tuple | list):
        if not isinstance(got, tuple | list):
            return f"{where}expected a {type(expected).__name__} of {len(expected)} values, got {type(got).__name__}"
        if len(got) != len(expected):
            return f"{where}expected {len(expected)} values, got {len(got)}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            named = f" ({parts[i]})" if i < len(parts) else ""
            problem = _compare(g, e, rtol, atol, f"{where}item {i}{named}: ", hidden)
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{where}expected a dict, got {type(got).__name__}"
        if set(got) != set(expected):
            return f"{where}expected keys {sorted(expected)}, got {sorted(got)}"
        for k in expected:
            problem = _compare(got[k], expected[k], rtol, atol, f"{where}[{k!r}]: ", hidden)
            if problem:
                return problem
        return None
    if isinstance(expected, np.ndarray | float | int | np.number) and not isinstance(expected, bool):
        if got is None:
            return f"{where}got None: {none_hint}"
        try:
            g = np.asarray(got)
        except Exception:  # noqa: BLE001 - any object that is not array-like
            return f"{where}expected a number or array, got {type(got).__name__}"
        e = np.asarray(expected)
        if g.dtype == object or not np.issubdtype(g.dtype, np.number) and g.dtype != bool:
            return f"{where}expected numbers, got values of dtype {g.dtype}"
        if e.ndim == 0 and g.ndim > 0 and g.size > 1:
            return (f"{where}expected a single number, got an array of shape {g.shape} "
                    "(a mean or sum over samples missing?)")
        if g.shape != e.shape:
            msg = f"{where}shape differs: expected {e.shape}, got {g.shape}"
            if g.ndim == 2 and e.ndim == 2 and g.shape == e.shape[::-1]:
                msg += " (looks transposed)"
            elif g.size == e.size:
                msg += " (same number of entries: a reshape or a missing keepdims?)"
            return msg
        if np.issubdtype(e.dtype, np.integer) and np.issubdtype(g.dtype, np.floating):
            return f"{where}expected integers (dtype {e.dtype}), got floats (dtype {g.dtype})"
        close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        if not close.all():
            idx = np.unravel_index(int(np.argmin(close)), close.shape) if close.ndim else ()
            at = f" at index {tuple(int(i) for i in idx)}" if idx != () else ""
            gv, ev = g[idx].item(), e[idx].item()
            n_bad = int((~close).sum())
            detail = f"got {gv!r}" if hidden else f"expected {ev!r}, got {gv!r}"
            if not np.isfinite(gv):
                detail += " (not finite: an overflow, log(0) or 0/0?)"
            return (f"{where}values differ{at}: {detail} "
                    f"({n_bad} of {close.size} entries wrong; tolerance rtol={rtol:g}, atol={atol:g})")
        return None
    if isinstance(got, np.ndarray):
        return (f"{where}expected {expected!r}, got an array of shape {got.shape} "
                "(a single value is asked)")
    try:
        differ = bool(got != expected)
    except (TypeError, ValueError):
        differ = True
    if differ:
        return f"{where}expected {expected!r}, got {got!r}"
    return None


def _is_tensor(value) -> bool:
    return hasattr(value, "detach") and hasattr(value, "numpy")


def _wrong_type(got, expected, where: str = "") -> str | None:
    """A container type other than the one asked for (checked before any value)."""
    if isinstance(expected, np.ndarray):
        if _is_tensor(got):
            return (f"{where}expected a NumPy array, got a torch tensor: compute with NumPy "
                    "(or convert the result with .detach().numpy())")
        if isinstance(got, list | tuple):
            return (f"{where}expected a NumPy array, got a {type(got).__name__}: build the "
                    "result with NumPy operations (or wrap it in np.array(...))")
    elif _is_tensor(expected) and got is not None and not _is_tensor(got):
        return (f"{where}expected a torch tensor, got {type(got).__name__}: compute with "
                "torch operations")
    elif type(expected) is tuple and isinstance(got, list):
        return (f"{where}expected a tuple of {len(expected)} values, got a list: return "
                "them as a tuple, e.g. `return a, b`")
    return None


def _same(a, b) -> bool:
    """True when an input was left unchanged by the student's code."""
    a, b = _as_array(a), _as_array(b)
    if type(a).__eq__ is object.__eq__:  # e.g. a np.random.Generator: no value equality
        return True
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, dict) and isinstance(b, dict):  # e.g. a dict of parameter arrays
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return True  # not comparable: do not guess


_HELPERS_DIRS = tuple({os.path.dirname(os.path.abspath(__file__)) + os.sep,
                       str(Path(__file__).resolve().parent) + os.sep})


def _library_prefixes() -> tuple[str, ...]:
    """Folders whose code is a library's, not the student's: the Python installation
    (standard library, site-packages), ``helpers`` itself and, in the instructor's repository,
    the grading tools (whose release step runs the test cells through recording wrappers)."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    grading = Path(__file__).resolve().parent.parent / "tools" / "grading"
    if (grading / "replay.py").exists():
        paths.add(str(grading))
    paths |= {v for k, v in sysconfig.get_paths().items() if k in ("stdlib", "purelib", "platlib")}
    return (*_HELPERS_DIRS, *sorted(os.path.realpath(p) + os.sep for p in paths if p))


class _HelpersCallWatch:
    """Notes the first call from the student's code into the course's ``helpers`` library
    (``helpers=True``) or into torch (``torch=True``: a NumPy exercise solved with torch).

    "The student's code" is any Python frame that is neither a library's (see
    ``_library_prefixes``) nor the test cell's own (``test_file``: wrappers written there may
    build a case with helpers). Not counted: a helpers function called *by* a library
    (``model(x)`` running a forward defined in helpers through torch), one the case passes in
    as an argument (or a method of an object passed in), and those named in ``allow``.
    """

    def __init__(self, test_file: str, allow=(), passed=(), helpers=True, torch=False):
        self.test_file = test_file
        self.helpers, self.torch = helpers, torch
        self.library = _library_prefixes()
        self.allow = set(allow)
        self.passed = {id(x) for x in passed}
        self.passed_codes = {c for c in (_code(x) for x in passed) if c is not None}
        self.found: str | None = None
        self.previous = None
        self.switched_off = False

    def _student(self, filename: str) -> bool:
        if filename == self.test_file or filename.startswith("<frozen"):
            return False
        real = os.path.realpath(filename) if os.path.isabs(filename) else filename
        return not real.startswith(self.library)

    def __call__(self, frame, event, arg):
        if self.found is not None:
            return
        if event == "c_call":  # a function written in C: is it torch's, called by the student?
            if self.torch and self._student(frame.f_code.co_filename) and _is_torch(arg):
                self.found = _builtin_name(arg)
            return
        if event != "call":
            return
        code = frame.f_code
        if self.torch and code.co_filename.startswith(_TORCH_DIRS):
            caller = frame.f_back
            if caller is not None and self._student(caller.f_code.co_filename):
                self.found = _frame_function_name(frame)
            return
        if not self.helpers or not code.co_filename.startswith(_HELPERS_DIRS) or \
                code.co_filename.endswith("checks.py"):
            return
        caller = frame.f_back
        if caller is None or not self._student(caller.f_code.co_filename):
            return
        if code in self.passed_codes or (code.co_varnames[:1] == ("self",) and id(
                frame.f_locals.get("self")) in self.passed):
            return
        name = _frame_function_name(frame)
        if name not in self.allow:
            self.found = name

    def __enter__(self):
        self.previous = sys.getprofile()
        sys.setprofile(self)
        return self

    def __exit__(self, *exc):
        self.switched_off = sys.getprofile() is not self
        sys.setprofile(self.previous)
        return False


def _frame_function_name(frame) -> str:
    """``module.qualname`` of the function a frame runs; for a decorator's wrapper, of the
    function it wraps; for a precomputed stand-in (a student bundle), of the function it
    stands in for."""
    code = frame.f_code
    module = frame.f_globals.get("__name__", "helpers")
    name = getattr(code, "co_qualname", code.co_name)
    stands_for = frame.f_locals.get("module"), frame.f_locals.get("name")
    if code.co_name == "precomputed" and all(isinstance(x, str) for x in stands_for):
        return ".".join(stands_for)
    if "<locals>" in name:
        for value in frame.f_locals.values():
            qual = getattr(value, "__qualname__", "<locals>")
            if callable(value) and "<locals>" not in qual and str(
                    getattr(value, "__module__", "")).startswith("helpers"):
                return f"{value.__module__}.{qual}"
    return f"{module}.{name}"


def _torch_dirs() -> tuple[str, ...]:
    import importlib.util

    spec = importlib.util.find_spec("torch")
    found = list(spec.submodule_search_locations or []) if spec else []
    return tuple({d for f in found for d in (f, os.path.realpath(f))}) or ("\0",)


_TORCH_DIRS = tuple(d + os.sep for d in _torch_dirs())


def _is_torch(fn) -> bool:
    owner = getattr(fn, "__self__", None)
    module = getattr(fn, "__module__", None) or type(owner).__module__ or ""
    return module.split(".")[0] == "torch" or (
        owner is not None and getattr(owner, "__name__", "").split(".")[0] == "torch")


def _builtin_name(fn) -> str:
    owner = getattr(fn, "__self__", None)
    name = getattr(fn, "__name__", "?")
    if owner is None or getattr(owner, "__name__", "").startswith("torch"):
        module = getattr(fn, "__module__", None) or getattr(owner, "__name__", "torch")
        return f"{module}.{name}"
    return f"{type(owner).__module__}.{type(owner).__qualname__}.{name}"


def _code(fn):
    """The code object ``fn`` runs (through partials and decorators), or None."""
    import functools
    import inspect

    while isinstance(fn, functools.partial):
        fn = fn.func
    if not callable(fn):
        return None
    try:
        fn = inspect.unwrap(fn)
    except ValueError:
        return None
    return getattr(getattr(fn, "__func__", fn), "__code__", None)


def _helpers_function(fn) -> str | None:
    """``module.name`` when ``fn`` is (or wraps, or partially applies) a helpers function
    (a closure a test builds in helpers around the student's function is not)."""
    import functools
    import inspect

    code = _code(fn)
    if code is None or not code.co_filename.startswith(_HELPERS_DIRS):
        return None
    while isinstance(fn, functools.partial):
        fn = fn.func
    fn = getattr(inspect.unwrap(fn), "__func__", inspect.unwrap(fn))
    qual = getattr(fn, "__qualname__", "<locals>")
    if "<locals>" in qual:  # a closure: one a test builds around the student's code is not
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                inner = _code(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
            if inner is not None and not inner.co_filename.startswith(_HELPERS_DIRS):
                return None
    return f"{fn.__module__}.{qual}"


def _passed_in(args, kwargs) -> list:
    """Callables and objects the case hands to the student (one level into containers)."""
    out = []
    for a in [*args, *kwargs.values()]:
        items = list(a.values()) if isinstance(a, dict) else list(a) if isinstance(
            a, list | tuple) else [a]
        out += [x for x in [a, *items] if not isinstance(x, int | float | str | bytes | np.ndarray)]
    return out


def _fail(name, i, n, case, inputs_text, got, problem, hidden, show_hint=True):
    lines = [f"✗ {name}: {'hidden ' if hidden else ''}case {i} of {n} failed"
             + (f" ({case.label})" if case.label and not hidden else "")]
    if not hidden:
        lines.append(f"  inputs:   {inputs_text}")
        if case.check is None:
            lines.append(f"  expected: {_describe(case.expected)}")
    lines.append(f"  got:      {_describe(got)}")
    lines.append(f"  problem:  {problem}")
    if case.hint and show_hint:
        lines.append(f"  hint:     {case.hint}")
    raise CheckFailed("\n".join(lines))


def check_function(fn, cases, *, name: str | None = None, rtol: float = 1e-5,
                   atol: float = 1e-8, hidden: bool = False, no_helpers: bool = False,
                   allow: tuple[str, ...] = (), no_torch: bool = False) -> None:
    """Run ``fn`` on every case; raise ``CheckFailed`` at the first wrong one.

    Prints ``✓ name: n/n cases passed`` when all pass (returns nothing, so a test cell that
    ends with the call shows no stray ``Out[]``).

    ``no_helpers=True`` is for an exercise whose answer the course's ``helpers`` library also
    holds (the optimisers, the layers, the RNN steps ...): when ``fn``, or code of the
    student's that it calls, calls a function of ``helpers``, the case fails naming it;
    ``allow`` names (``"helpers.numpy_nn.logistic.sigmoid"``) the library functions the
    exercise may build on, and what the case passes in (a branch, a model) is always allowed.
    ``no_torch=True`` likewise fails a NumPy-only exercise whose code calls PyTorch.
    Whatever the flag, ``fn`` may not *be* a helpers function (``adam_update = adam``).
    """
    if not callable(fn):
        raise CheckFailed(f"✗ expected a function to check, got {_describe(fn)}")
    name = name or getattr(fn, "__name__", "your function")
    test_file = sys._getframe(1).f_code.co_filename
    library_fn = _helpers_function(fn)
    if library_fn and not test_file.startswith(_HELPERS_DIRS):
        raise CheckFailed(f"✗ {name}: this is `{library_fn}` from the course's helpers library, "
                          "not a function of yours: write the exercise's function yourself")
    cases = list(cases)
    n = len(cases)
    if n == 0:
        raise ValueError("check_function needs at least one case")
    for i, case in enumerate(cases, start=1):
        names = _arg_names(fn, len(case.args))
        shown = [f"{k}={_describe(v)}" for k, v in zip(names, case.args, strict=True)]
        shown += [f"{k}={_describe(v)}" for k, v in case.kwargs.items()]
        inputs_text = "; ".join(shown) or "(none)"
        args = copy.deepcopy(case.args)
        kwargs = copy.deepcopy(case.kwargs)
        watch = _HelpersCallWatch(test_file, allow, _passed_in(args, kwargs), no_helpers,
                                  no_torch) if no_helpers or no_torch else None
        try:
            if watch is None:
                got = fn(*args, **kwargs)
            else:
                with watch:
                    got = fn(*args, **kwargs)
        except Exception as err:
            where = f"case {i} of {n}" if hidden else f"case {i} of {n} with {inputs_text}"
            err.add_note(f"(raised by {name} while checking {where})")
            if watch is not None and watch.found:
                err.add_note(f"note: {name} called `{watch.found}`, which this exercise may "
                             "not use: write it yourself")
            if case.hint:
                err.add_note(f"hint: {case.hint}")
            raise
        if watch is not None and (watch.found or watch.switched_off):
            if not watch.found:
                problem = f"{name} switched off the call tracing of this check (sys.setprofile)"
            elif watch.found.startswith("torch"):
                problem = (f"it calls PyTorch (`{watch.found}`): this exercise is NumPy only, "
                           "so write it with NumPy arrays")
            else:
                accepted = ", ".join(f"`{a}`" for a in sorted(allow)) or "none"
                problem = (f"it calls `{watch.found}` from the course's helpers library: this "
                           "exercise is yours to write (the library holds the course's own "
                           "version of many exercises), so write that step out here yourself "
                           f"(helpers this check accepts: {accepted})")
            _fail(name, i, n, case, inputs_text, got, problem, hidden, show_hint=False)
        problem = case.check(got) if case.check is not None else _compare(
            got, case.expected, rtol, atol, hidden=hidden, parts=tuple(case.parts))
        named = _named_mistake(case, got, rtol, atol) if problem and case.mistakes else None
        if named:
            problem = f"{named} ({problem})"
        mutated = False
        if not named:
            for k, before, after in zip(names, case.args, args, strict=True):
                if not _same(before, after):
                    fix = "x.clone()" if _is_tensor(before) else "x.copy()"
                    change = (f"{name} changed its input `{k}` in place; work on a copy "
                              f"(e.g. x = {fix}) or build a new array")
                    # a changed input often explains wrong values too (dx = dout; dx *= y)
                    problem = change if problem is None else (
                        f"{change}. That may also be why the result is wrong: {problem}")
                    mutated = True  # the case's hint is about values, not this
                    break
        if problem:
            _fail(name, i, n, case, inputs_text, got, problem, hidden, show_hint=not mutated)
    print(f"✓ {name}: {n}/{n} {'hidden ' if hidden else ''}cases passed")


def _arg_names(fn, count: int) -> list[str]:
    import inspect

    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"arg{i}" for i in range(count)]


def check_value(got, expected, *, name: str = "value", rtol: float = 1e-5, atol: float = 1e-8,
                hint: str | None = None, hidden: bool = False, mistakes=()) -> None:
    """Check one value the student computed (not a function), with the same messages.

    ``mistakes``: ``(wrong_value_or_predicate, message)`` pairs, as in ``Case``.
    """
    problem = _compare(got, expected, rtol, atol, hidden=hidden,
                       none_hint=f"did you assign {name}?")
    if problem and mistakes:
        named = _named_mistake(Case(mistakes=list(mistakes)), got, rtol, atol)
        if named:
            problem = f"{named} ({problem})"
    if problem:
        lines = [f"✗ {name} is wrong"]
        if not hidden:
            lines.append(f"  expected: {_describe(expected)}")
        lines += [f"  got:      {_describe(got)}", f"  problem:  {problem}"]
        if hint:
            lines.append(f"  hint:     {hint}")
        raise CheckFailed("\n".join(lines))
    print(f"✓ {name} is correct")


def check_true(condition: bool, message: str, *, name: str = "check") -> None:
    """Assert a property; ``message`` says what is wrong when it does not hold.

    An array condition (e.g. ``x >= 0``) holds when every entry is true; the failure says
    how many entries are false instead of NumPy's "truth value ... is ambiguous".
    """
    condition = _as_array(condition)
    if isinstance(condition, np.ndarray) and condition.size != 1:
        bad = int(condition.size - np.count_nonzero(condition))
        if condition.size == 0 or bad:
            detail = ("the condition is an empty array" if condition.size == 0 else
                      f"{bad} of {condition.size} entries of the condition are false")
            raise CheckFailed(f"✗ {name}: {message} ({detail})")
        print(f"✓ {name}")
        return
    try:
        ok = bool(condition)
    except (TypeError, ValueError) as err:
        raise CheckFailed(f"✗ {name}: {message} (the condition is not True/False: {err})") \
            from None
    if not ok:
        raise CheckFailed(f"✗ {name}: {message}")
    print(f"✓ {name}")


# Ways to silence NumPy's overflow warning instead of avoiding the overflow.
_SILENCERS = ("errstate", "seterr", "catch_warnings", "filterwarnings", "simplefilter")


def code_names(fn) -> set[str]:
    """Every global and attribute name used by ``fn``'s code, nested code included."""
    names, todo = set(), [getattr(fn, "__code__", None)]
    while todo:
        code = todo.pop()
        if code is None:
            continue
        names.update(code.co_names)
        todo.extend(c for c in code.co_consts if inspect.iscode(c))
    return names


def reject_silenced_overflow(*fns) -> None:
    """Fail when a function hides NumPy's overflow warning instead of avoiding the overflow
    (``np.errstate``, ``np.seterr``, ``warnings.catch_warnings`` / ``filterwarnings`` /
    ``simplefilter`` in its code)."""
    for fn in fns:
        # names, not text: a comment that mentions np.errstate silences nothing
        tree = source_tree(fn)
        names = code_names(fn) | ({getattr(n, "id", None) or getattr(n, "attr", None)
                                   for n in ast.walk(tree)} if tree is not None else set())
        used = [s for s in _SILENCERS if s in names]
        if used:
            raise CheckFailed(
                f"✗ {fn.__name__} silences NumPy's warnings ({', '.join(used)}): the overflow still "
                "happens, only the message is hidden (and in float32, or in a later formula, the "
                "inf turns into nan). Remove the silencing and compute the sigmoid so that np.exp "
                "only ever sees numbers <= 0."
            )


def source_tree(fn):
    """The parsed source of ``fn`` (None when its source is not available)."""
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):  # source not available: cannot tell
        return None


def uses_python_loops(fn, _seen=None) -> bool:
    """True when ``fn``'s source has a loop, a comprehension or a loop in disguise
    (``map``, ``np.vectorize``, ``np.apply_along_axis``), also inside the student's own
    functions that ``fn`` calls by name (a loop moved into a helper is still a loop)."""
    seen = set() if _seen is None else _seen
    if id(fn) in seen:
        return False
    seen.add(id(fn))
    tree = source_tree(fn)
    if tree is None:
        return False
    loops = (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    disguised = {"map", "vectorize", "apply_along_axis"}
    namespace = getattr(fn, "__globals__", {})
    for node in ast.walk(tree):
        if isinstance(node, loops):
            return True
        if isinstance(node, ast.Call):
            f = node.func
            called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if called in disguised:
                return True
            own = namespace.get(called) if isinstance(f, ast.Name) else None
            if (inspect.isfunction(own) and own.__module__ == getattr(fn, "__module__", None)
                    and uses_python_loops(own, seen)):
                return True
    return False


def check_no_shortcut(fn, forbidden, why: str) -> None:
    """Fail when ``fn``'s code looks up one of the ``forbidden`` names (a library layer or
    function that would do the exercise's work, e.g. ``nn.Conv2d`` in a shape formula);
    ``why`` says what the exercise asks for instead."""
    used = sorted(code_names(fn) & set(forbidden))
    name = getattr(fn, "__name__", "the function")
    check_true(not used, f"{name} uses {', '.join(used)}: {why}",
               name=f"{name} computes it itself")
