"""Release and grade the course's notebooks with nbgrader (``make release``, ``make grade``).

    python -m tools.grading release [--nb 01] [--out release]
    python -m tools.grading grade SUBMISSIONS [--nb 01] [--timeout 60] [--wall 1800]
                                              [--budget small|full]

The modules, each saying what it does:

- :mod:`~tools.grading.notebooks`: paths, nbgrader cell kinds, BEGIN/END blocks, imports;
- :mod:`~tools.grading.bundle`: the student bundle (``release/``);
- :mod:`~tools.grading.replay`: the bundle's helpers, with the tests' private references
  replaced by values precomputed for the visible cases (:mod:`~tools.grading.replay_runtime`
  is shipped as ``helpers/_replay.py``), and a one-assignment bundle's unused modules left out;
- :mod:`~tools.grading.check_bundle`: ``make check-bundle`` (the bundle in a fresh venv);
- :mod:`~tools.grading.course`: the generated nbgrader course directory, running nbgrader;
- :mod:`~tools.grading.autograde`: grading (``make grade``), ``grades.csv``, the score table;
- :mod:`~tools.grading.execute`: executing one submission (timeouts, restarts, wall time);
- :mod:`~tools.grading.sandbox`: its working folder and grading environment;
- :mod:`~tools.grading.tamper`: tamper detection;
- :mod:`~tools.grading.scoring`: all-or-nothing test cells (``ErrorsDecide``);
- :mod:`~tools.grading.feedback`: feedback without hidden tests (``HideHiddenTests``);
- :mod:`~tools.grading.submissions`: synthetic (and hostile) submissions for the tests;
- :mod:`~tools.grading.cli`: the command line.

This file only hands their names on.
"""

from .autograde import (
    find_submissions,
    flag_summary,
    grade,
    read_gradebook,
    score_table,
    write_csvs,
)
from .bundle import bundle_files, release, write_support_files
from .cli import main
from .course import DEFAULT_TIMEOUT, DEFAULT_WALL, build_course, grading_env, nbgrader, run_steps
from .execute import SandboxExecute, run_notebook
from .feedback import HideHiddenTests, hidden_lines, hide_hidden_tests, safe_traceback, strip_ansi
from .notebooks import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    COURSE,
    END_HIDDEN,
    END_SOLUTION,
    HIDDEN_NOTE,
    NOTEBOOKS,
    RELEASE,
    ROOT,
    assignment_id,
    has_nbgrader_cells,
    imports,
    is_graded,
    is_solution,
    is_test,
    nbgrader_meta,
    regions,
    select_notebooks,
    without_hidden_tests,
)
from .scoring import ErrorsDecide

__all__ = [
    "BEGIN_HIDDEN", "BEGIN_SOLUTION", "COURSE", "DEFAULT_TIMEOUT", "DEFAULT_WALL", "END_HIDDEN",
    "END_SOLUTION", "HIDDEN_NOTE", "NOTEBOOKS", "RELEASE", "ROOT", "ErrorsDecide",
    "HideHiddenTests", "SandboxExecute", "assignment_id", "build_course", "bundle_files",
    "find_submissions", "flag_summary", "grade", "grading_env", "has_nbgrader_cells",
    "hidden_lines", "hide_hidden_tests", "imports", "is_graded", "is_solution", "is_test",
    "main", "nbgrader", "nbgrader_meta", "read_gradebook", "regions", "release",
    "run_notebook", "run_steps", "safe_traceback", "score_table", "select_notebooks",
    "strip_ansi", "without_hidden_tests", "write_csvs", "write_support_files",
]
