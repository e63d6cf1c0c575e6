"""Update rules (optimisers): one contract for all of them, PyTorch's conventions inside.

Every rule is ``update(w, dw, config=None) -> (next_w, config)``:

- ``w``: a floating-point parameter array of any shape; ``dw``: its gradient, same shape.
- ``config``: a dict of hyper-parameters with ``torch.optim``'s key names (``lr``,
  ``momentum``, ``betas``, ``eps``, ``weight_decay`` ...) plus the rule's running state
  (``velocity``, ``m``, ``v``, ``t`` ...). Missing keys get ``torch.optim``'s defaults.
- ``next_w`` is a new array (``w`` is never changed in place) with ``w``'s dtype; the
  returned ``config`` holds the updated state and is passed back in at the next step.

    from helpers.numpy_nn.optim import adam
    config = {"lr": 1e-3}
    for t in range(100):
        w, config = adam(w, grad(w), config)

The formulas follow ``torch.optim`` step for step (where the rule keeps state, how ``eps``
enters, what the first step does), so that the same gradients give the same weights.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_like

__all__ = ["OPTIMIZERS", "adagrad", "adam", "adamw", "get_update_rule", "rmsprop", "sgd",
           "sgd_momentum", "sgd_step"]


def _check(w, dw, config, defaults: dict) -> dict:
    if not isinstance(w, np.ndarray) or not np.issubdtype(w.dtype, np.floating):
        got = f"dtype {w.dtype}" if isinstance(w, np.ndarray) else type(w).__name__
        raise TypeError(f"w must be a floating-point NumPy array, got {got} "
                        "(an integer parameter cannot take a fractional step: use w.astype(float))")
    check_like("dw", dw, w.shape, None, what="w")
    if not np.isfinite(dw).all():
        raise ValueError("dw contains NaN or inf: the loss or its gradient overflowed "
                         "(a learning rate too large, or log(0) in the loss?)")
    if config is None:
        config = {}
    elif not isinstance(config, dict):
        raise TypeError(f"config must be a dict (or None), got {type(config).__name__}")
    unknown = set(config) - set(defaults)
    if unknown:
        raise ValueError(f"config has unknown keys {sorted(unknown)}; "
                         f"this rule knows {sorted(defaults)}")
    config = {**defaults, **config}
    for key in ("lr", "momentum", "weight_decay", "eps", "alpha", "lr_decay", "dampening"):
        if key in config and (not _is_number(config[key]) or config[key] < 0):
            raise ValueError(f"config[{key!r}] must be a number >= 0, got {config[key]!r}")
    if "betas" in config:
        b = config["betas"]
        if not (isinstance(b, tuple | list) and len(b) == 2
                and all(_is_number(x) and 0 <= x < 1 for x in b)):
            raise ValueError(f"config['betas'] must be a pair (beta1, beta2) in [0, 1), got {b!r}")
    if config.get("nesterov") and (config["momentum"] <= 0 or config["dampening"] != 0):
        raise ValueError("nesterov=True needs momentum > 0 and dampening 0 (as torch.optim.SGD), "
                         f"got momentum={config['momentum']!r}, dampening={config['dampening']!r}")
    return config


def _is_number(x) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool) \
        and bool(np.isfinite(x))


def _like(new, w):
    """``new`` as an array of ``w``'s dtype (a 0-d ``w`` gives a 0-d array, not a scalar)."""
    return np.asarray(new, dtype=w.dtype)


def _state(config, key, like):
    """A running-state array: a copy of ``like``'s zeros the first time."""
    s = config.get(key)
    return np.zeros_like(like) if s is None else s


def sgd(w, dw, config=None):
    """Plain stochastic gradient descent: w - lr * (dw + weight_decay * w).

    config: lr (default 1e-2), weight_decay (0; L2 added to the gradient, as torch.optim.SGD).
    """
    config = _check(w, dw, config, {"lr": 1e-2, "weight_decay": 0.0})
    g = dw + config["weight_decay"] * w if config["weight_decay"] else dw
    return _like(w - config["lr"] * g, w), config


def sgd_momentum(w, dw, config=None):
    """SGD with (heavy-ball or Nesterov) momentum, in ``torch.optim.SGD``'s form.

    With g = dw + weight_decay * w:  velocity = g at the first step, then
    velocity = momentum * velocity + (1 - dampening) * g;  the step direction is
    ``velocity`` (or g + momentum * velocity with ``nesterov=True``);  w - lr * direction.

    config: lr (1e-2), momentum (0.9), dampening (0), nesterov (False), weight_decay (0);
    state: velocity.
    """
    config = _check(w, dw, config, {"lr": 1e-2, "momentum": 0.9, "dampening": 0.0,
                                    "nesterov": False, "weight_decay": 0.0, "velocity": None})
    g = dw + config["weight_decay"] * w if config["weight_decay"] else dw
    v = config["velocity"]
    v = g.copy() if v is None else config["momentum"] * v + (1 - config["dampening"]) * g
    direction = g + config["momentum"] * v if config["nesterov"] else v
    config["velocity"] = v
    return _like(w - config["lr"] * direction, w), config


def adagrad(w, dw, config=None):
    """AdaGrad (``torch.optim.Adagrad``): sum += g**2;  w - lr * g / (sqrt(sum) + eps).

    config: lr (1e-2), eps (1e-10), weight_decay (0), lr_decay (0),
    initial_accumulator_value (0); state: sum, t.
    """
    config = _check(w, dw, config, {"lr": 1e-2, "eps": 1e-10, "weight_decay": 0.0,
                                    "lr_decay": 0.0, "initial_accumulator_value": 0.0,
                                    "sum": None, "t": 0})
    g = dw + config["weight_decay"] * w if config["weight_decay"] else dw
    t = config["t"] + 1
    s = config["sum"]
    if s is None:
        s = np.full_like(w, config["initial_accumulator_value"])
    s = s + g * g
    clr = config["lr"] / (1 + (t - 1) * config["lr_decay"])
    config["sum"], config["t"] = s, t
    return _like(w - clr * g / (np.sqrt(s) + config["eps"]), w), config


def rmsprop(w, dw, config=None):
    """RMSprop (``torch.optim.RMSprop``): sq = alpha * sq + (1 - alpha) * g**2;
    w - lr * g / (sqrt(sq) + eps).

    config: lr (1e-2), alpha (0.99), eps (1e-8), weight_decay (0), momentum (0),
    centered (False); state: square_avg, grad_avg (centered), velocity (momentum > 0).
    """
    config = _check(w, dw, config, {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8,
                                    "weight_decay": 0.0, "momentum": 0.0, "centered": False,
                                    "square_avg": None, "grad_avg": None, "velocity": None})
    g = dw + config["weight_decay"] * w if config["weight_decay"] else dw
    a = config["alpha"]
    sq = a * _state(config, "square_avg", w) + (1 - a) * g * g
    config["square_avg"] = sq
    if config["centered"]:
        ga = a * _state(config, "grad_avg", w) + (1 - a) * g
        config["grad_avg"] = ga
        avg = np.sqrt(sq - ga * ga) + config["eps"]
    else:
        avg = np.sqrt(sq) + config["eps"]
    if config["momentum"] > 0:
        buf = config["momentum"] * _state(config, "velocity", w) + g / avg
        config["velocity"] = buf
        step = buf
    else:
        step = g / avg
    return _like(w - config["lr"] * step, w), config


def _adam_step(w, g, config):
    b1, b2 = config["betas"]
    t = config["t"] + 1
    m = b1 * _state(config, "m", w) + (1 - b1) * g
    v = b2 * _state(config, "v", w) + (1 - b2) * g * g
    config["m"], config["v"], config["t"] = m, v, t
    bias1, bias2 = 1 - b1**t, 1 - b2**t
    denom = np.sqrt(v) / np.sqrt(bias2) + config["eps"]
    return w - (config["lr"] / bias1) * (m / denom)


def adam(w, dw, config=None):
    """Adam with bias correction (``torch.optim.Adam``).

    m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g**2  (both start at 0);
    w - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps).
    ``weight_decay`` is L2 added to the gradient (for decoupled decay use ``adamw``).

    config: lr (1e-3), betas ((0.9, 0.999)), eps (1e-8), weight_decay (0); state: m, v, t.
    """
    config = _check(w, dw, config, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                                    "weight_decay": 0.0, "m": None, "v": None, "t": 0})
    g = dw + config["weight_decay"] * w if config["weight_decay"] else dw
    return _like(_adam_step(w, g, config), w), config


def adamw(w, dw, config=None):
    """AdamW (``torch.optim.AdamW``): decay the weights, w * (1 - lr * weight_decay), then an
    Adam step on dw alone (the decay is decoupled from the adaptive scaling).

    config: lr (1e-3), betas ((0.9, 0.999)), eps (1e-8), weight_decay (1e-2); state: m, v, t.
    """
    config = _check(w, dw, config, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                                    "weight_decay": 1e-2, "m": None, "v": None, "t": 0})
    decayed = w * (1 - config["lr"] * config["weight_decay"])
    return _like(_adam_step(decayed, dw, config), w), config


OPTIMIZERS = {"sgd": sgd, "sgd_momentum": sgd_momentum, "adagrad": adagrad,
              "rmsprop": rmsprop, "adam": adam, "adamw": adamw}


def get_update_rule(rule):
    """``rule``: a name from ``OPTIMIZERS`` or an ``update(w, dw, config)`` callable."""
    if callable(rule):
        return rule
    if rule not in OPTIMIZERS:
        raise ValueError(f"unknown update rule {rule!r}; valid: {', '.join(sorted(OPTIMIZERS))}")
    return OPTIMIZERS[rule]


def sgd_step(params, grads, lr):
    """Plain gradient descent on a dict of parameters, in place: p -= lr * grads[name].

    The one in-place helper of the course (notebooks 04-06 train this way before the update
    rules of notebook 07); everything from 07 on uses ``update(w, dw, config)``.
    """
    missing = set(params) - set(grads)
    if missing:
        raise ValueError(f"grads is missing {sorted(missing)}")
    for name, p in params.items():
        check_like(f"grads[{name!r}]", grads[name], p.shape, None, what=f"params[{name!r}]")
        p -= lr * grads[name]


# ---------------------------------------------------------------------------------------
# References for the exercises of notebook 07 (private: the graded cells compare against
# them, so the expected values never appear in readable form in a notebook).
def _reference_ewa_variants(values, beta):
    """The bias-corrected EWA of a 1-D series and the natural wrong versions of it."""
    values = np.asarray(values, dtype=float)
    out = {k: np.empty_like(values) for k in ("right", "no_correction", "t_from_0_shifted",
                                              "corrected_state", "swapped_beta")}
    V = V_fed = V_swap = 0.0
    for i, a in enumerate(values):
        t = i + 1
        V = beta * V + (1 - beta) * a
        out["right"][i] = V / (1 - beta**t)
        out["no_correction"][i] = V
        out["t_from_0_shifted"][i] = V / (1 - beta ** (t + 1))
        V_fed = (beta * V_fed + (1 - beta) * a) / (1 - beta**t)
        out["corrected_state"][i] = V_fed
        V_swap = (1 - beta) * V_swap + beta * a
        out["swapped_beta"][i] = V_swap / (1 - (1 - beta) ** t)
    return out


def _reference_momentum_variants(w, dw, v, lr, mu):
    """One heavy-ball step (torch's form) and natural wrong versions: (next_w, next_v) each."""
    right_v = mu * v + dw
    return {"right": (w - lr * right_v, right_v),
            "ascent": (w + lr * right_v, right_v),
            "old_velocity": (w - lr * v, right_v),
            "ewa_form": (w - lr * (mu * v + (1 - mu) * dw), mu * v + (1 - mu) * dw),
            "no_momentum": (w - lr * dw, dw),
            "negated_velocity": (w - lr * right_v, -right_v)}


def _reference_adam_variants(w, dw, m, s, t, lr, beta1, beta2, eps):
    """One Adam step (t = the number of this step, from 1) and natural wrong versions."""
    m1 = beta1 * m + (1 - beta1) * dw
    s1 = beta2 * s + (1 - beta2) * dw * dw

    def step(tc, inside=False, corr=True):
        mh = m1 / (1 - beta1**tc) if corr else m1
        sh = s1 / (1 - beta2**tc) if corr else s1
        denom = np.sqrt(sh + eps) if inside else np.sqrt(sh) + eps
        return w - lr * mh / denom

    return {"right": (step(t), m1, s1),
            "no_correction": (step(t, corr=False), m1, s1),
            "t_plus_1": (step(t + 1), m1, s1),
            "eps_inside": (step(t, inside=True), m1, s1),
            "corrected_state": (step(t), m1 / (1 - beta1**t), s1 / (1 - beta2**t))}


def _reference_gd_lr_limits(H):
    """For gradient descent on 0.5 w^T H w (H symmetric positive definite): the largest
    stable lr 2 / lambda_max and the best constant lr 2 / (lambda_min + lambda_max)."""
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    return float(2 / lam[-1]), float(2 / (lam[0] + lam[-1]))
