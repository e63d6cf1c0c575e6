"""The ipywidgets Playground: controls wired to a :class:`Playground` (no logic of its own).

The layout follows the TensorFlow Playground, in about 1,130 px (a notebook cell on a
1280-1440 px laptop screen): a top bar (reset, play/pause, step, the epoch, learning rate,
activation, regularisation and its rate, problem type); below it, left to right, the data
(data set, train/test ratio, noise, batch size, features), the network picture (+/- for
layers and for each layer's neurons above it, a weight editor below it) and the output (the
heat-map with the points, the loss curves, the losses). Narrower windows wrap the output
column below the network.
"""

from __future__ import annotations

import time

from helpers.widgets._base import figure_image, readout
from helpers.widgets.playground.app import Playground
from helpers.widgets.playground.data import (
    DATASET_LABELS,
    DATASETS_FOR,
    FEATURE_LABELS,
    FEATURES,
)
from helpers.widgets.playground.model import (
    ACTIVATIONS,
    LEARNING_RATES,
    MAX_LAYERS,
    REG_STRENGTHS,
    REGULARIZATIONS,
)
from helpers.widgets.playground.network import COL_W, WIDTH, X0, column_width
from helpers.widgets.playground.state import PlaygroundState

DATASET_NAMES = DATASET_LABELS

_CSS = """<style>
.nn-playground .nn-stack {flex-direction: column; align-items: flex-start; height: auto;
  width: auto; margin: 0 6px 0 0}
.nn-playground .nn-stack > .widget-label {width: auto !important; max-width: none;
  margin: 0; font-size: 11px; color: #555; line-height: 16px; height: 16px; flex: none;
  text-align: left}
.nn-playground .nn-stack > select {width: 100%; margin: 0; flex: none;
  height: var(--jp-widgets-inline-height)}
.nn-playground .nn-wrap {flex-wrap: wrap; height: auto}
.nn-playground .nn-wrap > .widget-label {flex: 0 0 100%; width: 100% !important;
  max-width: none; text-align: left; font-size: 11px; color: #555; height: 16px;
  line-height: 16px; margin: 0}
.nn-playground .nn-wrap > .slider-container {flex: 1 1 0; min-width: 0}
.nn-playground .nn-wrap > .widget-readout {flex: none; width: 32px; min-width: 0}
.nn-playground .nn-readout {font-size: 12px; line-height: 1.4}
.nn-playground .nn-mini {min-width: 0; width: 24px; height: 22px; padding: 0; margin: 0 1px;
  line-height: 20px; font-weight: bold}
.nn-playground .nn-head {font-size: 11px; font-weight: bold; color: #444;
  letter-spacing: 0.04em; text-transform: uppercase}
.nn-playground .nn-epoch {font-size: 11px; color: #555; line-height: 14px}
.nn-playground .nn-epoch b {font-size: 20px; color: #222; font-weight: normal}
.nn-playground .nn-small {font-size: 11px; line-height: 1.35; color: #333}
</style>"""



def _choices(menu, value) -> tuple:
    """The menu's values, plus ``value`` in its place if the menu does not list it."""
    return tuple(sorted(set(menu) | {value}))

def show_playground(state: PlaygroundState | None = None, interval_ms: int = 40):
    """The ipywidgets Playground. Returns ``(widget, playground)``; display the widget.

    Play/Pause is an ``ipywidgets.Play``: the browser ticks its value every ``interval_ms``
    (at most 25 epochs per second by default) and each tick trains one epoch and redraws, so
    the kernel is never blocked and Pause (or any other control) answers at once. When an
    update takes the kernel longer than that (a large network, a busy machine) the Play's
    interval is stretched to match, so ticks never queue up behind a slow kernel.
    """
    import ipywidgets as W

    pg = Playground(state, size_px=280)
    s = pg.state
    lay = W.Layout

    def stacked(widget, width):
        widget.add_class("nn-stack")
        widget.style.description_width = "initial"
        widget.layout.width = width
        return widget

    def head(text):
        h = W.HTML(text, layout=lay(margin="2px 0"))
        h.add_class("nn-head")
        return h

    # --- top bar
    reset_btn = W.Button(description="Reset", icon="undo", tooltip="back to epoch 0",
                         layout=lay(width="78px"))
    play = W.Play(value=0, min=0, max=10**9, step=1, interval=interval_ms, show_repeat=False,
                  description="Play")
    step_btn = W.Button(description="Step", icon="step-forward", tooltip="train one epoch",
                        layout=lay(width="72px"))
    epoch_html = W.HTML(layout=lay(width="96px", margin="0 8px"))
    epoch_html.add_class("nn-epoch")
    lr = stacked(W.Dropdown(options=_choices(LEARNING_RATES, s.lr), value=s.lr,
                            description="Learning rate"),
                 "100px")
    activation = stacked(W.Dropdown(options=ACTIVATIONS, value=s.activation,
                                    description="Activation"), "92px")
    reg = stacked(W.Dropdown(options=REGULARIZATIONS, value=s.regularization,
                             description="Regularisation"), "100px")
    reg_strength = stacked(W.Dropdown(options=_choices(REG_STRENGTHS, s.reg_strength),
                                      value=s.reg_strength,
                                      description="Reg. rate"), "80px")
    problem = stacked(W.Dropdown(options=[("Classification", "classification"),
                                          ("Regression", "regression")], value=s.problem,
                                 description="Problem type"), "128px")

    # --- left: data and features
    sl = {"description_width": "78px"}

    def wrapped(widget):
        widget.add_class("nn-wrap")
        return widget

    dataset = stacked(W.Dropdown(options=[(DATASET_NAMES[d], d) for d in DATASETS_FOR[s.problem]],
                                 value=s.dataset, description="Data set"), "200px")
    percent = int(round(100 * s.train_ratio))
    ratio = wrapped(W.IntSlider(value=percent, min=min(10, percent), max=max(90, percent), step=10,
                        description="Ratio of training data (%)", continuous_update=False,
                        style=sl, layout=lay(width="210px")))
    noise = wrapped(W.IntSlider(value=int(round(100 * s.noise)), min=0, max=50, step=5,
                        description="Noise (%)", continuous_update=False, style=sl,
                        layout=lay(width="210px")))
    batch = wrapped(W.IntSlider(value=s.batch_size, min=1, max=max(30, s.batch_size),
                        description="Batch size",
                        continuous_update=False, style=sl, layout=lay(width="210px")))
    datasets_html = W.HTML(layout=lay(margin="0"))
    datasets_html.add_class("nn-dataset-picker")
    regen = W.Button(description="Regenerate", icon="refresh", tooltip="new random data",
                     layout=lay(width="120px"))
    feats = {f: W.ToggleButton(value=f in s.features, description=FEATURE_LABELS[f],
                               tooltip=f"input feature {f!r}", layout=lay(width="62px",
                                                                          margin="1px"))
             for f in FEATURES}
    init_seed = wrapped(W.BoundedIntText(
        value=s.init_seed, min=0, max=10**6, description="Weights seed",
        tooltip="a different seed draws different initial weights", style=sl,
        layout=lay(width="120px")))

    # --- middle: the network, its +/- buttons, the weight editor
    layers_html = W.HTML(layout=lay(margin="0 6px 0 0"))
    layers_html.add_class("nn-head")

    def mini(text, tip):
        b = W.Button(description=text, tooltip=tip)
        b.add_class("nn-mini")
        return b

    add_layer, rm_layer = mini("+", "add a hidden layer"), mini("−", "remove the last layer")
    plus = [mini("+", f"add a neuron to layer {i + 1}") for i in range(MAX_LAYERS)]
    minus = [mini("−", f"remove a neuron from layer {i + 1}") for i in range(MAX_LAYERS)]
    layer_boxes = [W.HBox([plus[i], minus[i]], layout=lay(width=f"{COL_W}px", margin="0",
                                                              flex="0 0 auto",
                                                              justify_content="center"))
                   for i in range(MAX_LAYERS)]
    network = W.HTML(layout=lay(width=f"{WIDTH}px", margin="0"))
    spacer = W.HTML(layout=lay(width=f"{X0 + COL_W // 2}px", margin="0", flex="0 0 auto"))
    network.add_class("nn-network-view")
    pick = W.Text(layout=lay(display="none"))  # the picture's clicks arrive here (see network)
    pick.add_class("nn-pick")
    param = W.Dropdown(options=[], description="Edit", style={"description_width": "32px"},
                       layout=lay(width="300px"))
    param.add_class("nn-param")
    value_box = W.FloatText(value=0.0, description="value", step=0.1,
                            style={"description_width": "40px"}, layout=lay(width="130px"))
    value_box.add_class("nn-value")
    set_btn = W.Button(description="Set", tooltip="set the selected weight to this value",
                       layout=lay(width="50px"))
    selected_html = W.HTML()
    selected_html.add_class("nn-small")

    # --- right: output
    out_readout = readout()
    img = figure_image()
    img.layout = lay(width=f"{pg.size_px}px", height=f"{pg.size_px}px")
    show_test = W.Checkbox(value=s.show_test, description="Show test data", indent=False,
                           layout=lay(width="125px"))
    discretize = W.Checkbox(value=s.discretize, description="Discretize output", indent=False,
                            layout=lay(width="140px"))
    loss_html = W.HTML()
    scale_html = W.HTML(layout=lay(margin="0"))

    # --- bottom: configuration as JSON
    cfg_text = W.Textarea(placeholder="Playground configuration (JSON)",
                          layout=lay(width="100%", height="70px"))
    save_btn = W.Button(description="Save → JSON", tooltip="write the configuration below")
    load_btn = W.Button(description="Load JSON", tooltip="apply the configuration below")
    message = W.HTML()
    syncing = {"on": False}  # True while controls are set from the state (no feedback loop)
    last_draw = {"t": 0.0}

    def update_editor_options():
        ids = pg.param_ids()
        if [v for _, v in param.options] != ids:
            syncing["on"] = True
            try:
                param.options = [(f"{pid}  {pg.param_label(pid)}", pid) for pid in ids]
                param.value = pg.selected if pg.selected in ids else None
            finally:
                syncing["on"] = False

    def redraw(sync_value: bool = True):
        """Draw every view; ``sync_value`` also shows the selected weight's value in the
        editor's box (not while playing, so typing there is not overwritten)."""
        views = pg.render()
        img.value = views["png"]
        out_readout.value = views["readout"]
        network.value = views["network"]
        loss_html.value = views["loss"]
        datasets_html.value = pg.dataset_picker_svg(32)
        scale_html.value = pg.colour_scale_svg()
        epoch_html.value = f"Epoch<br><b>{pg.state.epoch:07,d}</b>"
        n = len(pg.state.hidden)
        layers_html.value = f"{n} hidden layer{'s' if n != 1 else ''}"
        cw = column_width(n)
        spacer.layout.width = f"{X0 + cw // 2}px"
        for i, box in enumerate(layer_boxes):
            box.layout.display = "" if i < n else "none"
            box.layout.width = f"{cw}px"
        update_editor_options()
        if pg.selected is not None:
            selected_html.value = (f"Selected: <b>{pg.param_label(pg.selected)}</b> = "
                                   f"<b>{pg.get_param(pg.selected):.3f}</b>")
            if sync_value:
                syncing["on"] = True
                try:
                    value_box.value = round(pg.get_param(pg.selected), 6)
                finally:
                    syncing["on"] = False
        else:
            selected_html.value = ("Click a link (a weight) or a neuron (its bias) in the "
                                   "picture to edit it here.")
        last_draw["t"] = time.perf_counter()

    def sync_controls():
        syncing["on"] = True
        try:
            st = pg.state
            percent = int(round(100 * st.train_ratio))
            ratio.min, ratio.max = min(10, percent), max(90, percent)
            problem.value = st.problem
            opts = [(DATASET_NAMES[d], d) for d in DATASETS_FOR[st.problem]]
            if list(dataset.options) != opts:
                dataset.options = opts
            dataset.value, noise.value = st.dataset, int(round(100 * st.noise))
            ratio.value, show_test.value = int(round(100 * st.train_ratio)), st.show_test
            discretize.value = st.discretize
            for f, b in feats.items():
                b.value = f in st.features
            # a loaded configuration may hold a value the menus do not list (lr 0.05)
            lr.options = _choices(LEARNING_RATES, st.lr)
            reg_strength.options = _choices(REG_STRENGTHS, st.reg_strength)
            batch.max = max(30, st.batch_size)
            activation.value, lr.value, reg.value = st.activation, st.lr, st.regularization
            reg_strength.value, batch.value = st.reg_strength, st.batch_size
            init_seed.value = st.init_seed
        finally:
            syncing["on"] = False

    def show_error(err):
        message.value = f'<span style="color:#D55E00">{err}</span>'

    def act(fn, *args, **changes):
        """Run a Playground action, report a refusal, bring the controls in line, redraw."""
        if syncing["on"]:
            return
        try:
            fn(*args, **changes)
            message.value = ""
        except ValueError as err:
            show_error(err)
        sync_controls()
        redraw()

    def apply(**changes):
        act(pg.update, **changes)

    def on_features(_):
        if syncing["on"]:
            return
        chosen = [f for f in FEATURES if feats[f].value]
        if not chosen:  # the network needs at least one input
            sync_controls()
            message.value = "At least one input feature must stay on."
            return
        apply(features=chosen)

    def select(pid):
        pg.selected = pid
        syncing["on"] = True
        try:
            update_editor_options()
            param.value = pid
            value_box.value = round(pg.get_param(pid), 6)
        finally:
            syncing["on"] = False
        redraw()

    def on_pick(change):
        pid = change["new"].split("@")[0]
        if not pid:
            return
        if pid.startswith("f:"):
            act(pg.toggle_feature, pid[2:])
        elif pid.startswith("d:"):
            apply(dataset=pid[2:])
        elif pg._param_exists(pid):
            select(pid)

    def on_param(change):
        if not syncing["on"] and change["new"] is not None:
            select(change["new"])

    def on_set(_=None):
        if syncing["on"]:
            return
        if pg.selected is None:
            message.value = "Select a weight first (click a link in the picture)."
            return
        act(pg.set_param, pg.selected, value_box.value)

    cost = {"ms": 0.0}  # running average of one tick's work (training + drawing)

    def on_tick(change):
        if change["new"] <= change["old"]:
            return  # Play's stop button or a reset moved the counter back
        t0 = time.perf_counter()
        pg.step(1)
        # Catch up without drawing when ticks queue up faster than the kernel draws.
        if t0 - last_draw["t"] >= 0.5 * play.interval / 1000:
            redraw(sync_value=False)
        # The browser reads Play's interval before each tick: keep it a little above what a
        # tick costs here, so that ticks do not pile up (and Pause is not delayed by them).
        cost["ms"] = 0.7 * cost["ms"] + 0.3 * 1000 * (time.perf_counter() - t0)
        want = int(min(1000, max(interval_ms, 1.25 * cost["ms"])))
        if abs(want - play.interval) > 0.2 * play.interval:
            play.interval = want

    def on_playing(change):
        if not change["new"]:
            redraw()  # the last tick may have skipped its drawing

    problem.observe(lambda c: apply(problem=c["new"]), "value")
    dataset.observe(lambda c: apply(dataset=c["new"]), "value")
    noise.observe(lambda c: apply(noise=c["new"] / 100), "value")
    ratio.observe(lambda c: apply(train_ratio=c["new"] / 100), "value")
    show_test.observe(lambda c: apply(show_test=c["new"]), "value")
    discretize.observe(lambda c: apply(discretize=c["new"]), "value")
    for b in feats.values():
        b.observe(on_features, "value")
    activation.observe(lambda c: apply(activation=c["new"]), "value")
    lr.observe(lambda c: apply(lr=c["new"]), "value")
    reg.observe(lambda c: apply(regularization=c["new"]), "value")
    reg_strength.observe(lambda c: apply(reg_strength=c["new"]), "value")
    batch.observe(lambda c: apply(batch_size=c["new"]), "value")
    init_seed.observe(lambda c: apply(init_seed=int(c["new"])), "value")
    pick.observe(on_pick, "value")
    param.observe(on_param, "value")
    value_box.observe(on_set, "value")
    play.observe(on_tick, "value")
    play.observe(on_playing, "playing")

    def on_step(_):
        pg.step(1)
        redraw()

    def on_reset(_):
        play.playing = False
        pg.reset()
        redraw()

    def on_regen(_):
        pg.regenerate()
        redraw()

    def on_save(_):
        cfg_text.value = pg.to_json(weights=False, indent=1)
        message.value = "Configuration written below (copy it to hand it out)."

    def on_load(_):
        try:
            new = Playground.from_json(cfg_text.value, grid=pg.grid, size_px=pg.size_px,
                                       thumb_px=pg.thumb_px)
        except (ValueError, TypeError) as err:
            show_error(f"Could not load: {err}")
            return
        play.playing = False
        pg.state, pg.X_train, pg.y_train = new.state, new.X_train, new.y_train
        pg.X_test, pg.y_test, pg.model = new.X_test, new.y_test, new.model
        pg._features_cache, pg.selected = None, None
        sync_controls()
        message.value = "Configuration loaded."
        redraw()

    step_btn.on_click(on_step)
    reset_btn.on_click(on_reset)
    regen.on_click(on_regen)
    save_btn.on_click(on_save)
    load_btn.on_click(on_load)
    set_btn.on_click(on_set)
    add_layer.on_click(lambda _: act(pg.add_layer))
    rm_layer.on_click(lambda _: act(pg.remove_layer))
    for i in range(MAX_LAYERS):
        plus[i].on_click(lambda _, i=i: act(pg.add_neuron, i + 1))
        minus[i].on_click(lambda _, i=i: act(pg.remove_neuron, i + 1))

    top = W.HBox([reset_btn, play, step_btn, epoch_html, lr, activation, reg, reg_strength,
                  problem], layout=lay(align_items="flex-end", flex_flow="row wrap",
                                       border_bottom="1px solid #ddd", padding="0 0 4px 0"))
    left = W.VBox([head("Data"), datasets_html, dataset, ratio, noise, batch, regen,
                   head("Features"),
                   W.HBox(list(feats.values()), layout=lay(flex_flow="row wrap", width="205px")),
                   W.HTML("<div class='nn-small'>Switch inputs here or click them in the "
                          "picture.</div>", layout=lay(width="205px")),
                   init_seed],
                  layout=lay(width="215px", min_width="215px", margin="0 8px 0 0"))
    middle = W.VBox([
        W.HBox([layers_html, add_layer, rm_layer], layout=lay(align_items="center")),
        W.HBox([spacer, *layer_boxes], layout=lay(margin="2px 0 0 0")),
        network,
        W.HTML("<div class='nn-small'>Links: <span style='color:#E69F00'>orange</span> = "
               "positive weight, <span style='color:#0072B2'>blue</span> = negative, thicker = "
               "larger |w|, dashed grey = exactly 0. Neurons: what each computes over the "
               "plane (blue low, orange high). Hover a neuron to enlarge it, a link for its "
               "weight; click either to edit it below.</div>",
               layout=lay(width=f"{WIDTH}px")),
        selected_html,
        W.HBox([param, value_box, set_btn], layout=lay(align_items="center")),
        pick,
    ], layout=lay(width=f"{WIDTH + 6}px", min_width=f"{WIDTH + 6}px", margin="0 8px 0 0"))
    right = W.VBox([
        head("Output"), out_readout, img, scale_html, W.HBox([show_test, discretize]),
        loss_html,
        W.HTML("<div class='nn-small'>Heat-map: the network's output over the plane "
               "(classification: P(class 1), white = the decision boundary; regression: the "
               "predicted value, blue −1 to orange +1). <span style='color:#0072B2'>●</span> "
               "class 0 <span style='color:#E69F00'>■</span> class 1; hollow markers: test "
               "points.</div>", layout=lay(width="310px")),
    ], layout=lay(width="318px", min_width="318px"))
    ui = W.VBox([
        W.HTML(_CSS, layout=lay(display="none")), top,
        W.HBox([left, middle, right], layout=lay(flex_flow="row wrap",
                                                  align_items="flex-start",
                                                  margin="6px 0 0 0")),
        W.HBox([save_btn, load_btn, message], layout=lay(align_items="center")), cfg_text,
    ])
    redraw()
    ui.add_class("nn-playground")
    return ui, pg
