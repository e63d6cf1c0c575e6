"""The regularisation explorer's logic (notebook 09), without a browser."""

import numpy as np
import pytest

from helpers.widgets.regularization_explorer import (
    STRENGTHS,
    RegularizationExplorer,
    show_regularization_explorer,
)


def _tiny_data(seed=0):
    """A small task a 64-unit net memorises: noisy labels make the gap visible."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((400, 20)).astype(np.float32)
    y = (X[:, :3].sum(axis=1) > 0).astype(np.int64)
    flip = rng.random(400) < 0.2
    y[flip] = 1 - y[flip]
    return X[:200], y[:200], X[200:], y[200:]


@pytest.fixture(scope="module")
def explorer():
    return RegularizationExplorer(data=_tiny_data(), hidden=(64,), epochs=40)


def test_strong_l2_closes_the_gap(explorer):
    none = explorer.set(kind="l2", strength=0.0).compute()
    strong = explorer.set(strength=0.1).compute()
    assert none["gap"] > 0.1  # memorised noisy labels
    assert strong["gap"] < none["gap"]
    assert none["train_acc"].shape == (40,)


def test_dropout_setting_and_readout(explorer):
    explorer.set(kind="dropout")
    assert explorer.strength == 0.0
    explorer.set(strength=0.6)
    text = explorer.readout()
    assert "dropout p=0.6" in text and "gap" in text
    png = explorer.png()
    assert png[:4] == b"\x89PNG"


def test_cache_is_reused(explorer):
    explorer.set(kind="l2", strength=0.0)
    a = explorer.compute()
    assert explorer.compute() is a


def test_bad_settings(explorer):
    with pytest.raises(ValueError, match="kind"):
        explorer.set(kind="l3")
    with pytest.raises(ValueError, match="strength"):
        explorer.set(kind="l2", strength=0.5)
    with pytest.raises(ValueError, match="data"):
        RegularizationExplorer(data=(1, 2))


def test_show_builds_a_widget():
    box = show_regularization_explorer(data=_tiny_data(), hidden=(16,), epochs=2)
    assert box.children[1].value  # readout filled
    assert set(STRENGTHS) == {"l2", "dropout"}
