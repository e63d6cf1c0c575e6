"""Notebook 07's optimiser race in a real browser (JupyterLab + headless Chromium).

Run All, then: choose the Rosenbrock surface in the dropdown, move the momentum slider by
keyboard, and untick the Adam racer; after each, the readout text and the figure image must
both change (and the readout must say what changed). Uses the session fixtures of
``conftest.py`` and the page helpers of ``test_widgets_in_browser.py``; skipped where no
Chromium is available.
"""

from __future__ import annotations

import pytest
from test_widgets_in_browser import open_notebook, run_all, wait_until_run, widget_areas

NAME = "07_gradient_descent_and_optimisers.ipynb"


@pytest.fixture()
def page07(lab, browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    open_notebook(page, lab, NAME, workspace="nb07")
    run_all(page)
    yield page
    ctx.close()


def test_optimizer_race_responds_in_browser(page07, screenshots):
    wait_until_run(page07, NAME)
    views = widget_areas(page07)
    assert len(views) == 1, f"expected one optimiser race in {NAME}, found {len(views)}"
    view = views[0]
    view.area.scroll_into_view_if_needed()
    view.wait_stable(quiet=0.5)
    view.shot(screenshots / "07_optimizer_race_before.png")
    assert view.state()[0].startswith("elongated quadratic")

    before = view.state()
    select = view.area.locator(".widget-dropdown select").first
    select.select_option(label="rosenbrock")
    changed = view.wait_changed(before)
    assert all(changed), f"choosing the rosenbrock surface: readout/figure changed = {changed}"
    view.wait_readout(lambda t: t.startswith("rosenbrock"), "the rosenbrock surface")

    before = view.state()
    slider = view.area.locator(".widget-slider", has_text="momentum").first
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(5):
        handle.press("ArrowLeft")
    changed = view.wait_changed(before)
    assert all(changed), f"moving the momentum slider: readout/figure changed = {changed}"

    before = view.state()
    assert "adam" in before[0]
    box = view.area.locator(".widget-checkbox", has_text="adam").first
    box.locator("input").uncheck()
    changed = view.wait_changed(before)
    assert all(changed), f"unticking adam: readout/figure changed = {changed}"
    view.wait_readout(lambda t: "adam" not in t, "the race without adam")
    view.shot(screenshots / "07_optimizer_race_after.png")


def test_notebook_07_is_a_widget_notebook():
    from test_widgets_in_browser import NOTEBOOK_NAMES

    if NAME not in NOTEBOOK_NAMES:
        pytest.fail(f"{NAME} should be discovered as a widget notebook: {NOTEBOOK_NAMES}")
