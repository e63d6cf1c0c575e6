"""The MLP, the initialisers and the gradient checker itself."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import helpers.numpy_nn as nn

SMALL = [
    {"input_dim": 5, "output_dim": 7, "activation": "tanh"},
    {"input_dim": 7, "output_dim": 6, "activation": "relu"},
    {"input_dim": 6, "output_dim": 3, "activation": "softmax"},
]


def data(seed, n=4, d=5, c=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


# --------------------------------------------------------------------------- gradient checks
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_gradcheck_tanh_relu_softmax_l2(seed):
    model = nn.MLP(SMALL, l2=0.1, seed=seed)
    X, y = data(seed)
    _, grads = model.loss(X, y)
    res = nn.grad_check(lambda: model.loss(X, y)[0], model.params, grads, verbose=False)
    assert set(res) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert all(r.passed for r in res.values()), {k: r.max_rel_error for k, r in res.items()}


@pytest.mark.parametrize(
    "head,y", [("sigmoid", np.array([0, 1, 1, 0])), ("linear", np.array([0.5, -1.0, 2.0, 0.1]))]
)
def test_mlp_gradcheck_binary_and_regression_heads(head, y):
    arch = [
        {"input_dim": 3, "output_dim": 4, "activation": "sigmoid"},
        {"input_dim": 4, "output_dim": 1, "activation": head},
    ]
    model = nn.MLP(arch, init="xavier", l2=0.05, seed=0)
    X = np.random.default_rng(0).standard_normal((4, 3))
    _, grads = model.loss(X, y)
    res = nn.grad_check(lambda: model.loss(X, y)[0], model.params, grads, verbose=False)
    assert all(r.passed for r in res.values())


def test_grad_check_fails_on_a_wrong_gradient(capsys):
    model = nn.MLP(SMALL, l2=0.1, seed=0)
    X, y = data(0)
    _, grads = model.loss(X, y)
    grads["W2"][3, 1] *= 1.01  # a 1% error in one entry
    res = nn.grad_check(lambda: model.loss(X, y)[0], model.params, grads)
    out = capsys.readouterr().out
    assert not res["W2"].passed and res["W2"].worst_index == (3, 1)
    assert res["W2"].max_rel_error > 1e-3
    assert res["b1"].passed
    line = next(row for row in out.splitlines() if row.strip().startswith("W2"))
    assert "FAIL" in line and "(7, 6)" in line and "(3, 1)" in line
    assert out.count("PASS") == 5


def test_grad_check_catches_missing_l2_gradient():
    model = nn.MLP(SMALL, l2=0.1, seed=1)
    X, y = data(1)
    _, grads = model.loss(X, y)
    grads["W3"] -= 0.1 * model.params["W3"]
    res = nn.grad_check(lambda: model.loss(X, y)[0], model.params, grads, verbose=False)
    assert [k for k, r in res.items() if not r.passed] == ["W3"]


def test_numerical_gradient_restores_x_and_is_accurate():
    x = np.random.default_rng(0).standard_normal((3, 2))
    before = x.copy()
    g = nn.numerical_gradient(lambda x: np.sum(x**3), x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8)


def test_rel_error():
    assert nn.rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    np.testing.assert_allclose(nn.rel_error(np.array([1.0]), np.array([1.1])), 0.1 / 2.1)
    assert nn.rel_error(np.zeros(3), np.zeros(3)) == 0.0


def test_grad_check_warns_in_float32():
    x = np.ones(2, dtype=np.float32)
    with pytest.warns(UserWarning, match="float64"):
        nn.grad_check(lambda: float(np.sum(x**2)), {"x": x}, {"x": 2 * x}, verbose=False)


# --------------------------------------------------------------------------- the MLP
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_matches_torch(seed):
    model = nn.MLP(SMALL, l2=0.2, seed=seed)
    X, y = data(seed, n=6)
    loss, grads = model.loss(X, y)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    h = torch.tanh(torch.tensor(X) @ p["W1"] + p["b1"])
    h = torch.relu(h @ p["W2"] + p["b2"])
    t_loss = F.cross_entropy(h @ p["W3"] + p["b3"], torch.tensor(y))
    t_loss = t_loss + 0.5 * 0.2 * sum((p[f"W{i}"] ** 2).sum() for i in (1, 2, 3))
    t_loss.backward()
    np.testing.assert_allclose(loss, t_loss.item(), rtol=1e-12)
    for k in model.params:
        np.testing.assert_allclose(grads[k], p[k].grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mlp_params_shape_table_and_predictions():
    model = nn.MLP(nn.MNIST_ARCHITECTURE, seed=0)
    assert list(model.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert model.params["W2"].shape == (500, 150) and model.params["b3"].shape == (10,)
    table = dict(model.shape_table(128))
    assert table["X"] == (128, 784) and table["W1"] == (784, 500) and table["b1"] == (500,)
    assert table["Z2"] == (128, 150) and table["A3"] == (128, 10)
    assert [name for name, _ in model.shape_table(1)][:5] == ["X", "W1", "b1", "Z1", "A1"]
    X = np.random.default_rng(0).standard_normal((3, 784))
    proba = model.predict_proba(X)
    assert proba.shape == (3, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(axis=1))
    scores, caches = model.forward(X)
    assert scores.shape == (3, 10) and len(caches) == 3


def test_mlp_binary_head_predictions():
    arch = [
        {"input_dim": 2, "output_dim": 3, "activation": "relu"},
        {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"},
    ]
    model = nn.MLP(arch)
    X = np.random.default_rng(0).standard_normal((5, 2))
    p = model.predict_proba(X)
    assert p.shape == (5,) and ((p > 0) & (p < 1)).all()
    np.testing.assert_array_equal(model.predict(X), (p > 0.5).astype(int))


def test_mlp_float32_stays_float32():
    model = nn.MLP(SMALL, dtype=np.float32)
    X, y = data(0)
    loss, grads = model.loss(X, y)  # a float64 X is cast to the model's dtype
    assert all(g.dtype == np.float32 for g in grads.values())
    assert model.forward(X)[0].dtype == np.float32


def test_sgd_trains_a_small_mlp():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(-2, 1, (20, 2)), rng.normal(2, 1, (20, 2))])
    y = np.repeat([0, 1], 20)
    arch = [
        {"input_dim": 2, "output_dim": 8, "activation": "tanh"},
        {"input_dim": 8, "output_dim": 2, "activation": "softmax"},
    ]
    model = nn.MLP(arch, init="xavier", seed=0)
    first = model.loss(X, y)[0]
    for _ in range(100):
        _, grads = model.loss(X, y)
        nn.sgd_step(model.params, grads, lr=0.5)
    assert model.loss(X, y)[0] < 0.3 * first
    assert (model.predict(X) == y).mean() > 0.9


def test_mlp_architecture_errors():
    bad_chain = [dict(SMALL[0]), {"input_dim": 4, "output_dim": 3, "activation": "softmax"}]
    with pytest.raises(
        ValueError, match=r"layer 1 output_dim=7 does not match layer 2 input_dim=4"
    ):
        nn.MLP(bad_chain)
    with pytest.raises(ValueError, match=r"activation of hidden layer 1 'sigmoidd'.*relu"):
        nn.MLP([{**SMALL[0], "activation": "sigmoidd"}, SMALL[1], SMALL[2]])
    with pytest.raises(ValueError, match="output layer 3"):
        nn.MLP([SMALL[0], SMALL[1], {**SMALL[2], "activation": "relu2"}])
    with pytest.raises(ValueError, match="sigmoid output layer needs output_dim 1"):
        nn.MLP([{**SMALL[0], "activation": "sigmoid"}])
    with pytest.raises(ValueError, match="layer 2 output_dim must be a positive integer"):
        nn.MLP([SMALL[0], {**SMALL[1], "output_dim": 0}])
    with pytest.raises(ValueError, match="non-empty list"):
        nn.MLP([])
    with pytest.raises(ValueError, match="unknown init method 'kaiming'"):
        nn.MLP(SMALL, init="kaiming")


# --------------------------------------------------------------------------- initialisers
@pytest.mark.parametrize(
    "method,std",
    [
        ("normal", 0.01),
        ("xavier", np.sqrt(2 / (400 + 300))),
        ("xavier_uniform", np.sqrt(6 / 700) / np.sqrt(3)),
        ("he", np.sqrt(2 / 400)),
    ],
)
def test_init_std_matches_formula(method, std):
    W = nn.init_weights(method, 400, 300, np.random.default_rng(0))
    assert W.shape == (400, 300) and W.dtype == np.float64
    assert abs(W.std() / std - 1) < 0.01
    assert abs(W.mean()) < 0.01 * std


def test_init_zeros_uniform_bounds_scale_dtype():
    rng = np.random.default_rng(0)
    assert not nn.init_weights("zeros", 3, 2, rng).any()
    W = nn.init_weights("xavier_uniform", 50, 30, rng)
    assert np.abs(W).max() <= np.sqrt(6 / 80)
    W = nn.init_weights("normal", 300, 300, rng, scale=2.0, dtype=np.float32)
    assert W.dtype == np.float32 and abs(W.std() / 2.0 - 1) < 0.02


def test_init_unknown_method_lists_valid_names():
    with pytest.raises(ValueError) as e:
        nn.init_weights("glorot", 3, 2, np.random.default_rng(0))
    for name in nn.INIT_METHODS:
        assert name in str(e.value)
