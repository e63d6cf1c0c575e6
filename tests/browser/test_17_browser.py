"""Notebook 17's analogy explorer in a real browser (JupyterLab + headless Chromium).

Run All, then: type a word into the first box and press Enter after clearing the other two
(the explorer switches to that word's neighbours), then pick an example analogy from the
menu; after each, the readout text and the figure image must both change. Uses the session
fixtures of ``conftest.py`` and the page helpers of ``test_widgets_in_browser.py``; skipped
where no Chromium is available.
"""

from __future__ import annotations

import pytest
from test_widgets_in_browser import open_notebook, run_all, wait_until_run, widget_areas

NAME = "17_word_embeddings.ipynb"


@pytest.fixture()
def page17(lab, browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    open_notebook(page, lab, NAME, workspace="nb17")
    run_all(page)
    yield page
    ctx.close()


def test_analogy_explorer_responds_in_browser(page17, screenshots):
    wait_until_run(page17, NAME)
    views = widget_areas(page17)
    assert len(views) == 1, f"expected one analogy explorer in {NAME}, found {len(views)}"
    view = views[0]
    view.area.scroll_into_view_if_needed()
    view.wait_stable(quiet=0.5)
    view.shot(screenshots / "17_analogy_explorer_before.png")

    boxes = view.area.locator(".widget-text input")
    assert boxes.count() >= 3, "expected three word boxes (a, b, c)"
    before = view.state()
    for i in (2, 1):                      # clear c and b: neighbours mode
        boxes.nth(i).fill("")
        boxes.nth(i).press("Enter")
    boxes.nth(0).fill("frog")
    boxes.nth(0).press("Enter")
    changed = view.wait_changed(before)
    assert all(changed), f"typing a word: readout/figure changed = {changed}"
    view.wait_readout(lambda t: "neighbours of 'frog'" in t, "the neighbours of 'frog'")
    view.wait_stable(quiet=0.5)

    before = view.state()
    select = view.area.locator(".widget-dropdown select").first
    select.select_option(label="paris : france :: tokyo : ?")
    changed = view.wait_changed(before)
    assert all(changed), f"choosing an example: readout/figure changed = {changed}"
    view.wait_readout(lambda t: "japan" in t, "'japan' as the answer")
    view.shot(screenshots / "17_analogy_explorer_after.png")
