"""The student bundle (``make release``): a self-contained course without any solution.

    release/
    ├── README.md           how to set up (two commands) and how exercises work
    ├── requirements.txt    the pinned packages the notebooks need
    ├── environment.yml     the same, for conda
    ├── results/            RESULTS.md and BENCH.md: the course's own full-setting run
    ├── helpers/            the course's helper package (imported from the notebooks' folder)
    └── NN_name.ipynb       the student version of every notebook

``helpers/`` is the course's library, except that the private references the visible tests
use to build their cases (``helpers/_answers_NN.py``, ``helpers/torch_nn/_cnn_cases.py``,
every ``_reference_*`` function) are stubs returning values precomputed for the released
notebooks' visible test cases (:mod:`tools.grading.replay`): no code of theirs is shipped,
and no hidden case (those only run at grading time, with the instructor's ``helpers/``).
Library functions that answer an exercise and that later notebooks use (e.g. notebook 04's
layers) stay in the all-notebooks bundle; see INSTRUCTORS.md.

In a student version, the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` are
nbgrader's stub (``raise NotImplementedError()``) and hidden tests are removed; notebooks
without exercises are copied. Nothing else goes in (no source notebook, no tests, no tools).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from . import replay
from .course import build_course, nbgrader
from .notebooks import (
    COURSE,
    RELEASE,
    ROOT,
    assignment_id,
    has_nbgrader_cells,
    select_notebooks,
)

RESULT_FILES = ("RESULTS.md", "BENCH.md", "word2vec_reference.json")

STUDENT_README = """\
# {title}: the student version

Interactive notebooks on neural networks, with exercises you check yourself.

## Set up (once)

You need Python 3.11 or newer. In this folder:

```bash
python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
.venv/bin/jupyter lab
```

(Windows: `py -m venv .venv` then `.venv\\Scripts\\pip install -r requirements.txt` and
`.venv\\Scripts\\jupyter lab`. With conda: `conda env create -f environment.yml`, then
`conda activate nn-course` and `jupyter lab`. On Linux, PyPI's torch is a large CUDA build;
for the small CPU build add `--extra-index-url https://download.pytorch.org/whl/cpu` to the
`pip install`.) Open the notebooks from this folder: they import the `helpers/` package that
sits next to them. Datasets are downloaded into `data/` on first use (set `NN_COURSE_DATA`
to use another folder). `results/` holds the course's own run of every notebook at the full
setting (`RESULTS.md`) and its benchmark runs (`BENCH.md`), which the notebooks cite;
`docs/glossary.md` is the English-Chinese glossary of the course's terms.

## How the exercises work

Each notebook ends with a few exercises. An exercise is a statement, a code cell with
`# YOUR CODE HERE` / `raise NotImplementedError()` where your answer goes, and a locked test
cell right after it. Run the test cell: it prints `✓ ...` when your answer passes, or says
exactly what is wrong (the input, what was expected, what you returned, a hint). Until you
answer, the exercise's own cells raise `NotImplementedError`; the rest of the notebook runs.

When your work is graded, the same test cells run again with additional hidden cases, so a
function that only works on the visible cases loses the points. Do not edit or delete the
locked cells and do not change the course's checks: that is detected and the exercise then
scores 0 ("tests were modified").

Hand in the `.ipynb` files themselves (keep their names).
"""


def student_environment_yml() -> str:
    pins = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    return ("# The packages the notebooks need (the same pins as requirements.txt).\n"
            "name: nn-course\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n"
            "  - pip\n  - pip:\n" + "".join(f"      - {p}\n" for p in pins))


def release(notebooks: list[Path], out: Path = RELEASE, course: Path = COURSE, *,
            clean: bool = True, quiet: bool = True, inprocess: bool = False) -> list[Path]:
    """Write the student bundle to ``out``; return the released notebooks' paths."""
    out = Path(out)
    if clean:
        shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    graded = [p for p in notebooks if has_nbgrader_cells(nbformat.read(p, as_version=4))]
    build_course(course, graded)
    if graded:
        nbgrader(course, *(f"release:{assignment_id(p)}" for p in graded), quiet=quiet,
                 inprocess=inprocess)
    written = []
    released = list(notebooks)
    if not clean:  # notebooks released before into the same folder keep their test values
        released += [ROOT / "notebooks" / p.name for p in sorted(out.glob("*.ipynb"))
                     if (ROOT / "notebooks" / p.name).exists()
                     and ROOT / "notebooks" / p.name not in released]
    for path in notebooks:
        src = path if path not in graded else \
            Path(course) / "release" / assignment_id(path) / path.name
        nb = nbformat.read(src, as_version=4)
        for cell in nb.cells:  # nothing executed travels (the source is stored stripped)
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, out / path.name)
        written.append(out / path.name)
    partial = {p.name for p in select_notebooks(None)} - {p.name for p in released}
    # a scratch folder of this release's own: two releases at once must not share one
    Path(course).mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="replay-", dir=course))
    write_support_files(out, released, scratch, prune=bool(partial))
    return written


def write_support_files(out: Path, notebooks: list[Path] | None = None,
                        work: Path | None = None, *, prune: bool = False) -> dict:
    """``helpers/`` (with precomputed test values for ``notebooks``), the requirements and
    the student README of the bundle. With ``prune`` (a bundle of some notebooks only),
    ``helpers`` modules that no released notebook imports are left out. Returns
    :func:`tools.grading.replay.build`'s report."""
    out = Path(out)
    shutil.rmtree(out / "helpers", ignore_errors=True)
    shutil.copytree(ROOT / "helpers", out / "helpers",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
    work = Path(work) if work else out.parent / f".{out.name}-replay"
    try:
        report = replay.build(out / "helpers", list(notebooks or []), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if prune:
        report["pruned"] = replay.prune_modules(out / "helpers", sorted(out.glob("*.ipynb")))
    shutil.copy2(ROOT / "requirements.txt", out / "requirements.txt")
    (out / "results").mkdir(exist_ok=True)
    for name in RESULT_FILES:  # the course's own full-setting run, which the notebooks cite
        if (ROOT / "results" / name).exists():
            shutil.copy2(ROOT / "results" / name, out / "results" / name)
    (out / "docs").mkdir(exist_ok=True)   # the English-Chinese glossary the notebooks cite
    shutil.copy2(ROOT / "docs" / "glossary.md", out / "docs" / "glossary.md")
    (out / "environment.yml").write_text(student_environment_yml(), encoding="utf-8")
    title = "Neural networks, hands on"
    readme = ROOT / "README.md"
    if readme.exists():
        first = readme.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        title = first or title
    (out / "README.md").write_text(STUDENT_README.format(title=title), encoding="utf-8")
    return report


def bundle_files(out: Path = RELEASE) -> list[Path]:
    """Every file of a bundle (what a student receives)."""
    return sorted(p for p in Path(out).rglob("*") if p.is_file())
