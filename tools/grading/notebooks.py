"""Where the course's notebooks are and how their nbgrader cells are recognised."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOKS = ROOT / "notebooks"
COURSE = ROOT / "nbgrader_course"
RELEASE = ROOT / "release"

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
HIDDEN_NOTE = "# (hidden tests: not shown)"


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_graded(cell) -> bool:
    return bool(nbgrader_meta(cell).get("grade"))


def is_solution(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_test(cell) -> bool:
    """A graded test cell (graded code cell that is not a solution)."""
    return cell.cell_type == "code" and is_graded(cell) and not is_solution(cell)


def is_locked(cell) -> bool:
    return bool(nbgrader_meta(cell).get("locked"))


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


def without_hidden_tests(source: str) -> str:
    """A test cell's source as students see it (hidden blocks removed, as nbgrader does)."""
    out, inside = [], False
    for line in source.split("\n"):
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


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


def python_source(src: str) -> str:
    """A cell's source as Python (IPython magics and ``!`` lines transformed)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(src)
    except Exception:  # noqa: BLE001 - fall back to the raw source
        return src


def imports(src: str) -> dict[str, tuple[str, str | None]]:
    """Names a cell binds by ``import``: ``{name: (module, attribute or None)}``."""
    try:
        tree = ast.parse(python_source(src))
    except SyntaxError:
        return {}
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    found[a.asname] = (a.name, None)
                else:
                    top = a.name.split(".")[0]
                    found[top] = (top, None)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                if a.name != "*":
                    found[a.asname or a.name] = (node.module, a.name)
    return found


def imported_modules(src: str) -> set[str]:
    """Every module a cell imports (``from helpers.checks import Case`` -> helpers.checks)."""
    try:
        tree = ast.parse(python_source(src))
    except SyntaxError:
        return set()
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            mods.add(node.module)
    return mods
