"""Scoring: a test cell is worth its points when it raised nothing, else 0 (all or nothing)."""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from traitlets import Bool

from .notebooks import is_graded, is_solution


class ErrorsDecide(Preprocessor):
    """nbgrader ``autograde`` step (after ``Execute``): a test cell passes unless it raised.

    nbgrader would also fail a test cell that wrote to stderr (a NumPy warning) and read a
    number shown as the cell's ``Out[]`` as partial credit (``check_function`` returns the
    number of cases). A test cell that was never executed fails. Here the checks alone decide: ``Out[]`` values become plain displays and
    stderr text is kept, as stdout, so that the score is all or nothing on errors.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_graded(cell) and not is_solution(cell):
            if cell.get("execution_count") is None and not any(
                    o.output_type == "error" for o in cell.get("outputs", [])):
                # never executed (a grading set-up error): it must not count as passed
                cell.outputs = list(cell.get("outputs", [])) + [new_output(
                    "error", ename="NotRun", evalue="this test cell was not executed",
                    traceback=["NotRun: this test cell was not executed"])]
            for out in cell.get("outputs", []):
                if out.output_type == "execute_result":
                    out.output_type = "display_data"
                    out.pop("execution_count", None)
                elif out.output_type == "stream" and out.name == "stderr":
                    out.name = "stdout"
        return cell, resources
