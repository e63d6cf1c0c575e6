"""Notebooks 15 and 16 in a real browser: the text sampler responds to its temperature slider
and to its seed-text box (readout and figure both change).

Reuses the JupyterLab/Chromium fixtures of ``conftest.py`` and the page helpers of
``test_widgets_in_browser.py``; skipped (loudly) where no Chromium is available.
"""

from __future__ import annotations

import time

import pytest

from tests.browser.test_widgets_in_browser import (
    _page_shot,
    open_notebook,
    run_all,
    slider_by_keyboard,
    wait_until_run,
    widget_areas,
)

NOTEBOOKS = ["15_recurrent_networks_from_scratch.ipynb", "16_gru_and_lstm.ipynb"]


def _type_seed_text(view, text: str) -> str:
    box = view.area.locator(".widget-text input").first
    box.fill(text)
    box.press("Enter")  # continuous_update=False: the value is sent on Enter
    return f"seed text {text!r}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_text_sampler_responds(name, lab, browser, screenshots):
    from pathlib import Path

    if not (Path(lab.root) / name).exists():
        pytest.skip(f"{name} is not in this checkout")
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        open_notebook(page, lab, name, workspace=f"sampler-{name[:2]}")
        run_all(page)
        wait_until_run(page, name)
        views = widget_areas(page)
        assert views, f"{name}: no text sampler (a .nn-figure and a .nn-readout) after Run All"
        view = views[-1]  # the sampler is the notebook's last widget
        view.area.scroll_into_view_if_needed()
        view.wait_stable(quiet=0.5)
        for act in (lambda: slider_by_keyboard(view, 0, presses=4),  # temperature
                    lambda: _type_seed_text(view, "the ")):
            before = view.state()
            what = act()
            changed = view.wait_changed(before)
            assert all(changed), f"{name}: {what} changed readout={changed[0]}, figure={changed[1]}"
            time.sleep(0.3)
        view.shot(screenshots / f"{name[:2]}_text_sampler_after.png")
    except Exception:
        _page_shot(page, f"{name[:2]}_text_sampler_failed.png")
        raise
    finally:
        ctx.close()
