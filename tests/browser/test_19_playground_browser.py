"""Notebook 19's Playground in a real browser (JupyterLab + headless Chromium), at a laptop's
window size (1366 × 800).

Run All, then check the layout (data on the left, the network picture in the middle, the
output on the right, side by side inside the cell) and operate the new controls, asserting
after each that the picture and the readout changed: add a neuron to layer 1, add a layer,
click a link in the picture and type a new weight, hover a neuron (its enlarged heat-map
shows) and a link (its weight shows), click a data set's picture, switch the problem type to regression. A screenshot of the layout goes to
``screenshots/19_playground_layout.png``; with ``NN_COURSE_DOCS_SCREENSHOT=1`` it also
replaces ``docs/playground.png`` (the README's picture). Uses the session fixtures of
``conftest.py`` and the page helpers of ``test_widgets_in_browser.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from test_widgets_in_browser import (
    _log,
    open_notebook,
    play_then_pause,
    run_all,
    wait_until_run,
    widget_areas,
)

NAME = "19_playground.ipynb"
REPO = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1366, "height": 800}
TIMEOUT_S = 15

JS_BOX = "el => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }"


@pytest.fixture()
def page19(lab, browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    open_notebook(page, lab, NAME, workspace="nb19")
    run_all(page)
    yield page
    ctx.close()


def _collapse_left_sidebar(page) -> None:
    """Close JupyterLab's file browser (as one does on a laptop) to give the cell the width."""
    tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if tab.count():
        tab.first.click()
        time.sleep(0.5)


class Pg:
    """The first Playground of the notebook: its network picture, readout and figure."""

    def __init__(self, view):
        self.view, self.area = view, view.area
        self.network = self.area.locator(".nn-network-view").first

    def svg(self) -> str:
        return self.network.inner_html()

    def snapshot(self):
        return self.view.state() + (self.svg(),)

    def wait_all_changed(self, before, what: str):
        """Readout, figure and network picture must all differ from ``before``."""
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            now = self.snapshot()
            changed = [a != b for a, b in zip(now, before, strict=True)]
            if all(changed):
                return now
            if time.monotonic() > deadline:
                names = ("readout", "figure", "network picture")
                pytest.fail(f"{what}: unchanged " + ", ".join(
                    n for n, c in zip(names, changed, strict=True) if not c))
            time.sleep(0.25)

    def wait_for(self, predicate, what: str):
        deadline = time.monotonic() + TIMEOUT_S
        while not predicate():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for: {what}")
            time.sleep(0.25)

    def button(self, title: str):
        return self.area.locator(f"button[title='{title}']").first


def test_playground_layout_and_new_controls(page19, screenshots):
    wait_until_run(page19, NAME)
    _collapse_left_sidebar(page19)
    views = widget_areas(page19)
    assert views, "no Playground (a .nn-figure and a .nn-readout) after Run All"
    pg = Pg(views[0])
    pg.area.scroll_into_view_if_needed()
    pg.view.wait_stable(quiet=0.5)

    # --- layout: data | network | output side by side, inside the window
    data = pg.area.locator(".widget-dropdown", has_text="Data set").first.evaluate(JS_BOX)
    net = pg.network.evaluate(JS_BOX)
    fig = pg.view.figure.evaluate(JS_BOX)
    assert data[0] + 150 < net[0] < fig[0] - 400, f"not left-to-right: {data}, {net}, {fig}"
    assert abs(fig[1] - net[1]) < 120, f"output not beside the network: {net}, {fig}"
    assert fig[0] + fig[2] <= VIEWPORT["width"], f"output cut off at the right: {fig}"
    svg = pg.svg()
    assert svg.count('class="nn-hit"') == 2 * 4 + 4 * 2 + 2 * 1, "links of [4, 2] on 2 inputs"
    assert svg.count('class="nn-node"') == 7 + 4 + 2 + 1

    # --- train a little (the picture updates while playing), then the layout screenshot
    before = pg.snapshot()
    play_then_pause(pg.view, seconds=8.0)
    pg.wait_all_changed(before, "Play, then Pause")
    pg.view.wait_stable(quiet=1.0)
    epoch = int(re.search(r"Epoch ([\d,]+)", pg.view.state()[0]).group(1).replace(",", ""))
    assert epoch > 0
    _log(f"{NAME}: {epoch} epochs in 8 s of Play ({epoch / 8:.1f} per second, trained and "
         "drawn in the browser)")
    page19.mouse.move(5, 5)
    pg.area.evaluate("el => { const s = el.closest('.jp-WindowedPanel-outer')"
                     " || el.closest('.jp-Notebook'); if (s) s.scrollTop +="
                     " el.getBoundingClientRect().top - s.getBoundingClientRect().top - 4; }")
    time.sleep(0.5)
    shot = screenshots / "19_playground_layout.png"
    page19.screenshot(path=str(shot))
    if os.environ.get("NN_COURSE_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(shot, REPO / "docs" / "playground.png")

    # --- hover a neuron: its heat-map shows enlarged
    node = pg.network.locator(".nn-node[data-id='b:1:0']").first
    node.hover()
    zoom_shown = node.evaluate(
        "n => { const svg = n.ownerSVGElement, uid = svg.classList[1];"
        " const z = svg.querySelector('.' + uid + 'z' + n.id.slice(uid.length + 1));"
        " return z ? getComputedStyle(z).display : 'missing'; }")
    assert zoom_shown != "none" and zoom_shown != "missing", f"zoom display = {zoom_shown}"

    # --- hover a link: its weight is written at its middle
    link = pg.network.locator(".nn-hit[data-id='w:2:0:0']").first
    link.hover(force=True)
    shown = link.evaluate("p => getComputedStyle(p.nextElementSibling).display")
    assert shown != "none", f"weight label display = {shown}"

    # --- add a neuron to layer 1
    before = pg.snapshot()
    pg.button("add a neuron to layer 1").click()
    pg.wait_all_changed(before, "+ neuron in layer 1")
    assert "5 neurons" in pg.svg()

    # --- add a layer
    before = pg.snapshot()
    pg.button("add a hidden layer").click()
    pg.wait_all_changed(before, "+ layer")
    assert ">layer 3<" in pg.svg()
    head = pg.area.locator(".nn-head", has_text="hidden layer").first
    assert "3 hidden layers" in head.inner_text().lower()

    # --- click a link in the picture, type a new weight
    link = pg.network.locator(".nn-hit[data-id='w:1:0:0']").first
    assert "weight x₁ → layer 1 neuron 1" in link.locator("title").text_content()
    link.dispatch_event("click")
    selected = pg.area.locator(".nn-small", has_text="Selected").first
    pg.wait_for(lambda: "x₁ → layer 1 neuron 1" in selected.inner_text(),
                "the clicked link selected in the editor")
    before = pg.snapshot()
    box = pg.area.locator(".nn-value input").first
    box.fill("4")
    box.press("Enter")
    pg.wait_all_changed(before, "editing the weight")
    assert "= 4.000" in selected.inner_text()
    assert re.search(r'data-id="w:1:0:0"[^>]*><title>[^<]*: 4\.000<', pg.svg())

    # --- pick a data set by clicking its picture
    before = pg.snapshot()
    pg.area.locator(".nn-dataset-picker [data-id='d:xor']").first.click()
    pg.wait_all_changed(before, "clicking the XOR picture")
    select = pg.area.locator(".widget-dropdown", has_text="Data set").locator("select")
    pg.wait_for(lambda: select.evaluate("s => s.options[s.selectedIndex].text") == "XOR",
                "the Data set list showing XOR")

    # --- switch to regression
    before = pg.snapshot()
    pg.area.locator(".widget-dropdown", has_text="Problem type").locator("select").select_option(
        label="Regression")
    pg.wait_all_changed(before, "problem type -> regression")
    pg.wait_for(lambda: "mean squared error" in pg.view.state()[0],
                "the readout reporting the mean squared error")
    options = pg.area.locator(".widget-dropdown", has_text="Data set").locator(
        "option").all_inner_texts()
    assert options == ["plane", "multi-Gaussian"], options
    pg.view.shot(screenshots / "19_playground_after.png")
