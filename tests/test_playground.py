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
from helpers.widgets.playground.raster import encode_png


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
    assert before["neurons"].count("<img") == 2 + 4 + 2  # 2 inputs, 4 + 2 hidden units
    assert "<svg" in before["loss"] and "Epoch 0" in before["readout"]
    pg.step(3)
    after = pg.render()
    assert after["png"] != before["png"] and "Epoch 3" in after["readout"]
    assert after["loss"] != before["loss"]


def test_encode_png_round_trips():
    from PIL import Image

    rgb = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    back = np.asarray(Image.open(io.BytesIO(encode_png(rgb))))
    np.testing.assert_array_equal(back, rgb)


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
