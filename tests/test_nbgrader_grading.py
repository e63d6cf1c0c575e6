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

The hostile students, the wall-time bound and the student bundle are in
``tests/test_nbgrader_hostile.py`` (a second file, so that ``make test``'s two workers,
``--dist loadfile``, grade both sides at once). A grading run happens once per session even
if two workers ask for it (a file lock; the result is pickled). Notebooks without nbgrader
cells are skipped.
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


def _params(paths, kind=None):
    return [pytest.param(p, id=p.stem) for p in paths]


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
    """A line that could give something away: not punctuation, not a keyword alone, and not
    an import (hidden tests import what only they use; a module's name is no secret)."""
    s = line.strip()
    return (bool(s) and not set(s) <= set("()[]{},:;") and s not in {"pass", "else:", "try:"}
            and not re.match(r"(from \S+ )?import \S", s))


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


def _dependents(source, exs, ex):
    """Exercises whose cells use what the solution cell of ``ex`` defines (their score may
    follow ``ex``'s: an unanswered function makes them raise too)."""
    if ex is None:
        return set()
    names = set()
    for part in subs._defined(source.cells[ex.solution_index].source):
        names |= set(part)
    return {e.test_id for e in exs if e is not ex and names & (
        subs._used(source.cells[e.solution_index].source)
        | subs._used(source.cells[e.test_index].source))}


def _roles(source, exs):
    wrong = subs.pick(exs)
    others = [e for e in exs if e is not wrong]
    stub = min(others, key=lambda e: (len(_dependents(source, exs, e)), -e.solution_index),
               default=None)
    return wrong, stub


def _mixed(run):
    """The one student of the ordinary run: W wrong, S stubbed, the release's W test copy."""
    w, s = _roles(run.source, run.exercises)
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
    either = (_dependents(run.source, run.exercises, run.w)
              | _dependents(run.source, run.exercises, run.s)) - zero
    wrong = {gid: f"{score:g}/{top:g}" for gid, (score, top) in r["cells"].items()
             if gid not in either and score != (0 if gid in zero else top)}
    assert not wrong, (f"expected 0 for {sorted(zero)} and full marks elsewhere (except "
                       f"{sorted(either)}, which use them), got {wrong}")
    assert r["max_score"] == run.full
    if not either:
        assert r["score"] == run.expected["mixed"]
    assert not r["flags"], f"honest work was flagged as tampering: {r['flags']}"
    assert not r["restarts"] and not r["wall_hit"], r["events"]
    failed = {grading.nbgrader_meta(c)["grade_id"]
              for c in Validator()._get_failed_cells(run.autograded("mixed"))}
    assert zero <= failed <= zero | either


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
