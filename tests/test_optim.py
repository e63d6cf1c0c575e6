"""The update rules of ``helpers.numpy_nn.optim`` against ``torch.optim``, step by step.

Each rule gets the same initial weights and the same sequence of 100 gradients as the
matching ``torch.optim`` class (float64); after every step the weights must agree to a
relative error of 1e-12. Then: dtype in = dtype out, ``w`` never changed in place, and one
test per kind of bad input.
"""

import numpy as np
import pytest
import torch

from helpers.numpy_nn.gradcheck import rel_error
from helpers.numpy_nn.optim import (
    OPTIMIZERS,
    adagrad,
    adam,
    adamw,
    get_update_rule,
    rmsprop,
    sgd,
    sgd_momentum,
    sgd_step,
)

STEPS = 100
TOL = 1e-12

# (our rule, our config, torch class, torch kwargs): every option torch.optim offers that
# our rules implement, alone and combined.
CASES = {
    "sgd": (sgd, {"lr": 0.1}, torch.optim.SGD, {"lr": 0.1}),
    "sgd+wd": (sgd, {"lr": 0.05, "weight_decay": 0.1}, torch.optim.SGD,
               {"lr": 0.05, "weight_decay": 0.1}),
    "momentum": (sgd_momentum, {"lr": 0.05, "momentum": 0.9}, torch.optim.SGD,
                 {"lr": 0.05, "momentum": 0.9}),
    "momentum+dampening": (sgd_momentum, {"lr": 0.05, "momentum": 0.5, "dampening": 0.3},
                           torch.optim.SGD, {"lr": 0.05, "momentum": 0.5, "dampening": 0.3}),
    "nesterov": (sgd_momentum, {"lr": 0.05, "momentum": 0.9, "nesterov": True},
                 torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "nesterov+wd": (sgd_momentum, {"lr": 0.02, "momentum": 0.8, "nesterov": True,
                                   "weight_decay": 0.05},
                    torch.optim.SGD, {"lr": 0.02, "momentum": 0.8, "nesterov": True,
                                      "weight_decay": 0.05}),
    "momentum=0": (sgd_momentum, {"lr": 0.1, "momentum": 0.0}, torch.optim.SGD,
                   {"lr": 0.1, "momentum": 0.0}),
    "adagrad": (adagrad, {}, torch.optim.Adagrad, {}),
    "adagrad+lr_decay+wd": (adagrad, {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1},
                            torch.optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01,
                                                  "weight_decay": 0.1}),
    "adagrad+init_acc+eps": (adagrad, {"lr": 0.05, "initial_accumulator_value": 0.1,
                                       "eps": 1e-6},
                             torch.optim.Adagrad, {"lr": 0.05, "initial_accumulator_value": 0.1,
                                                   "eps": 1e-6}),
    "rmsprop": (rmsprop, {}, torch.optim.RMSprop, {}),
    "rmsprop+alpha+eps": (rmsprop, {"lr": 0.001, "alpha": 0.9, "eps": 1e-6},
                          torch.optim.RMSprop, {"lr": 0.001, "alpha": 0.9, "eps": 1e-6}),
    "rmsprop+centered": (rmsprop, {"lr": 0.005, "centered": True}, torch.optim.RMSprop,
                         {"lr": 0.005, "centered": True}),
    "rmsprop+momentum": (rmsprop, {"lr": 0.005, "momentum": 0.9}, torch.optim.RMSprop,
                         {"lr": 0.005, "momentum": 0.9}),
    "rmsprop+all": (rmsprop, {"lr": 0.003, "momentum": 0.5, "centered": True,
                              "weight_decay": 0.1},
                    torch.optim.RMSprop, {"lr": 0.003, "momentum": 0.5, "centered": True,
                                          "weight_decay": 0.1}),
    "adam": (adam, {}, torch.optim.Adam, {}),
    "adam+betas+eps": (adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
                       torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    "adam+wd(L2)": (adam, {"lr": 0.01, "weight_decay": 0.1}, torch.optim.Adam,
                    {"lr": 0.01, "weight_decay": 0.1}),
    "adamw": (adamw, {}, torch.optim.AdamW, {}),
    "adamw+wd": (adamw, {"lr": 0.01, "weight_decay": 0.1, "betas": (0.85, 0.995)},
                 torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1, "betas": (0.85, 0.995)}),
}


def _sequence(seed=0, shape=(3, 4)):
    """Initial weights and 100 gradients with scales from 1e-3 to 10 (an ill-conditioned
    problem, so that per-coordinate scaling matters) and a few exact zeros."""
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal(shape)
    scales = np.logspace(-3, 1, int(np.prod(shape))).reshape(shape)
    grads = [scales * rng.standard_normal(shape) for _ in range(STEPS)]
    grads[3][0, 0] = 0.0
    grads[7][:] = 0.0
    return w0, grads


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_torch_optim_step_by_step(case):
    rule, config, torch_cls, torch_kwargs = CASES[case]
    w0, grads = _sequence()
    p = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = torch_cls([p], **torch_kwargs)
    w, config = w0.copy(), dict(config)
    worst = 0.0
    for t, g in enumerate(grads, start=1):
        w, config = rule(w, g, config)
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        err = rel_error(w, p.detach().numpy())
        worst = max(worst, err)
        assert err <= TOL, f"{case}: step {t}: relative error {err:.2e} > {TOL:g}"
    assert w.dtype == np.float64
    assert not np.allclose(w, w0), f"{case}: the weights never moved"
    assert worst <= TOL


@pytest.mark.parametrize("case", ["adam", "rmsprop+centered", "nesterov", "adagrad"])
def test_matches_torch_on_a_real_descent(case):
    """Gradients that depend on the weights (a quadratic bowl), not a fixed sequence."""
    rule, config, torch_cls, torch_kwargs = CASES[case]
    A = np.diag([1.0, 10.0, 100.0])
    w = np.array([1.0, -1.0, 0.5])
    p = torch.tensor(w.copy(), requires_grad=True)
    opt = torch_cls([p], **torch_kwargs)
    config = dict(config)
    for _ in range(STEPS):
        w, config = rule(w, A @ w, config)
        opt.zero_grad()
        (0.5 * p @ torch.tensor(A) @ p).backward()
        opt.step()
        assert rel_error(w, p.detach().numpy()) <= TOL


def test_adam_first_step_is_lr_times_sign():
    """Bias correction makes Adam's first step lr * g / (|g| + eps) ~ lr * sign(g)."""
    w = np.zeros(3)
    g = np.array([1e-3, -5.0, 200.0])
    w1, config = adam(w, g, {"lr": 0.1})
    np.testing.assert_allclose(w1, -0.1 * np.sign(g), rtol=1e-4)
    assert config["t"] == 1


def test_default_hyper_parameters_are_torchs():
    w = np.ones(2)
    g = np.ones(2)
    assert adam(w, g)[1]["betas"] == (0.9, 0.999) and adam(w, g)[1]["eps"] == 1e-8
    assert adam(w, g)[1]["lr"] == 1e-3
    assert adamw(w, g)[1]["weight_decay"] == 1e-2
    assert rmsprop(w, g)[1]["alpha"] == 0.99 and rmsprop(w, g)[1]["lr"] == 1e-2
    assert adagrad(w, g)[1]["eps"] == 1e-10


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_float32_in_float32_out_and_state(name):
    rule = OPTIMIZERS[name]
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    config = None
    for _ in range(5):
        w, config = rule(w, rng.standard_normal((4, 3)).astype(np.float32), config)
        assert w.dtype == np.float32, f"{name} returned {w.dtype}"
    # a float64 gradient for float32 weights still gives float32 weights
    w, _ = rule(w, rng.standard_normal((4, 3)), config)
    assert w.dtype == np.float32


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_w_and_dw_never_changed_in_place(name):
    rule = OPTIMIZERS[name]
    rng = np.random.default_rng(2)
    w = rng.standard_normal(5)
    config = None
    for _ in range(3):
        dw = rng.standard_normal(5)
        w_before, dw_before = w.copy(), dw.copy()
        next_w, config = rule(w, dw, config)
        np.testing.assert_array_equal(w, w_before)
        np.testing.assert_array_equal(dw, dw_before)
        assert next_w is not w and not np.shares_memory(next_w, w)
        w = next_w


def test_state_is_per_parameter_and_config_is_returned():
    w1, c1 = sgd_momentum(np.zeros(2), np.ones(2), {"lr": 0.1})
    _, c2 = sgd_momentum(np.zeros(3), np.ones(3), {"lr": 0.1})
    assert c1["velocity"].shape == (2,) and c2["velocity"].shape == (3,)


def test_solver_style_scalar_weights_work():
    w, _ = adam(np.array(1.0), np.array(2.0))
    assert w.shape == () and w < 1.0


# ------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_integer_w_is_rejected(name):
    with pytest.raises(TypeError, match="w must be a floating-point"):
        OPTIMIZERS[name](np.arange(3), np.ones(3))


def test_w_not_an_array_is_rejected():
    with pytest.raises(TypeError, match="w must be a floating-point NumPy array"):
        sgd([1.0, 2.0], np.ones(2))


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_dw_of_the_wrong_shape_is_rejected(name):
    with pytest.raises(ValueError, match=r"dw must have the shape of w, \(2, 3\), got \(3, 2\)"
                       r".*transposed"):
        OPTIMIZERS[name](np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="dw must have the shape of w"):
        OPTIMIZERS[name](np.zeros(3), np.zeros(4))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_non_finite_dw_is_rejected(name, bad):
    dw = np.ones(3)
    dw[1] = bad
    with pytest.raises(ValueError, match="dw contains NaN or inf"):
        OPTIMIZERS[name](np.zeros(3), dw)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_unknown_config_key_is_rejected(name):
    with pytest.raises(ValueError, match=r"unknown keys \['learning_rate'\]"):
        OPTIMIZERS[name](np.zeros(3), np.ones(3), {"learning_rate": 0.1})


def test_a_key_of_another_rule_is_rejected():
    with pytest.raises(ValueError, match=r"unknown keys \['betas'\]"):
        sgd_momentum(np.zeros(3), np.ones(3), {"betas": (0.9, 0.999)})


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_negative_lr_is_rejected(name):
    with pytest.raises(ValueError, match=r"config\['lr'\] must be a number >= 0, got -0.1"):
        OPTIMIZERS[name](np.zeros(3), np.ones(3), {"lr": -0.1})


@pytest.mark.parametrize("key", ["momentum", "weight_decay", "dampening"])
def test_negative_momentum_decay_dampening_are_rejected(key):
    with pytest.raises(ValueError, match=rf"config\['{key}'\] must be a number >= 0"):
        sgd_momentum(np.zeros(3), np.ones(3), {key: -0.5})


def test_non_number_lr_is_rejected():
    with pytest.raises(ValueError, match=r"config\['lr'\] must be a number"):
        sgd(np.zeros(3), np.ones(3), {"lr": "0.1"})


@pytest.mark.parametrize("betas", [(0.9, 1.0), (1.0, 0.999), (-0.1, 0.999), (0.9,), 0.9,
                                   (0.9, 0.999, 0.5)])
@pytest.mark.parametrize("rule", [adam, adamw])
def test_bad_betas_are_rejected(rule, betas):
    with pytest.raises(ValueError, match=r"config\['betas'\] must be a pair"):
        rule(np.zeros(3), np.ones(3), {"betas": betas})


def test_config_must_be_a_dict():
    with pytest.raises(TypeError, match="config must be a dict"):
        adam(np.zeros(3), np.ones(3), [("lr", 0.1)])


def test_get_update_rule():
    assert get_update_rule("adam") is adam
    assert get_update_rule(sgd) is sgd
    with pytest.raises(ValueError, match="unknown update rule 'adma'; valid: adagrad, adam"):
        get_update_rule("adma")


def test_sgd_step_is_in_place_and_checks_grads():
    params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    W = params["W"]
    sgd_step(params, {"W": np.ones((2, 2)), "b": np.ones(2)}, lr=0.5)
    assert params["W"] is W and np.all(W == 0.5) and np.all(params["b"] == -0.5)
    with pytest.raises(ValueError, match=r"grads is missing \['b'\]"):
        sgd_step(params, {"W": np.ones((2, 2))}, lr=0.1)
    with pytest.raises(ValueError, match=r"grads\['b'\] must have the shape"):
        sgd_step(params, {"W": np.ones((2, 2)), "b": np.ones(3)}, lr=0.1)


@pytest.mark.parametrize("config", [{"momentum": 0.0, "nesterov": True},
                                    {"momentum": 0.9, "dampening": 0.1, "nesterov": True}])
def test_nesterov_needs_momentum_and_no_dampening(config):
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0 and dampening 0"):
        sgd_momentum(np.zeros(3), np.ones(3), config)
    with pytest.raises(ValueError):  # torch.optim refuses the same settings
        torch.optim.SGD([torch.zeros(3, requires_grad=True)], lr=0.01, **config)


def test_lr_nan_is_rejected():
    with pytest.raises(ValueError, match=r"config\['lr'\] must be a number >= 0, got nan"):
        adam(np.zeros(3), np.ones(3), {"lr": float("nan")})


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_0d_parameter_gives_a_0d_array_back(name):
    w, _ = OPTIMIZERS[name](np.array(1.0), np.array(0.5))
    assert isinstance(w, np.ndarray) and w.shape == () and w.dtype == np.float64
