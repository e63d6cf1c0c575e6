"""The exercise format of every notebook (fast: nothing is executed).

For every ``notebooks/*.ipynb`` (and the fixture ``tests/fixtures/nbgrader_fixture.ipynb``):
nbgrader's own cell-metadata validation passes, ``grade_id``s are unique, every solution
cell is followed by a graded test cell with points > 0, every graded test cell calls the
course's checks (``helpers.checks``) and imports what it calls (so that grading can tell a
rebound name from the real check), BEGIN/END markers are balanced and in the right kind of
cell, and no cell outside the exercises uses what a solution cell defines (so that the
student version runs top to bottom with unanswered exercises). Notebooks without nbgrader
cells are skipped. Also unit tests of the nbgrader steps the course adds
(``HideHiddenTests``, ``ErrorsDecide``) and of the locked-cell comparison.
"""

import ast
import copy
import importlib
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from tools import grading
from tools.grading import submissions

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "nbgrader_fixture.ipynb"
NOTEBOOKS = [FIXTURE, *sorted((ROOT / "notebooks").glob("*.ipynb"))]
CHECKS = {"check_function", "check_value", "check_true"}


def _load(path):
    nb = nbformat.read(path, as_version=4)
    if not grading.has_nbgrader_cells(nb):
        pytest.skip(f"{path.name} has no nbgrader cells (no exercises): nothing to check")
    return nb


def _where(cell, i):
    return f"cell {i} ({grading.nbgrader_meta(cell).get('grade_id', 'no grade_id')})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbgrader_metadata_is_valid(path):
    """nbgrader's CheckCellMetadata (what `nbgrader validate`/generate_assignment check)."""
    from nbgrader.preprocessors import CheckCellMetadata

    nb = _load(path)
    CheckCellMetadata().preprocess(nb, {})  # raises on a malformed cell


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercise_format(path):
    nb = _load(path)
    problems = []
    ids = [grading.nbgrader_meta(c).get("grade_id") for c in nb.cells if grading.nbgrader_meta(c)]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        problems.append(f"grade_ids used more than once: {dupes}")
    cells = nb.cells
    for i, cell in enumerate(cells):
        meta = grading.nbgrader_meta(cell)
        src = cell.source
        for begin, end, allowed, kind in (
                (grading.BEGIN_SOLUTION, grading.END_SOLUTION, grading.is_solution(cell),
                 "a solution cell"),
                (grading.BEGIN_HIDDEN, grading.END_HIDDEN, grading.is_graded(cell),
                 "a graded test cell")):
            if src.count(begin) != src.count(end):
                problems.append(f"{_where(cell, i)}: {begin} / {end} do not pair up")
            if begin in src and not allowed:
                problems.append(f"{_where(cell, i)}: '### {begin}' outside {kind}")
        if grading.is_solution(cell) and cell.cell_type == "code":
            if grading.BEGIN_SOLUTION not in src:
                problems.append(f"{_where(cell, i)}: a solution cell without ### BEGIN SOLUTION")
            nxt = next((k for k in range(i + 1, len(cells)) if cells[k].cell_type == "code"), None)
            if nxt is None or not grading.is_graded(cells[nxt]) or grading.is_solution(cells[nxt]):
                problems.append(f"{_where(cell, i)}: the next code cell must be its graded test "
                                "cell (tools/nb.py tests(...))")
        if grading.is_graded(cell) and cell.cell_type == "code" and not grading.is_solution(cell):
            if not meta.get("locked"):
                problems.append(f"{_where(cell, i)}: a graded test cell must be locked")
            if not float(meta.get("points") or 0) > 0:
                problems.append(f"{_where(cell, i)}: points must be > 0, got {meta.get('points')}")
            try:
                tree = ast.parse(submissions._python(src))
            except SyntaxError as err:
                problems.append(f"{_where(cell, i)}: does not parse: {err}")
                continue
            called = {n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
                      for n in ast.walk(tree) if isinstance(n, ast.Call)}
            if not called & CHECKS:
                problems.append(f"{_where(cell, i)}: a graded test cell must call helpers.checks "
                                "(check_function / check_value / check_true) so that students "
                                "see what is wrong")
            last = tree.body[-1] if tree.body else None
            if (_CHECK_FUNCTION_RETURNS and isinstance(last, ast.Expr)
                    and isinstance(last.value, ast.Call)
                    and getattr(last.value.func, "id", "") == "check_function"):
                problems.append(
                    f"{_where(cell, i)}: ends with a bare check_function(...) call: its return "
                    "value (the number of cases) is shown as Out[] and nbgrader validate reads "
                    "it as partial credit; end the cell with a call that returns None "
                    "(check_true/check_value) or write `n_ok = check_function(...)`")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_graded_test_cell_imports_what_it_calls(path):
    """A name the notebook binds by ``import`` (np, torch, check_function, a reference...)
    and a test cell uses must be imported in that test cell itself."""
    nb = _load(path)
    problems = []
    for i, cell in enumerate(nb.cells):
        if not grading.is_test(cell):
            continue
        elsewhere = {}
        for j, other in enumerate(nb.cells):
            if j != i and other.cell_type == "code":
                elsewhere.update(grading.imports(other.source))
        mine = set(grading.imports(cell.source))
        try:
            tree = ast.parse(submissions._python(cell.source))
        except SyntaxError:
            continue  # test_exercise_format reports it
        assigned = {n.id for n in ast.walk(tree)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        assigned |= {n.name for n in ast.walk(tree)
                     if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load)}
        missing = sorted(n for n in used & set(elsewhere) if n not in mine | assigned)
        if missing:
            lines = sorted({_import_line(n, elsewhere[n]) for n in missing})
            problems.append(f"{_where(cell, i)} uses {missing} without importing them: add "
                            + "; ".join(lines))
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.stem)  # the course's notebooks
def test_the_visible_part_of_a_test_cell_imports_only_what_it_uses(path):
    """What only the hidden cases need (a reference, ``Case``, np) is imported inside the
    hidden block: the student's copy shows no import that nothing visible uses."""
    nb = _load(path)
    problems = []
    for i, cell in enumerate(nb.cells):
        if not grading.is_test(cell) or "### BEGIN HIDDEN TESTS" not in cell.source:
            continue
        visible = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", cell.source,
                         flags=re.S)
        tree = ast.parse(submissions._python(visible))
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        unused = sorted(name for name in grading.imports(visible) if name not in used)
        if unused:
            problems.append(f"{_where(cell, i)}: the student's copy imports {unused} but only "
                            "the hidden cases use them: import them inside the hidden block")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


# Test cells left without the guard: none. An exercise meant to build on a library function
# names it instead, e.g. 01's gradient: no_helpers=True, allow=("helpers...sigmoid",).
BUILDS_ON_HELPERS: set[tuple[str, str]] = set()


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.stem)
def test_every_check_function_call_keeps_the_library_out(path):
    """``check_function(..., no_helpers=True)`` in every graded test cell: calling the
    library's own version of the exercise is not an answer (see ``helpers.checks``)."""
    nb = _load(path)
    problems = []
    for i, cell in enumerate(nb.cells):
        gid = grading.nbgrader_meta(cell).get("grade_id")
        if not grading.is_test(cell) or (path.name[:2], gid) in BUILDS_ON_HELPERS:
            continue
        tree = ast.parse(submissions._python(cell.source))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check_function"
                    and not any(k.arg == "no_helpers" for k in node.keywords)):
                problems.append(f"{_where(cell, i)} line {node.lineno}: check_function(...) "
                                "without no_helpers=True")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def _is_module(name):
    try:
        importlib.import_module(name)
        return True
    except ImportError:
        return False


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.stem)
def test_a_helper_a_statement_offers_is_allowed_by_its_check(path):
    """A statement that offers a library function ("or call `helpers.x.f(...)`") has a test
    cell whose check_function allows it: otherwise following the statement fails the check."""
    nb = _load(path)
    problems = []
    statement = ""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            statement = cell.source if cell.source.startswith("### Exercise") else (
                statement + cell.source if statement else "")
            continue
        if not grading.is_test(cell) or not statement:
            continue
        offered = set(re.findall(r"`(helpers(?:\.\w+)+)(?:\([^`]*\))?`", statement))
        allowed = set()
        for node in ast.walk(ast.parse(submissions._python(cell.source))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check_function":
                for k in node.keywords:
                    if k.arg == "allow":
                        allowed |= set(ast.literal_eval(k.value))
        for name in sorted(offered - allowed - {n for n in offered if _is_module(n)}):
            problems.append(f"{_where(cell, i)}: its statement offers `{name}` but the check "
                            "refuses it: add it to allow=(...)")
        statement = ""
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def _import_line(name, where):
    module, attr = where
    if attr is None:
        return f"import {module}" + (f" as {name}" if module.split(".")[0] != name else "")
    return f"from {module} import {attr}" + (f" as {name}" if attr != name else "")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nothing_outside_the_exercises_uses_a_solution(path):
    """In the student version solution cells only define stubs: a later cell that is not an
    exercise must not need what they define (else the released notebook breaks there)."""
    nb = _load(path)
    solution_names, other_names = set(), set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        funcs, values, classes = submissions._defined(cell.source)
        (solution_names if grading.is_solution(cell) else other_names).update(
            funcs + values + classes)
    only_solution = solution_names - other_names
    problems, seen_solution = [], False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if grading.is_solution(cell):
            seen_solution = True
            continue
        if not seen_solution or grading.nbgrader_meta(cell):
            continue
        used = submissions._used(cell.source) & only_solution
        if used:
            problems.append(f"cell {i} uses {sorted(used)}, defined only in solution cells")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def test_locked_cell_changes_are_found():
    from tools.grading.tamper import locked_cell_changes

    release = _load(FIXTURE)
    assert locked_cell_changes(release, release) == {}
    edited = copy.deepcopy(release)
    test_ids = [grading.nbgrader_meta(c)["grade_id"] for c in edited.cells if grading.is_test(c)]
    _cell_by_id(edited, test_ids[0]).source += "\nprint('hi')"
    del edited.cells[edited.cells.index(_cell_by_id(edited, test_ids[1]))]
    flags = locked_cell_changes(edited, release)
    assert set(flags) == set(test_ids[:2])
    assert "edited" in flags[test_ids[0]] and "deleted" in flags[test_ids[1]]


def _cell_by_id(nb, grade_id):
    return next(c for c in nb.cells if grading.nbgrader_meta(c).get("grade_id") == grade_id)


def _check_function_returns() -> bool:
    import contextlib
    import io

    from helpers.checks import Case, check_function

    with contextlib.redirect_stdout(io.StringIO()):
        return check_function(lambda: 1, [Case(expected=1)], name="probe") is not None


_CHECK_FUNCTION_RETURNS = _check_function_returns()


# --------------------------------------------------------------------------- unit tests

def _graded_cell(source, outputs, count=7):
    cell = new_code_cell(source, execution_count=count)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": "t", "points": 2, "schema_version": 3}
    cell.outputs = outputs
    return cell


SECRET = "Case(args=(np.array([4.5, -7.0]),), expected=np.array([4.5, 0.0]))"


def test_hide_hidden_tests_removes_source_and_cell_frames():
    src = ("check_function(relu, public)\n### BEGIN HIDDEN TESTS\n"
           f"check_function(relu, [{SECRET}], hidden=True)\n### END HIDDEN TESTS")
    tb = ["\x1b[0;31m----------\x1b[0m",
          "\x1b[0;31mCheckFailed\x1b[0m    Traceback (most recent call last)",
          f"Cell \x1b[0;32mIn[7], line 3\x1b[0m\n      1 check_function(relu, public)\n"
          f"----> 3 check_function(relu, [{SECRET}], hidden=True)",
          "Cell \x1b[0;32mIn[5], line 2\x1b[0m, in relu(z)\n----> 2 return z * 2",
          "File /x/helpers/checks.py:190, in check_function(fn, cases)\n--> 190 _fail(...)",
          "\x1b[0;31mCheckFailed\x1b[0m: ✗ relu: hidden case 1 of 1 failed"]
    cell = _graded_cell(src, [
        new_output("stream", name="stdout", text="✓ relu: 1/1 cases passed\n"),
        new_output("error", ename="CheckFailed", evalue="✗ relu: hidden case 1 of 1 failed",
                   traceback=tb),
        new_output("execute_result", data={"text/plain": SECRET}, execution_count=7)])
    assert grading.hide_hidden_tests(cell)
    shown = cell.source + "".join(str(o) for o in cell.outputs)
    assert SECRET not in shown and "hidden=True" not in shown
    assert "check_function(relu, public)" in cell.source
    err = next(o for o in cell.outputs if o.output_type == "error")
    text = "\n".join(err.traceback)
    assert "return z * 2" in text, "frames from the student's own cells are kept"
    assert "hidden case 1 of 1 failed" in text, "the check's message is kept"
    assert [o.output_type for o in cell.outputs] == ["stream", "error"]


def test_hide_hidden_tests_leaves_cells_without_hidden_tests():
    cell = _graded_cell("check_true(True, 'x')", [])
    assert not grading.hide_hidden_tests(cell)
    assert cell.source == "check_true(True, 'x')"


def test_errors_decide_no_partial_credit_and_no_stderr_failure():
    from nbgrader.utils import determine_grade

    cell = _graded_cell("check_function(f, cases)", [
        new_output("stream", name="stderr", text="RuntimeWarning: overflow\n"),
        new_output("execute_result", data={"text/plain": "1"}, execution_count=7)])
    assert determine_grade(cell)[0] == 0  # nbgrader's own rule
    grading.ErrorsDecide().preprocess_cell(cell, {}, 0)
    assert determine_grade(cell) == (2, 2)
    cell.outputs.append(new_output("error", ename="CheckFailed", evalue="✗", traceback=[]))
    assert determine_grade(cell)[0] == 0


def test_feedback_step_hides_hidden_frames_in_other_cells_too():
    """A helper defined in a hidden block and failing later must not show its code."""
    hidden_cell = _graded_cell(f"### BEGIN HIDDEN TESTS\ndef _ref(x):\n    return {SECRET}\n"
                               "### END HIDDEN TESTS", [], count=3)
    student = new_code_cell("_ref(1)", execution_count=4)
    student.outputs = [new_output("error", ename="TypeError", evalue="bad", traceback=[
        "Cell In[4], line 1\n----> 1 _ref(1)",
        f"Cell In[3], line 3, in _ref(x)\n----> 3 return {SECRET}",
        "TypeError: bad"])]
    nb = nbformat.v4.new_notebook(cells=[hidden_cell, student])
    grading.HideHiddenTests().preprocess(nb, {})
    shown = nbformat.writes(nb)
    assert SECRET not in shown
    assert "_ref(1)" in shown and "TypeError: bad" in shown


def test_tamper_differences_name_what_changed():
    from tools.grading import tamper

    base = {"helpers.checks.check_function": [1, 2, 3, 4], "ip.showtraceback": [0, 9]}
    assert tamper.differences(base, dict(base)) == []
    now = dict(base, **{"helpers.checks.check_function": [1, 5, 3, 4],
                        "name check_value": [False], "name Case": [True]})
    changed = tamper.differences(base, now)
    assert changed == ["helpers.checks.check_function", "the name check_value was rebound"]
    assert tamper.describe(changed).startswith("tests were modified: ")
    assert tamper.differences(base, None), "a missing fingerprint is tampering too"


def test_feedback_blanks_outputs_that_quote_hidden_tests():
    hidden_cell = _graded_cell(f"### BEGIN HIDDEN TESTS\nx = {SECRET}\n### END HIDDEN TESTS", [])
    student = new_code_cell("print(In)", execution_count=9)
    student.outputs = [new_output("stream", name="stdout", text=f"['', 'x = {SECRET}']\n")]
    nb = nbformat.v4.new_notebook(cells=[hidden_cell, student])
    grading.HideHiddenTests().preprocess(nb, {})
    assert SECRET not in nbformat.writes(nb)
