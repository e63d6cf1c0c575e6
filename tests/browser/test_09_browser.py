"""Notebook 09's regularisation explorer in a real browser (JupyterLab + headless Chromium).

Run All, then move the strength slider by keyboard (a new network is trained on the small
subset) and switch the kind from L2 to dropout; after each, the readout text and the figure
image must both change. Uses the session fixtures of ``conftest.py`` and the page helpers of
``test_widgets_in_browser.py``; skipped where no Chromium is available.
"""

from __future__ import annotations

import pytest
from test_widgets_in_browser import (
    open_notebook,
    run_all,
    slider_by_keyboard,
    wait_until_run,
    widget_areas,
)

NAME = "09_regularisation.ipynb"


@pytest.fixture()
def page09(lab, browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    open_notebook(page, lab, NAME, workspace="nb09")
    run_all(page)
    yield page
    ctx.close()


def test_regularization_explorer_responds_in_browser(page09, screenshots):
    wait_until_run(page09, NAME)
    views = widget_areas(page09)
    assert len(views) == 1, f"expected one regularisation explorer in {NAME}, found {len(views)}"
    view = views[0]
    view.area.scroll_into_view_if_needed()
    view.wait_stable(quiet=0.5)
    view.shot(screenshots / "09_regularization_before.png")

    before = view.state()
    slider_by_keyboard(view, presses=1)
    changed = view.wait_changed(before, timeout=90)  # trains one small network
    assert all(changed), f"moving the strength slider: readout/figure changed = {changed}"

    before = view.state()
    view.area.locator(".widget-dropdown select").first.select_option(label="dropout")
    changed = view.wait_changed(before, timeout=90)
    assert all(changed), f"choosing dropout: readout/figure changed = {changed}"
    view.wait_readout(lambda t: "dropout" in t, "dropout")
    view.shot(screenshots / "09_regularization_after.png")
