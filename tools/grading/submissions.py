"""Synthetic student submissions, made from any notebook, to test release and grading.

``tests/test_nbgrader_grading.py`` builds them from every notebook: one wrong answer, one
answer wrong only on the hidden cases, an unanswered exercise, an infinite loop, an
exception, an edited or deleted locked test cell, and the hostile students (rebound checks,
replaced code objects, monkeypatched attributes, a silenced traceback display, a search of
the disk for solutions, ``os._exit``, a loop that swallows ``KeyboardInterrupt``). A "wrong
answer" keeps the author's solution and wraps it so that what the check receives is
perturbed (numbers scaled and shifted, integers plus one, booleans flipped, anything else
``None``); calls from other exercises' code get the right value, so exactly one exercise is
wrong.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

from .notebooks import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_SOLUTION,
    is_graded,
    is_solution,
    nbgrader_meta,
    python_source,
)


@dataclass
class Exercise:
    """A solution cell and the graded test cell that follows it."""

    solution_index: int
    test_index: int
    solution_id: str
    test_id: str
    points: float
    functions: list[str] = field(default_factory=list)  # defined here, used by the test
    values: list[str] = field(default_factory=list)
    hidden_line: int | None = None  # 1-based line of BEGIN HIDDEN TESTS in the test cell
    independent: bool = True  # no other exercise uses what this one defines


_python = python_source


def _defined(src: str) -> tuple[list[str], list[str], list[str]]:
    """Top-level functions, assigned names and classes of a cell."""
    try:
        tree = ast.parse(_python(src))
    except SyntaxError:
        return [], [], []
    funcs, values, classes = [], [], []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            funcs.append(node.name)
        elif isinstance(node, ast.ClassDef):
            classes.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        values.append(n.id)
    return funcs, list(dict.fromkeys(values)), classes


def _used(src: str) -> set[str]:
    try:
        tree = ast.parse(_python(src))
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def exercises(nb) -> list[Exercise]:
    """Pair every solution cell with the next graded code cell."""
    found = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if not is_solution(cell) or cell.cell_type != "code":
            continue
        j = next((k for k in range(i + 1, len(cells)) if cells[k].cell_type == "code"), None)
        if j is None or not is_graded(cells[j]):
            continue
        test = cells[j]
        funcs, values, _ = _defined(cell.source)
        used = _used(test.source)
        hidden = next((n + 1 for n, line in enumerate(test.source.split("\n"))
                       if BEGIN_HIDDEN in line), None)
        found.append(Exercise(i, j, nbgrader_meta(cell).get("grade_id", ""),
                              nbgrader_meta(test).get("grade_id", ""),
                              float(nbgrader_meta(test).get("points", 0) or 0),
                              [f for f in funcs if f in used], [v for v in values if v in used],
                              hidden))
    for ex in found:
        mine = set(ex.functions) | set(ex.values) | set(_defined(cells[ex.solution_index].source)[0])
        for other in found:
            if other is ex:
                continue
            used = _used(cells[other.solution_index].source) | _used(cells[other.test_index].source)
            if mine & used:
                ex.independent = False
    return found


def pick(exs: list[Exercise], *, need_function=False, need_hidden=False, avoid=()) -> Exercise | None:
    """The first independent exercise with the properties asked for (then any)."""
    ok = [e for e in exs if e not in avoid and (e.functions or (e.values and not need_function))
          and (e.hidden_line or not need_hidden) and (e.functions or not need_function)]
    best = [e for e in ok if e.independent]
    return (best or ok or [None])[0]


WRAPPER = '''

def _nn_perturb(x):
    import numpy as _np

    if isinstance(x, bool | _np.bool_):
        return not x
    if isinstance(x, int | _np.integer):
        return x + 1
    if isinstance(x, float | _np.floating):
        return x * 1.5 + 0.25
    if isinstance(x, _np.ndarray):
        if x.dtype == bool:
            return ~x
        if _np.issubdtype(x.dtype, _np.integer):
            return x + 1
        if _np.issubdtype(x.dtype, _np.number):
            return (x * 1.5 + 0.25).astype(x.dtype)
    if hasattr(x, "detach") and hasattr(x, "dtype"):
        if x.dtype.is_floating_point:
            return x * 1.5 + 0.25
        return ~x if str(x.dtype) == "torch.bool" else x + 1
    if isinstance(x, tuple | list) and len(x) > 0:
        return type(x)([_nn_perturb(x[0]), *x[1:]]) if type(x) in (tuple, list) else None
    if isinstance(x, dict) and x:
        k = next(iter(x))
        return {**x, k: _nn_perturb(x[k])}
    return None


def _nn_wrong(fn, hidden_line=None):
    import functools
    import sys

    @functools.wraps(fn)
    def wrong(*args, **kwargs):
        out = fn(*args, **kwargs)
        caller = sys._getframe(1)
        cell = caller
        while cell is not None and cell.f_code.co_name != "<module>":
            cell = cell.f_back
        if cell is None:
            return out
        direct = caller.f_code.co_filename in (cell.f_code.co_filename, _NN_CHECKS)
        if direct and (hidden_line is None or cell.f_lineno > hidden_line):
            return _nn_perturb(out)
        return out

    return wrong


import helpers.checks as _nn_checks  # noqa: E402

_NN_CHECKS = _nn_checks.__file__
'''


def wrong(nb, ex: Exercise, *, hidden_only: bool = False):
    """A copy of ``nb`` (source or release) whose answer to ``ex`` is wrong."""
    nb = copy.deepcopy(nb)
    cell = nb.cells[ex.solution_index]
    lines = [WRAPPER]
    if hidden_only:
        if not ex.functions or ex.hidden_line is None:
            raise ValueError(f"{ex.solution_id}: a hidden-only wrong answer needs a function "
                             "and hidden tests")
        lines += [f"{f} = _nn_wrong({f}, {ex.hidden_line})" for f in ex.functions]
    else:
        lines += [f"{f} = _nn_wrong({f})" for f in ex.functions]
        lines += [f"{v} = _nn_perturb({v})" for v in ex.values]
    cell.source = cell.source.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    return nb


def replace_solution(nb, ex: Exercise, body: str):
    """A copy of ``nb`` with the solution block of ``ex`` replaced by ``body``."""
    nb = copy.deepcopy(nb)
    cell = nb.cells[ex.solution_index]
    out, inside = [], False
    for line in cell.source.split("\n"):
        if BEGIN_SOLUTION in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + b for b in body.split("\n")]
        elif END_SOLUTION in line:
            inside = False
        elif not inside:
            out.append(line)
    cell.source = "\n".join(out)
    return nb


def infinite_loop(nb, ex: Exercise):
    return replace_solution(nb, ex, "while True:\n    pass")


def exception(nb, ex: Exercise):
    return replace_solution(nb, ex, 'raise ZeroDivisionError("a bug in the submission")')


def edit_test_cell(nb, ex: Exercise, stub_solution: bool = True):
    """The student unlocks the test cell of ``ex`` and makes it pass (and skips the work)."""
    nb = copy.deepcopy(nb)
    if stub_solution:
        nb = replace_solution(nb, ex, "raise NotImplementedError()")
    test = nb.cells[ex.test_index]
    test.source = 'print("all tests passed")'
    test.metadata.get("nbgrader", {})["locked"] = False
    test.metadata["editable"] = True
    return nb


def transplant(release_nb, from_nb, ex: Exercise):
    """``release_nb`` with the solution cell of ``ex`` taken from ``from_nb`` (matched by id)."""
    release_nb = copy.deepcopy(release_nb)
    for cell in release_nb.cells:
        if nbgrader_meta(cell).get("grade_id") == ex.solution_id:
            cell.source = from_nb.cells[ex.solution_index].source
            return release_nb
    raise KeyError(f"{ex.solution_id} is not in the release")


# --------------------------------------------------------------------------- hostile students
# Each one does no work on exercise ``ex`` (its solution is the release's stub) and cheats.

STUB = "raise NotImplementedError()"

REBIND = '''
# hostile: rebind the checks' names so that the test cell checks nothing
def check_function(*args, **kwargs):
    print("✓ all cases passed")
check_value = check_true = check_function
'''

CODE_OBJECT = '''
# hostile: replace the code objects of the real checks
import helpers.checks as _hc
def _nothing(*args, **kwargs):
    return None
for _f in (_hc.check_function, _hc.check_value, _hc.check_true):
    _f.__code__ = _nothing.__code__
'''

MONKEYPATCH = '''
# hostile: monkeypatch the checks' module attributes
import helpers.checks as _hc
_hc._compare = lambda *args, **kwargs: None
_hc._fail = lambda *args, **kwargs: None
_hc.check_true = lambda *args, **kwargs: None
'''

SHOWTRACEBACK = '''
# hostile: make failures invisible to the grader (no error output)
get_ipython().showtraceback = lambda *args, **kwargs: None
'''

SEARCH = r'''
# hostile: look for the instructor's files (solutions, hidden tests) from everywhere the
# kernel can see, and print what was found
import os, sys, site, sysconfig, time
_needles = %(needles)r
_t0, _found, _seen, _starts = time.time(), [], set(), []
_starts += [os.getcwd(), os.path.dirname(os.getcwd())]
import helpers as _h
_starts += [os.path.dirname(os.path.dirname(os.path.abspath(_h.__file__)))]
_starts += [p for p in sys.path if p]
_starts += [sysconfig.get_paths()["purelib"], sys.prefix, os.path.dirname(sys.executable)]
_starts += [v for v in os.environ.values() if os.path.isabs(v) and os.path.exists(v)]
_starts += [p for v in os.environ.values() for p in v.split(os.pathsep)
            if os.path.isabs(p) and os.path.isdir(p)]
_suffixes = (".py", ".ipynb", ".json", ".txt", ".md", ".cfg", ".toml", ".yml", ".yaml",
             ".pth", ".db", ".html", ".csv", ".sqlite")
for _s in dict.fromkeys(_starts):
    _s = os.path.realpath(_s) if os.path.isdir(_s) else os.path.dirname(os.path.realpath(_s))
    for _d, _dirs, _files in os.walk(_s):
        if _d in _seen:
            _dirs[:] = []
            continue
        _seen.add(_d)
        for _f in _files:
            _p = os.path.join(_d, _f)
            if _f == %(own)r or not _f.endswith(_suffixes) or os.path.getsize(_p) > 5_000_000:
                continue
            try:
                with open(_p, encoding="utf-8", errors="ignore") as _fh:
                    _text = _fh.read()
            except OSError:
                continue
            if any(_n in _text for _n in _needles):
                _found.append(_p)
print("searched", len(_seen), "folders in", round(time.time() - _t0), "s; found:",
      sorted(set(_found)))
'''

EXIT = '''
# hostile (or clumsy): kill the kernel
import os
os._exit(0)
'''

SWALLOW = '''
# hostile (or clumsy): a loop that swallows KeyboardInterrupt
while True:
    try:
        while True:
            pass
    except KeyboardInterrupt:
        pass
'''

SLEEP = '''
import time
time.sleep(%(seconds)s)
'''


def hostile(nb, ex: Exercise, attack: str, *, stub: bool = True):
    """A copy of ``nb`` whose solution cell of ``ex`` does no work and runs ``attack``."""
    nb = replace_solution(nb, ex, STUB) if stub else copy.deepcopy(nb)
    cell = nb.cells[ex.solution_index]
    cell.source = attack.strip("\n") + "\n" + cell.source  # runs before the stub raises
    return nb


def rebind_attack(nb, ex: Exercise) -> str:
    """Rebind, in the solution cell, every check the test cell of ``ex`` imports."""
    from .notebooks import imports

    names = [n for n, (m, _) in imports(nb.cells[ex.test_index].source).items()
             if m == "helpers.checks"] or ["check_function"]
    return ("# hostile: rebind the checks' names so that the test cell checks nothing\n"
            "def _accept(*args, **kwargs):\n    print('✓ all cases passed')\n"
            + "".join(f"{n} = _accept\n" for n in names))


def search_attack(needles, own_name) -> str:
    return SEARCH % {"needles": sorted(needles), "own": own_name}


def delete_test_cell(nb, ex: Exercise, stub_solution: bool = True):
    """The student deletes the locked test cell of ``ex`` (and skips the work)."""
    nb = replace_solution(nb, ex, STUB) if stub_solution else copy.deepcopy(nb)
    del nb.cells[ex.test_index]
    return nb


def student_version(nb):
    """What nbgrader releases, built here: every solution a stub, hidden tests removed."""
    from .notebooks import without_hidden_tests

    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if is_solution(cell) and BEGIN_SOLUTION in cell.source:
            ex = Exercise(i, i, "", "", 0.0)
            cell.source = replace_solution(nb, ex, "# YOUR CODE HERE\n" + STUB) \
                .cells[i].source
        cell.source = without_hidden_tests(cell.source)
        cell.outputs, cell.execution_count = [], None
    return nb
