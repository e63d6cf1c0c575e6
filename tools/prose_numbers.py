"""Numbers in the notebooks' prose that report a measured result, tied to ``results/``.

A measured number in Markdown is written with a marker right after it, invisible when the
cell is rendered:

    the test accuracy is 96.2 %<!-- r:01/binary_mnist_test_accuracy -->

The marker names the notebook and the metric of ``results/results.json``. The number is
read from the text just before the marker (``96.2 %``: a percentage, so compared with
100 × value); it must equal the recorded value within the rounding its digits state
(96.2 means [96.15, 96.25)). A wider tolerance can be stated for numbers the prose gives
as approximate: ``≈ 1800×<!-- r:00/matvec_speedup_loops_vs_vectorised_N1000 ~25% -->``
(relative) or ``~0.05`` (absolute, in the units written).

    python tools/prose_numbers.py      # list every marker with its value; exit 1 on a mismatch
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"<!--\s*r:(?P<nb>\d\d)/(?P<metric>[\w.\-]+)(?:\s+~(?P<tol>[\d.]+)(?P<rel>%)?)?\s*-->")
NUMBER = re.compile(r"(?P<num>[-−]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?P<pct>%)?\s*"
                    r"(?:[×x]|s|ms|min|nats?(?:/char)?)?\s*\**$")


@dataclass
class Marker:
    notebook: str  # the file the marker is in
    cell: int
    text: str  # the number as written
    metric: str  # "01/binary_mnist_test_accuracy"
    written: float
    percent: bool
    tol: float | None
    relative: bool


def markers_in(text: str, notebook: str = "", cell: int = 0) -> list[Marker]:
    """Every marker in a Markdown text, with the number written before it."""
    found = []
    for m in MARKER.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        n = NUMBER.search(before)
        if not n:
            raise ValueError(f"{notebook} cell {cell}: no number right before the marker "
                             f"{m.group(0)!r} (text before it: {before!r})")
        raw = n["num"].replace(",", "").replace("−", "-")
        found.append(Marker(notebook, cell, n.group(0).strip(), f"{m['nb']}/{m['metric']}",
                            float(raw), bool(n["pct"]),
                            float(m["tol"]) if m["tol"] else None, bool(m["rel"])))
    return found


def _decimals(text: str) -> int:
    num = re.match(r"[-−]?\d[\d,]*(?:\.(\d+))?", text)
    return len(num.group(1) or "") if num else 0


def load_results(path: Path | None = None) -> dict[str, float]:
    rows = json.loads((path or ROOT / "results" / "results.json").read_text(encoding="utf-8"))
    return {f"{r['notebook']}/{r['metric']}": float(r["value"]) for r in rows}


def problem(marker: Marker, results: dict[str, float]) -> str | None:
    """Why the marker's number disagrees with the results (None when it agrees)."""
    where = f"{marker.notebook} cell {marker.cell}: {marker.text!r}"
    if marker.metric not in results:
        return f"{where} names {marker.metric}, which results/results.json does not have"
    value = results[marker.metric] * (100 if marker.percent else 1)
    if marker.tol is not None:
        allowed = marker.tol / 100 * abs(value) if marker.relative else marker.tol
    else:
        allowed = 0.5 * 10 ** -_decimals(marker.text) * (1 + 1e-9)
    if math.isfinite(value) and abs(marker.written - value) <= allowed:
        return None
    return (f"{where} says {marker.written:g} but {marker.metric} = {value:.6g} "
            f"(allowed difference {allowed:g})")


def notebook_markers(paths=None) -> list[Marker]:
    import nbformat

    out = []
    for path in paths or sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                out += markers_in(cell.source, Path(path).name, i)
    return out


def main() -> int:
    results = load_results()
    bad = 0
    for m in notebook_markers():
        p = problem(m, results)
        bad += p is not None
        print(("!! " + p) if p else f"ok {m.notebook} cell {m.cell}: {m.text} = {m.metric}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
