"""pytest plugin of `make test` (``-p tools.pytest_groups``): how tests share 2 xdist workers.

With ``--dist loadgroup`` a group runs on one worker, in order. The cells of one notebook
(nbval) share a kernel, and the tests of one file may share module fixtures (a JupyterLab
server for the browser tests), so each notebook and each test file is one group; tests that
name their own group (the grading tests: one group per notebook's grading run) keep it.
"""

from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        path = Path(str(item.fspath))
        kind = "nbval" if path.suffix == ".ipynb" else "file"
        item.add_marker(pytest.mark.xdist_group(f"{kind}-{path.parent.name}-{path.stem}"))
