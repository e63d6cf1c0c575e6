"""Run notebooks at the FULL setting and write the headline-number table.

    make results            # every notebook
    make results NB=01      # only notebooks whose name starts with 01

Each notebook is executed top to bottom in a fresh kernel (a copy; notebooks/ is not
touched). The numbers it passes to ``helpers.results.record`` are collected into
``results/results.json`` and the table ``results/RESULTS.md``, with the notebook's wall time
and the machine it ran on. Rows of notebooks not run this time are kept.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from helpers.results import RESULTS_ENV, machine_description  # noqa: E402

OUT_JSON = ROOT / "results" / "results.json"
OUT_MD = ROOT / "results" / "RESULTS.md"


def run_notebook(path: Path, records_file: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    os.environ[RESULTS_ENV] = str(records_file)
    os.environ.pop("NN_COURSE_SMALL_BUDGET", None)
    os.environ.setdefault("MPLBACKEND", "Agg")
    client = NotebookClient(nb, timeout=None, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def write_table(rows: list[dict]) -> None:
    OUT_JSON.parent.mkdir(exist_ok=True)
    OUT_JSON.write_text(json.dumps(rows, indent=1) + "\n")
    lines = [
        "# Headline results",
        "",
        "Written by `make results` (`tools/run_results.py`): every notebook run top to bottom at",
        "the full setting in a fresh kernel. The numbers the notebooks' prose refers to are these.",
        "Wall time is the whole notebook's. Do not edit by hand.",
        "",
        "| notebook | metric | value | notebook wall time | run on | machine |",
        "| --- | --- | ---: | ---: | --- | --- |",
    ]
    for r in sorted(rows, key=lambda r: (r["notebook"], r["metric"])):
        value = f"{r['value']:.4g}" + (f" {r['unit']}" if r.get("unit") else "")
        lines.append(f"| {r['notebook']} | `{r['metric']}` | {value} | {r['wall_s']:.0f} s "
                     f"| {r['date']} | {r['machine']} |")
    OUT_MD.write_text("\n".join(lines) + "\n")


def merge_rows(number: str, new: list[dict]) -> None:
    """Replace notebook ``number``'s rows in the table, keeping every other row.

    The table is read again (under a lock) just before writing, so runs of different
    notebooks at the same time do not delete each other's rows.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no parallel runs there, no lock needed
        fcntl = None
    OUT_JSON.parent.mkdir(exist_ok=True)
    with open(OUT_JSON.with_suffix(".lock"), "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        rows = json.loads(OUT_JSON.read_text()) if OUT_JSON.exists() else []
        rows = [r for r in rows if r["notebook"] != number] + new
        write_table(rows)


def main(prefix: str = "") -> int:
    notebooks = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb")
                       if p.name.startswith(prefix))
    if not notebooks:
        print(f"no notebook starts with {prefix!r}")
        return 1
    machine = machine_description()
    failed = []
    for path in notebooks:
        number = path.name[:2]
        with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as tmp:
            records_file = Path(tmp.name)
        print(f"== {path.name} (full setting) ...", flush=True)
        try:
            wall = run_notebook(path, records_file)
        except CellExecutionError as err:
            print(f"!! {path.name} failed:\n{str(err)[-2000:]}")
            failed.append(path.name)
            continue
        records = [json.loads(line) for line in records_file.read_text().splitlines() if line]
        records_file.unlink()
        new = [{"notebook": r["notebook"], "metric": r["metric"], "value": r["value"],
                "unit": r.get("unit", ""), "wall_s": wall, "machine": machine,
                "date": time.strftime("%Y-%m-%d")} for r in records]
        for r in new:
            print(f"   {r['metric']} = {r['value']:.4g} {r['unit']}")
        print(f"   wall time {wall:.0f} s; {len(records)} numbers")
        merge_rows(number, new)
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    print(f"wrote {OUT_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
