"""The feedback students get never shows a hidden test (nbgrader ``generate_feedback`` step).

nbgrader shows hidden tests in the test cells and, when a hidden case fails, again in the
traceback (the failing line and its neighbours). :class:`HideHiddenTests` replaces each
hidden block by ``# (hidden tests: not shown)``, drops from every traceback the frames of
cells that held hidden tests (keeping the student's own frames, library frames and the
check's message ``ename: evalue``, which ``helpers.checks`` words so that hidden inputs are
not shown), drops rich outputs of those cells, and blanks any output of any other cell that
quotes a hidden-test line (a submission that prints ``In`` or reads its caller's code).
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from .notebooks import BEGIN_HIDDEN, END_HIDDEN, HIDDEN_NOTE, regions

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
        secrets = hidden_lines(nb)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if not hide_hidden_tests(cell, hidden) and hidden:
                for out in cell.get("outputs", []):
                    if out.output_type == "error":
                        out.traceback = safe_traceback(out, hidden, strict=False)
            if secrets:
                scrub_outputs(cell, secrets)
        return nb, resources


def hidden_lines(nb, min_length: int = 12) -> set[str]:
    """Distinctive lines of the hidden-test blocks of a notebook (stripped)."""
    found = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and BEGIN_HIDDEN in cell.source:
            for block in regions(cell.source, BEGIN_HIDDEN, END_HIDDEN):
                found |= {x.strip() for x in block if len(x.strip()) >= min_length}
    return found


SCRUBBED = "(an output that quoted hidden tests: not shown)"


def scrub_outputs(cell, secrets) -> None:
    """Blank every output of ``cell`` that contains one of the ``secrets`` lines."""
    for out in cell.get("outputs", []):
        text = strip_ansi(str(out.get("text", "")) + str(out.get("data", ""))
                          + str(out.get("evalue", "")) + "".join(out.get("traceback", [])))
        if any(s in text for s in secrets):
            for key in ("data",):
                if key in out:
                    out[key] = {"text/plain": SCRUBBED}
            if "text" in out:
                out["text"] = SCRUBBED + "\n"
            if out.get("output_type") == "error":
                out["evalue"] = SCRUBBED
                out["traceback"] = [f"{out.get('ename', 'Error')}: {SCRUBBED}"]
