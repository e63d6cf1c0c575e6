"""Release and autograde every notebook with nbgrader, as an instructor would.

Every ``notebooks/*.ipynb`` with exercises (new notebooks are picked up by the glob) and the
fixture ``tests/fixtures/nbgrader_fixture.ipynb`` get ONE graded execution, in the grading
sandbox: a synthetic student who answered every exercise with the author's solution except
one, which is wrong (``W``), and one left as the release's stub (``S``), with a copy of the
release's test cell of ``W`` after the real one. That single run shows: the author's
answers get full marks in the sandbox, the wrong answer and the stub lose exactly their
points, the release's public checks give the source's message for the wrong answer, the
stub fails inside its own exercise only, the feedback shows no hidden test, and honest work
raises no tamper flag. (That the source passes its own tests, hidden ones included, is
nbval's run of the notebook.)

The fixture and one representative real notebook (``NN_GRADING_REPRESENTATIVE``, default
``03``; else the first graded notebook) also get the hostile students of
:mod:`tools.grading.submissions` (rebinding, code objects, monkeypatching, a patched
traceback display, searching the disk for solutions, editing and deleting locked cells,
``os._exit``, a loop that swallows ``KeyboardInterrupt``, an infinite loop, an exception,
the wall-time bound) plus correct, blank, one-wrong and hidden-only-wrong students; each
run writes a table (student, expected, actual, flags, wall time) next to its course dir
and prints it.

Each notebook's run is one xdist group (``make test`` runs ``-n 2 --dist loadgroup``), so it
happens once, on one worker. Notebooks without nbgrader cells are skipped.
"""

import copy
import html
import os
import re
from pathlib import Path

import nbformat
import pytest

from tools import grading
from tools.grading import submissions as subs

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "nbgrader_fixture.ipynb"
ALL = [FIXTURE, *sorted((ROOT / "notebooks").glob("*.ipynb"))]
TIMEOUT = 300  # seconds per cell in the ordinary runs (a safety net, never reached)
CRASH_TIMEOUT = {"fixture": 10, "notebook": 30}  # the runs with stuck cells
RELEASE_COPY = "release-test-copy"


def _graded(path):
    return grading.has_nbgrader_cells(nbformat.read(path, as_version=4))


GRADED = [p for p in ALL if _graded(p)]


def _representative():
    real = [p for p in GRADED if p != FIXTURE]
    want = os.environ.get("NN_GRADING_REPRESENTATIVE", "03")
    return next((p for p in real if p.name.startswith(want)), real[0] if real else None)


REPRESENTATIVE = _representative()
DEEP = [FIXTURE] + ([REPRESENTATIVE] if REPRESENTATIVE else [])


def _params(paths, group):
    return [pytest.param(p, id=p.stem, marks=pytest.mark.xdist_group(f"{group}-{p.stem}"))
            for p in paths]


# --------------------------------------------------------------------------- secret lines

def _strip_blocks(source, pairs):
    out, inside = [], False
    for line in source.split("\n"):
        if any(b in line for b, _ in pairs):
            inside = True
        elif any(e in line for _, e in pairs):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def _meaningful(line):
    s = line.strip()
    return bool(s) and not set(s) <= set("()[]{},:;") and s not in {"pass", "else:", "try:"}


def secret_lines(nb, kind):
    """Lines of the solution or hidden-test blocks that occur nowhere else in the notebook."""
    pairs = [(grading.BEGIN_SOLUTION, grading.END_SOLUTION),
             (grading.BEGIN_HIDDEN, grading.END_HIDDEN)]
    begin, end = pairs[0] if kind == "solution" else pairs[1]
    public = "\n".join(_strip_blocks(c.source, pairs) for c in nb.cells)
    public_lines = {x.strip() for x in public.split("\n")}
    found = set()
    for cell in nb.cells:
        for block in grading.regions(cell.source, begin, end):
            found |= {x.strip() for x in block if _meaningful(x)}
    return {s for s in found if s not in public_lines and s not in public}


def feedback_secrets(nb):
    """Hidden-test lines that must not be in any feedback: those a student may also have
    written (found in a solution block, e.g. the source's own answer) do not count."""
    solution = "\n".join("\n".join(block) for c in nb.cells for block in grading.regions(
        c.source, grading.BEGIN_SOLUTION, grading.END_SOLUTION))
    return {s for s in secret_lines(nb, "hidden") if s not in solution}


def html_text(path):
    """The text of an HTML file (tags removed, entities decoded; scripts included)."""
    raw = Path(path).read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def _cell(nb, grade_id):
    return next(c for c in nb.cells if grading.nbgrader_meta(c).get("grade_id") == grade_id)


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


# --------------------------------------------------------------------------- runs (cached)

_CACHE = {}


def _cached(key, make, tmp_path_factory):
    """The result of ``make()`` computed once per test session, even across xdist workers:
    the first worker to ask computes it under a file lock and pickles it for the others."""
    if key not in _CACHE:
        import fcntl
        import pickle

        shared = tmp_path_factory.getbasetemp()
        if os.environ.get("PYTEST_XDIST_WORKER"):
            shared = shared.parent
        name = "-".join(key)
        with open(shared / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            done = shared / f"{name}.pickle"
            if done.exists():
                _CACHE[key] = pickle.loads(done.read_bytes())
            else:
                try:
                    _CACHE[key] = make()
                except Exception as err:  # noqa: BLE001 - every test of this run reports it
                    _CACHE[key] = RuntimeError(f"{type(err).__name__}: {err}")
                done.write_bytes(pickle.dumps(_CACHE[key]))
    if isinstance(_CACHE[key], Exception):
        raise RuntimeError(f"the grading run {key} failed: {_CACHE[key]}")
    return _CACHE[key]


class Run:
    """One grading run of one notebook: release, students, results."""

    def __init__(self, path, work):
        self.path, self.work = path, work
        self.source = nbformat.read(path, as_version=4)
        self.exercises = subs.exercises(self.source)
        self.course = work / "course"
        self.release = None  # nbgrader's student version, read after grading
        self.students, self.results, self.expected = {}, {}, {}

    @property
    def full(self):
        return sum(e.points for e in self.exercises)

    def add(self, student, nb, expected=None):
        self.students[student] = nb
        if expected is not None:
            self.expected[student] = expected

    def grade(self, timeout, wall=grading.DEFAULT_WALL):
        folder = self.work / "submissions"
        for student, nb in self.students.items():
            (folder / student).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / student / self.path.name)
        self.results = {s: r for (s, _), r in grading.grade(
            folder, [self.path], self.course, timeout=timeout, wall=wall,
            budget="small", inprocess=True).items()}
        self.release = nbformat.read(self.course / "release" / self.path.stem / self.path.name,
                                     as_version=4)
        return self

    def autograded(self, student):
        p = self.course / "autograded" / student / self.path.stem / self.path.name
        return nbformat.read(p, as_version=4)

    def feedback(self, student):
        return self.course / "feedback" / student / self.path.stem / (self.path.stem + ".html")

    def table(self):
        rows = ["| submission | expected | actual | flag | wall s |", "|---|---:|---:|---|---:|"]
        for s, r in sorted(self.results.items()):
            exp = self.expected.get(s)
            rows.append(f"| {s} | {'' if exp is None else f'{exp:g}'} | {r['score']:g} "
                        f"/ {r['max_score']:g} | {grading.flag_summary(r)} | {r['wall_s']} |")
        text = f"{self.path.stem}\n" + "\n".join(rows)
        (self.work / "table.md").write_text(text + "\n")
        print("\n" + text)
        return text


def _work(tmp_path_factory, name):
    return tmp_path_factory.mktemp(name)


def _skip_plain(path):
    if path not in GRADED:
        pytest.skip(f"{path.name} has no nbgrader cells (no exercises): nothing to grade")


def _roles(exs):
    wrong = subs.pick(exs)
    stub = subs.pick(exs, avoid=[wrong]) if len(exs) > 1 else None
    return wrong, stub


def _mixed(run):
    """The one student of the ordinary run: W wrong, S stubbed, the release's W test copy."""
    w, s = _roles(run.exercises)
    nb = run.source
    if w is not None:
        nb = subs.wrong(nb, w)
    if s is not None:
        nb = subs.replace_solution(nb, s, subs.STUB)
    if w is not None:
        nb = copy.deepcopy(nb)
        at = next(i for i, c in enumerate(nb.cells)
                  if grading.nbgrader_meta(c).get("grade_id") == w.test_id)
        copy_cell = nbformat.v4.new_code_cell(
            grading.without_hidden_tests(_cell(run.source, w.test_id).source))
        copy_cell.metadata["tags"] = [RELEASE_COPY]
        nb.cells.insert(at + 1, copy_cell)
    lost = sum(e.points for e in (w, s) if e)
    return nb, w, s, run.full - lost


def _ordinary(path, tmp_path_factory):
    def make():
        run = Run(path, _work(tmp_path_factory, path.stem))
        nb, run.w, run.s, expected = _mixed(run)
        run.add("mixed", nb, expected)
        return run.grade(TIMEOUT)

    return _cached(("ordinary", path.stem), make, tmp_path_factory)


# --------------------------------------------------------------------------- 1 ordinary

@pytest.mark.parametrize("path", _params(ALL, "grade"))
def test_release_has_no_solution_or_hidden_test_lines(tmp_path_factory, path):
    _skip_plain(path)
    run = _ordinary(path, tmp_path_factory)
    released = {x.strip() for c in run.release.cells for x in c.source.split("\n")}
    for kind in ("solution", "hidden"):
        leaked = secret_lines(run.source, kind) & released
        assert not leaked, f"{kind} lines in the release of {path.name}: {sorted(leaked)[:5]}"
    for c in run.release.cells:
        assert grading.BEGIN_SOLUTION not in c.source and grading.BEGIN_HIDDEN not in c.source
    assert not any(c.get("outputs") for c in run.release.cells), "the release has outputs"


@pytest.mark.parametrize("path", _params(ALL, "grade"))
def test_answers_score_their_points_in_the_sandbox(tmp_path_factory, path):
    """The author's answers get their points, the wrong one and the stub lose theirs."""
    from nbgrader.validator import Validator

    _skip_plain(path)
    run = _ordinary(path, tmp_path_factory)
    r = run.results["mixed"]
    zero = {e.test_id for e in (run.w, run.s) if e}
    wrong = {gid: f"{score:g}/{top:g}" for gid, (score, top) in r["cells"].items()
             if score != (0 if gid in zero else top)}
    assert not wrong, f"expected 0 for {sorted(zero)} and full marks elsewhere, got {wrong}"
    assert r["score"] == run.expected["mixed"] and r["max_score"] == run.full
    assert not r["flags"], f"honest work was flagged as tampering: {r['flags']}"
    assert not r["restarts"] and not r["wall_hit"], r["events"]
    failed = Validator()._get_failed_cells(run.autograded("mixed"))
    assert {grading.nbgrader_meta(c)["grade_id"] for c in failed} == zero


@pytest.mark.parametrize("path", _params(ALL, "grade"))
def test_release_public_checks_give_the_source_messages(tmp_path_factory, path):
    _skip_plain(path)
    run = _ordinary(path, tmp_path_factory)
    if run.w is None:
        pytest.skip("no exercise defines a function or value the test cell uses")
    nb = run.autograded("mixed")
    got = _errors(_cell(nb, run.w.test_id))
    at = next(i for i, c in enumerate(nb.cells) if RELEASE_COPY in c.metadata.get("tags", []))
    public = _errors(nb.cells[at])
    assert got, f"{run.w.test_id}: the source's checks accept the wrong answer"
    assert public, f"{run.w.test_id}: the release's public checks accept the wrong answer"
    assert (got[0].ename, got[0].evalue) == (public[0].ename, public[0].evalue)


@pytest.mark.parametrize("path", _params(ALL, "grade"))
def test_an_unanswered_exercise_fails_in_its_own_cells_only(tmp_path_factory, path):
    _skip_plain(path)
    run = _ordinary(path, tmp_path_factory)
    nb = run.autograded("mixed")
    if run.s is not None:
        err = _errors(_cell(nb, run.s.test_id))
        assert err, f"{run.s.test_id} passes without an answer"
        names = set()
        for part in subs._defined(run.source.cells[run.s.solution_index].source):
            names |= set(part)
        ok = err[0].ename in {"NotImplementedError", "CheckFailed", "AssertionError"} or (
            err[0].ename == "NameError" and any(f"'{n}'" in err[0].evalue for n in names))
        assert ok, f"{run.s.test_id}: {err[0].ename}: {err[0].evalue}"
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and not grading.nbgrader_meta(c) \
                and RELEASE_COPY not in c.metadata.get("tags", []):
            assert not _errors(c), f"cell {i} (not an exercise) fails: " + \
                f"{_errors(c)[0].ename}: {_errors(c)[0].evalue}"


@pytest.mark.parametrize("path", _params(ALL, "grade"))
def test_feedback_shows_no_hidden_test(tmp_path_factory, path):
    _skip_plain(path)
    run = _ordinary(path, tmp_path_factory)
    secrets = feedback_secrets(run.source)
    if not secrets:
        pytest.skip("no hidden tests")
    text = html_text(run.feedback("mixed"))
    leaked = [s for s in secrets if s in text]
    assert not leaked, f"the feedback shows hidden tests: {leaked[:3]}"
    assert grading.HIDDEN_NOTE in text


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


@pytest.mark.xdist_group("bundle")
def test_bundle_holds_the_course_and_nothing_else(tmp_path_factory):
    bundle = _bundle(tmp_path_factory)
    files = {str(p.relative_to(bundle)) for p in grading.bundle_files(bundle)}
    allowed_top = {"README.md", "requirements.txt", "environment.yml"} | \
        {p.name for p in ALL[1:]}
    extra = {f for f in files if "/" not in f and f not in allowed_top}
    extra |= {f for f in files if "/" in f and not f.startswith("helpers/")}
    assert not extra, f"unexpected files in the bundle: {sorted(extra)}"
    assert {p.name for p in ALL[1:]} <= files
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


@pytest.mark.xdist_group("bundle")
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


@pytest.mark.xdist_group("bundle")
@pytest.mark.xfail(reason="helpers/ holds the course's library (Part I layers the later "
                   "notebooks use) and the private exercise references (helpers/_answers_*.py) "
                   "that the visible test cells import: both contain answers. Shipping the "
                   "bundle without them needs a decision (stub the library per notebook, or "
                   "precomputed expected values instead of references); see the list.",
                   strict=False)
def test_bundle_helpers_have_no_solution_line(tmp_path_factory):
    """``helpers/``: no distinctive (>= 25 characters) solution or hidden-test line."""
    bundle = _bundle(tmp_path_factory)
    files = [f for f in grading.bundle_files(bundle) if "helpers" in f.relative_to(
        bundle).parts]
    found = _bundle_hits(bundle, files, _bundle_secrets(), min_length=25)
    assert not found, f"helpers/ gives {len(found)} answer lines away:\n  " + \
        "\n  ".join(found[:60])
