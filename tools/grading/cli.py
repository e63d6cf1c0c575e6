"""``python -m tools.grading release|grade`` (what ``make release`` and ``make grade`` run)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .autograde import grade, read_gradebook, score_table
from .bundle import release
from .course import DEFAULT_TIMEOUT, DEFAULT_WALL, run_steps
from .notebooks import COURSE, RELEASE, ROOT, select_notebooks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Release (student bundle) and grade the course's "
                                 "notebooks with nbgrader; see INSTRUCTORS.md.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("release", help="the student bundle in release/")
    r.add_argument("--nb", default=None, help="only notebooks whose name starts with this")
    r.add_argument("--out", default=str(RELEASE))
    g = sub.add_parser("grade", help="autograde SUBMISSIONS/STUDENT/NAME.ipynb")
    g.add_argument("submissions")
    g.add_argument("--nb", default=None)
    g.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per cell")
    g.add_argument("--wall", type=float, default=DEFAULT_WALL,
                   help="seconds per submission (default %(default)g)")
    g.add_argument("--budget", choices=["small", "full"], default="small",
                   help="NN_COURSE_SMALL_BUDGET while grading (default small: exercises do "
                        "not depend on the long training runs)")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_steps"]:
        return run_steps(argv[1], argv[2:])
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    status = 0
    paths = select_notebooks(a.nb or None)
    if not paths:
        sys.exit("no notebooks in notebooks/")
    if a.cmd == "release":
        written = release(paths, Path(a.out), clean=not a.nb)
        for p in written:
            print(f"released {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}")
        print(f"student bundle: {a.out} (notebooks, helpers/, requirements, README.md)")
    else:
        try:
            results = grade(Path(a.submissions), paths, timeout=a.timeout, wall=a.wall,
                            budget=a.budget)
        except RuntimeError as err:  # nbgrader itself failed: grading did not work
            print(f"grading failed (nbgrader's log above): {err}"[:2000], file=sys.stderr)
            results, status = read_gradebook(COURSE), 1
        print(score_table(results))
        print(f"grades: {COURSE / 'grades.csv'} and {COURSE / 'grades_by_exercise.csv'}")
        print(f"feedback: {COURSE / 'feedback'}/STUDENT/ASSIGNMENT/*.html")
    print(f"done in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    return status
