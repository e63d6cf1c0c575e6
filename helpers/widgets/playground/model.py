"""The Playground's network and its one training step.

:func:`build_model` makes a :class:`helpers.numpy_nn.model.MLP` with one output unit
(sigmoid for classification, linear for regression);
:class:`PenalisedMLP` adds the L1 or L2 penalty to its loss; :func:`make_solver` wraps it in
the course's :class:`helpers.numpy_nn.solver.Solver`, whose ``step(X_batch, y_batch)`` is the
one function that updates the weights (plain SGD; with L1 a weight that a step would carry
across zero is set to exactly 0, as the TensorFlow Playground does).
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn.losses import binary_cross_entropy, mse_loss
from helpers.numpy_nn.model import MLP
from helpers.numpy_nn.optim import sgd
from helpers.numpy_nn.solver import Solver

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = ("none", "L1", "L2")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_STRENGTHS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MAX_LAYERS, MAX_NEURONS = 6, 8


def architecture(n_inputs: int, hidden, activation: str,
                 problem: str = "classification") -> list[dict]:
    """The ``MLP`` architecture list: hidden layers of ``activation``, one output unit.

    The output unit is a sigmoid (P(class 1), binary cross-entropy loss) for
    ``problem="classification"`` and linear (mean squared error loss) for ``"regression"``.
    ``hidden=[]`` is logistic (or linear) regression: the output unit sees the features.
    """
    if problem not in ("classification", "regression"):
        raise ValueError(f"problem must be 'classification' or 'regression', got {problem!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if len(hidden) > MAX_LAYERS or any(not 1 <= h <= MAX_NEURONS for h in hidden):
        raise ValueError(f"hidden must list 0-{MAX_LAYERS} layer sizes in 1-{MAX_NEURONS}, "
                         f"got {list(hidden)}")
    dims = [n_inputs, *hidden]
    arch = [{"input_dim": d, "output_dim": m, "activation": activation}
            for d, m in zip(dims[:-1], dims[1:], strict=True)]
    arch.append({"input_dim": dims[-1], "output_dim": 1,
                 "activation": "sigmoid" if problem == "classification" else "linear"})
    return arch


def build_model(n_inputs: int, hidden, activation: str, seed: int = 0,
                problem: str = "classification") -> MLP:
    """A fresh network (Xavier/Glorot init, which suits tanh and sigmoid) seeded by ``seed``."""
    return MLP(architecture(n_inputs, hidden, activation, problem), init="xavier", l2=0.0,
               seed=seed)


def _check_regularization(regularization: str, reg_strength: float) -> None:
    if regularization not in REGULARIZATIONS:
        raise ValueError(f"regularization must be one of {REGULARIZATIONS}, got {regularization!r}")
    if not reg_strength >= 0:
        raise ValueError(f"reg_strength must be >= 0, got {reg_strength!r}")


def penalty(params, regularization: str, reg_strength: float) -> float:
    """The regularisation term over the weights (not biases): L1 = r·Σ|W|, L2 = r/2·Σ W²."""
    _check_regularization(regularization, reg_strength)
    Ws = [p for k, p in params.items() if k.startswith("W")]
    if regularization == "L1":
        return reg_strength * sum(float(np.abs(W).sum()) for W in Ws)
    if regularization == "L2":
        return 0.5 * reg_strength * sum(float((W * W).sum()) for W in Ws)
    return 0.0


class PenalisedMLP:
    """An ``MLP`` whose ``loss`` adds an L1 or L2 penalty on the weights (the Solver's model).

    ``params`` is the MLP's own dict, so an update through the Solver changes the MLP.
    ``loss(X, y)`` returns the *data* loss (the number the Playground plots) and the gradient
    of data loss + penalty: L2 adds ``reg_strength * W``, L1 adds ``reg_strength * sign(W)``.
    A loss or gradient that is no longer finite raises ``FloatingPointError`` (diverged).
    """

    def __init__(self, mlp: MLP, regularization: str = "none", reg_strength: float = 0.0):
        _check_regularization(regularization, reg_strength)
        self.mlp, self.regularization, self.reg_strength = mlp, regularization, reg_strength

    @property
    def params(self):
        return self.mlp.params

    def loss(self, X, y):
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grads = self.mlp.loss(X, y)
        r = self.reg_strength if self.regularization != "none" else 0.0
        for name, p in self.params.items():
            if name.startswith("W") and r:
                grads[name] = grads[name] + (r * p if self.regularization == "L2"
                                             else r * np.sign(p))
        if not np.isfinite(loss) or not all(np.isfinite(g).all() for g in grads.values()):
            raise FloatingPointError("the loss or its gradient is no longer finite: "
                                     "training diverged (lower the learning rate)")
        return loss, grads

    def predict(self, X):
        return self.mlp.predict(X)


def sgd_clip_at_zero(w, dw, config=None):
    """``optim.sgd``, then (with ``config["clip_at_zero"]``) weights that crossed 0 are set to 0.

    config: ``lr``, ``clip_at_zero`` (bool; the Playground sets it for the weights under L1).
    """
    config = dict(config or {})
    clip = bool(config.pop("clip_at_zero", False))
    new, config = sgd(w, dw, config)
    if clip:
        new[np.sign(new) * np.sign(w) < 0] = 0.0  # crossed zero: clip to exactly 0
    config["clip_at_zero"] = clip
    return new, config


def make_solver(mlp: MLP, X, y, lr: float, regularization: str = "none",
                reg_strength: float = 0.0, batch_size: int = 10) -> Solver:
    """A :class:`Solver` (plain SGD at ``lr``, no progress bar) on the Playground's network."""
    model = PenalisedMLP(mlp, regularization, reg_strength)
    solver = Solver(model, {"X_train": X, "y_train": y}, update_rule=sgd_clip_at_zero,
                    optim_config={"lr": lr}, batch_size=batch_size, epochs=1, progress=False)
    for name, config in solver.configs.items():
        config["clip_at_zero"] = regularization == "L1" and name.startswith("W")
    return solver


def train_step(mlp: MLP, Xb, yb, lr: float, regularization: str = "none",
               reg_strength: float = 0.0) -> float:
    """One SGD update of ``mlp`` on the mini-batch ``Xb: (B, F)``, ``yb: (B,)``.

    Gradient = d(mean binary cross-entropy)/dθ plus the penalty's gradient (see
    :class:`PenalisedMLP`). Returns the batch's data loss before the update.
    """
    return make_solver(mlp, Xb, yb, lr, regularization, reg_strength, len(yb)).step(Xb, yb)


def data_loss(model: MLP, X, y) -> float:
    """The data loss of ``model`` on ``X: (N, F)``, ``y: (N,)`` (no penalty): mean binary
    cross-entropy for a sigmoid output, mean squared error for a linear one."""
    with np.errstate(over="ignore", invalid="ignore"):
        scores = model.forward(X)[0]
    if not np.isfinite(scores).all():
        return float("nan")
    if model.output == "linear":
        return float(mse_loss(scores[:, 0], np.asarray(y, dtype=np.float64))[0])
    return float(binary_cross_entropy(scores, y)[0])


def accuracy(model: MLP, X, y) -> float | None:
    """Fraction of points ``model`` classifies right (``None`` for a regression network)."""
    if model.output == "linear":
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(model.predict(X) == y))
