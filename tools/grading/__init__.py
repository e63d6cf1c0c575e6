"""Release and grade the course's notebooks with nbgrader (`make release`, `make grade`).

Every notebook in ``notebooks/`` is one nbgrader assignment named after its file
(``notebooks/01_logistic_regression.ipynb`` -> assignment ``01_logistic_regression``). The
nbgrader course directory (``nbgrader_config.py``, ``source/``, the gradebook) is assembled
here, in the git-ignored ``nbgrader_course/``; nothing in it is maintained by hand and
nothing is written into ``notebooks/``.

    python -m tools.grading release [--nb 01] [--out release]
    python -m tools.grading grade SUBMISSIONS [--nb 01] [--timeout 60] [--budget small|full]

``release`` writes the student version of each notebook (solutions replaced by nbgrader's
stub, hidden tests removed) to ``release/NAME.ipynb``.

``grade`` takes a folder with one sub-folder per student holding the submitted notebooks
(``SUBMISSIONS/alice/01_logistic_regression.ipynb``; nbgrader's own layout
``SUBMISSIONS/alice/01_logistic_regression/01_logistic_regression.ipynb`` works too),
autogrades them (a fresh gradebook each run, each cell limited to ``--timeout`` seconds),
and writes ``nbgrader_course/grades.csv`` (one row per student and notebook),
``nbgrader_course/grades_by_exercise.csv`` (one row per graded cell) and the feedback
``nbgrader_course/feedback/STUDENT/NAME/NAME.html``.

Two nbgrader steps are added by the generated ``nbgrader_config.py``:

- :class:`HideHiddenTests` (in ``generate_feedback``): hidden tests never reach the
  feedback. nbgrader shows them in the test cells and, when a hidden case fails, again in
  the traceback (the failing line and its neighbours). This step replaces each hidden block
  by ``# (hidden tests: not shown)``, drops from every traceback the frames of cells that
  held hidden tests (keeping the student's own frames, library frames and the check's
  message ``ename: evalue``, which ``helpers.checks`` words so that hidden inputs are not
  shown) and drops rich outputs of those cells.
- :class:`ErrorsDecide` (in ``autograde``, after execution): a test cell scores all or
  nothing on whether it raised; nbgrader's partial credit from an ``Out[]`` number and its
  failing of cells that wrote to stderr are turned off.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOKS = ROOT / "notebooks"
COURSE = ROOT / "nbgrader_course"
RELEASE = ROOT / "release"

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
HIDDEN_NOTE = "# (hidden tests: not shown)"
DEFAULT_TIMEOUT = 60  # seconds per cell


# --------------------------------------------------------------------------- notebooks

def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_graded(cell) -> bool:
    return bool(nbgrader_meta(cell).get("grade"))


def is_solution(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def has_nbgrader_cells(nb) -> bool:
    """True when a notebook has at least one graded or solution cell (an assignment)."""
    return any(is_graded(c) or is_solution(c) for c in nb.cells)


def regions(source: str, begin: str, end: str) -> list[list[str]]:
    """The lines strictly inside each ``### BEGIN ... / ### END ...`` block of a cell."""
    found, current = [], None
    for line in source.split("\n"):
        if begin in line:
            current = []
        elif end in line and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return found


def assignment_id(path: Path) -> str:
    return Path(path).stem


def select_notebooks(nb: str | None = None, directory: Path = NOTEBOOKS) -> list[Path]:
    """Notebooks of the course (``NB=01`` selects those whose name starts with ``01``)."""
    paths = sorted(Path(directory).glob("*.ipynb"))
    if nb:
        paths = [p for p in paths if p.stem.startswith(nb) or p.name == nb]
        if not paths:
            sys.exit(f"no notebook in {directory} matches NB={nb!r}")
    return paths


# --------------------------------------------------------------------------- feedback

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME = re.compile(r"^\s*(?:Cell In\s*\[(\d*)\]|Input In\s*\[(\d*)\])")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def hide_hidden_tests(cell, hidden_counts=None) -> bool:
    """Make one executed graded cell safe to show: no hidden-test line in source or output.

    ``hidden_counts``: execution counts of all cells that held hidden tests (default: this
    cell's). Returns True when the cell held a hidden-test block (and was changed).
    """
    if cell.cell_type != "code" or BEGIN_HIDDEN not in cell.source:
        return False
    count = cell.get("execution_count")
    hidden_counts = {count} if hidden_counts is None else set(hidden_counts)
    lines, inside, kept = cell.source.split("\n"), False, []
    for line in lines:
        if BEGIN_HIDDEN in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(indent + HIDDEN_NOTE)
        elif END_HIDDEN in line:
            inside = False
        elif not inside:
            kept.append(line)
    cell.source = "\n".join(kept)
    outputs = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            outputs.append(out)  # the checks' one-line verdicts (hidden ones print no inputs)
        elif out.output_type == "error":
            out.traceback = safe_traceback(out, hidden_counts, strict=True)
            outputs.append(out)
        # execute_result / display_data of a test cell are dropped: they could show anything
    cell.outputs = outputs
    return True


def safe_traceback(out, hidden_counts, strict: bool) -> list[str]:
    """A traceback without the frames of cells that held hidden tests.

    Those frames show the failing line of the cell and its neighbours, i.e. hidden code.
    Kept: the header, frames from files (``helpers/checks.py``, NumPy ...) and from other
    cells (the student's code), and the last entry ``ename: evalue`` with its notes (the
    check's message). With ``strict`` (the error happened in a cell with hidden tests) any
    entry of unknown form is dropped too.
    """
    frames = list(out.get("traceback", []))
    kept = []
    for i, entry in enumerate(frames):
        plain = strip_ansi(entry).strip()
        if i == len(frames) - 1 and plain.startswith(out.ename):
            kept.append(entry)  # "ename: evalue" and any notes: the check's own message
            continue
        m = _CELL_FRAME.match(plain)
        if m:
            n = m.group(1) or m.group(2)
            if not n or int(n) in hidden_counts or None in hidden_counts:
                kept.append(f"Cell In[{n}] (a cell with hidden tests: its code is not shown)")
            else:
                kept.append(entry)  # a frame from the student's own cells
        elif (plain.startswith("File ") or "Traceback (most recent call last)" in plain
              or set(plain) <= {"-"} or not strict):
            kept.append(entry)
        else:
            kept.append("(a part of the traceback from a cell with hidden tests: not shown)")
    if not kept or not strip_ansi(kept[-1]).strip().startswith(out.ename):
        kept.append(f"{out.ename}: {out.evalue}")
    return kept


class HideHiddenTests(Preprocessor):
    """nbgrader ``generate_feedback`` step: hidden tests out of the shown source and out of
    every traceback (see :func:`hide_hidden_tests` and :func:`safe_traceback`)."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        hidden = {c.get("execution_count") for c in nb.cells
                  if c.cell_type == "code" and BEGIN_HIDDEN in c.source}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if not hide_hidden_tests(cell, hidden) and hidden:
                for out in cell.get("outputs", []):
                    if out.output_type == "error":
                        out.traceback = safe_traceback(out, hidden, strict=False)
        return nb, resources


class ErrorsDecide(Preprocessor):
    """nbgrader ``autograde`` step (after ``Execute``): a test cell passes unless it raised.

    nbgrader would also fail a test cell that wrote to stderr (a NumPy warning) and read a
    number shown as the cell's ``Out[]`` as partial credit (``check_function`` returns the
    number of cases). Here the checks alone decide: ``Out[]`` values become plain displays and
    stderr text is kept, as stdout, so that the score is all or nothing on errors.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_graded(cell) and not is_solution(cell):
            for out in cell.get("outputs", []):
                if out.output_type == "execute_result":
                    out.output_type = "display_data"
                    out.pop("execution_count", None)
                elif out.output_type == "stream" and out.name == "stderr":
                    out.name = "stdout"
        return cell, resources


# --------------------------------------------------------------------------- course dir

CONFIG_TEMPLATE = '''\
# Generated by tools/grading (make release / make grade); edits are overwritten. See INSTRUCTORS.md.
import sys

sys.path.insert(0, {root!r})
c = get_config()  # noqa: F821
c.CourseDirectory.root = {course!r}
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = "sqlite:///" + {db!r}
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = False
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "tools.grading.ErrorsDecide",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "tools.grading.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# Site settings (JupyterHub exchange, course_id ...) go in nbgrader_config_local.py next to
# this file: it is read last and never overwritten.
_local = {local!r}
if __import__("os").path.exists(_local):
    load_subconfig(_local)  # noqa: F821
'''


def build_course(course: Path, notebooks: list[Path], *, timeout: int = DEFAULT_TIMEOUT,
                 fresh_gradebook: bool = False, course_id: str = "nn-course") -> list[str]:
    """Write ``course/nbgrader_config.py`` and ``course/source/ID/NAME.ipynb``; return IDs."""
    course = Path(course).resolve()
    course.mkdir(parents=True, exist_ok=True)
    db = course / "gradebook.db"
    if fresh_gradebook:
        db.unlink(missing_ok=True)
        for sub in ("submitted", "autograded", "feedback"):
            shutil.rmtree(course / sub, ignore_errors=True)
    (course / "nbgrader_config.py").write_text(CONFIG_TEMPLATE.format(
        root=str(ROOT), course=str(course), db=str(db), timeout=int(timeout),
        course_id=course_id, local=str(course / "nbgrader_config_local.py")), encoding="utf-8")
    ids = []
    for path in notebooks:
        aid = assignment_id(path)
        dest = course / "source" / aid
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        shutil.copy2(path, dest / Path(path).name)
        ids.append(aid)
    return ids


def grading_env(budget: str = "small") -> dict:
    """The environment nbgrader and its kernels run in (it is inherited by the kernels)."""
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    env.pop("NN_COURSE_RESULTS", None)  # grading never appends to the results table
    if budget == "small":
        env["NN_COURSE_SMALL_BUDGET"] = "1"
    else:
        env.pop("NN_COURSE_SMALL_BUDGET", None)
    # nbgrader runs the `alembic` command of its environment to open the gradebook
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def nbgrader(course: Path, *steps: str, env: dict | None = None, quiet: bool = False,
             inprocess: bool = False):
    """Run nbgrader steps in one child process (nbgrader's start-up costs seconds).

    With ``inprocess`` they run in this process instead (it changes directory and
    ``os.environ``: for a process that does nothing else, like the tests' grading jobs).
    A step is ``release:ID`` (student version, no gradebook), ``assign:ID`` (student version
    and the assignment in the gradebook), ``autograde:ID`` (every submitted/*/ID) or
    ``feedback:ID``. Raises ``RuntimeError`` with nbgrader's log if a step fails.
    """
    if inprocess:
        os.environ.update(env or grading_env())
        cwd = os.getcwd()
        try:
            if _run_steps(str(course), list(steps)) != 0:
                raise RuntimeError(f"nbgrader {' '.join(steps)} failed (log above)")
        finally:
            os.chdir(cwd)
        return None
    cmd = [sys.executable, "-m", "tools.grading", "_steps", str(course), *steps]
    proc = subprocess.run(cmd, cwd=course, env=env or grading_env(), text=True,
                          capture_output=True)
    if proc.returncode != 0 or not quiet:
        sys.stderr.write(proc.stderr[-20000:])
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(steps)} failed (exit {proc.returncode}): "
                           f"{proc.stderr[-3000:]}")
    return proc


def _run_steps(course: str, steps: list[str]) -> int:
    """The child process of :func:`nbgrader`: run nbgrader's converters in-process."""
    import logging

    from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    logging.basicConfig(level=logging.INFO, format="[nbgrader %(levelname)s] %(message)s")
    base = PyFileConfigLoader("nbgrader_config.py", path=course).load_config()
    os.chdir(course)
    failed = False
    for step in steps:
        kind, aid = step.split(":", 1)
        extra = Config()
        extra.BaseConverter.force = True
        if kind == "release":
            extra.GenerateAssignment.no_database = True
            extra.SaveCells.enabled = False
        elif kind == "assign":
            extra.GenerateAssignment.create_assignment = True
        cfg = Config(base)
        cfg.merge(extra)
        coursedir = CourseDirectory(config=cfg)
        coursedir.assignment_id = aid
        cls = {"release": GenerateAssignment, "assign": GenerateAssignment,
               "autograde": Autograde, "feedback": GenerateFeedback}[kind]
        converter = cls(coursedir=coursedir, config=cfg)
        converter.log.setLevel(logging.INFO)
        try:
            converter.start()
        except NbGraderException as err:
            # autograde goes on with the other students; carry on to their feedback
            print(f"nbgrader step {step} failed: {err}", file=sys.stderr)
            failed = True
            if kind != "autograde":
                return 1
    return 1 if failed else 0


# --------------------------------------------------------------------------- release

def release(notebooks: list[Path], out: Path = RELEASE, course: Path = COURSE, *,
            clean: bool = True, quiet: bool = True, inprocess: bool = False) -> list[Path]:
    """Student versions of ``notebooks`` in ``out``; notebooks without exercises are copied."""
    out = Path(out)
    if clean:
        shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    graded = [p for p in notebooks if has_nbgrader_cells(nbformat.read(p, as_version=4))]
    build_course(course, graded)
    if graded:
        nbgrader(course, *(f"release:{assignment_id(p)}" for p in graded), quiet=quiet,
                 inprocess=inprocess)
    written = []
    for path in notebooks:
        if path not in graded:
            shutil.copy2(path, out / path.name)
            written.append(out / path.name)
            continue
        aid = assignment_id(path)
        src = Path(course) / "release" / aid / path.name
        shutil.copy2(src, out / path.name)
        written.append(out / path.name)
    return written


# --------------------------------------------------------------------------- grading

def find_submissions(submissions: Path, notebooks: list[Path]) -> dict[str, dict[str, Path]]:
    """``{assignment_id: {student: notebook path}}`` from one folder per student."""
    by_name = {p.name: p for p in notebooks}
    by_prefix: dict[str, list[Path]] = {}
    for p in notebooks:
        by_prefix.setdefault(p.name.split("_")[0], []).append(p)
    found: dict[str, dict[str, Path]] = {}
    students = sorted(d for d in Path(submissions).iterdir() if d.is_dir()
                      and not d.name.startswith("."))
    if not students:
        sys.exit(f"{submissions} has no student folders (expected SUBMISSIONS/STUDENT/NAME.ipynb)")
    for student in students:
        for f in sorted(student.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in f.parts:
                continue
            src = by_name.get(f.name)
            if src is None:
                cands = by_prefix.get(f.name.split("_")[0].split(" ")[0].split("-")[0], [])
                src = cands[0] if len(cands) == 1 else None
            if src is None:
                print(f"  skipped {f} (matches no selected notebook)", file=sys.stderr)
                continue
            aid = assignment_id(src)
            if student.name in found.get(aid, {}):
                print(f"  skipped {f} (a second submission of {aid} by {student.name})",
                      file=sys.stderr)
                continue
            found.setdefault(aid, {})[student.name] = f
    return found


def grade(submissions: Path, notebooks: list[Path], course: Path = COURSE, *,
          timeout: int = DEFAULT_TIMEOUT, budget: str = "small", quiet: bool = True,
          inprocess: bool = False) -> dict:
    """Autograde every submission; write grades CSVs and feedback. Returns the grades.

    The result maps ``(student, assignment)`` to ``{"score", "max_score", "cells":
    {grade_id: (score, max_score)}}``.
    """
    course = Path(course).resolve()
    graded = [p for p in notebooks if has_nbgrader_cells(nbformat.read(p, as_version=4))]
    found = find_submissions(Path(submissions), graded)
    stage = Path(tempfile.mkdtemp(prefix="nn-grading-"))  # SUBMISSIONS may be course/submitted
    for aid, students in found.items():
        for student, path in students.items():
            copy = stage / student / aid / path.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            students[student] = copy
    build_course(course, graded, timeout=timeout, fresh_gradebook=True)
    steps = []
    for aid, students in sorted(found.items()):
        src = next(p for p in graded if assignment_id(p) == aid)
        for student, path in students.items():
            dest = course / "submitted" / student / aid
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / src.name)
        steps += [f"assign:{aid}", f"autograde:{aid}", f"feedback:{aid}"]
    try:
        if steps:
            nbgrader(course, *steps, env=grading_env(budget), quiet=quiet, inprocess=inprocess)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if (course / "gradebook.db").exists():
            write_csvs(course, read_gradebook(course))  # what was graded, even after a failure
    return read_gradebook(course)


def read_gradebook(course: Path) -> dict:
    from nbgrader.api import Gradebook

    results = {}
    with Gradebook("sqlite:///" + str(Path(course) / "gradebook.db")) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                cells = {}
                for nb in sub.notebooks:
                    for g in nb.grades:
                        cells[g.name] = (float(g.score), float(g.max_score))
                results[(sub.student.id, assignment.name)] = {
                    "score": float(sub.score), "max_score": float(sub.max_score),
                    "cells": cells}
    return results


def write_csvs(course: Path, results: dict) -> None:
    with open(Path(course) / "grades.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "assignment", "score", "max_score"])
        for (student, aid), r in sorted(results.items()):
            w.writerow([student, aid, f"{r['score']:g}", f"{r['max_score']:g}"])
    with open(Path(course) / "grades_by_exercise.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "assignment", "grade_id", "score", "max_score"])
        for (student, aid), r in sorted(results.items()):
            for gid, (score, max_score) in sorted(r["cells"].items()):
                w.writerow([student, aid, gid, f"{score:g}", f"{max_score:g}"])


# --------------------------------------------------------------------------- CLI

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("release", help="student versions in release/")
    r.add_argument("--nb", default=None, help="only notebooks whose name starts with this")
    r.add_argument("--out", default=str(RELEASE))
    g = sub.add_parser("grade", help="autograde SUBMISSIONS/STUDENT/NAME.ipynb")
    g.add_argument("submissions")
    g.add_argument("--nb", default=None)
    g.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per cell")
    g.add_argument("--budget", choices=["small", "full"], default="small",
                   help="NN_COURSE_SMALL_BUDGET while grading (default small: exercises do "
                        "not depend on the long training runs)")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_steps"]:
        return _run_steps(argv[1], argv[2:])
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    status = 0
    if a.cmd == "release":
        paths = select_notebooks(a.nb or None)
        if not paths:
            sys.exit("no notebooks in notebooks/")
        written = release(paths, Path(a.out), clean=not a.nb)
        for p in written:
            print(f"released {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}")
    else:
        paths = select_notebooks(a.nb or None)
        try:
            results = grade(Path(a.submissions), paths, timeout=a.timeout, budget=a.budget)
        except RuntimeError as err:
            print(f"grading failed for some submissions (nbgrader's log above): {err}"[:2000],
                  file=sys.stderr)
            results, status = read_gradebook(COURSE), 1
        else:
            status = 0
        for (student, aid), res in sorted(results.items()):
            print(f"{student:20s} {aid:36s} {res['score']:g} / {res['max_score']:g}")
        print(f"grades: {COURSE / 'grades.csv'} and {COURSE / 'grades_by_exercise.csv'}")
        print(f"feedback: {COURSE / 'feedback'}/STUDENT/ASSIGNMENT/*.html")
    print(f"done in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    return status


