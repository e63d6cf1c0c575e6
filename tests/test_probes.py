"""helpers.probes: deep MLPs, per-layer statistics, training with tracking."""

import numpy as np
import pytest

from helpers.probes import (
    build_mlp,
    dead_fraction,
    deep_architecture,
    hidden_activations,
    layer_statistics,
    train_sgd,
)


def test_architecture_shape():
    arch = deep_architecture(5, 8, 4, "tanh", 3)
    assert len(arch) == 4
    assert [(a["input_dim"], a["output_dim"]) for a in arch] == [(5, 8), (8, 8), (8, 8), (8, 3)]
    assert arch[-1]["activation"] == "softmax" and arch[0]["activation"] == "tanh"


@pytest.mark.parametrize("kwargs", [{"depth": 1}, {"activation": "softplus"}, {"hidden_dim": 0}])
def test_architecture_rejects_bad_arguments(kwargs):
    args = {"input_dim": 5, "hidden_dim": 8, "depth": 3, "activation": "relu", "n_classes": 2}
    args.update(kwargs)
    with pytest.raises(ValueError):
        deep_architecture(**args)


def test_build_mlp_scale_sets_the_std():
    arch = deep_architecture(400, 300, 3, "tanh", 2)
    for scale in (0.01, 1.0):
        m = build_mlp(arch, init="normal", scale=scale, seed=0)
        assert m.params["W2"].std() == pytest.approx(scale, rel=0.02)
        assert np.all(m.params["b2"] == 0)
    he = build_mlp(arch, init="he", seed=0)
    assert he.params["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    zeros = build_mlp(arch, init="zeros")
    assert all(np.all(p == 0) for p in zeros.params.values())
    with pytest.raises(ValueError):
        build_mlp(arch, init="normal", scale=0.0)


def test_hidden_activations_match_the_model_forward():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((7, 5))
    m = build_mlp(deep_architecture(5, 6, 3, "relu", 2), init="he", seed=1)
    acts = hidden_activations(m, X)
    assert [A.shape for A in acts] == [(7, 6), (7, 6)]
    scores = acts[-1] @ m.params["W3"] + m.params["b3"]
    np.testing.assert_allclose(scores, m.forward(X)[0])


def test_dead_fraction():
    A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    assert dead_fraction(A) == pytest.approx(1 / 3)
    assert dead_fraction(np.zeros((4, 5))) == 1.0
    with pytest.raises(ValueError):
        dead_fraction(np.zeros(3))


def test_layer_statistics_sigmoid_vanishes():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 32)), rng.integers(0, 4, 64)
    s = layer_statistics(build_mlp(deep_architecture(32, 32, 8, "sigmoid", 4), "xavier"), X, y)
    assert s.grad_norms.shape == (8,) and s.act_std.shape == (7,) and s.dead.shape == (7,)
    assert np.all(np.diff(np.log(s.grad_norms)) > 0)  # grows towards the output
    assert s.grad_ratio < 1e-3
    assert np.isfinite(s.loss)


def test_train_sgd_lowers_the_loss_and_tracks():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    m = build_mlp(deep_architecture(2, 16, 3, "tanh", 2), init="xavier", seed=0)
    h = train_sgd(m, X, y, lr=0.3, epochs=30, batch_size=20, every=10, callback=lambda mm: 1.0)
    assert len(h["epoch_loss"]) == 30 and h["epoch_loss"][-1] < 0.6 * h["epoch_loss"][0]
    assert h["tracked_step"][0] == 0 and h["tracked_step"][-1] == 300
    assert len(h["tracked"]) == len(h["tracked_step"]) == 31


def test_train_sgd_stops_on_divergence():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 3)) * 1e200  # x @ W overflows to inf, the loss to NaN
    y = rng.integers(0, 2, 100)
    m = build_mlp(deep_architecture(3, 64, 4, "relu", 2), init="normal", scale=1e200)
    h = train_sgd(m, X, y, lr=0.1, epochs=5, batch_size=10)
    assert len(h["epoch_loss"]) == 5 and np.isnan(h["epoch_loss"][-1])


def test_train_sgd_tracks_the_final_state():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((70, 2)), rng.integers(0, 2, 70)
    m = build_mlp(deep_architecture(2, 8, 3, "relu", 2), init="he", seed=0)
    h = train_sgd(m, X, y, lr=0.1, epochs=1, batch_size=10, every=3, callback=lambda mm: 1.0)
    assert h["tracked_step"] == [0, 3, 6, 7]  # 7 steps: tracked every 3 and at the end
