"""``make check-bundle``: the student bundle works in a fresh virtual environment.

1. ``make release`` into a temporary folder (or ``--bundle DIR``: an existing bundle);
2. ``python -m venv`` there and ``pip install -r requirements.txt`` of the bundle (pip's own
   configuration decides where packages come from: PyPI, or a local wheel folder or mirror
   such as ``find-links``; add ``--pip-args`` for e.g. the CPU build of torch);
3. every released notebook runs top to bottom at small budget in a kernel of that venv, in
   the bundle's folder (``helpers/`` imported from there, not from this repository); a cell
   may fail only inside an exercise (a solution or test cell), with ``NotImplementedError``,
   a failed check, or a ``NameError`` for a name the exercise defines. A precomputed test
   value that is missing (``NotPrecomputed``) or any other failure is reported.

Not part of ``make test`` (installing the packages and running all notebooks takes longer
than its budget); the run time is printed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from .notebooks import NOTEBOOKS, ROOT, nbgrader_meta, select_notebooks
from .submissions import _defined

OK_ERRORS = {"NotImplementedError", "CheckFailed", "AssertionError"}


def make_venv(bundle: Path, venv: Path, pip_args: list[str]) -> float:
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "-r",
                    str(bundle / "requirements.txt"), *pip_args], check=True)
    return time.monotonic() - t0


def kernelspec(venv: Path, where: Path) -> str:
    name = "nn-course-bundle-check"
    d = where / "kernels" / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "kernel.json").write_text(json.dumps({
        "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": name, "language": "python"}))
    return name


def exercise_names(source_nb) -> set[str]:
    names = set()
    for c in source_nb.cells:
        if nbgrader_meta(c).get("solution"):
            for part in _defined(c.source):
                names |= set(part)
    return names


def problems_of(nb, names: set[str]) -> list[str]:
    out = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        for o in c.get("outputs", []):
            if o.get("output_type") != "error":
                continue
            ename, evalue = o.get("ename", ""), o.get("evalue", "")
            meta = nbgrader_meta(c)
            if "NotPrecomputed" in ename or "NotPrecomputed" in evalue:
                out.append(f"cell {i}: {ename}: {evalue}"[:300])
            elif not meta:
                out.append(f"cell {i} (not an exercise): {ename}: {evalue}"[:300])
            elif not (ename in OK_ERRORS or ename == "NameError" and any(
                    f"'{n}'" in evalue for n in names)):
                out.append(f"{meta.get('grade_id')}: {ename}: {evalue}"[:300])
    return out


def run_notebook(path: Path, bundle: Path, kernel: str, env: dict, timeout: int) -> list[str]:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        NotebookClient(nb, kernel_name=kernel, timeout=timeout, allow_errors=True,
                       resources={"metadata": {"path": str(bundle)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    source = NOTEBOOKS / path.name
    names = exercise_names(nbformat.read(source, as_version=4)) if source.exists() else set()
    return problems_of(nb, names)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bundle", default=None, help="an existing bundle (default: release one)")
    ap.add_argument("--nb", default=None, help="only notebooks whose name starts with this")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    ap.add_argument("--pip-args", default="", help="more arguments for pip install")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--venv", default=None, help="reuse this venv (made by an earlier --keep "
                    "run from the same requirements) instead of a fresh one")
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="nn-bundle-check-"))
    status = 0
    try:
        if a.bundle:
            bundle = Path(a.bundle).resolve()
        else:
            from .bundle import release

            bundle = tmp / "release"
            release(select_notebooks(a.nb), bundle, tmp / "course")
            print(f"released into {bundle} ({time.monotonic() - t0:.0f} s)", flush=True)
        if a.venv:
            venv = Path(a.venv).resolve()
            print(f"reusing {venv} (not a fresh venv)", flush=True)
        else:
            venv = tmp / "venv"
            s = make_venv(bundle, venv, a.pip_args.split())
            print(f"fresh venv from the bundle's requirements.txt: {s:.0f} s", flush=True)
        kernel = kernelspec(venv, tmp / "jupyter")
        home = tmp / "home"
        home.mkdir()
        env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(home),
               "JUPYTER_PATH": str(tmp / "jupyter"), "NN_COURSE_SMALL_BUDGET": "1",
               "MPLBACKEND": "Agg", "LANG": os.environ.get("LANG", "C.UTF-8"),
               "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
        if os.environ.get("NN_COURSE_DATA"):
            env["NN_COURSE_DATA"] = os.environ["NN_COURSE_DATA"]
        for path in sorted(bundle.glob("*.ipynb")):
            if a.nb and not path.name.startswith(a.nb):
                continue
            t1 = time.monotonic()
            found = run_notebook(path, bundle, kernel, env, a.timeout)
            print(f"{'FAIL' if found else 'ok  '} {path.name} ({time.monotonic() - t1:.0f} s)",
                  flush=True)
            for p in found:
                print(f"     {p}")
            status = status or (1 if found else 0)
    finally:
        if a.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"check-bundle: {'passed' if status == 0 else 'FAILED'} in "
          f"{time.monotonic() - t0:.0f} s", flush=True)
    return status


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
