"""Headline numbers a notebook reports (accuracies, losses, timings).

A notebook calls ``record("01", "binary_mnist_test_accuracy", acc)``: the value is printed,
and when ``make results`` runs the notebooks (it sets ``NN_COURSE_RESULTS`` to a file) it is
also appended there. ``tools/run_results.py`` turns those records into the committed table
``results/RESULTS.md`` with each notebook's wall time and the machine it ran on.
"""

import json
import os
import platform
import time

RESULTS_ENV = "NN_COURSE_RESULTS"


def record(notebook: str, metric: str, value: float, unit: str = "", digits: int = 4) -> None:
    """Print a headline number and, under ``make results``, save it to the results file.

    Returns nothing, so a cell ending with ``record(...)`` shows no stray ``Out[]``.
    """
    value = float(value)
    from helpers.config import SMALL_BUDGET_ENV, _flag

    small = _flag(SMALL_BUDGET_ENV)
    suffix = " (small budget: not a headline number)" if small else ""
    print(f"[result] {notebook} {metric} = {value:.{digits}g}{(' ' + unit) if unit else ''}{suffix}")
    path = os.environ.get(RESULTS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"notebook": notebook, "metric": metric, "value": value,
                                "unit": unit, "small_budget": small,
                                "time": time.strftime("%Y-%m-%d %H:%M:%S")}) + "\n")


def machine_description() -> str:
    """CPU model, core count, Python and library versions: the context of a timing."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import numpy

    parts = [cpu, f"{os.cpu_count()} cores", f"Python {platform.python_version()}",
             f"NumPy {numpy.__version__}"]
    try:
        import torch

        parts.append(f"torch {torch.__version__}")
    except ImportError:
        pass
    return ", ".join(parts)
