"""Every course widget, operated in a real browser (JupyterLab + headless Chromium).

For each notebook that shows a widget (discovered from its source: anything that uses
``ipywidgets``, ``helpers.widgets`` or the Playground), the notebook is opened in JupyterLab
and *Run All Cells* is chosen from the Run menu. All notebooks are started at once, in their
own windows, so their kernels overlap; each test then waits for its notebook to finish.

Each widget is found by the CSS classes every course widget carries: ``nn-readout`` (its
text readout) and ``nn-figure`` (its figure image). A control is then operated the way a
student would (a slider by keyboard, a dropdown, a button, Play then Pause) and the test
asserts that the readout text *and* the image content both changed. A notebook whose source
promises a widget that cannot be found in the page fails. Screenshots of each widget before
and after go to ``screenshots/`` (git-ignored).

Per-notebook recipes (``RECIPES``) name the controls to use where the generic search (try
Play, then sliders, dropdowns, buttons, until both views change) is not the right test.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SCREENSHOTS = REPO / "screenshots"  # git-ignored

# A code cell that imports ipywidgets or a course widget, or builds the Playground (a module
# name inside a string, e.g. in an environment check, does not count).
WIDGET_CODE = re.compile(r"^\s*(from|import)\s+(ipywidgets|helpers\.widgets)\b|playground_widget\(",
                         re.MULTILINE)
RUN_TIMEOUT_S = 240  # per notebook, from Run All until the kernel is idle (small budget)
CHANGE_TIMEOUT_S = 15  # per interaction, until the views update


def _sources(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "code"]


def widget_notebooks() -> list[str]:
    """Notebooks whose code uses a widget (the exercise cells aside)."""
    found = []
    for p in sorted(NOTEBOOKS.glob("*.ipynb")):
        if any(WIDGET_CODE.search(src) for src in _sources(p)):
            found.append(p.name)
    return found


NOTEBOOK_NAMES = widget_notebooks()

# --------------------------------------------------------------------------- page helpers
JS_FIGURE_DIGEST = """async (el) => {
  const img = el.tagName === 'IMG' ? el : el.querySelector('img');
  if (!img || !img.src) return '';
  const buf = await (await fetch(img.src)).arrayBuffer();
  const h = await crypto.subtle.digest('SHA-256', buf);
  return Array.from(new Uint8Array(h)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""

JS_PROMPTS = """(nb) => Array.from(nb.querySelectorAll('.jp-CodeCell')).map(c => {
  const p = c.querySelector('.jp-InputArea-prompt');
  return p ? p.textContent.trim() : '';
})"""


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook tab on show


def _notebook(page):
    return page.locator(f"{PANEL} .jp-Notebook").first


def open_notebook(page, lab, name: str, workspace: str) -> None:
    """Start loading ``name`` in JupyterLab (returns before the app has booted).

    Each window gets its own empty workspace; windows sharing one would each restore the
    other notebooks too."""
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{name}?reset"),
              wait_until="domcontentloaded")


def run_all(page) -> None:
    """Wait for the notebook and its kernel, then choose Run ▸ Run All Cells."""
    page.locator(f"{PANEL} .jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    # The kernel is ready when the toolbar's indicator says idle.
    page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']"
                 ).first.wait_for(timeout=60_000)
    page.locator(f"{PANEL} .jp-KernelName", has_text=re.compile(r"Python")
                 ).first.wait_for(timeout=60_000)
    nb = _notebook(page)
    for _attempt in range(4):
        nb.click(position={"x": 5, "y": 5})  # make the notebook the current widget
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        item = page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                            has_text=re.compile(r"^Run All Cells$"))
        try:
            item.click(timeout=5_000)
        except Exception:  # disabled while the notebook is not yet current: try again
            page.keyboard.press("Escape")
            continue
        # Started when a prompt shows [*] or a number (a tiny notebook may already be done).
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            if any(re.search(r"\[(\*|\d+)\]", p) for p in nb.evaluate(JS_PROMPTS)):
                return
            time.sleep(0.2)
        _log(f"Run All Cells did not start (attempt {_attempt + 1}); trying again")
    raise AssertionError("Run > Run All Cells did not start the notebook (4 attempts)")


def wait_until_run(page, name: str, timeout: float = RUN_TIMEOUT_S) -> None:
    """Wait until no cell is queued or running and the kernel is idle; fail on an error."""
    nb = _notebook(page)
    deadline = time.monotonic() + timeout
    stable = 0
    while True:
        prompts = nb.evaluate(JS_PROMPTS)
        busy = any("*" in p for p in prompts)
        idle = page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator"
                            "[data-status='idle']").count() > 0
        if not busy and idle:
            stable += 1
            if stable >= 3:  # idle for three polls in a row: not just between two cells
                break
        else:
            stable = 0
        if time.monotonic() > deadline:
            _page_shot(page, f"{Path(name).stem}_timeout.png")
            pytest.fail(f"{name}: cells still running after {timeout} s: {prompts}")
        time.sleep(0.4)
    not_run = [i for i, p in enumerate(prompts) if not re.search(r"\[\d+\]", p)]
    if not_run:
        _page_shot(page, f"{Path(name).stem}_not_run.png")
        errors = nb.locator(".jp-OutputArea-output[data-mime-type*='stderr']").all_inner_texts()
        tb = next((e for e in errors if "Error" in e or "Traceback" in e), "(no traceback)")
        pytest.fail(f"{name}: code cells {not_run} did not run (Run All stopped at an error?)\n"
                    f"{tb[-2000:]}")


def _page_shot(page, filename: str) -> None:
    """A screenshot of the whole window into screenshots/, for a failing test's report."""
    try:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / filename), timeout=10_000)
    except Exception:  # a screenshot is a by-product; never the failure
        pass


class WidgetView:
    """One displayed widget: the output area holding a ``nn-figure`` and a ``nn-readout``."""

    def __init__(self, page, area):
        self.page, self.area = page, area
        self.figure = area.locator(".nn-figure").first
        self.readout = area.locator(".nn-readout").first

    def state(self) -> tuple[str, str]:
        return self.readout.inner_text().strip(), self.figure.evaluate(JS_FIGURE_DIGEST)

    def wait_changed(self, before, timeout=CHANGE_TIMEOUT_S) -> tuple[bool, bool]:
        """Poll until both views differ from ``before``; return (readout, figure) changed."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.state()
            changed = (now[0] != before[0], now[1] != before[1] and now[1] != "")
            if all(changed) or time.monotonic() > deadline:
                return changed
            time.sleep(0.25)

    def wait_readout(self, holds, what: str, timeout=CHANGE_TIMEOUT_S) -> str:
        """Poll until ``holds(readout text)`` is true (a widget may redraw more than once
        per interaction, e.g. one redraw per cleared box); fail naming ``what``."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.state()[0]
            if holds(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"readout never showed {what} within {timeout} s; "
                                     f"it reads {text!r}")
            time.sleep(0.25)

    def wait_stable(self, quiet: float = 1.0, timeout: float = 20) -> None:
        """Wait until the views stop changing for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        last, since = self.state(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.state()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
        raise AssertionError("the widget kept changing (does Pause work?)")

    def shot(self, path: Path) -> None:
        try:
            self.area.screenshot(path=str(path), timeout=10_000)
        except Exception:  # a screenshot is a by-product; never the failure
            pass


def widget_areas(page, wait: float = 15.0):
    """Every output area that holds a course widget (a figure and a readout); waits up to
    ``wait`` seconds for the widget views to render after the kernel went idle."""
    nb = _notebook(page)
    areas = nb.locator(".jp-OutputArea-output:has(.nn-figure):has(.nn-readout)")
    deadline = time.monotonic() + wait
    while areas.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.3)
    time.sleep(0.5)  # let every widget of the notebook finish rendering
    return [WidgetView(page, areas.nth(i)) for i in range(areas.count())]


# --------------------------------------------------------------------------- interactions
def play_then_pause(view: WidgetView, seconds: float = 2.5) -> str:
    play = view.area.locator(".widget-play").first
    play.locator("button").nth(0).click()  # ▶
    time.sleep(seconds)
    play.locator("button").nth(1).click()  # ❚❚
    return "Play, then Pause"


def slider_by_keyboard(view: WidgetView, index: int = 0, presses: int = 3) -> str:
    slider = view.area.locator(".widget-slider").nth(index)
    label = slider.locator(".widget-label").first.inner_text().strip()
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(presses):
        handle.press("ArrowRight")
    return f"slider {label!r} by keyboard"


def choose_in_dropdown(view: WidgetView, index: int = 0, label: str | None = None) -> str:
    """Pick the next option of the ``index``-th dropdown (or the one labelled ``label``)."""
    boxes = view.area.locator(".widget-dropdown")
    box = boxes.filter(has_text=label).first if label else boxes.nth(index)
    select = box.locator("select")
    options = select.locator("option").all_inner_texts()
    current = select.evaluate("s => s.options[s.selectedIndex].text")
    new = next(o for o in options if o != current)
    select.select_option(label=new)
    return f"dropdown {box.locator('.widget-label').first.inner_text().strip()!r} -> {new!r}"


def click_button(view: WidgetView, text: str, times: int = 1) -> str:
    button = view.area.locator("button.jupyter-button", has_text=text).first
    for _ in range(times):
        button.click()
    return f"button {text!r}" + (f" x{times}" if times > 1 else "")


def generic_actions(view: WidgetView):
    """Candidate interactions in the order a student would try them."""
    area = view.area
    if area.locator(".widget-play").count():
        yield lambda: play_then_pause(view)
    for i in range(min(area.locator(".widget-slider").count(), 4)):
        yield lambda i=i: slider_by_keyboard(view, i)
    for i in range(min(area.locator(".widget-dropdown").count(), 3)):
        yield lambda i=i: choose_in_dropdown(view, i)
    buttons = area.locator("button.jupyter-button:not(.widget-toggle-button)")
    for label in [t.strip() for t in buttons.all_inner_texts()][:4]:
        if label:
            yield lambda label=label: click_button(view, label)


def playground_recipe(view: WidgetView):
    """The Playground: Play then Pause (and check Pause stops it), a dropdown, a slider by
    keyboard, the Step button."""

    def play_pause_and_check_stopped():
        done = play_then_pause(view)
        view.wait_stable(quiet=1.5)  # paused: no more epochs arrive
        epoch = view.state()[0]
        time.sleep(1.0)
        assert view.state()[0] == epoch, "the Playground kept training after Pause"
        assert int(re.search(r"Epoch ([\d,]+)", epoch).group(1).replace(",", "")) > 0
        return done

    yield play_pause_and_check_stopped
    yield lambda: choose_in_dropdown(view, label="Data set")  # new data, back to epoch 0
    # Several epochs: one epoch of a fresh network can move P(class 1) by less than one
    # colour level. (Stepping first also makes the epoch in the readout change when a reset
    # to epoch 0 happens to give the same losses to three decimals.)
    yield lambda: click_button(view, "Step", times=5)
    yield lambda: slider_by_keyboard(view, 0)  # noise: new data, epoch 0
    yield lambda: click_button(view, "Step", times=5)
    yield lambda: click_button(view, "Regenerate")


# Notebook name -> function(view) yielding interactions; each one must change both views.
RECIPES = {"19_playground.ipynb": playground_recipe}


# --------------------------------------------------------------------------- the tests
@pytest.fixture(scope="session")
def running(lab, browser, request):
    """Open every selected widget notebook in its own window and start Run All in each,
    all at once, so that their kernels overlap."""
    # Only this module's selected tests: other test files have a "name" parameter too.
    names = [item.callspec.params["name"] for item in request.session.items
             if getattr(getattr(item, "module", None), "__name__", None) == __name__
             and getattr(item, "callspec", None) and "name" in item.callspec.params
             and item.callspec.params["name"] in NOTEBOOK_NAMES]
    pages, errors = {}, {}
    for i, name in enumerate(dict.fromkeys(names)):  # the windows boot in parallel ...
        ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        pages[name] = page
        try:
            open_notebook(page, lab, name, workspace=f"test{i}")
        except Exception as err:  # that notebook's test reports it; the others go on
            errors[name] = f"opening it failed: {err}"
    t0 = time.monotonic()
    for name, page in pages.items():  # ... and each starts Run All once its kernel is up
        if name not in errors:
            try:
                run_all(page)
                _log(f"{name}: Run All started {time.monotonic() - t0:.1f} s after opening")
            except Exception as err:
                errors[name] = f"Run All failed: {err}"
                _page_shot(page, f"{Path(name).stem}_run_all_failed.png")
    yield pages, errors
    for page in pages.values():
        page.context.close()


def _log(line: str) -> None:
    """What each interaction did, in screenshots/browser_tests.log (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    with open(SCREENSHOTS / "browser_tests.log", "a", encoding="utf-8") as f:
        f.write(time.strftime("%H:%M:%S ") + line + "\n")


def test_widget_notebooks_are_discovered():
    assert "19_playground.ipynb" in NOTEBOOK_NAMES, NOTEBOOK_NAMES


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_widgets_respond_in_browser(name, running, screenshots):
    pages, errors = running
    if name in errors:
        pytest.fail(f"{name}: {errors[name]}")
    page = pages[name]
    t0 = time.monotonic()
    wait_until_run(page, name)
    _log(f"{name}: waited {time.monotonic() - t0:.1f} s more for Run All to finish")
    views = widget_areas(page)
    assert views, (f"{name} uses widgets in its code, but no widget with both a .nn-figure "
                   "image and a .nn-readout text appeared after Run All")
    stem = Path(name).stem
    recipe = RECIPES.get(name)
    for k, view in enumerate(views):
        view.area.scroll_into_view_if_needed()
        view.wait_stable(quiet=0.5)
        view.shot(screenshots / f"{stem}_widget{k}_before.png")
        actions = recipe(view) if recipe else generic_actions(view)
        tried, ok = [], False
        for act in actions:
            before = view.state()
            what = act()
            changed = view.wait_changed(before)
            tried.append(f"{what}: readout {'changed' if changed[0] else 'unchanged'}, "
                         f"figure {'changed' if changed[1] else 'unchanged'}")
            if recipe:  # every step of a recipe must change both views
                assert all(changed), f"{name} widget {k}: " + "; ".join(tried)
                ok = True
            elif all(changed):
                ok = True
                break
        view.shot(screenshots / f"{stem}_widget{k}_after.png")
        _log(f"{name} widget {k}: " + "; ".join(tried))
        assert ok, (f"{name} widget {k}: no control changed both the readout and the figure; "
                    "tried " + ("; ".join(tried) or "nothing (no controls found)"))
