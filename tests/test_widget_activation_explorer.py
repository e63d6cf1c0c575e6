"""The activation explorer's logic (notebook 05), without a browser."""

import numpy as np
import pytest

from helpers.widgets.activation_explorer import (
    EXPLORER_ACTIVATIONS,
    ActivationExplorer,
    show_activation_explorer,
)


def test_sigmoid_gradient_vanishes_and_relu_does_not():
    e = ActivationExplorer(activation="sigmoid", depth=10)
    r = e.compute()
    assert r["max_derivative"] == pytest.approx(0.25, abs=1e-6)
    assert r["derivative_at_0"] == pytest.approx(0.25)
    assert r["grad_norms"].shape == (10,)
    assert r["ratio"] < 1e-4  # about (1/4)^9 shrinkage over 9 sigmoid layers
    r_relu = e.set(activation="relu").compute()
    assert 0.1 < r_relu["ratio"] < 10
    assert r_relu["derivative_at_0"] == 0.0  # torch's convention at the kink


def test_depth_changes_the_number_of_layers_and_deeper_sigmoid_vanishes_more():
    e = ActivationExplorer(activation="sigmoid", depth=5)
    shallow = e.compute()["ratio"]
    deep = e.set(depth=20).compute()
    assert deep["grad_norms"].shape == (20,)
    assert deep["ratio"] < shallow * 1e-5
    assert np.all(np.isfinite(deep["grad_norms"]))


@pytest.mark.parametrize("name", EXPLORER_ACTIVATIONS)
def test_every_activation_computes_finite_numbers(name):
    r = ActivationExplorer(activation=name, depth=4).compute()
    assert np.all(np.isfinite(r["f"])) and np.all(np.isfinite(r["df"]))
    assert r["x"].shape == r["f"].shape == r["df"].shape
    assert np.all(r["grad_norms"] > 0)


def test_derivative_matches_finite_differences():
    e = ActivationExplorer(activation="gelu")
    r = e.compute()
    x, f, df = r["x"], r["f"], r["df"]
    numeric = np.gradient(f, x)
    assert np.max(np.abs(numeric[1:-1] - df[1:-1])) < 1e-3


def test_same_settings_same_numbers_and_cache():
    a = ActivationExplorer(activation="tanh", depth=8, init="he", seed=3).compute()
    b = ActivationExplorer(activation="tanh", depth=8, init="he", seed=3).compute()
    np.testing.assert_array_equal(a["grad_norms"], b["grad_norms"])
    e = ActivationExplorer()
    assert e.compute() is e.compute()


def test_readout_and_png():
    e = ActivationExplorer(activation="elu", depth=3)
    text = e.readout()
    assert "elu" in text and "3 layers" in text and "||dW_1|| / ||dW_L||" in text
    png = e.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("kwargs", [{"activation": "softplus"}, {"depth": 1}, {"depth": 31},
                                    {"depth": 2.5}, {"init": "zeros"}])
def test_invalid_settings_are_rejected(kwargs):
    with pytest.raises(ValueError):
        ActivationExplorer().set(**kwargs)


def test_ui_builds_and_reacts():
    box = show_activation_explorer(activation="relu", depth=4)
    controls, text, image = box.children
    act, ini, dep = controls.children
    assert dep.continuous_update is False
    before = text.value
    act.value = "sigmoid"
    assert text.value != before and "sigmoid" in text.value
    dep.value = 6
    assert "6 layers" in text.value
    assert image.value[:4] == b"\x89PNG"
    assert "nn-readout" in text._dom_classes and "nn-figure" in image._dom_classes
