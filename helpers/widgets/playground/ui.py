"""The ipywidgets Playground: controls wired to a :class:`Playground` (no logic of its own)."""

from __future__ import annotations

import time

from helpers.widgets._base import figure_image, readout
from helpers.widgets.playground.app import Playground
from helpers.widgets.playground.data import DATASETS, FEATURE_LABELS, FEATURES
from helpers.widgets.playground.model import (
    ACTIVATIONS,
    LEARNING_RATES,
    MAX_LAYERS,
    MAX_NEURONS,
    REG_STRENGTHS,
    REGULARIZATIONS,
)
from helpers.widgets.playground.state import PlaygroundState


def show_playground(state: PlaygroundState | None = None, interval_ms: int = 60):
    """The ipywidgets Playground. Returns ``(widget, playground)``; display the widget.

    Play/Pause is an ``ipywidgets.Play``: the browser ticks its value every ``interval_ms``
    and each tick trains one epoch and redraws, so the kernel is never blocked and Pause
    (or any other control) answers at once.
    """
    import ipywidgets as W

    pg = Playground(state)
    s = pg.state
    lay = W.Layout
    style = {"description_width": "100px"}

    # --- controls
    names = {"circle": "circle", "xor": "XOR", "gaussian": "Gauss", "spiral": "spiral",
             "moons": "moons"}
    dataset = W.Dropdown(options=[(names[d], d) for d in DATASETS], value=s.dataset,
                         description="Data set", style=style)
    noise = W.IntSlider(value=int(round(100 * s.noise)), min=0, max=50, step=5,
                        description="Noise (%)", continuous_update=False, style=style)
    ratio = W.IntSlider(value=int(round(100 * s.train_ratio)), min=10, max=90, step=10,
                        description="Train data (%)", continuous_update=False, style=style)
    regen = W.Button(description="Regenerate", icon="refresh", tooltip="new random data",
                     layout=lay(width="125px"))
    show_test = W.Checkbox(value=s.show_test, description="Show test data", indent=False,
                           layout=lay(width="150px", margin="0 0 0 10px"))
    feats = {f: W.ToggleButton(value=f in s.features, description=FEATURE_LABELS[f],
                               layout=lay(width="62px")) for f in FEATURES}
    n_layers = W.IntSlider(value=len(s.hidden), min=0, max=MAX_LAYERS, description="Hidden layers",
                           continuous_update=False, style=style)
    widths = [W.IntSlider(value=(s.hidden[i] if i < len(s.hidden) else 4), min=1,
                          max=MAX_NEURONS, description=f"Neurons in {i + 1}",
                          continuous_update=False, style=style,
                          layout=lay(display="" if i < len(s.hidden) else "none"))
              for i in range(MAX_LAYERS)]
    activation = W.Dropdown(options=ACTIVATIONS, value=s.activation, description="Activation",
                            style=style)
    lr = W.Dropdown(options=LEARNING_RATES, value=s.lr, description="Learning rate",
                    style=style)
    reg = W.Dropdown(options=REGULARIZATIONS, value=s.regularization,
                     description="Regularisation", style=style)
    reg_strength = W.Dropdown(options=REG_STRENGTHS, value=s.reg_strength, description="Reg. rate",
                          style=style)
    batch = W.IntSlider(value=s.batch_size, min=1, max=30, description="Batch size",
                        continuous_update=False, style=style)
    init_seed = W.BoundedIntText(value=s.init_seed, min=0, max=10**6, description="Weights seed",
                                 tooltip="a different seed draws different initial weights",
                                 style=style)
    for wdg in (dataset, noise, ratio, n_layers, *widths, activation, lr, reg, reg_strength, batch,
                init_seed):
        wdg.layout.width = "315px"
    play = W.Play(value=0, min=0, max=10**9, step=1, interval=interval_ms, show_repeat=False,
                  description="Play")
    step_btn = W.Button(description="Step", icon="step-forward", tooltip="train one epoch")
    reset_btn = W.Button(description="Reset", icon="undo", tooltip="back to epoch 0")
    out_readout = readout()
    img = figure_image()
    img.layout = lay(width=f"{pg.size_px}px", height=f"{pg.size_px}px")
    loss_html = W.HTML()
    neurons = W.HTML()
    cfg_text = W.Textarea(placeholder="Playground configuration (JSON)",
                          layout=lay(width="100%", height="90px"))
    save_btn = W.Button(description="Save → JSON", tooltip="write the configuration below")
    load_btn = W.Button(description="Load JSON", tooltip="apply the configuration below")
    message = W.HTML()
    syncing = {"on": False}  # True while controls are set from the state (no feedback loop)
    last_draw = {"t": 0.0}

    def redraw():
        views = pg.render()
        img.value = views["png"]
        out_readout.value = views["readout"]
        neurons.value = views["neurons"]
        loss_html.value = views["loss"]
        last_draw["t"] = time.perf_counter()

    def sync_controls():
        syncing["on"] = True
        try:
            st = pg.state
            dataset.value, noise.value = st.dataset, int(round(100 * st.noise))
            ratio.value, show_test.value = int(round(100 * st.train_ratio)), st.show_test
            for f, b in feats.items():
                b.value = f in st.features
            n_layers.value = len(st.hidden)
            for i, wdg in enumerate(widths):
                if i < len(st.hidden):
                    wdg.value = st.hidden[i]
                wdg.layout.display = "" if i < len(st.hidden) else "none"
            activation.value, lr.value, reg.value = st.activation, st.lr, st.regularization
            reg_strength.value, batch.value, init_seed.value = st.reg_strength, st.batch_size, st.init_seed
        finally:
            syncing["on"] = False

    def apply(**changes):
        if syncing["on"]:
            return
        try:
            pg.update(**changes)
            message.value = ""
        except ValueError as err:
            message.value = f'<span style="color:#D55E00">{err}</span>'
            sync_controls()
        redraw()

    def on_features(_):
        chosen = [f for f in FEATURES if feats[f].value]
        if not chosen:  # the network needs at least one input
            syncing["on"] = True
            feats[pg.state.features[0]].value = True
            syncing["on"] = False
            message.value = "At least one input feature must stay on."
            return
        apply(features=chosen)

    def on_layers(_):
        for i, wdg in enumerate(widths):
            wdg.layout.display = "" if i < n_layers.value else "none"
        apply(hidden=[w.value for w in widths[: n_layers.value]])

    def on_tick(change):
        if change["new"] <= change["old"]:
            return  # Play's stop button or a reset moved the counter back
        pg.step(1)
        # Catch up without drawing when ticks queue up faster than the kernel draws.
        if time.perf_counter() - last_draw["t"] >= 0.5 * interval_ms / 1000:
            redraw()

    def on_playing(change):
        if not change["new"]:
            redraw()  # the last tick may have skipped its drawing

    dataset.observe(lambda c: apply(dataset=c["new"]), "value")
    noise.observe(lambda c: apply(noise=c["new"] / 100), "value")
    ratio.observe(lambda c: apply(train_ratio=c["new"] / 100), "value")
    show_test.observe(lambda c: apply(show_test=c["new"]), "value")
    for b in feats.values():
        b.observe(on_features, "value")
    n_layers.observe(on_layers, "value")
    for wdg in widths:
        wdg.observe(on_layers, "value")
    activation.observe(lambda c: apply(activation=c["new"]), "value")
    lr.observe(lambda c: apply(lr=c["new"]), "value")
    reg.observe(lambda c: apply(regularization=c["new"]), "value")
    reg_strength.observe(lambda c: apply(reg_strength=c["new"]), "value")
    batch.observe(lambda c: apply(batch_size=c["new"]), "value")
    init_seed.observe(lambda c: apply(init_seed=int(c["new"])), "value")
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
            message.value = f'<span style="color:#D55E00">Could not load: {err}</span>'
            return
        play.playing = False
        pg.state, pg.X_train, pg.y_train = new.state, new.X_train, new.y_train
        pg.X_test, pg.y_test, pg.model = new.X_test, new.y_test, new.model
        pg._features_cache = None
        sync_controls()
        message.value = "Configuration loaded."
        redraw()

    step_btn.on_click(on_step)
    reset_btn.on_click(on_reset)
    regen.on_click(on_regen)
    save_btn.on_click(on_save)
    load_btn.on_click(on_load)

    def box(title, *children):
        return W.VBox([W.HTML(f"<b>{title}</b>"), *children],
                      layout=lay(border="1px solid #ddd", padding="4px", margin="2px"))

    controls = W.VBox([
        box("Data", dataset, noise, ratio, W.HBox([regen, show_test])),
        box("Features (inputs)", W.HBox(list(feats.values()), layout=lay(flex_flow="row wrap"))),
        box("Network", n_layers, *widths, activation, init_seed),
        box("Training", lr, reg, reg_strength, batch),
    ], layout=lay(width="330px", min_width="330px"))
    legend = W.HTML(
        "<div style='font-size:12px;line-height:1.35;margin-top:6px'>Heat-map: the network's "
        "P(class 1) over the plane; white is the decision boundary.<br>"
        "<span style='color:#0072B2'>●</span> class 0 &nbsp; "
        "<span style='color:#E69F00'>■</span> class 1 &nbsp; hollow markers: test points."
        "</div>")
    ui = W.VBox([
        W.HBox([play, step_btn, reset_btn, out_readout],
               layout=lay(align_items="center", flex_flow="row wrap")),
        W.HBox([controls, img, W.VBox([loss_html, legend], layout=lay(width="310px"))],
               layout=lay(flex_flow="row wrap", align_items="flex-start")),
        W.HTML("<b>What each unit computes</b>: its activation over the plane, scaled to its "
               "own range (blue = low, orange = high); hover for the unit's name."),
        neurons,
        W.HBox([save_btn, load_btn, message], layout=lay(align_items="center")), cfg_text,
    ])
    redraw()
    ui.add_class("nn-playground")
    return ui, pg
