"""Grading (``make grade``): every submission autograded, scores, flags and feedback.

``grade`` takes a folder with one sub-folder per student holding the submitted notebooks
(``SUBMISSIONS/alice/01_logistic_regression.ipynb``; nbgrader's own layout
``SUBMISSIONS/alice/01_logistic_regression/01_logistic_regression.ipynb`` works too). Per
notebook, one nbgrader run (``generate_assignment``, ``autograde``, ``generate_feedback``)
over all its students, with a fresh gradebook; each submission is executed by
:class:`tools.grading.execute.SandboxExecute`. Written to the course directory:

- ``grades.csv``: ``student, assignment, score, max_score, flags, wall_s``;
- ``grades_by_exercise.csv``: ``student, assignment, grade_id, score, max_score, flag``;
- ``feedback/STUDENT/ID/ID.html`` and ``autograded/STUDENT/ID/ID.ipynb``;
- ``reports/STUDENT/ID.json``: what happened while executing (flags, restarts, wall time).
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from .course import DEFAULT_TIMEOUT, DEFAULT_WALL, build_course, grading_env, nbgrader
from .notebooks import COURSE, assignment_id, has_nbgrader_cells
from .tamper import locked_cell_changes


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
          timeout: int = DEFAULT_TIMEOUT, wall: float = DEFAULT_WALL, budget: str = "small",
          quiet: bool = True, inprocess: bool = False) -> dict:
    """Autograde every submission; write grades CSVs, reports and feedback. Returns the grades.

    The result maps ``(student, assignment)`` to ``{"score", "max_score", "cells":
    {grade_id: (score, max_score)}, "flags": {grade_id: text}, "wall_s", "events"}``.
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
    build_course(course, graded, timeout=timeout, wall=wall, fresh_gradebook=True)
    steps = []
    for aid, students in sorted(found.items()):
        src = next(p for p in graded if assignment_id(p) == aid)
        source_nb = nbformat.read(src, as_version=4)
        for student, path in students.items():
            dest = course / "submitted" / student / aid
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / src.name)
            try:  # before nbgrader puts the locked cells back
                flags = locked_cell_changes(nbformat.read(path, as_version=4), source_nb)
            except Exception as err:  # noqa: BLE001 - an unreadable notebook: nbgrader says
                flags = {}
                print(f"  {student}/{path.name}: {err}", file=sys.stderr)
            pre = course / "reports" / student / f"{aid}.pre.json"
            pre.parent.mkdir(parents=True, exist_ok=True)
            pre.write_text(json.dumps(flags))
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
    """Scores from the gradebook, with each submission's report (flags, wall time)."""
    from nbgrader.api import Gradebook

    results = {}
    with Gradebook("sqlite:///" + str(Path(course) / "gradebook.db")) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                cells = {}
                for nb in sub.notebooks:
                    for g in nb.grades:
                        cells[g.name] = (float(g.score), float(g.max_score))
                rep = Path(course) / "reports" / sub.student.id / f"{assignment.name}.json"
                report = json.loads(rep.read_text()) if rep.exists() else {}
                results[(sub.student.id, assignment.name)] = {
                    "score": float(sub.score), "max_score": float(sub.max_score),
                    "cells": cells, "flags": report.get("flags", {}),
                    "wall_s": report.get("wall_s"), "wall_hit": report.get("wall_hit", False),
                    "restarts": report.get("restarts", 0), "events": report.get("events", [])}
    return results


def flag_summary(r: dict) -> str:
    """One line: what went wrong while grading a submission ('' when nothing did)."""
    parts = []
    if r.get("flags"):
        parts.append("tests were modified (" + ", ".join(sorted(r["flags"])) + ")")
    if r.get("restarts"):
        parts.append(f"kernel restarted {r['restarts']}x")
    if r.get("wall_hit"):
        parts.append("wall-time bound reached")
    return "; ".join(parts)


def write_csvs(course: Path, results: dict) -> None:
    with open(Path(course) / "grades.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "assignment", "score", "max_score", "flags", "wall_s"])
        for (student, aid), r in sorted(results.items()):
            w.writerow([student, aid, f"{r['score']:g}", f"{r['max_score']:g}",
                        flag_summary(r), "" if r.get("wall_s") is None else r["wall_s"]])
    with open(Path(course) / "grades_by_exercise.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "assignment", "grade_id", "score", "max_score", "flag"])
        for (student, aid), r in sorted(results.items()):
            for gid, (score, max_score) in sorted(r["cells"].items()):
                w.writerow([student, aid, gid, f"{score:g}", f"{max_score:g}",
                            r.get("flags", {}).get(gid, "")])


def score_table(results: dict) -> str:
    lines = [f"{'student':20s} {'assignment':36s} {'score':>9s} {'wall s':>7s}  flags"]
    for (student, aid), r in sorted(results.items()):
        wall = "" if r.get("wall_s") is None else f"{r['wall_s']:.0f}"
        lines.append(f"{student:20s} {aid:36s} {r['score']:>4g} / {r['max_score']:<3g}"
                     f"{wall:>7s}  {flag_summary(r)}")
    return "\n".join(lines)
