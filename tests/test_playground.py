"""The Playground (helpers.widgets.playground): model step, state and rendering, no browser."""

import io

import numpy as np
import pytest

from helpers.widgets.playground import (
    ACTIVATIONS,
    DATASETS,
    DOMAIN,
    FEATURES,
    Playground,
    PlaygroundState,
    build_model,
    feature_matrix,
    make_playground_data,
    penalty,
    run_headless,
    train_step,
)
from helpers.widgets.playground.raster import encode_png, encode_png_palette


def _weights(model):
    return {k: v.copy() for k, v in model.params.items()}


@pytest.mark.parametrize("name", DATASETS)
def test_datasets_are_binary_and_fit_the_plane(name):
    X, y = make_playground_data(name, n=300, noise=0.3, seed=1)
    assert X.shape == (300, 2) and y.shape == (300,)
    assert set(np.unique(y)) == {0, 1}
    assert np.percentile(np.abs(X), 99) < DOMAIN  # (a few Gaussian tails may fall outside)
    X2, y2 = make_playground_data(name, n=300, noise=0.3, seed=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_bad_settings_say_what_is_wrong():
    with pytest.raises(ValueError, match="dataset"):
        make_playground_data("swirl")
    with pytest.raises(ValueError, match="noise"):
        make_playground_data("xor", noise=0.9)
    with pytest.raises(ValueError, match="hidden"):
        PlaygroundState(hidden=[4, 9]).validate()
    with pytest.raises(ValueError, match="unknown Playground settings"):
        PlaygroundState.from_json('{"dataset": "xor", "learning_rat": 0.1}')
    with pytest.raises(ValueError, match="transposed"):
        feature_matrix(np.zeros((2, 5)), ["x1"])
    with pytest.raises(ValueError, match="hidden must be a list"):
        PlaygroundState.from_json('{"hidden": 8}')
    with pytest.raises(ValueError, match="features must be a list"):
        PlaygroundState.from_json('{"features": "x1"}')
    with pytest.raises(ValueError, match="not valid JSON.*double"):
        PlaygroundState.from_json("{'dataset': 'xor'}")


def test_features_transform_correctly():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = feature_matrix(X, list(FEATURES))
    expected = np.array([[1.0, 2.0, 1.0, 4.0, 2.0, np.sin(1.0), np.sin(2.0)],
                         [-0.5, 3.0, 0.25, 9.0, -1.5, np.sin(-0.5), np.sin(3.0)]])
    np.testing.assert_allclose(F, expected)
    np.testing.assert_allclose(feature_matrix(X, ["x1*x2", "x1"]), [[2.0, 1.0], [-1.5, -0.5]])


def test_loss_decreases_on_an_easy_set():
    pg = Playground(PlaygroundState(dataset="gaussian", noise=0.0, lr=0.03))
    pg.step(30)
    tr = pg.state.train_loss
    assert len(tr) == 31
    assert tr[-1] < 0.5 * tr[0] and tr[-1] < 0.2
    assert pg.metrics()["test_acc"] > 0.95


def test_zero_hidden_layers_is_logistic_regression():
    pg = Playground(PlaygroundState(dataset="gaussian", hidden=[], lr=0.03))
    assert sorted(pg.model.params) == ["W1", "b1"] and pg.model.params["W1"].shape == (2, 1)
    pg.step(20)
    assert pg.metrics()["test_acc"] > 0.95
    # A linear boundary cannot solve XOR ... unless the product feature is an input.
    xor = run_headless(PlaygroundState(dataset="xor", hidden=[], lr=0.03), 40)
    assert xor.metrics()["test_acc"] < 0.75
    xor2 = run_headless(PlaygroundState(dataset="xor", hidden=[], features=["x1", "x2", "x1*x2"],
                                        lr=0.03), 40)
    assert xor2.metrics()["test_acc"] > 0.9


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_trains(activation):
    pg = run_headless(PlaygroundState(dataset="circle", hidden=[6, 3], activation=activation,
                                      lr=0.01, batch_size=5), 5)
    assert np.all(np.isfinite(pg.state.train_loss))
    assert pg.state.train_loss[-1] < pg.state.train_loss[0] or activation == "linear"


def test_l2_adds_strength_times_w_and_l1_adds_strength_times_sign():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.integers(0, 2, 16)
    lr, r = 0.1, 0.05
    base, l2, l1 = (build_model(3, [4], "tanh", seed=3) for _ in range(3))
    W0 = _weights(base)
    train_step(base, X, y, lr)
    train_step(l2, X, y, lr, "L2", r)
    train_step(l1, X, y, lr, "L1", r)
    for k in W0:
        if k.startswith("W"):
            np.testing.assert_allclose(l2.params[k] - base.params[k], -lr * r * W0[k], atol=1e-12)
            d1 = l1.params[k] - base.params[k]
            moved = l1.params[k] != 0  # weights clipped at zero moved less
            np.testing.assert_allclose(d1[moved], -lr * r * np.sign(W0[k][moved]), atol=1e-12)
        else:  # biases are not regularised
            np.testing.assert_array_equal(l2.params[k], base.params[k])
            np.testing.assert_array_equal(l1.params[k], base.params[k])


def test_penalty_gradients_match_finite_differences():
    model = build_model(2, [3], "tanh", seed=1)
    W = model.params["W1"]
    for reg, analytic in (("L2", 0.3 * W), ("L1", 0.3 * np.sign(W))):
        num = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            old = W[idx]
            W[idx] = old + 1e-6
            up = penalty(model.params, reg, 0.3)
            W[idx] = old - 1e-6
            down = penalty(model.params, reg, 0.3)
            W[idx] = old
            num[idx] = (up - down) / 2e-6
        np.testing.assert_allclose(num, analytic, rtol=1e-6, atol=1e-8)


def test_l1_makes_weights_exactly_zero_and_l2_only_shrinks_them():
    cfg = dict(dataset="gaussian", features=list(FEATURES), hidden=[8], lr=0.03)
    l1 = run_headless(PlaygroundState(**cfg, regularization="L1", reg_strength=0.01), 60)
    l2 = run_headless(PlaygroundState(**cfg, regularization="L2", reg_strength=0.01), 60)
    none = run_headless(PlaygroundState(**cfg), 60)
    zeros = {name: int(np.sum(pg.model.params["W1"] == 0)) for name, pg in
             (("l1", l1), ("l2", l2), ("none", none))}
    assert zeros["l1"] >= 10 and zeros["l2"] == 0 and zeros["none"] == 0, zeros
    assert np.linalg.norm(l2.model.params["W1"]) < np.linalg.norm(none.model.params["W1"])


def test_json_round_trip_is_equal_and_training_continues_identically():
    pg = Playground(PlaygroundState(dataset="spiral", noise=0.1, hidden=[5, 3],
                                    features=["x1", "x2", "sin_x1"], regularization="L2",
                                    reg_strength=0.001, batch_size=7, init_seed=4, show_test=True))
    pg.step(3)
    text = pg.to_json()
    state = PlaygroundState.from_json(text)
    assert state == pg.snapshot()
    assert state.to_json() == text
    clone = Playground(state)
    pg.step(2)
    clone.step(2)
    for k, v in pg.model.params.items():
        np.testing.assert_array_equal(clone.model.params[k], v)
    assert clone.state.train_loss == pg.state.train_loss
    # A configuration without weights starts at epoch 0 with the seeded initial weights.
    fresh = Playground.from_json(pg.to_json(weights=False))
    assert fresh.state.epoch == 0 and fresh.state.params is None
    start = build_model(3, [5, 3], "tanh", seed=4)
    for k, v in start.params.items():
        np.testing.assert_array_equal(fresh.model.params[k], v)


def test_reset_restores_epoch_zero_and_the_initial_weights():
    pg = Playground()
    w0, loss0 = _weights(pg.model), pg.state.train_loss[0]
    pg.step(4)
    assert pg.state.epoch == 4 and len(pg.state.train_loss) == 5
    pg.reset()
    assert pg.state.epoch == 0 and pg.state.train_loss == [loss0]
    for k, v in w0.items():
        np.testing.assert_array_equal(pg.model.params[k], v)


def test_deterministic_with_seed():
    a = run_headless(PlaygroundState(dataset="moons", noise=0.2, init_seed=7), 5)
    b = run_headless(PlaygroundState(dataset="moons", noise=0.2, init_seed=7), 5)
    c = run_headless(PlaygroundState(dataset="moons", noise=0.2, init_seed=8), 5)
    assert a.state.train_loss == b.state.train_loss
    assert a.state.train_loss != c.state.train_loss


def test_update_resets_on_data_or_shape_changes_only():
    pg = Playground()
    pg.step(2)
    pg.update(lr=0.1, regularization="L2", reg_strength=0.01, batch_size=5)
    assert pg.state.epoch == 2
    pg.update(hidden=[3])
    assert pg.state.epoch == 0 and pg.model.params["W1"].shape == (2, 3)
    pg.step(1)
    old_X = pg.X_train.copy()
    pg.update(dataset="xor")
    assert pg.state.epoch == 0 and not np.array_equal(old_X, pg.X_train)
    pg.regenerate()
    assert pg.state.data_seed == 1
    with pytest.raises(ValueError, match="activation"):
        pg.update(activation="softplus")
    assert pg.state.activation == "tanh"  # a rejected change leaves the state as it was


def test_rendering_shows_the_model_and_changes_with_training():
    from PIL import Image

    pg = Playground(PlaygroundState(hidden=[4, 2], show_test=True))
    before = pg.render()
    img = Image.open(io.BytesIO(before["png"]))
    assert img.size == (pg.size_px, pg.size_px) and img.mode == "RGB"
    # the network picture: all 7 features, 4 + 2 hidden neurons, the output, as heat-maps
    assert before["network"].count('class="nn-node"') == 7 + 4 + 2 + 1
    assert before["network"].count("<image ") == 7 + 4 + 2 + 1
    assert before["network"].count('class="nn-hit"') == 2 * 4 + 4 * 2 + 2 * 1  # every weight
    assert "<svg" in before["loss"] and "Epoch 0" in before["readout"]
    pg.step(3)
    after = pg.render()
    assert after["png"] != before["png"] and "Epoch 3" in after["readout"]
    assert after["loss"] != before["loss"] and after["network"] != before["network"]


def test_encode_png_round_trips():
    from PIL import Image

    rgb = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    back = np.asarray(Image.open(io.BytesIO(encode_png(rgb))))
    np.testing.assert_array_equal(back, rgb)
    palette = np.random.default_rng(1).integers(0, 256, size=(64, 3), dtype=np.uint8)
    idx = np.random.default_rng(2).integers(0, 64, size=(6, 9), dtype=np.uint8)
    back = np.asarray(Image.open(io.BytesIO(encode_png_palette(idx, palette))).convert("RGB"))
    np.testing.assert_array_equal(back, palette[idx])


def _find(widget, cls, pred=lambda w: True):
    """Every descendant of ``widget`` of type ``cls`` satisfying ``pred``."""
    found = [widget] if isinstance(widget, cls) and pred(widget) else []
    for child in getattr(widget, "children", ()):
        found += _find(child, cls, pred)
    return found


def test_widget_controls_drive_the_playground():
    import ipywidgets as W

    from helpers.widgets.playground import show_playground

    ui, pg = show_playground()
    (img,) = _find(ui, W.Image)
    readout = _find(ui, W.HTML, lambda w: "nn-readout" in w._dom_classes)[0]
    assert "nn-figure" in img._dom_classes
    png0, text0 = img.value, readout.value
    step = _find(ui, W.Button, lambda b: b.description == "Step")[0]
    step.click()
    assert pg.state.epoch == 1 and img.value != png0 and readout.value != text0
    (play,) = _find(ui, W.Play)
    play.value = 1  # what the browser does every interval while playing
    play.value = 2
    assert pg.state.epoch == 3
    assert 40 <= play.interval <= 1000  # stretched only when a tick costs more than 40 ms
    act = _find(ui, W.Dropdown, lambda d: d.description == "Activation")[0]
    act.value = "relu"
    assert pg.state.activation == "relu" and pg.state.epoch == 0
    pg.step(2)
    _find(ui, W.BoundedIntText, lambda t: t.description == "Weights seed")[0].value = 5
    assert pg.state.init_seed == 5 and pg.state.epoch == 0
    save = _find(ui, W.Button, lambda b: b.description.startswith("Save"))[0]
    save.click()
    (text,) = _find(ui, W.Textarea)
    assert PlaygroundState.from_json(text.value).activation == "relu"
    assert PlaygroundState.from_json(text.value).init_seed == 5
    text.value = PlaygroundState(dataset="xor", hidden=[3]).to_json()
    _find(ui, W.Button, lambda b: b.description.startswith("Load"))[0].click()
    assert pg.state.dataset == "xor" and pg.state.hidden == [3]
    assert _find(ui, W.Dropdown, lambda d: d.description == "Data set")[0].value == "xor"


def test_a_configuration_off_the_menus_opens_and_loads():
    """lr 0.05 or a batch of 50 are valid settings the menus do not list: the controls show
    them instead of refusing the configuration."""
    import ipywidgets as W

    from helpers.widgets.playground import show_playground

    odd = PlaygroundState(lr=0.05, reg_strength=0.02, batch_size=50, train_ratio=0.95)
    ui, pg = show_playground(PlaygroundState.from_json(odd.to_json()))
    menu = {d.description: d for d in _find(ui, W.Dropdown)}
    assert menu["Learning rate"].value == 0.05 and menu["Reg. rate"].value == 0.02
    assert _find(ui, W.IntSlider, lambda w: w.description == "Batch size")[0].value == 50
    ui, pg = show_playground()
    (text,) = _find(ui, W.Textarea)
    text.value = odd.to_json()
    _find(ui, W.Button, lambda b: b.description.startswith("Load"))[0].click()
    menu = {d.description: d for d in _find(ui, W.Dropdown)}
    assert pg.state.lr == 0.05 and menu["Learning rate"].value == 0.05
    assert _find(ui, W.IntSlider, lambda w: w.description == "Batch size")[0].value == 50
    ratio = _find(ui, W.IntSlider, lambda w: w.description.startswith("Ratio"))[0]
    assert ratio.value == 95


# --------------------------------------------------------------------------- the network picture
def _link(svg, pid):
    """(stroke colour, stroke width, opacity, dashed) of the drawn link ``pid`` ("w:l:i:j")."""
    import re

    hit = re.search(rf'<path class="nn-hit" data-id="{pid}" d="([^"]+)"', svg)
    assert hit, f"no link {pid}"
    m = re.search(rf'<path d="{re.escape(hit.group(1))}" stroke="([^"]+)" '
                  r'stroke-width="([\d.]+)" stroke-opacity="([\d.]+)"( stroke-dasharray)?', svg)
    return m.group(1), float(m.group(2)), float(m.group(3)), bool(m.group(4))


def test_links_show_the_sign_and_size_of_each_weight():
    from helpers.widgets.playground.network import NEGATIVE, POSITIVE

    pg = Playground(PlaygroundState(hidden=[3]))
    pg.set_param("w:1:0:0", 2.0)
    pg.set_param("w:1:0:1", -0.1)
    pg.set_param("w:1:1:2", 0.0)
    svg = pg.network_svg()
    big, small, zero = _link(svg, "w:1:0:0"), _link(svg, "w:1:0:1"), _link(svg, "w:1:1:2")
    assert big[0] == POSITIVE and small[0] == NEGATIVE
    assert big[1] > small[1] and big[2] > small[2]  # thicker and more opaque
    assert zero[3] and not big[3]  # exactly 0: dashed
    assert "weight x₁ → layer 1 neuron 1: 2.000" in svg  # the tooltip with the number
    assert '<text class="nn-wv"' in svg and ">2.000</text>" in svg  # shown on hover (CSS)
    assert f".{pg.uid} .nn-hit:hover+.nn-wv{{display:inline}}" in svg
    # hovering a neuron enlarges it: a CSS rule shows its zoomed copy
    assert f"#{pg.uid}nh1_0:hover~.{pg.uid}zl .{pg.uid}zh1_0{{display:inline}}" in svg
    # a feature that is off is drawn faded and has no links
    assert 'data-id="f:x1^2" opacity="0.3"' in svg and 'data-id="f:x1" opacity' not in svg


def test_weights_can_be_read_and_set_by_id():
    pg = Playground(PlaygroundState(hidden=[4, 2]))
    assert pg.get_param("w:2:3:1") == pg.model.params["W2"][3, 1]
    loss0 = pg.state.train_loss[-1]
    pg.set_param("w:2:3:1", 5.0)
    assert pg.model.params["W2"][3, 1] == 5.0 and pg.state.train_loss[-1] != loss0
    pg.set_param("b:3:0", -1.0)
    assert pg.model.params["b3"][0] == -1.0
    assert pg.param_label("w:1:1:0") == "weight x₂ → layer 1 neuron 1"
    assert pg.param_label("b:3:0") == "bias of output"
    ids = pg.param_ids()
    assert len(ids) == sum(v.size for v in pg.model.params.values()) and len(set(ids)) == len(ids)
    for bad in ("w:4:0:0", "w:1:2:0", "w:1:0", "b:1:-1", "x:1:0", "w:1:0:0:0"):
        with pytest.raises(ValueError, match="no parameter"):
            pg.get_param(bad)
    with pytest.raises(ValueError, match="finite"):
        pg.set_param("w:1:0:0", float("nan"))


def test_neurons_and_layers_are_added_and_removed():
    pg = Playground(PlaygroundState(hidden=[4, 2]))
    pg.step(2)
    pg.add_neuron(1)
    assert pg.state.hidden == [5, 2] and pg.state.epoch == 0  # a new shape starts again
    pg.remove_neuron(2)
    assert pg.state.hidden == [5, 1]
    with pytest.raises(ValueError, match="at least one neuron"):
        pg.remove_neuron(2)
    pg.add_layer()
    assert pg.state.hidden == [5, 1, 2]
    for _ in range(3):
        pg.add_layer()
    with pytest.raises(ValueError, match="at most 6"):
        pg.add_layer()
    for _ in range(6):
        pg.remove_layer()
    assert pg.state.hidden == [] and sorted(pg.model.params) == ["W1", "b1"]
    with pytest.raises(ValueError, match="no hidden layer"):
        pg.remove_layer()
    with pytest.raises(ValueError, match="layer must be"):
        pg.add_neuron(1)
    pg.update(hidden=[8])
    with pytest.raises(ValueError, match="most neurons"):
        pg.add_neuron(1)
    pg.toggle_feature("x1*x2")
    assert pg.state.features == ["x1", "x2", "x1*x2"]
    pg.toggle_feature("x1")
    pg.toggle_feature("x2")
    with pytest.raises(ValueError, match="at least one"):
        pg.toggle_feature("x1*x2")


def test_picture_of_logistic_regression_and_of_the_largest_network():
    small = Playground(PlaygroundState(hidden=[])).network_svg()
    assert small.count('class="nn-hit"') == 2 and ">output<" in small
    big = Playground(PlaygroundState(hidden=[8] * 6, features=list(FEATURES))).network_svg()
    assert big.count('class="nn-hit"') == 7 * 8 + 5 * 8 * 8 + 8
    assert big.count('class="nn-node"') == 7 + 48 + 1


def test_data_set_picker_and_colour_scale():
    pg = Playground(PlaygroundState(dataset="spiral"))
    svg = pg.dataset_picker_svg()
    assert [f'data-id="d:{d}"' in svg for d in DATASETS] == [True] * 5 and "plane" not in svg
    assert svg.count('stroke="#000"') == 1 and "onclick=" in svg  # the current one is framed
    assert ">0.5<" in pg.colour_scale_svg()
    pg.update(problem="regression")
    assert 'data-id="d:multi_gaussian"' in pg.dataset_picker_svg()
    assert ">−1<" in pg.colour_scale_svg()


def test_selection_survives_training_and_is_dropped_when_the_shape_changes():
    pg = Playground(PlaygroundState(hidden=[4, 2]))
    pg.selected = "w:2:3:1"
    pg.step(1)
    assert 'stroke="#000" stroke-width="1.5" stroke-dasharray' in pg.network_svg()
    pg.update(hidden=[2, 2])  # W2[3, 1] no longer exists
    assert pg.selected is None


# --------------------------------------------------------------------------- regression
@pytest.mark.parametrize("name", ["plane", "multi_gaussian"])
def test_regression_sets_have_real_targets_in_about_minus_one_to_one(name):
    from helpers.widgets.playground.data import regression_target

    X, y = make_playground_data(name, n=400, noise=0.0, seed=2)
    assert X.shape == (400, 2) and y.dtype == np.float64
    assert np.abs(X).max() <= DOMAIN and -1.25 <= y.min() < 0 < y.max() <= 1.25
    np.testing.assert_allclose(y, regression_target(name, X))
    _, y_noisy = make_playground_data(name, n=400, noise=0.3, seed=2)
    assert not np.allclose(y_noisy, y)


def test_regression_targets_match_the_definition():
    from helpers.widgets.playground.data import regression_target

    X = np.array([[0.0, 0.0], [6.0, 4.0], [-4.0, 2.5], [0.0, 2.5], [-4.0, 1.5], [2.0, 0.0]])
    np.testing.assert_allclose(regression_target("plane", X)[:2], [0.0, 1.0])
    # the bump at (-4, 2.5) is +1, the one at (0, 2.5) is -1; at distance 1 half the height
    np.testing.assert_allclose(regression_target("multi_gaussian", X)[2:], [1.0, -1.0, 0.5, 0.0])


def test_regression_trains_with_squared_error_and_a_linear_output():
    from helpers.numpy_nn.losses import mse_loss

    pg = Playground(PlaygroundState(problem="regression", dataset="plane", hidden=[],
                                    lr=0.01))
    assert pg.model.output == "linear"
    F = feature_matrix(pg.X_train, pg.state.features)
    pred = F @ pg.model.params["W1"][:, 0] + pg.model.params["b1"][0]
    assert pg.state.train_loss[0] == pytest.approx(float(mse_loss(pred, pg.y_train)[0]))
    pg.step(30)
    m = pg.metrics()
    assert m["train_loss"] < 0.01 and m["test_acc"] is None  # a plane is linear: solved
    assert "mean squared error" in pg.readout_html()
    # the picture: continuous output (many colours), discretised: two colours
    from PIL import Image

    out, _ = pg.grid_activations()
    assert out.min() < -0.5 and out.max() > 0.5  # the value itself, not a probability
    n_colours = len(np.unique(np.asarray(Image.open(io.BytesIO(pg.render_boundary(out)))
                                         ).reshape(-1, 3), axis=0))
    pg.update(discretize=True)
    n_disc = len(np.unique(np.asarray(Image.open(io.BytesIO(pg.render_boundary(out)))
                                      ).reshape(-1, 3), axis=0))
    assert n_colours > n_disc + 50


def test_switching_the_problem_type_switches_the_data_set():
    pg = Playground()
    pg.update(problem="regression")
    assert pg.state.dataset == "plane" and pg.y_train.dtype == np.float64
    pg.update(dataset="multi_gaussian")
    pg.update(problem="classification")
    assert pg.state.dataset == "circle" and pg.model.output == "sigmoid"
    with pytest.raises(ValueError, match="dataset must be one of"):
        pg.update(dataset="plane")
    state = PlaygroundState.from_json('{"problem": "regression"}')
    assert state.dataset == "plane"
    with pytest.raises(ValueError, match="problem"):
        PlaygroundState(problem="ranking").validate()


def test_multi_gaussian_is_learned_by_a_small_network():
    pg = run_headless(PlaygroundState(problem="regression", dataset="multi_gaussian",
                                      hidden=[8, 8], lr=0.03), 60)
    assert pg.state.test_loss[-1] < 0.5 * pg.state.test_loss[0]


def test_widget_network_controls_and_weight_editor():
    import ipywidgets as W

    from helpers.widgets.playground import show_playground

    ui, pg = show_playground()
    (net,) = _find(ui, W.HTML, lambda w: "nn-network-view" in w._dom_classes)
    svg0 = net.value
    add = _find(ui, W.Button, lambda b: b.tooltip == "add a neuron to layer 1")[0]
    add.click()
    assert pg.state.hidden == [5, 2] and net.value != svg0
    _find(ui, W.Button, lambda b: b.tooltip == "add a hidden layer")[0].click()
    assert pg.state.hidden == [5, 2, 2] and ">layer 3<" in net.value
    _find(ui, W.Button, lambda b: b.tooltip == "remove a neuron from layer 3")[0].click()
    assert pg.state.hidden == [5, 2, 1]
    # a click in the picture arrives as "<id>@<time>" in the hidden text box
    (pick,) = _find(ui, W.Text, lambda t: "nn-pick" in t._dom_classes)
    pick.value = "w:1:1:4@123"
    assert pg.selected == "w:1:1:4"
    (param,) = _find(ui, W.Dropdown, lambda d: "nn-param" in d._dom_classes)
    assert param.value == "w:1:1:4"
    (value,) = _find(ui, W.FloatText, lambda t: "nn-value" in t._dom_classes)
    assert value.value == pytest.approx(pg.get_param("w:1:1:4"), abs=1e-6)
    value.value = -3.0
    assert pg.get_param("w:1:1:4") == -3.0 and "-3.000" in net.value
    _find(ui, W.Button, lambda b: b.description == "Reset")[0].click()
    assert value.value == pytest.approx(pg.get_param("w:1:1:4"), abs=1e-6)  # back to its start
    pick.value = "d:xor@125"  # a click on a data set's picture
    assert pg.state.dataset == "xor"
    pick.value = "f:sin_x1@124"
    assert "sin_x1" in pg.state.features
    prob = _find(ui, W.Dropdown, lambda d: d.description == "Problem type")[0]
    prob.value = "regression"
    data = _find(ui, W.Dropdown, lambda d: d.description == "Data set")[0]
    assert pg.state.problem == "regression" and data.value == "plane"
    assert [v for _, v in data.options] == ["plane", "multi_gaussian"]
    readout = _find(ui, W.HTML, lambda w: "nn-readout" in w._dom_classes)[0]
    assert "mean squared error" in readout.value
    _find(ui, W.Checkbox, lambda c: c.description == "Discretize output")[0].value = True
    assert pg.state.discretize
