"""Run every test of the course: lint, unit tests, notebooks (small budget).

This is what `make test` runs; on a machine without make run
`.venv/bin/python tools/run_tests.py` (Windows: `.venv\\Scripts\\python tools\\run_tests.py`).
Extra arguments go to pytest, e.g. `tools/run_tests.py -k checks`.

Tests run on ``NN_TEST_WORKERS`` pytest-xdist workers (default: 2, or 1 on a one-core
machine) with ``--dist loadfile``: a file's tests (a notebook's cells, which share a
kernel; a module's fixtures) run in order on one worker, and the two grading files
(``tests/test_nbgrader_grading.py``, ``tests/test_nbgrader_hostile.py``) run side by side.
Kernels then get one thread each (``OMP_NUM_THREADS=1`` unless set). ``NN_TEST_WORKERS=1``
runs everything in one process.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def workers() -> int:
    default = min(2, os.cpu_count() or 1)
    n = int(os.environ.get("NN_TEST_WORKERS", default))
    return n if n > 1 and importlib.util.find_spec("xdist") else 1


def main(argv: list[str]) -> int:
    env = dict(os.environ, NN_COURSE_SMALL_BUDGET="1", MPLBACKEND="Agg",
               PYTHONHASHSEED="0", PYDEVD_DISABLE_FILE_VALIDATION="1")
    bindir = Path(sys.executable).parent
    print("== ruff (helpers, tests, tools, bench, notebooks)", flush=True)
    lint = subprocess.run([str(bindir / "ruff"), "check", "."], cwd=ROOT, env=env)
    if lint.returncode != 0:
        print("ruff found problems (above); fix them or run `ruff check --fix .`")
        return lint.returncode
    n = workers()
    parallel = []
    if n > 1:
        parallel = ["-n", str(n), "--dist", "loadfile"]
        for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env.setdefault(k, "1")
    print(f"== pytest: unit tests and every notebook top to bottom (small budget, "
          f"{n} worker{'s' if n > 1 else ''})", flush=True)
    cmd = [sys.executable, "-m", "pytest", "tests", "notebooks",
           "--nbval-lax", "--nbval-current-env",
           "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
           "--nbval-cell-timeout", "900", "--durations", "15", *parallel, *argv]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
