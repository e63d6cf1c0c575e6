"""Build course notebooks from a list of cells, with nbgrader metadata set correctly.

Used by maintainers to write a notebook from a script (the .ipynb in notebooks/ is what is
committed and edited afterwards):

    from tools.nb import md, code, solution, tests, write
    write("notebooks/01_logistic_regression.ipynb", [
        md("# 01 · ..."),
        code("import numpy as np"),
        solution("ex1-sigmoid", "def sigmoid(z):\\n    ### BEGIN SOLUTION\\n    ...\\n    ### END SOLUTION"),
        tests("ex1-sigmoid-test", "check_function(sigmoid, cases)", points=2),
    ])

``python tools/nb.py strip notebooks/*.ipynb`` removes outputs and execution counts.
"""

import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _nbgrader(grade_id, *, solution=False, grade=False, locked=False, points=None, task=False):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(text: str, grade_id: str | None = None):
    """A Markdown cell; with ``grade_id`` it is a read-only (locked) exercise statement."""
    cell = new_markdown_cell(text.strip("\n"))
    if grade_id:
        cell.metadata.update(_nbgrader(grade_id, locked=True))
    return cell


def code(src: str, tags=()):
    cell = new_code_cell(src.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def solution(grade_id: str, src: str):
    """A cell the student edits; the lines between BEGIN/END SOLUTION are removed on release."""
    if "### BEGIN SOLUTION" not in src or "### END SOLUTION" not in src:
        raise ValueError(f"solution cell {grade_id!r} needs ### BEGIN SOLUTION / ### END SOLUTION")
    cell = new_code_cell(src.strip("\n"))
    cell.metadata.update(_nbgrader(grade_id, solution=True))
    return cell


def tests(grade_id: str, src: str, points: int):
    """A locked, autograded cell calling the course's checks; may hold hidden tests."""
    if points <= 0:
        raise ValueError(f"test cell {grade_id!r} needs points > 0")
    cell = new_code_cell(src.strip("\n"))
    cell.metadata.update(_nbgrader(grade_id, grade=True, locked=True, points=points))
    return cell


def write(path: str, cells) -> None:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python", "version": "3.11"}
    nbformat.validate(nb)
    nbformat.write(nb, path)


def strip(path: str) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "strip":
        for p in sys.argv[2:]:
            strip(p)
            print("stripped", p)
    else:
        sys.exit("usage: python tools/nb.py strip NOTEBOOK...")
