"""Run every test of the course: lint, unit tests, notebooks (small budget).

This is what `make test` runs; on a machine without make run
`.venv/bin/python tools/run_tests.py` (Windows: `.venv\\Scripts\\python tools\\run_tests.py`).
Extra arguments go to pytest, e.g. `tools/run_tests.py -k checks`.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    env = dict(os.environ, NN_COURSE_SMALL_BUDGET="1", MPLBACKEND="Agg",
               PYTHONHASHSEED="0", PYDEVD_DISABLE_FILE_VALIDATION="1")
    bindir = Path(sys.executable).parent
    print("== ruff (helpers, tests, tools, bench, notebooks)", flush=True)
    lint = subprocess.run([str(bindir / "ruff"), "check", "."], cwd=ROOT, env=env)
    if lint.returncode != 0:
        print("ruff found problems (above); fix them or run `ruff check --fix .`")
        return lint.returncode
    print("== pytest: unit tests and every notebook top to bottom (small budget)", flush=True)
    cmd = [sys.executable, "-m", "pytest", "tests", "notebooks",
           "--nbval-lax", "--nbval-current-env",
           "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
           "--nbval-cell-timeout", "900", "--durations", "15", *argv]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
