"""FullyConnectedNet: whole-net gradient checks (dropout, batch/layer norm), torch, Solver."""

import numpy as np
import pytest
import torch

from helpers.numpy_nn.fc_net import MNIST_ARCHITECTURE, FullyConnectedNet
from helpers.numpy_nn.gradcheck import grad_check, rel_error
from helpers.numpy_nn.solver import Solver


def _data(n=6, d=5, c=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_whole_net_gradcheck(normalization, dropout):
    X, y = _data()
    net = FullyConnectedNet([7, 6], input_dim=5, num_classes=4, dropout=dropout,
                            normalization=normalization, l2=0.1, dtype=np.float64, seed=1,
                            dropout_seed=123)
    _, grads = net.loss(X, y)
    res = grad_check(lambda: net.loss(X, y)[0], net.params, grads, verbose=False,
                     threshold=1e-6)
    bad = {k: r.max_rel_error for k, r in res.items() if not r.passed}
    if normalization == "batchnorm":  # a bias before batch norm is subtracted out again:
        for k in ("b1", "b2"):        # its true gradient is 0, the check only sees noise
            assert np.abs(grads[k]).max() < 1e-12 and np.abs(res[k].numeric).max() < 1e-8
            bad.pop(k, None)
    assert not bad, bad


def test_matches_torch_without_dropout():
    X, y = _data(8, 5, 3, seed=2)
    net = FullyConnectedNet([6], input_dim=5, num_classes=3, normalization="batchnorm",
                            dtype=np.float64, seed=0)
    loss, grads = net.loss(X, y)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    tx = torch.tensor(X)
    h = tx @ p["W1"] + p["b1"]
    h = torch.nn.functional.batch_norm(h, None, None, p["gamma1"], p["beta1"], training=True)
    s = torch.relu(h) @ p["W2"] + p["b2"]
    tl = torch.nn.functional.cross_entropy(s, torch.tensor(y))
    tl.backward()
    assert abs(loss - tl.item()) < 1e-12
    for k in net.params:
        if k == "b1":  # a bias before batch norm is subtracted out again: gradient ~ 0
            assert np.abs(grads[k]).max() < 1e-14 and np.abs(p[k].grad.numpy()).max() < 1e-14
            continue
        assert rel_error(grads[k], p[k].grad.numpy()) < 1e-8, k


def test_predict_uses_test_mode():
    X, y = _data(20, 5, 3)
    net = FullyConnectedNet([8], input_dim=5, num_classes=3, dropout=0.5,
                            normalization="batchnorm")
    net.loss(X.astype(np.float32), y)
    a = net.predict(X)
    b = net.predict(X)
    np.testing.assert_array_equal(a, b)  # no dropout, running stats: deterministic
    assert net.bn_params[0]["mode"] == "test"


def test_float32_and_solver_learns():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 10)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    net = FullyConnectedNet([32, 16], input_dim=10, num_classes=2, dropout=0.1,
                            normalization="batchnorm")
    assert net.params["W1"].dtype == np.float32
    s = Solver(net, {"X_train": X[:200], "y_train": y[:200], "X_val": X[200:], "y_val": y[200:]},
               update_rule="adam", optim_config={"lr": 1e-2}, batch_size=32, epochs=10,
               progress=False)
    s.train()
    assert s.best_val_acc > 0.85
    assert net.params["W1"].dtype == np.float32


def test_mnist_architecture():
    assert [layer["output_dim"] for layer in MNIST_ARCHITECTURE] == [500, 150, 10]


def test_fc_net_bad_input():
    with pytest.raises(ValueError, match="drop probability"):
        FullyConnectedNet([5], dropout=1.0)
    with pytest.raises(ValueError, match="normalization"):
        FullyConnectedNet([5], normalization="groupnorm")
    with pytest.raises(ValueError, match="hidden_dims"):
        FullyConnectedNet([0])
    net = FullyConnectedNet([5], input_dim=4, num_classes=3)
    with pytest.raises(ValueError, match="looks transposed"):
        net.loss(np.ones((4, 6), dtype=np.float32), np.zeros(6, dtype=np.int64))
    with pytest.raises(ValueError, match="y"):
        net.loss(np.ones((6, 4), dtype=np.float32), np.zeros(5, dtype=np.int64))


def test_augmented_wrapper_shares_params_and_bad_input():
    from helpers.numpy_nn.fc_net import Augmented

    X, y = _data(10, 5, 3)
    net = FullyConnectedNet([4], input_dim=5, num_classes=3, dtype=np.float64)
    model = Augmented(net, lambda X, rng: X + 0.0 * rng.standard_normal(X.shape))
    assert model.params is net.params
    np.testing.assert_allclose(model.loss(X, y)[0], net.loss(X, y)[0])
    np.testing.assert_array_equal(model.predict(X), net.predict(X))
    with pytest.raises(TypeError, match="augment"):
        Augmented(net, None)
