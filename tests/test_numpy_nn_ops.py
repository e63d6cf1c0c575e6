"""Every op of helpers.numpy_nn against torch.autograd in float64, and gradient-checked."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import helpers.numpy_nn as nn

SEEDS = [0, 1, 2]
TOL = dict(rtol=1e-10, atol=1e-12)


def rand_shape(rng, lo=1, hi=6):
    return int(rng.integers(lo, hi)), int(rng.integers(lo, hi))


def torch_run(fn, arrays, dout):
    """Forward ``fn`` on float64 tensors and backpropagate ``dout``; returns (out, grads)."""
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = fn(*ts)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), [t.grad.numpy() for t in ts]


def test_erf_matches_math_erf():
    x = np.concatenate([np.linspace(-8, 8, 4001), [0.0, 0.46875, -0.46875, 4.0, -4.0, 30.0]])
    ref = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(nn.erf(x), ref, rtol=1e-15, atol=1e-16)


# --------------------------------------------------------------------------- element-wise
ELEMENTWISE = [
    ("sigmoid", nn.sigmoid_forward, nn.sigmoid_backward, {}, torch.sigmoid),
    ("tanh", nn.tanh_forward, nn.tanh_backward, {}, torch.tanh),
    ("relu", nn.relu_forward, nn.relu_backward, {}, F.relu),
    ("leaky_relu", nn.leaky_relu_forward, nn.leaky_relu_backward, {}, F.leaky_relu),
    (
        "leaky_relu_0.2",
        nn.leaky_relu_forward,
        nn.leaky_relu_backward,
        {"alpha": 0.2},
        lambda t: F.leaky_relu(t, 0.2),
    ),
    ("elu", nn.elu_forward, nn.elu_backward, {}, F.elu),
    ("elu_0.5", nn.elu_forward, nn.elu_backward, {"alpha": 0.5}, lambda t: F.elu(t, 0.5)),
    ("swish", nn.swish_forward, nn.swish_backward, {}, F.silu),
    (
        "swish_1.7",
        nn.swish_forward,
        nn.swish_backward,
        {"beta": 1.7},
        lambda t: t * torch.sigmoid(1.7 * t),
    ),
    ("gelu", nn.gelu_forward, nn.gelu_backward, {}, F.gelu),
    (
        "gelu_tanh",
        nn.gelu_forward,
        nn.gelu_backward,
        {"approximate": "tanh"},
        lambda t: F.gelu(t, approximate="tanh"),
    ),
    ("identity", nn.identity_forward, nn.identity_backward, {}, lambda t: t * 1),
]
IDS = [e[0] for e in ELEMENTWISE]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name,fwd,bwd,kw,tfn", ELEMENTWISE, ids=IDS)
def test_elementwise_vs_torch(name, fwd, bwd, kw, tfn, seed):
    rng = np.random.default_rng(seed)
    x = 3 * rng.standard_normal(rand_shape(rng))
    x.flat[0] = 0.0  # always include a kink
    dout = rng.standard_normal(x.shape)
    out, cache = fwd(x, **kw)
    t_out, (t_dx,) = torch_run(tfn, [x], dout)
    np.testing.assert_allclose(out, t_out, **TOL)
    np.testing.assert_allclose(bwd(dout, cache), t_dx, **TOL)


@pytest.mark.parametrize("name,fwd,bwd,kw,tfn", ELEMENTWISE, ids=IDS)
def test_elementwise_extremes_and_single_row(name, fwd, bwd, kw, tfn):
    x = np.array([[-1000.0, -30.0, -1e-8, 0.0, 1e-8, 30.0, 1000.0]])  # N = 1
    dout = np.ones_like(x)
    out, cache = fwd(x, **kw)
    dx = bwd(dout, cache)
    assert np.isfinite(out).all() and np.isfinite(dx).all()
    t_out, (t_dx,) = torch_run(tfn, [x], dout)
    np.testing.assert_allclose(out, t_out, **TOL)
    np.testing.assert_allclose(dx, t_dx, **TOL)


@pytest.mark.parametrize("name,fwd,bwd,kw,tfn", ELEMENTWISE[:-1], ids=IDS[:-1])
def test_elementwise_gradcheck(name, fwd, bwd, kw, tfn):
    x = np.random.default_rng(0).standard_normal((3, 4)) + 0.05  # away from the kink at 0
    res = nn.check_layer_grad(lambda x: fwd(x, **kw), bwd, {"x": x}, verbose=False)
    assert res["x"].passed, res["x"].max_rel_error


def test_kink_convention_left_derivative_like_torch():
    x = np.zeros((2, 3))
    dout = np.ones_like(x)
    assert (nn.relu_backward(dout, nn.relu_forward(x)[1]) == 0).all()
    assert (nn.leaky_relu_backward(dout, nn.leaky_relu_forward(x)[1]) == 0.01).all()
    dx, dalpha = nn.prelu_backward(dout, nn.prelu_forward(x, 0.25)[1])
    assert (dx == 0.25).all() and dalpha == 0
    assert (nn.elu_backward(dout, nn.elu_forward(x, 0.5)[1]) == 0.5).all()
    for fwd, bwd, tfn in [
        (nn.relu_forward, nn.relu_backward, F.relu),
        (nn.leaky_relu_forward, nn.leaky_relu_backward, F.leaky_relu),
        (lambda x: nn.elu_forward(x, 0.5), nn.elu_backward, lambda t: F.elu(t, 0.5)),
    ]:
        np.testing.assert_array_equal(bwd(dout, fwd(x)[1]), torch_run(tfn, [x], dout)[1][0])


def test_activations_table_and_dispatch():
    x = np.linspace(-3, 3, 13)
    for name, (f, df) in nn.ACTIVATIONS.items():
        out, cache = nn.activation_forward(name, x)
        np.testing.assert_array_equal(f(x), out)
        np.testing.assert_array_equal(df(x), nn.activation_backward(name, np.ones_like(x), cache))
    f, df = nn.ACTIVATIONS["sigmoid"]
    np.testing.assert_allclose(df(np.zeros(1)), [0.25])
    assert set(nn.ELEMENTWISE_NAMES) >= {
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "swish",
        "gelu",
        "linear",
    }


def test_float32_stays_float32():
    x = np.linspace(-2, 2, 8, dtype=np.float32).reshape(2, 4)
    for name in nn.ELEMENTWISE_NAMES:
        out, cache = nn.activation_forward(name, x)
        assert out.dtype == np.float32, name
        assert nn.activation_backward(name, np.ones_like(out), cache).dtype == np.float32, name


# --------------------------------------------------------------------------- parametric / gates
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alpha_kind", ["float", "0-d", "(1,)", "(D,)"])
def test_prelu_vs_torch(seed, alpha_kind):
    rng = np.random.default_rng(seed)
    n, d = rand_shape(rng)
    x = rng.standard_normal((n, d))
    x[0, 0] = 0.0
    dout = rng.standard_normal((n, d))
    alpha = {
        "float": 0.25,
        "0-d": np.array(0.3),
        "(1,)": np.array([0.1]),
        "(D,)": rng.uniform(0, 0.5, d),
    }[alpha_kind]
    out, cache = nn.prelu_forward(x, alpha)
    dx, dalpha = nn.prelu_backward(dout, cache)
    assert np.shape(dalpha) == np.shape(alpha)
    t_alpha = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
    t_out, (t_dx, t_dalpha) = torch_run(F.prelu, [x, t_alpha], dout)
    np.testing.assert_allclose(out, t_out, **TOL)
    np.testing.assert_allclose(dx, t_dx, **TOL)
    np.testing.assert_allclose(np.atleast_1d(dalpha), t_dalpha, **TOL)


def test_prelu_gradcheck():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3)) + 0.05
    for alpha in (np.array(0.2), rng.uniform(0, 0.5, 3)):
        res = nn.check_layer_grad(
            nn.prelu_forward, nn.prelu_backward, {"x": x, "alpha": alpha}, verbose=False
        )
        assert all(r.passed for r in res.values())


@pytest.mark.parametrize("seed", SEEDS)
def test_maxout_vs_torch_and_gradcheck(seed):
    rng = np.random.default_rng(seed)
    n, d = rand_shape(rng)
    m, k = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    x, W, b = (
        rng.standard_normal((n, d)),
        rng.standard_normal((d, m * k)),
        rng.standard_normal(m * k),
    )
    dout = rng.standard_normal((n, m))
    out, cache = nn.maxout_forward(x, W, b, k)
    assert out.shape == (n, m)
    grads = nn.maxout_backward(dout, cache)
    t_out, t_grads = torch_run(
        lambda x, W, b: (x @ W + b).view(n, m, k).max(-1).values, [x, W, b], dout
    )
    np.testing.assert_allclose(out, t_out, **TOL)
    for g, tg in zip(grads, t_grads, strict=True):
        np.testing.assert_allclose(g, tg, **TOL)
    res = nn.check_layer_grad(
        lambda x, W, b: nn.maxout_forward(x, W, b, k),
        nn.maxout_backward,
        {"x": x, "W": W, "b": b},
        verbose=False,
    )
    assert all(r.passed for r in res.values())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("gate", ["glu", "gtu"])
def test_glu_gtu_vs_torch(seed, gate):
    rng = np.random.default_rng(seed)
    n, h = rand_shape(rng)
    x = 2 * rng.standard_normal((n, 2 * h))
    dout = rng.standard_normal((n, h))
    fwd, bwd = (
        (nn.glu_forward, nn.glu_backward) if gate == "glu" else (nn.gtu_forward, nn.gtu_backward)
    )

    def tfn(t):
        if gate == "glu":
            return F.glu(t, dim=-1)
        a, b = t.chunk(2, dim=-1)
        return torch.tanh(a) * torch.sigmoid(b)

    out, cache = fwd(x)
    t_out, (t_dx,) = torch_run(tfn, [x], dout)
    np.testing.assert_allclose(out, t_out, **TOL)
    np.testing.assert_allclose(bwd(dout, cache), t_dx, **TOL)
    assert nn.check_layer_grad(fwd, bwd, {"x": x}, verbose=False)["x"].passed


# --------------------------------------------------------------------------- linear layer
@pytest.mark.parametrize("seed", SEEDS)
def test_linear_vs_torch_and_gradcheck(seed):
    rng = np.random.default_rng(seed)
    n, d = rand_shape(rng)
    m = int(rng.integers(1, 6))
    x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
    dout = rng.standard_normal((n, m))
    out, cache = nn.linear_forward(x, W, b)
    t_out, t_grads = torch_run(lambda x, W, b: x @ W + b, [x, W, b], dout)
    np.testing.assert_allclose(out, t_out, **TOL)
    for g, tg in zip(nn.linear_backward(dout, cache), t_grads, strict=True):
        np.testing.assert_allclose(g, tg, **TOL)
    res = nn.check_layer_grad(
        nn.linear_forward, nn.linear_backward, {"x": x, "W": W, "b": b}, verbose=False
    )
    assert all(r.passed for r in res.values())


# --------------------------------------------------------------------------- losses
def scores_and_labels(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    n, c = int(rng.integers(1, 7)), int(rng.integers(2, 6))
    return scale * rng.standard_normal((n, c)), rng.integers(0, c, n)


def torch_loss(fn, arrays, *rest):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    loss = fn(*ts, *rest)
    loss.backward()
    return loss.item(), [t.grad.numpy() for t in ts]


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_and_log_softmax_vs_torch(seed):
    s, _ = scores_and_labels(seed, scale=5.0)
    np.testing.assert_allclose(nn.softmax(s), torch.softmax(torch.tensor(s), 1).numpy(), **TOL)
    np.testing.assert_allclose(nn.log_softmax(s), F.log_softmax(torch.tensor(s), 1).numpy(), **TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_softmax_cross_entropy_vs_torch(seed, scale):
    s, y = scores_and_labels(seed, scale)
    loss, ds = nn.softmax_cross_entropy(s, y)
    t_loss, (t_ds,) = torch_loss(F.cross_entropy, [s], torch.tensor(y))
    assert np.isfinite(loss) and np.isfinite(ds).all()
    np.testing.assert_allclose(loss, t_loss, **TOL)
    np.testing.assert_allclose(ds, t_ds, **TOL)


def test_softmax_extreme_logits_are_finite_and_correct():
    s = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    p = nn.softmax(s)
    np.testing.assert_allclose(p, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-300)
    loss, ds = nn.softmax_cross_entropy(s, np.array([1, 0]))
    np.testing.assert_allclose(loss, (2000.0 + math.log(3)) / 2)
    assert np.isfinite(ds).all()


def test_cross_entropy_worked_example_and_gradcheck():
    # The classic worked example: p(correct) = 0.4 gives a loss of -log 0.4 = 0.916...
    s = np.log(np.array([[0.4, 0.3, 0.3]]))
    np.testing.assert_allclose(nn.softmax_cross_entropy(s, np.array([0]))[0], -math.log(0.4))
    s, y = scores_and_labels(0)
    res = nn.check_layer_grad(
        lambda s: nn.softmax_cross_entropy(s, y),
        lambda d, c: c,
        {"s": s},
        dout=np.array(1.0),
        verbose=False,
    )
    assert res["s"].passed


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", ["(N,)", "(N, 1)"])
@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_binary_cross_entropy_vs_torch(seed, shape, scale):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 7))
    z = scale * rng.standard_normal(n if shape == "(N,)" else (n, 1))
    y = rng.integers(0, 2, n)
    loss, dz = nn.binary_cross_entropy(z, y)
    assert dz.shape == z.shape and np.isfinite(loss) and np.isfinite(dz).all()
    t_loss, (t_dz,) = torch_loss(
        F.binary_cross_entropy_with_logits,
        [z],
        torch.tensor(y, dtype=torch.float64).reshape(z.shape),
    )
    np.testing.assert_allclose(loss, t_loss, **TOL)
    np.testing.assert_allclose(dz, t_dz, **TOL)


def test_binary_cross_entropy_soft_targets_and_extremes():
    z = np.array([1000.0, -1000.0, 0.0, 3.0])
    y = np.array([0.0, 1.0, 0.5, 0.2])
    loss, dz = nn.binary_cross_entropy(z, y)
    np.testing.assert_allclose(
        loss, (1000 + 1000 + math.log(2) + math.log1p(math.exp(3)) - 0.6) / 4
    )
    t_loss, (t_dz,) = torch_loss(F.binary_cross_entropy_with_logits, [z], torch.tensor(y))
    np.testing.assert_allclose(loss, t_loss, **TOL)
    np.testing.assert_allclose(dz, t_dz, **TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ndim", [1, 2])
def test_mse_vs_torch(seed, ndim):
    rng = np.random.default_rng(seed)
    shape = rand_shape(rng)[:ndim]
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    loss, dpred = nn.mse_loss(pred, target)
    t_loss, (t_d,) = torch_loss(F.mse_loss, [pred], torch.tensor(target))
    np.testing.assert_allclose(loss, t_loss, **TOL)
    np.testing.assert_allclose(dpred, t_d, **TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("delta", [1.0, 2.5])
def test_hinge_vs_torch_multi_margin_times_C(seed, delta):
    s, y = scores_and_labels(seed, scale=2.0)
    c = s.shape[1]
    loss, ds = nn.hinge_loss(s, y, delta)
    t_loss, (t_ds,) = torch_loss(
        lambda t: F.multi_margin_loss(t, torch.tensor(y), margin=delta), [s]
    )
    np.testing.assert_allclose(loss, c * t_loss, **TOL)
    np.testing.assert_allclose(ds, c * t_ds, **TOL)


def test_hinge_hand_example():
    # CS231n's example: scores (3.2, 5.1, -1.7), correct class 0 -> 2.9 + 0 = 2.9.
    loss, ds = nn.hinge_loss(np.array([[3.2, 5.1, -1.7]]), np.array([0]))
    np.testing.assert_allclose(loss, 2.9)
    np.testing.assert_allclose(ds, [[-1.0, 1.0, 0.0]])


def test_l2_penalty_vs_torch():
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))]
    loss, grads = nn.l2_penalty(ws, 0.3)
    t_loss, t_grads = torch_loss(lambda a, b: 0.5 * 0.3 * ((a**2).sum() + (b**2).sum()), ws)
    np.testing.assert_allclose(loss, t_loss, **TOL)
    for g, tg in zip(grads, t_grads, strict=True):
        np.testing.assert_allclose(g, tg, **TOL)
