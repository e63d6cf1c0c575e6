"""Release and autograde every notebook with nbgrader, as an instructor would.

For every ``notebooks/*.ipynb`` with exercises (new notebooks are picked up by the glob) and
the fixture ``tests/fixtures/nbgrader_fixture.ipynb``, one job (a child process running
``tools.grading``) releases the notebook, grades two synthetic students in one nbgrader run
(the source itself and the untouched release) and executes the release with one wrong
answer inserted, followed by a copy of the source's test cell for that exercise, so that
one run shows the public check's message in both. The fixture and the notebook with the
most exercises (the "representative", chosen automatically) also get a student with exactly
one wrong answer, one whose answer is wrong only on the hidden cases and who edited a locked
test cell, and (in a second run with a short per-cell timeout) one with an infinite loop in
one exercise and an exception in another.

Jobs run in a thread pool (``NN_GRADING_TEST_WORKERS``, default 2) at the small budget;
each test waits for its notebook's job. Notebooks without nbgrader cells are skipped.
"""

import copy
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from tools import grading
from tools.grading import submissions as subs

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "nbgrader_fixture.ipynb"
ALL = [FIXTURE, *sorted((ROOT / "notebooks").glob("*.ipynb"))]
WORKERS = int(os.environ.get("NN_GRADING_TEST_WORKERS", "2"))
TIMEOUT = 300  # seconds per cell in the ordinary runs (a safety net, never reached)
LOOP_TIMEOUT = 30  # seconds per cell in the run with the infinite loop
FIXTURE_LOOP_TIMEOUT = 10  # the fixture's cells take milliseconds
SOURCE_COPY = "source-test-copy"


def _graded(path):
    return grading.has_nbgrader_cells(nbformat.read(path, as_version=4))


GRADED = [p for p in ALL if _graded(p)]


def _representative():
    real = [p for p in GRADED if p != FIXTURE]
    if not real:
        return None
    return max(real, key=lambda p: (len(subs.exercises(nbformat.read(p, as_version=4))),
                                    -real.index(p)))


REPRESENTATIVE = _representative()
DEEP = [FIXTURE] + ([REPRESENTATIVE] if REPRESENTATIVE else [])


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


# --------------------------------------------------------------------------- jobs

@dataclass
class Run:
    path: Path
    source: object
    release: object = None
    release_path: Path = None
    exercises: list = field(default_factory=list)
    roles: dict = field(default_factory=dict)  # role -> Exercise
    results: dict = field(default_factory=dict)  # student -> gradebook entry
    course: Path = None
    released_wrong: object = None  # the release with the wrong answer, executed
    times: dict = field(default_factory=dict)

    def autograded(self, student):
        p = self.course / "autograded" / student / self.path.stem / self.path.name
        return nbformat.read(p, as_version=4)

    def feedback(self, student):
        return self.course / "feedback" / student / self.path.stem / (self.path.stem + ".html")


def _write(folder, student, nb, name):
    d = folder / student
    d.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, d / name)


def _execute(nb, work, name):
    """Execute a notebook as a student would (errors kept), at the small budget."""
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=TIMEOUT, allow_errors=True,
                   resources={"metadata": {"path": str(work)}}).execute()
    nbformat.write(nb, work / ("executed_" + name))
    return nb


def _plan(path, deep):
    """The synthetic students of a notebook: ``{student: notebook}`` and the exercises."""
    source = nbformat.read(path, as_version=4)
    exs = subs.exercises(source)
    roles = {"wrong": subs.pick(exs)}
    plan = {"source": source}
    if deep:
        if roles["wrong"]:
            plan["wrong"] = subs.wrong(source, roles["wrong"])
        # one student: wrong only on the hidden cases of one exercise, and an edited test cell
        hidden = roles["hidden"] = subs.pick(exs, need_function=True, need_hidden=True)
        edit = roles["edit"] = subs.pick(exs, avoid=[hidden]) if exs else None
        tricky = source
        if hidden:
            tricky = subs.wrong(tricky, hidden, hidden_only=True)
        if edit:
            tricky = subs.edit_test_cell(tricky, edit)
        if hidden or edit:
            plan["tricky"] = tricky
    roles["loop"] = subs.pick(exs)
    roles["boom"] = subs.pick(exs, avoid=[roles["loop"]])
    return source, exs, roles, plan


def _with_source_check(release, source, ex):
    """The release, plus a copy of the source's test cell (hidden tests included) right after
    the release's test cell of ``ex``: one run gives both messages for the same answer."""
    nb = copy.deepcopy(release)
    at = next(i for i, c in enumerate(nb.cells)
              if grading.nbgrader_meta(c).get("grade_id") == ex.test_id)
    cell = nbformat.v4.new_code_cell(source.cells[ex.test_index].source)
    cell.metadata["tags"] = [SOURCE_COPY]
    nb.cells.insert(at + 1, cell)
    return nb


def _child_job(path, work, deep):
    """Runs in a child process (nbgrader changes directory): release, grade, execute."""
    times = {}
    t0 = time.monotonic()
    release_path = grading.release([path], work / "release", work / "course_release",
                                   inprocess=True)[0]
    release = nbformat.read(release_path, as_version=4)
    times["release"] = time.monotonic() - t0
    source, exs, roles, plan = _plan(path, deep)
    plan["release"] = release
    folder = work / "submissions"
    for student, nb in plan.items():
        _write(folder, student, nb, path.name)
    t0 = time.monotonic()
    grading.grade(folder, [path], work / "course", timeout=TIMEOUT, budget="small",
                  inprocess=True)
    times["grade"] = time.monotonic() - t0
    if roles["wrong"]:
        t0 = time.monotonic()
        ex = roles["wrong"]
        wrong_release = subs.transplant(release, subs.wrong(source, ex), ex)
        _execute(_with_source_check(wrong_release, source, ex), work, path.name)
        times["execute release"] = time.monotonic() - t0
    (work / "times.json").write_text(json.dumps(times))


def _child_loop_job(path, work):
    """A student with an infinite loop in one exercise and an exception in another."""
    source, exs, roles, _ = _plan(path, False)
    nb = subs.infinite_loop(source, roles["loop"])
    if roles["boom"]:
        nb = subs.exception(nb, roles["boom"])
    folder = work / "submissions"
    _write(folder, "looping", nb, path.name)
    t0 = time.monotonic()
    grading.grade(folder, [path], work / "course", timeout=_loop_timeout(path),
                  budget="small", inprocess=True)
    (work / "times.json").write_text(json.dumps({"grade": time.monotonic() - t0}))


def _loop_timeout(path):
    return FIXTURE_LOOP_TIMEOUT if path == FIXTURE else LOOP_TIMEOUT


def _spawn(kind, path, work, deep=False):
    cmd = [sys.executable, __file__, kind, str(path), str(work), "1" if deep else "0"]
    proc = subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True,
                          env=grading.grading_env("small"))
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {path.name} failed:\n{proc.stdout[-2000:]}\n"
                           f"{proc.stderr[-6000:]}")
    return json.loads((work / "times.json").read_text())


def _job(path, work, deep):
    times = _spawn("_job", path, work, deep)
    source, exs, roles, plan = _plan(path, deep)
    run = Run(path, source, exercises=exs, roles=roles, times=times, course=work / "course")
    run.release_path = work / "release" / path.name
    run.release = nbformat.read(run.release_path, as_version=4)
    run.results = {student: r for (student, _), r in grading.read_gradebook(run.course).items()}
    executed = work / ("executed_" + path.name)
    if executed.exists():
        run.released_wrong = nbformat.read(executed, as_version=4)
    return run


def _loop_job(path, work):
    times = _spawn("_loop", path, work)
    _, _, roles, _ = _plan(path, False)
    results = grading.read_gradebook(work / "course")
    return (roles["loop"], roles["boom"], results[("looping", path.stem)], times["grade"],
            work / "course")


@pytest.fixture(scope="session")
def jobs(request, tmp_path_factory):
    env_backup = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    if WORKERS > 1:  # kernels run side by side: one thread each
        for k in env_backup:
            os.environ.setdefault(k, "1")
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    futures = {}
    # only the notebooks of the selected tests (-k), slowest jobs first
    # (nbval's notebook-cell items have no .module, hence getattr)
    selected = [item for item in request.session.items
                if getattr(getattr(item, "module", None), "__name__", None) == __name__
                and hasattr(item, "callspec")]
    needed = {item.callspec.params["path"] for item in selected}
    loops = {item.callspec.params["path"] for item in selected
             if item.originalname == "test_infinite_loop_and_exception_are_graded_in_bounded_time"}
    for path in sorted(set(GRADED) & needed, key=lambda p: (p not in DEEP, p == FIXTURE)):
        work = tmp_path_factory.mktemp(path.stem)
        futures[path.stem] = pool.submit(_job, path, work, path in DEEP)
        if path in loops:
            futures[path.stem + ":loop"] = pool.submit(
                _loop_job, path, tmp_path_factory.mktemp(path.stem + "_loop"))
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)
    for k, v in env_backup.items():
        if v is None:
            os.environ.pop(k, None)
    shutil.rmtree(tmp_path_factory.getbasetemp(), ignore_errors=True)


def _skip_plain(path):
    if path not in GRADED:
        pytest.skip(f"{path.name} has no nbgrader cells (no exercises): nothing to grade")


def _run(jobs, path) -> Run:
    _skip_plain(path)
    return jobs[path.stem].result()


def _cell(nb, grade_id):
    return next(c for c in nb.cells if grading.nbgrader_meta(c).get("grade_id") == grade_id)


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


ids = {"ids": lambda p: p.stem}


# --------------------------------------------------------------------------- 1 release

@pytest.mark.parametrize("path", ALL, **ids)
def test_release_has_no_solution_or_hidden_test_lines(jobs, path):
    run = _run(jobs, path)
    released = {x.strip() for c in run.release.cells for x in c.source.split("\n")}
    for kind in ("solution", "hidden"):
        leaked = secret_lines(run.source, kind) & released
        assert not leaked, f"{kind} lines in the release of {path.name}: {sorted(leaked)[:5]}"
    for c in run.release.cells:
        assert grading.BEGIN_SOLUTION not in c.source and grading.BEGIN_HIDDEN not in c.source
    assert not any(c.get("outputs") for c in run.release.cells), "the release has outputs"


# --------------------------------------------------------------------------- 2, 3 grades

@pytest.mark.parametrize("path", ALL, **ids)
def test_source_gets_full_marks_and_validates(jobs, path):
    from nbgrader.validator import Validator

    run = _run(jobs, path)
    r = run.results["source"]
    lost = {k: v for k, v in r["cells"].items() if v[0] != v[1]}
    assert r["max_score"] > 0 and r["score"] == r["max_score"], f"points lost: {lost}"
    # nbgrader validate's verdict on the executed source (the autograded copy)
    nb = run.autograded("source")
    failed = Validator()._get_failed_cells(nb)
    assert not failed, [grading.nbgrader_meta(c)["grade_id"] for c in failed]


@pytest.mark.parametrize("path", ALL, **ids)
def test_untouched_release_gets_zero(jobs, path):
    run = _run(jobs, path)
    r = run.results["release"]
    assert r["max_score"] == run.results["source"]["max_score"]
    assert r["score"] == 0, {k: v for k, v in r["cells"].items() if v[0]}


# --------------------------------------------------------------------------- 4 one wrong

@pytest.mark.parametrize("path", DEEP, **ids)
def test_one_wrong_answer_loses_exactly_its_points(jobs, path):
    run = _run(jobs, path)
    ex = run.roles["wrong"]
    if ex is None:
        pytest.skip("no exercise defines a function or value the test cell uses")
    r, full = run.results["wrong"], run.results["source"]
    assert r["cells"][ex.test_id][0] == 0, f"{ex.solution_id}: the wrong answer was accepted"
    assert r["score"] == full["max_score"] - ex.points
    others = {k: v for k, v in r["cells"].items() if k != ex.test_id and v[0] != v[1]}
    assert not others, f"other exercises lost points too: {others}"


# --------------------------------------------------------------------------- 5 loop

@pytest.mark.parametrize("path", DEEP, **ids)
def test_infinite_loop_and_exception_are_graded_in_bounded_time(jobs, path):
    loop, boom, r, seconds, course = jobs[path.stem + ":loop"].result()
    zero = {loop.test_id} | ({boom.test_id} if boom else set())
    for gid, (score, max_score) in r["cells"].items():
        expected = 0 if gid in zero else max_score
        assert score == expected, f"{gid}: {score} / {max_score}, expected {expected}"
    nb = nbformat.read(course / "autograded" / "looping" / path.stem / path.name, as_version=4)
    text = " ".join(o.ename for c in nb.cells for o in _errors(c))
    assert "KeyboardInterrupt" in text or "CellTimeoutError" in text, "no cell was timed out"
    normal = jobs[path.stem].result().times["grade"]
    assert seconds < normal + 4 * _loop_timeout(path) + 60, (seconds, normal)


# --------------------------------------------------------------------------- 6 edit

def _tricky_expected(run):
    """Score of the student with a hidden-only wrong answer and an edited test cell."""
    lost = {e.test_id: e.points for e in (run.roles["hidden"], run.roles["edit"]) if e}
    return run.results["source"]["max_score"] - sum(lost.values()), lost


@pytest.mark.parametrize("path", DEEP, **ids)
def test_edited_locked_test_cell_gets_no_credit(jobs, path):
    run = _run(jobs, path)
    ex = run.roles["edit"]
    if ex is None:
        pytest.skip("no exercise to edit")
    r = run.results["tricky"]
    expected, lost = _tricky_expected(run)
    assert r["cells"][ex.test_id][0] == 0, "the edited test cell got credit"
    assert r["score"] == expected
    # what was graded is the instructor's test cell, not the student's
    assert _cell(run.autograded("tricky"), ex.test_id).source == \
        _cell(run.source, ex.test_id).source


# --------------------------------------------------------------------------- 7 release runs

@pytest.mark.parametrize("path", ALL, **ids)
def test_release_public_checks_give_the_source_messages(jobs, path):
    run = _run(jobs, path)
    ex = run.roles["wrong"]
    if ex is None:
        pytest.skip("no exercise defines a function or value the test cell uses")
    nb = run.released_wrong
    got = _errors(_cell(nb, ex.test_id))
    at = next(i for i, c in enumerate(nb.cells) if SOURCE_COPY in c.metadata.get("tags", []))
    want = _errors(nb.cells[at])
    assert want, "the wrong answer raised nothing in the source's test cell"
    assert got, f"{ex.test_id}: the release's public checks accept the wrong answer"
    assert (got[0].ename, got[0].evalue) == (want[0].ename, want[0].evalue)
    # the untouched exercises fail as unanswered, not with a broken notebook
    solution_names = set()
    for e in run.exercises:
        f, v, c = subs._defined(run.source.cells[e.solution_index].source)
        solution_names |= set(f) | set(v) | set(c)
    for e in run.exercises:
        if e is ex:
            continue
        errs = _errors(_cell(run.released_wrong, e.test_id))
        assert errs, f"{e.test_id} passes in the release without an answer"
        err = errs[0]
        ok = err.ename in {"NotImplementedError", "CheckFailed", "AssertionError"} or (
            err.ename == "NameError" and any(f"'{n}'" in err.evalue for n in solution_names))
        assert ok, f"{e.test_id}: {err.ename}: {err.evalue}"
    for i, c in enumerate(run.released_wrong.cells):
        if c.cell_type == "code" and not grading.nbgrader_meta(c) and i != at:
            assert not _errors(c), f"cell {i} (not an exercise) fails in the release: " + \
                f"{_errors(c)[0].ename}: {_errors(c)[0].evalue}"


# --------------------------------------------------------------------------- feedback

@pytest.mark.parametrize("path", ALL, **ids)
def test_feedback_shows_no_hidden_test(jobs, path):
    run = _run(jobs, path)
    secrets = feedback_secrets(run.source)
    if not secrets:
        pytest.skip("no hidden tests")
    for student in run.results:
        text = html_text(run.feedback(student))
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"feedback of {student} shows hidden tests: {leaked[:3]}"
        assert grading.HIDDEN_NOTE in text


@pytest.mark.parametrize("path", DEEP, **ids)
def test_failing_hidden_case_is_graded_and_not_leaked(jobs, path):
    run = _run(jobs, path)
    ex = run.roles["hidden"]
    if ex is None:
        pytest.skip("no function exercise with hidden tests")
    r = run.results["tricky"]
    assert r["cells"][ex.test_id][0] == 0, "the hidden cases did not catch the wrong answer"
    assert r["score"] == _tricky_expected(run)[0]
    secrets = feedback_secrets(run.source)
    raw = "\n".join("\n".join(grading.strip_ansi(t) for t in o.traceback)
                    for o in _errors(_cell(run.autograded("tricky"), ex.test_id)))
    assert any(s in raw for s in secrets), \
        "nbgrader's own traceback should show the hidden line (else this test tests nothing)"
    text = html_text(run.feedback("tricky"))
    assert not [s for s in secrets if s in text]
    assert "hidden case" in text or "Error" in text, "the check's message is kept"


if __name__ == "__main__":  # a grading job in a child process (see _spawn)
    kind, nb_path, work_dir, deep_flag = sys.argv[1:5]
    if kind == "_job":
        _child_job(Path(nb_path), Path(work_dir), deep_flag == "1")
    else:
        _child_loop_job(Path(nb_path), Path(work_dir))
