"""Project-level guarantees: pinned set in sync, notebooks stored clean and well formed."""

import json
import re

import pytest

from helpers.config import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def _pins(path):
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned with =="
            pins[name.lower()] = version
    return pins


def test_environment_yml_installs_the_same_pinned_set():
    pins = {**_pins(REPO_ROOT / "requirements.txt"), **_pins(REPO_ROOT / "requirements-dev.txt")}
    text = (REPO_ROOT / "environment.yml").read_text()
    listed = dict(re.findall(r"^\s+- ([A-Za-z0-9_.\-]+)==([^\s#]+)", text, re.M))
    listed = {k.lower(): v for k, v in listed.items()}
    assert listed == pins, (
        f"only in requirements*.txt: {sorted(set(pins.items()) - set(listed.items()))}; "
        f"only in environment.yml: {sorted(set(listed.items()) - set(pins.items()))}")
    assert re.search(r"^\s+- python=3\.11\s*$", text, re.M)
    assert re.search(r"^\s+- -e \.\s*$", text, re.M), "environment.yml must install helpers"


def test_torch_is_pinned_exactly():
    assert _pins(REPO_ROOT / "requirements.txt")["torch"] == "2.13.0"


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2, "notebooks/ should hold the course's notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))  # valid JSON
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), "name notebooks NN_name.ipynb"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, (f"cells {dirty} have outputs; strip them: "
                       f"python tools/nb.py strip notebooks/{path.name}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_the_course_structure(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = "".join(cells[0]["source"])
    number = path.name[:2]
    assert first.startswith(f"# {number}"), f"the first cell should be the title '# {number} · …'"
    for part in ("Learning goals", "Prerequisites", "Estimated time"):
        assert part.lower() in first.lower(), f"the title cell should state {part!r}"
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert re.search(r"^#+ .*Summary", markdown, re.M | re.I), "close with a Summary section"


def test_readme_lists_every_notebook_and_the_test_command():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in NOTEBOOKS if f"(notebooks/{p.name})" not in readme]
    assert not missing, f"README's notebook table does not link {missing}"
    assert "make test" in readme and "make lab" in readme
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci, ".ci/run must run the README's test command"
