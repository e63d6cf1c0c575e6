"""Settings every notebook shares: the small-budget switch, seeding, and paths.

The test command sets ``NN_COURSE_SMALL_BUDGET=1``; notebooks then shrink epochs and data
so the whole course runs in CI. Students run the full setting, and the numbers the
notebooks report come from the full setting.
"""

import os
import random
from pathlib import Path

import numpy as np

# PyTorch, when installed, is imported with the helpers, before any notebook cell runs: its
# first import rebinds library functions (e.g. ``inspect.getfile``), and the grader compares
# the tools a test cell relies on before and after the notebook's own cells. Every notebook
# seeds torch in its set-up cell anyway (``seed_everything``), so this costs nothing more.
try:
    import torch as _torch
except ImportError:  # torch is optional for the NumPy-only parts
    _torch = None

REPO_ROOT = Path(__file__).resolve().parent.parent

SMALL_BUDGET_ENV = "NN_COURSE_SMALL_BUDGET"
DATA_DIR_ENV = "NN_COURSE_DATA"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


SMALL_BUDGET: bool = _flag(SMALL_BUDGET_ENV)


def budget(full, small):
    """Return ``full`` normally and ``small`` when the small-budget switch is on.

    >>> epochs = budget(full=50, small=2)
    """
    return small if _flag(SMALL_BUDGET_ENV) else full


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed Python, NumPy and (if installed) PyTorch; return a fresh NumPy ``Generator``.

    Notebooks pass the returned generator around instead of using global NumPy state.
    """
    random.seed(seed)
    np.random.seed(seed)
    if _torch is not None:
        _torch.manual_seed(seed)
    return np.random.default_rng(seed)


def data_dir() -> Path:
    """The download cache: ``$NN_COURSE_DATA`` if set, else ``data/`` in the repository."""
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env).expanduser().resolve() if env else REPO_ROOT / "data"
