"""Notebook 12's kernel editor in a real browser (JupyterLab + headless Chromium).

Run All, then: type a number into the centre box of the 3 x 3 kernel (the preset turns to
"custom"), then pick a preset in the dropdown; after each, the readout text and the figure
image must both change. Uses the session fixtures of ``conftest.py`` and the page helpers of
``test_widgets_in_browser.py``; skipped where no Chromium is available.
"""

from __future__ import annotations

import pytest
from test_widgets_in_browser import open_notebook, run_all, wait_until_run, widget_areas

NAME = "12_convolutions_from_scratch.ipynb"


@pytest.fixture()
def page12(lab, browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    open_notebook(page, lab, NAME, workspace="nb12")
    run_all(page)
    yield page
    ctx.close()


def test_kernel_editor_responds_in_browser(page12, screenshots):
    wait_until_run(page12, NAME)
    views = widget_areas(page12)
    assert len(views) == 1, f"expected one kernel editor in {NAME}, found {len(views)}"
    view = views[0]
    view.area.scroll_into_view_if_needed()
    view.wait_stable(quiet=0.5)
    view.shot(screenshots / "12_kernel_editor_before.png")

    before = view.state()
    centre = view.area.locator(".widget-text input").nth(5)  # digit box, then 9 kernel boxes
    centre.fill("4")
    centre.press("Enter")
    changed = view.wait_changed(before)
    assert all(changed), f"typing a kernel entry: readout/figure changed = {changed}"
    view.wait_readout(lambda t: "custom" in t, "a custom kernel")

    before = view.state()
    select = view.area.locator(".widget-dropdown select").first
    select.select_option(label="sobel_y")
    changed = view.wait_changed(before)
    assert all(changed), f"choosing the sobel_y preset: readout/figure changed = {changed}"
    view.wait_readout(lambda t: "sobel_y" in t, "the sobel_y preset")
    view.shot(screenshots / "12_kernel_editor_after.png")
