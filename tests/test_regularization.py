"""helpers.numpy_nn.regularization: gradient checks, PyTorch comparisons, bad inputs."""

import numpy as np
import pytest
import torch

from helpers.numpy_nn.gradcheck import check_layer_grad, rel_error
from helpers.numpy_nn.regularization import (
    batchnorm_backward,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    l1_penalty,
    l2_penalty,
    layernorm_backward,
    layernorm_forward,
)


def _rng(seed=0):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- L1 / L2
def test_l1_penalty_vs_torch_and_zero_subgradient():
    rng = _rng()
    ws = [rng.standard_normal((4, 3)), rng.standard_normal(5)]
    ws[0][1, 1] = 0.0
    loss, grads = l1_penalty(ws, 0.3)
    ts = [torch.tensor(w, requires_grad=True) for w in ws]
    tl = 0.3 * sum(t.abs().sum() for t in ts)
    tl.backward()
    assert abs(loss - tl.item()) < 1e-12
    for g, t in zip(grads, ts, strict=True):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12)
    assert grads[0][1, 1] == 0.0  # subgradient 0 at 0, as torch


def test_l2_penalty_vs_torch():
    rng = _rng(1)
    ws = [rng.standard_normal((4, 3))]
    loss, grads = l2_penalty(ws, 0.7)
    t = torch.tensor(ws[0], requires_grad=True)
    (0.35 * (t * t).sum()).backward()
    np.testing.assert_allclose(grads[0], t.grad.numpy(), rtol=1e-12)
    assert abs(loss - 0.35 * float((ws[0] ** 2).sum())) < 1e-12


def test_l1_penalty_bad_input():
    with pytest.raises(TypeError, match="weights"):
        l1_penalty(np.ones(3), 0.1)
    with pytest.raises(ValueError, match="l1"):
        l1_penalty([np.ones(3)], -1.0)


def test_l1_keeps_float32():
    _, g = l1_penalty([np.ones(3, dtype=np.float32)], 0.1)
    assert g[0].dtype == np.float32


# ----------------------------------------------------------------------------- dropout
def test_dropout_is_drop_probability_and_preserves_expectation():
    x = np.ones((500, 400))
    p = 0.3
    out, _ = dropout_forward(x, {"mode": "train", "p": p, "seed": 0})
    kept = out != 0
    n = kept.size
    # fraction kept ~ Binomial(n, 1 - p) / n: within 5 standard deviations
    sd = np.sqrt(p * (1 - p) / n)
    assert abs(kept.mean() - (1 - p)) < 5 * sd
    np.testing.assert_allclose(out[kept], 1 / (1 - p))  # survivors scaled up
    assert abs(out.mean() - 1.0) < 5 * sd / (1 - p)  # E[out] = x
    # torch.nn.Dropout(p) with the same p: the same statistics
    t = torch.nn.functional.dropout(torch.ones(500, 400, dtype=torch.float64), p, training=True)
    assert abs((t != 0).double().mean().item() - kept.mean()) < 10 * sd


def test_dropout_test_mode_is_identity():
    x = _rng().standard_normal((5, 4))
    out, cache = dropout_forward(x, {"mode": "test", "p": 0.5})
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(dropout_backward(np.ones_like(x), cache), np.ones_like(x))


def test_dropout_backward_reuses_mask_and_gradcheck():
    x = _rng(2).standard_normal((6, 5))
    param = {"mode": "train", "p": 0.4, "seed": 3}
    out, cache = dropout_forward(x, param)
    dx = dropout_backward(np.ones_like(x), cache)
    np.testing.assert_allclose(dx, out / x, rtol=1e-15)  # exactly the mask
    res = check_layer_grad(lambda a: dropout_forward(a, param), dropout_backward, {"x": x},
                           verbose=False)
    assert all(r.passed for r in res.values())


def test_dropout_rng_advances_and_dtype():
    rng = np.random.default_rng(0)
    x = np.ones((50, 50), dtype=np.float32)
    a, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "rng": rng})
    b, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "rng": rng})
    assert a.dtype == np.float32 and not np.array_equal(a, b)


def test_dropout_bad_input():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="drop probability"):
        dropout_forward(x, {"mode": "train", "p": 1.0})
    with pytest.raises(ValueError, match="mode"):
        dropout_forward(x, {"mode": "eval", "p": 0.5})
    with pytest.raises(ValueError, match="'p'"):
        dropout_forward(x, {"mode": "train"})
    _, cache = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 0})
    with pytest.raises(ValueError, match="dout"):
        dropout_backward(np.ones((3, 2)), cache)


# ----------------------------------------------------------------------------- batch norm
def test_batchnorm_train_and_eval_vs_torch_bn1d():
    rng = _rng(4)
    N, D = 16, 5
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    bn = torch.nn.BatchNorm1d(D, momentum=0.1, eps=1e-5).double()
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
    param = {"mode": "train"}
    for step in range(5):  # several batches: running stats must follow torch's
        x = 3 + 2 * rng.standard_normal((N, D))
        out, _ = batchnorm_forward(x, gamma, beta, param)
        bn.train()
        tout = bn(torch.tensor(x))
        assert rel_error(out, tout.detach().numpy()) < 1e-10, step
        np.testing.assert_allclose(param["running_mean"], bn.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(param["running_var"], bn.running_var.numpy(), rtol=1e-12)
    x = rng.standard_normal((7, D))
    param["mode"] = "test"
    out, _ = batchnorm_forward(x, gamma, beta, param)
    bn.eval()
    np.testing.assert_allclose(out, bn(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_batchnorm_backward_vs_torch(mode):
    rng = _rng(5)
    N, D = 10, 4
    x, gamma, beta = rng.standard_normal((N, D)), rng.standard_normal(D), rng.standard_normal(D)
    dout = rng.standard_normal((N, D))
    param = {"mode": mode, "running_mean": rng.standard_normal(D),
             "running_var": rng.random(D) + 0.5}
    bn = torch.nn.BatchNorm1d(D).double()
    with torch.no_grad():
        bn.running_mean.copy_(torch.tensor(param["running_mean"]))
        bn.running_var.copy_(torch.tensor(param["running_var"]))
    bn.train(mode == "train")
    tx = torch.tensor(x, requires_grad=True)
    tg, tb = torch.tensor(gamma, requires_grad=True), torch.tensor(beta, requires_grad=True)
    tout = torch.nn.functional.batch_norm(tx, bn.running_mean, bn.running_var, tg, tb,
                                          training=mode == "train", momentum=0.1, eps=1e-5)
    tout.backward(torch.tensor(dout))
    _, cache = batchnorm_forward(x, gamma, beta, param)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    assert rel_error(dx, tx.grad.numpy()) < 1e-8
    assert rel_error(dgamma, tg.grad.numpy()) < 1e-8
    assert rel_error(dbeta, tb.grad.numpy()) < 1e-8


@pytest.mark.parametrize("mode", ["train", "test"])
def test_batchnorm_gradcheck(mode):
    rng = _rng(6)
    x, gamma, beta = rng.standard_normal((8, 3)), rng.standard_normal(3), rng.standard_normal(3)
    base = {"running_mean": rng.standard_normal(3), "running_var": rng.random(3) + 0.5}

    def fwd(a, g, b):
        return batchnorm_forward(a, g, b, {"mode": mode, **{k: v.copy() for k, v in base.items()}})

    res = check_layer_grad(fwd, batchnorm_backward, {"x": x, "gamma": gamma, "beta": beta},
                           verbose=False)
    assert all(r.passed for r in res.values()), res


def test_batchnorm_float32_and_defaults():
    x = np.ones((4, 3), dtype=np.float32) * np.arange(4, dtype=np.float32)[:, None]
    g, b = np.ones(3, dtype=np.float32), np.zeros(3, dtype=np.float32)
    param = {"mode": "train"}
    out, _ = batchnorm_forward(x, g, b, param)
    assert out.dtype == np.float32 and param["running_var"].dtype == np.float32


def test_batchnorm_bad_input():
    g, b = np.ones(3), np.zeros(3)
    with pytest.raises(ValueError, match="looks transposed"):
        batchnorm_forward(np.ones((3, 5)), g, b, {"mode": "train"})
    with pytest.raises(ValueError, match="N >= 2"):
        batchnorm_forward(np.ones((1, 3)), g, b, {"mode": "train"})
    with pytest.raises(ValueError, match="mode"):
        batchnorm_forward(np.ones((4, 3)), g, b, {})
    _, cache = batchnorm_forward(np.random.default_rng(0).random((4, 3)), g, b, {"mode": "train"})
    with pytest.raises(ValueError, match="dout"):
        batchnorm_backward(np.ones((3, 4)), cache)


# ----------------------------------------------------------------------------- layer norm
def test_layernorm_vs_torch_and_gradcheck():
    rng = _rng(7)
    N, D = 6, 5
    x, gamma, beta = rng.standard_normal((N, D)), rng.standard_normal(D), rng.standard_normal(D)
    dout = rng.standard_normal((N, D))
    ln = torch.nn.LayerNorm(D, eps=1e-5).double()
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(gamma))
        ln.bias.copy_(torch.tensor(beta))
    tx = torch.tensor(x, requires_grad=True)
    tout = ln(tx)
    tout.backward(torch.tensor(dout))
    out, cache = layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    assert rel_error(out, tout.detach().numpy()) < 1e-10
    assert rel_error(dx, tx.grad.numpy()) < 1e-8
    assert rel_error(dgamma, ln.weight.grad.numpy()) < 1e-8
    assert rel_error(dbeta, ln.bias.grad.numpy()) < 1e-8
    res = check_layer_grad(layernorm_forward, layernorm_backward,
                           {"x": x, "gamma": gamma, "beta": beta}, verbose=False)
    assert all(r.passed for r in res.values())


def test_layernorm_bad_input():
    with pytest.raises(ValueError, match="gamma"):
        layernorm_forward(np.ones((2, 3)), np.ones(4), np.zeros(3))
    with pytest.raises(TypeError, match="ln_param"):
        layernorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), 1e-5)
    _, cache = layernorm_forward(np.random.default_rng(0).random((2, 3)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="dout"):
        layernorm_backward(np.ones((2, 4)), cache)


def test_random_shifts_moves_pixels_and_zero_fills():
    from helpers.numpy_nn.regularization import random_shifts

    X = np.zeros((50, 784), dtype=np.float32)
    X[:, 14 * 28 + 14] = 1.0  # one lit pixel at the centre
    out = random_shifts(X, 2, np.random.default_rng(0))
    assert out.dtype == np.float32 and out.shape == X.shape
    assert np.all(out.sum(axis=1) == 1.0)  # nothing falls off with a centre pixel
    pos = out.reshape(50, 28, 28).reshape(50, -1).argmax(1)
    dr, dc = pos // 28 - 14, pos % 28 - 14
    assert np.abs(dr).max() <= 2 and np.abs(dc).max() <= 2 and len(set(zip(dr, dc, strict=True))) > 5
    np.testing.assert_array_equal(random_shifts(X, 0, np.random.default_rng(0)), X)


def test_random_shifts_bad_input():
    from helpers.numpy_nn.regularization import random_shifts

    with pytest.raises(ValueError, match=r"\(N, 784\)"):
        random_shifts(np.zeros((3, 28, 28)), 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="max_shift"):
        random_shifts(np.zeros((3, 784)), -1, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        random_shifts(np.zeros((3, 784)), 1, 0)
