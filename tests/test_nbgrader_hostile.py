"""Hostile students, the wall-time bound and the student bundle (see test_nbgrader_grading).

The fixture and one representative real notebook (``NN_GRADING_REPRESENTATIVE``, default
``03``; else the first graded notebook) are graded with the hostile students of
:mod:`tools.grading.submissions` (rebinding, code objects, monkeypatching, a silenced
traceback display, searching the disk for solutions, editing and deleting locked cells,
``os._exit``, a loop that swallows ``KeyboardInterrupt``, an infinite loop, an exception)
plus correct, blank, one-wrong and hidden-only-wrong students; each run writes a table
(student, expected, actual, flags, wall time) to ``table.md`` next to its course directory
and prints it. The bundle (``make release`` of every notebook) is built once and scanned:
its notebooks and README hold no solution or hidden-test line; its ``helpers/`` holds the
tests' private references only as precomputed values (tools/grading/replay.py) and answers
only in the library modules of ``LIBRARY_ANSWERS``; a one-assignment bundle (07) holds only
07's values and no module 07 does not import.
"""

import nbformat
import pytest
from test_nbgrader_grading import (
    ALL,
    DEEP,
    FIXTURE,
    GRADED,
    ROOT,
    TIMEOUT,
    Run,
    _cached,
    _cell,
    _errors,
    _params,
    _work,
    feedback_secrets,
    html_text,
    secret_lines,
)

from tools import grading
from tools.grading import submissions as subs

CRASH_TIMEOUT = {"fixture": 10, "notebook": 30}  # the runs with stuck cells


# --------------------------------------------------------------------------- 2 hostile


def _after(run, ex):
    """Exercises whose test cell runs at or after the solution cell of ``ex``."""
    return [e for e in run.exercises if e.test_index > ex.solution_index]


def _hostile(path, tmp_path_factory):
    def make():
        run = Run(path, _work(tmp_path_factory, path.stem + "-hostile"))
        src, exs, full = run.source, run.exercises, run.full
        t = subs.pick(exs)  # the attacked exercise (independent of the others if possible)
        w = subs.pick(exs, avoid=[t]) or t
        h = subs.pick(exs, need_function=True, need_hidden=True)
        persistent = full - sum(e.points for e in _after(run, t))
        run.t, run.h = t, h
        run.add("correct", src, full)
        run.add("blank", subs.student_version(src), 0)
        run.add("one-wrong", subs.wrong(src, w), full - w.points)
        if h is not None:
            run.add("hidden-only-wrong", subs.wrong(src, h, hidden_only=True), full - h.points)
        run.add("rebind", subs.hostile(src, t, subs.rebind_attack(src, t)), full - t.points)
        run.add("code-object", subs.hostile(src, t, subs.CODE_OBJECT), persistent)
        run.add("monkeypatch", subs.hostile(src, t, subs.MONKEYPATCH), persistent)
        run.add("showtraceback", subs.hostile(src, t, subs.SHOWTRACEBACK), persistent)
        run.add("search-disk", subs.hostile(src, t, subs.search_attack(
            _needles(src), path.name)), full - t.points)
        run.add("edit-test-cell", subs.edit_test_cell(src, t), full - t.points)
        run.add("delete-test-cell", subs.delete_test_cell(src, t), full - t.points)
        run.grade(TIMEOUT)
        run.table()
        return run

    return _cached(("hostile", path.stem), make, tmp_path_factory)


def _crash(path, tmp_path_factory):
    def make():
        run = Run(path, _work(tmp_path_factory, path.stem + "-crash"))
        src, exs, full = run.source, run.exercises, run.full
        t = subs.pick(exs)
        b = subs.pick(exs, avoid=[t])
        run.t, run.b = t, b
        run.add("os-exit", subs.hostile(src, t, subs.EXIT), full - t.points)
        run.add("swallow-interrupt", subs.hostile(src, t, subs.SWALLOW), full - t.points)
        nb = subs.infinite_loop(src, t)
        if b is not None:
            nb = subs.exception(nb, b)
        run.add("loop-and-exception", nb, full - t.points - (b.points if b else 0))
        run.timeout = CRASH_TIMEOUT["fixture" if path == FIXTURE else "notebook"]
        run.grade(run.timeout)
        run.table()
        return run

    return _cached(("crash", path.stem), make, tmp_path_factory)


def _needles(nb):
    """What a search for the instructor's files looks for: solution and hidden-test lines
    and the repository's path."""
    lines = secret_lines(nb, "solution") | secret_lines(nb, "hidden")
    return {x for x in lines if len(x) >= 20} | {str(ROOT), "nn_course_helpers"}


def _check_expected(run, student):
    r = run.results[student]
    assert r["score"] == run.expected[student], (
        f"{student}: {r['score']:g} points, expected {run.expected[student]:g}; "
        f"{r['cells']} {r['flags']} {r['events']}")
    return r


@pytest.mark.parametrize("path", _params(DEEP, "hostile"))
def test_honest_students_score_what_they_earned(tmp_path_factory, path):
    run = _hostile(path, tmp_path_factory)
    for student in ("correct", "blank", "one-wrong", "hidden-only-wrong"):
        if student in run.results:
            r = _check_expected(run, student)
            assert not r["flags"] and not r["restarts"], (student, r["flags"], r["events"])


@pytest.mark.parametrize("path", _params(DEEP, "hostile"))
def test_the_student_version_runs_top_to_bottom_in_the_sandbox(tmp_path_factory, path):
    """The untouched student version, with the bundle's helpers and without the repository:
    only the exercises' own cells fail, with NotImplementedError (or what follows from it)."""
    run = _hostile(path, tmp_path_factory)
    nb = run.autograded("blank")
    names = set()
    for e in run.exercises:
        for part in subs._defined(run.source.cells[e.solution_index].source):
            names |= set(part)
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code" or not _errors(c):
            continue
        err = _errors(c)[0]
        meta = grading.nbgrader_meta(c)
        assert meta, f"cell {i} (not an exercise) fails: {err.ename}: {err.evalue}"
        assert err.ename in {"NotImplementedError", "CheckFailed", "AssertionError"} or (
            err.ename == "NameError" and any(f"'{n}'" in err.evalue for n in names)), \
            f"{meta.get('grade_id')}: {err.ename}: {err.evalue}"


@pytest.mark.parametrize("path", _params(DEEP, "hostile"))
@pytest.mark.parametrize("student", ["rebind", "code-object", "monkeypatch", "showtraceback",
                                     "edit-test-cell", "delete-test-cell"])
def test_tampering_scores_zero_and_is_flagged(tmp_path_factory, path, student):
    run = _hostile(path, tmp_path_factory)
    r = _check_expected(run, student)
    assert run.t.test_id in r["flags"], f"{student} was not flagged: {r['flags']}"
    assert "tests were modified" in r["flags"][run.t.test_id]
    text = html_text(run.feedback(student))
    assert "tests were modified" in text, "the feedback does not say why"
    rows = (run.course / "grades.csv").read_text()
    assert any(line.startswith(student + ",") and "tests were modified" in line
               for line in rows.splitlines()), "grades.csv does not flag it"


@pytest.mark.parametrize("path", _params(DEEP, "hostile"))
def test_edited_locked_cell_is_graded_with_the_instructors_version(tmp_path_factory, path):
    run = _hostile(path, tmp_path_factory)
    assert _cell(run.autograded("edit-test-cell"), run.t.test_id).source == \
        _cell(run.source, run.t.test_id).source


@pytest.mark.parametrize("path", _params(DEEP, "hostile"))
def test_a_submission_finds_no_solution_from_the_sandbox(tmp_path_factory, path):
    run = _hostile(path, tmp_path_factory)
    _check_expected(run, "search-disk")
    nb = run.autograded("search-disk")
    cell = nb.cells[next(i for i, c in enumerate(nb.cells)
                         if grading.nbgrader_meta(c).get("grade_id") == run.t.solution_id)]
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert "searched" in text, f"the search did not finish: {_errors(cell)}"
    assert "found: []" in text, text[-3000:]


@pytest.mark.parametrize("path", _params(DEEP, "hostile"))
def test_failing_hidden_case_is_graded_and_not_leaked(tmp_path_factory, path):
    run = _hostile(path, tmp_path_factory)
    if run.h is None:
        pytest.skip("no function exercise with hidden tests")
    secrets = feedback_secrets(run.source)
    raw = "\n".join("\n".join(grading.strip_ansi(t) for t in o.traceback)
                    for o in _errors(_cell(run.autograded("hidden-only-wrong"), run.h.test_id)))
    assert any(s in raw for s in secrets), \
        "nbgrader's own traceback should show the hidden line (else this test tests nothing)"
    for student in run.results:
        if student == "search-disk":
            continue  # its own code quotes the hidden lines it searches for
        text = html_text(run.feedback(student))
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"the feedback of {student} shows hidden tests: {leaked[:3]}"


@pytest.mark.parametrize("path", _params(DEEP, "crash"))
def test_a_dying_kernel_costs_one_exercise(tmp_path_factory, path):
    run = _crash(path, tmp_path_factory)
    r = _check_expected(run, "os-exit")
    assert r["restarts"] == 1 and "died" in " ".join(r["events"])
    assert "kernel died" in html_text(run.feedback("os-exit"))


@pytest.mark.parametrize("path", _params(DEEP, "crash"))
def test_an_uninterruptible_cell_costs_one_timeout(tmp_path_factory, path):
    run = _crash(path, tmp_path_factory)
    r = _check_expected(run, "swallow-interrupt")
    assert r["restarts"] == 1, r["events"]
    normal = run.results["loop-and-exception"]["wall_s"]  # one timeout, no restart
    # one timeout + the grace before the restart + a second run from the top
    assert r["wall_s"] < 2 * normal + 60, (r["wall_s"], normal)


@pytest.mark.parametrize("path", _params(DEEP, "crash"))
def test_infinite_loop_and_exception_are_graded_in_bounded_time(tmp_path_factory, path):
    run = _crash(path, tmp_path_factory)
    r = _check_expected(run, "loop-and-exception")
    nb = run.autograded("loop-and-exception")
    text = " ".join(o.ename for c in nb.cells for o in _errors(c))
    assert "CellTimeoutError" in text, "no cell was timed out"
    assert not r["restarts"], r["events"]


def test_wall_time_bound_is_reported(tmp_path_factory):
    """A submission slower than ``--wall`` is stopped; what was not reached scores 0."""
    run = Run(FIXTURE, _work(tmp_path_factory, "fixture-wall"))
    exs = run.exercises
    slow = run.source
    for ex in exs:
        slow = subs.hostile(slow, ex, subs.SLEEP % {"seconds": 6}, stub=False)
    run.add("slow", slow)
    run.grade(timeout=30, wall=10)
    r = run.results["slow"]
    assert r["wall_hit"], r["events"]
    assert r["score"] < r["max_score"]
    assert "wall-time bound reached" in (run.course / "grades.csv").read_text()
    assert r["wall_s"] < 10 + 15, r["wall_s"]


# --------------------------------------------------------------------------- 3 the bundle

def _bundle(tmp_path_factory):
    def make():
        out = _work(tmp_path_factory, "bundle")
        grading.release(ALL[1:], out / "release", out / "course")
        return out / "release"

    return _cached(("bundle",), make, tmp_path_factory)


def test_bundle_holds_the_course_and_nothing_else(tmp_path_factory):
    bundle = _bundle(tmp_path_factory)
    files = {str(p.relative_to(bundle)) for p in grading.bundle_files(bundle)}
    allowed_top = {"README.md", "requirements.txt", "environment.yml"} | \
        {p.name for p in ALL[1:]}
    extra = {f for f in files if "/" not in f and f not in allowed_top}
    extra |= {f for f in files if "/" in f and not f.startswith("helpers/")
              and f not in {"results/RESULTS.md", "results/BENCH.md",
                            "results/word2vec_reference.json", "docs/glossary.md"}}
    assert not extra, f"unexpected files in the bundle: {sorted(extra)}"
    assert {p.name for p in ALL[1:]} <= files
    assert "results/RESULTS.md" in files, "the notebooks cite results/RESULTS.md"
    assert "docs/glossary.md" in files, "notebook 00 points students at docs/glossary.md"
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]
    readme = (bundle / "README.md").read_text()
    assert "pip install -r requirements.txt" in readme and "jupyter lab" in readme
    assert (bundle / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()


def _bundle_secrets(paths=None):
    secrets = {}
    for path in paths or [p for p in GRADED if p != FIXTURE]:
        nb = nbformat.read(path, as_version=4)
        for kind in ("solution", "hidden"):
            for line in secret_lines(nb, kind):
                secrets.setdefault(line, f"{path.stem} {kind}")
    return secrets


def _bundle_hits(bundle, files, secrets, min_length=1):
    found = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        if f.suffix == ".ipynb":
            nb = nbformat.reads(text, as_version=4)
            lines = {x.strip() for c in nb.cells for x in c.source.split("\n")}
        else:
            lines = {x.strip() for x in text.split("\n")}
        for line in sorted(lines & set(secrets)):
            if len(line) >= min_length:
                found.append(f"{f.relative_to(bundle)}: {secrets[line]} line {line!r}")
        if grading.BEGIN_SOLUTION in text or grading.BEGIN_HIDDEN in text:
            found.append(f"{f.relative_to(bundle)}: an nbgrader BEGIN marker")
    return found


def test_bundle_notebooks_and_readme_have_no_solution_or_hidden_test_line(tmp_path_factory):
    """Every file of the bundle but ``helpers/``: not one solution or hidden-test line."""
    bundle = _bundle(tmp_path_factory)
    found = []
    for f in grading.bundle_files(bundle):
        if "helpers" in f.relative_to(bundle).parts:
            continue
        source = ROOT / "notebooks" / f.name
        if f.suffix == ".ipynb" and source.exists():  # its own solutions and hidden tests
            found += _bundle_hits(bundle, [f], _bundle_secrets([source]))
        else:  # README, requirements: no distinctive line of any notebook
            found += _bundle_hits(bundle, [f], _bundle_secrets(), min_length=25)
    assert not found, "the bundle gives answers away:\n  " + "\n  ".join(found[:40])


# Library modules with public functions that answer an exercise and that the course uses at
# run time (later notebooks, or the notebook itself outside its exercises): they stay in the
# all-notebooks bundle, as INSTRUCTORS.md says. {bundle path: notebooks whose lines may match}
LIBRARY_ANSWERS = {
    "helpers/metrics.py": {"10"},  # confusion_matrix: notebooks 10, 13, 14
    "helpers/numpy_nn/activations.py": {"05"},  # leaky ReLU, stable sigmoid: 05's own plots
    "helpers/numpy_nn/attention.py": {"18"},  # the attention 18 trains with
    "helpers/numpy_nn/conv.py": {"12"},  # conv_output_size: the conv layers of 12 and 13
    "helpers/numpy_nn/rnn.py": {"02", "15", "16"},  # the RNN/LSTM layers 15-17 train with
}
# What stands in for the tests' private references in the bundle (tools/grading/replay.py).
CASE_FILES = ("helpers/_answers_", "helpers/torch_nn/_cnn_cases.py", "helpers/_replay")


def _helpers_files(bundle):
    return [f for f in grading.bundle_files(bundle) if "helpers" in f.relative_to(bundle).parts]


def test_bundle_helpers_have_no_solution_line(tmp_path_factory):
    """``helpers/``: no distinctive (>= 25 characters) solution or hidden-test line, except
    in the library modules of ``LIBRARY_ANSWERS`` (used at run time); the tests' references
    are precomputed values, not code."""
    bundle = _bundle(tmp_path_factory)
    found = _bundle_hits(bundle, _helpers_files(bundle), _bundle_secrets(), min_length=25)
    allowed = [f for f in found if f.split(": ", 1)[0] in LIBRARY_ANSWERS and f.split(
        ": ", 1)[1][:2] in LIBRARY_ANSWERS[f.split(": ", 1)[0]]]
    leaks = [f for f in found if f not in allowed]
    assert not leaks, f"helpers/ gives {len(leaks)} answer lines away:\n  " + \
        "\n  ".join(leaks[:60])


def test_bundle_holds_no_reference_code_and_no_hidden_case(tmp_path_factory):
    """No ``def _reference*`` anywhere in the bundle's helpers; in ``_answers_NN`` and
    ``_cnn_cases`` no ``cases_*`` function and no code building a ``Case`` (only stubs, and
    helpers that run the student's function); no value was recorded from a hidden case
    (``hidden=True``) and no table holds a hidden-test line."""
    import ast
    import pickle

    bundle = _bundle(tmp_path_factory)
    bad = []
    for f in _helpers_files(bundle):
        rel = str(f.relative_to(bundle))
        if f.suffix != ".py":
            continue
        text = f.read_text(encoding="utf-8")
        if rel.startswith(CASE_FILES[:2]) and "Case(" in text:
            bad.append(f"{rel}: builds a Case (case-building code left in the bundle)")
        tree = ast.parse(text)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and (node.name.startswith("_reference") or (
                    rel.startswith(CASE_FILES[:2]) and node.name.startswith("cases_"))):
                bad.append(f"{rel}: def {node.name}")
    assert not bad, bad
    tables = list((bundle / "helpers" / "_replay_data").glob("*.pkl"))
    assert tables, "no precomputed values in the bundle"
    text = "".join(p.read_bytes().decode("utf-8", "replace") for p in tables)
    assert "'hidden': True" not in text
    for t in tables:
        for name, rows in pickle.loads(t.read_bytes()).items():
            assert "hidden" not in name or not rows, f"{t.name}: {name} was recorded"
    hidden = {line for line, where in _bundle_secrets().items() if where.endswith("hidden")}
    assert not [h for h in hidden if len(h) >= 25 and h in text]


def test_one_assignment_bundle_holds_only_its_values(tmp_path_factory):
    """``make release NB=07``: the notebook's visible tests work from precomputed values, the
    private references raise, no other notebook's values are in it, and the library modules
    07 never imports (those answering later exercises: rnn, attention, conv ...) are not
    either: no solution line of 07 or of a later notebook is in its helpers."""
    import pickle
    import subprocess
    import sys

    path = next(p for p in GRADED if p.name.startswith("07"))
    out = _work(tmp_path_factory, "bundle07")
    grading.release([path], out / "release", out / "course")
    bundle = out / "release"
    found = _bundle_hits(bundle, _helpers_files(bundle), _bundle_secrets(), min_length=25)
    # earlier notebooks' library answers it runs on (05's activations via helpers.numpy_nn)
    # may be there; nothing of 07 itself or of a later notebook
    assert not [f for f in found if f.split(": ", 1)[1][:2] >= "07"], found
    assert all(f.split(": ", 1)[0] in LIBRARY_ANSWERS for f in found), found
    assert not (bundle / "helpers" / "numpy_nn" / "rnn.py").exists()
    assert (bundle / "helpers" / "numpy_nn" / "optim.py").exists()
    for t in (bundle / "helpers" / "_replay_data").glob("*.pkl"):
        rows = pickle.loads(t.read_bytes())
        if t.stem.startswith("helpers._answers_") and t.stem != "helpers._answers_07":
            assert not any(rows.values()), f"{t.stem} holds values in 07's bundle"
    code = (f"import sys; sys.path.insert(0, {str(bundle)!r})\n"
            "import numpy as np\n"
            "import helpers\n"
            f"assert helpers.__file__.startswith({str(bundle)!r}), helpers.__file__\n"
            "from helpers._answers_07 import cases_ewa\n"
            "from helpers.numpy_nn import optim\n"
            "c = cases_ewa()[1]\n"
            "assert c.label == 'a ramp' and len(c.mistakes) >= 3, c\n"
            "assert callable(c.mistakes[0][0]) and c.mistakes[0][0](np.array([np.inf]))\n"
            "try:\n    optim._reference_ewa_variants(np.ones(3), 0.5)\n"
            "except LookupError as e:\n    print('raises:', e)\n"
            + WRONG_EWA + TWIN_MOMENTUM)
    proc = subprocess.run([sys.executable, "-c", code], cwd=bundle, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "raises:" in proc.stdout, proc.stdout
    # a wrong answer gets the same message from the bundle as from the instructor's helpers
    mine = subprocess.run([sys.executable, "-c", "from helpers._answers_07 import cases_ewa\n"
                           + WRONG_EWA], cwd=ROOT, capture_output=True, text=True, check=False)
    # calling the library's own version of the exercise (it is in the bundle) fails, named
    assert "twin: ✗ momentum_update: case 1" in proc.stdout, proc.stdout
    assert "calls `helpers.numpy_nn.optim.sgd_momentum`" in proc.stdout, proc.stdout
    said = [x for x in proc.stdout.splitlines() if x.startswith("message:")]
    assert said and said == [x for x in mine.stdout.splitlines() if x.startswith("message:")]


# An EWA without bias correction, checked against the visible cases: prints the message.
WRONG_EWA = """
import numpy as np
from helpers.checks import check_function
def ewa_corrected(values, beta):
    out, V = [], 0.0
    for a in values:
        V = beta * V + (1 - beta) * a
        out.append(V)
    return np.array(out)
try:
    check_function(ewa_corrected, cases_ewa())
except AssertionError as err:
    print("message:", " ".join(str(err).split()))
"""

# The exercise "delegated" to the library's momentum rule, compiled as a notebook cell is.
TWIN_MOMENTUM = """
exec(compile('''
from helpers.numpy_nn.optim import sgd_momentum
def momentum_update(w, dw, v, lr, mu):
    w, config = sgd_momentum(w, dw, {"lr": lr, "momentum": mu, "velocity": v})
    return w, config["velocity"]
''', "<student cell>", "exec"))
from helpers._answers_07 import cases_momentum
try:
    check_function(momentum_update, cases_momentum(), no_helpers=True)
except AssertionError as err:
    print("twin:", " ".join(str(err).split()))
"""
