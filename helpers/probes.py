"""Deep multilayer perceptrons as an object of study (notebooks 05 and 06).

Notebook 05 asks how the gradient fares on its way down a deep network (vanishing gradients,
dead ReLUs); notebook 06 asks how the activations fare on their way up (initialisation).
Both build a deep ``helpers.numpy_nn.MLP``, push one batch through it and look at every
layer. This module holds that shared code:

- ``deep_architecture``: the architecture list of an MLP with ``depth`` weight layers.
- ``build_mlp``: an MLP with any initialiser, including ``normal`` with any standard deviation.
- ``layer_statistics``: one forward/backward pass; per-layer activations, their standard
  deviation, the fraction of dead units, and the gradient norms ||dW_l||.
- ``dead_fraction``: the fraction of units whose output is 0 for every sample of a batch.
- ``loss_or_nan``: the loss of a batch, NaN when the network has diverged (scores overflowed).
- ``train_sgd``: mini-batch SGD through the course's ``Solver``, recording the loss of every
  epoch and, every few steps, any statistic of the model (a probe).

Layers are numbered from 1 (next to the input) to L (the output layer), as in
``MLP.params`` (``W1 ... WL``). Rows are samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.numpy_nn.activations import ELEMENTWISE_NAMES, activation_forward
from helpers.numpy_nn.init import init_weights
from helpers.numpy_nn.layers import linear_forward
from helpers.numpy_nn.model import MLP
from helpers.numpy_nn.solver import Solver


def deep_architecture(input_dim: int, hidden_dim: int, depth: int, activation: str,
                      n_classes: int) -> list[dict]:
    """Architecture list of an MLP with ``depth`` weight layers (``depth - 1`` hidden layers).

    Every hidden layer has ``hidden_dim`` units and ``activation``; the output layer has
    ``n_classes`` units and a softmax (cross-entropy loss).
    """
    for name, v in (("input_dim", input_dim), ("hidden_dim", hidden_dim),
                    ("n_classes", n_classes)):  # fmt: skip
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if isinstance(depth, bool) or not isinstance(depth, int | np.integer) or depth < 2:
        raise ValueError(f"depth (number of weight layers) must be an integer >= 2, got {depth!r}")
    if activation not in ELEMENTWISE_NAMES:
        raise ValueError(f"activation must be one of {ELEMENTWISE_NAMES}, got {activation!r}")
    arch = [{"input_dim": input_dim, "output_dim": hidden_dim, "activation": activation}]
    arch += [{"input_dim": hidden_dim, "output_dim": hidden_dim, "activation": activation}
             for _ in range(depth - 2)]
    arch.append({"input_dim": hidden_dim, "output_dim": n_classes, "activation": "softmax"})
    return arch


def build_mlp(architecture, init: str = "he", scale: float = 0.01, seed: int = 0) -> MLP:
    """An ``MLP`` whose weights come from ``init_weights(init, fan_in, fan_out, rng, scale)``.

    Same as ``MLP(architecture, init=init, seed=seed)`` except that ``scale`` (the standard
    deviation of ``init="normal"``) can be chosen; biases start at 0.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    model = MLP(architecture, init="zeros", seed=seed)  # validates the architecture
    rng = np.random.default_rng(seed)
    for i, layer in enumerate(model.architecture, start=1):
        model.params[f"W{i}"] = init_weights(init, layer["input_dim"], layer["output_dim"],
                                             rng, scale=scale)  # fmt: skip
    return model


def hidden_activations(model: MLP, X: np.ndarray) -> list[np.ndarray]:
    """The outputs A_1 ... A_{L-1} of the hidden layers for a batch X: (N, D), each (N, H_l)."""
    A = model._check_X(X)
    out = []
    for i, layer in enumerate(model.architecture[:-1], start=1):
        Z, _ = linear_forward(A, model.params[f"W{i}"], model.params[f"b{i}"])
        A, _ = activation_forward(layer["activation"], Z)
        out.append(A)
    return out


def dead_fraction(A: np.ndarray) -> float:
    """Fraction of units (columns of A: (N, H)) that output exactly 0 for every sample (row)."""
    if not isinstance(A, np.ndarray) or A.ndim != 2 or A.shape[0] == 0:
        shape = getattr(A, "shape", None)
        raise ValueError(f"A must be a 2-D array (N, H) with N >= 1, got shape {shape}")
    return float(np.mean(np.all(A == 0, axis=0)))


def loss_or_nan(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """``model.loss(X, y)[0]``, or NaN when the scores are no longer finite (a diverged network:
    the library refuses to compute a loss from NaN or inf scores)."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return float(model.loss(X, y)[0])
    except FloatingPointError:
        return float("nan")


@dataclass
class LayerStats:
    """Per-layer statistics of one forward/backward pass.

    ``activations[l-1]``: A_l (N, H) of hidden layer l; ``act_std``, ``act_mean``, ``dead``:
    one number per hidden layer; ``grad_norms[l-1]`` = ||dW_l||_F for l = 1 ... L (the output
    layer included); ``loss``: the loss of the batch.
    """

    activations: list
    act_mean: np.ndarray
    act_std: np.ndarray
    dead: np.ndarray
    grad_norms: np.ndarray
    loss: float

    @property
    def grad_ratio(self) -> float:
        """||dW_1|| / ||dW_L||: far below 1 when the gradient vanishes on its way down."""
        return float(self.grad_norms[0] / self.grad_norms[-1])


def layer_statistics(model: MLP, X: np.ndarray, y: np.ndarray) -> LayerStats:
    """One forward and backward pass of ``model`` on the batch (X: (N, D), y: (N,))."""
    acts = hidden_activations(model, X)
    loss, grads = model.loss(X, y)
    L = model.num_layers
    return LayerStats(
        activations=acts,
        act_mean=np.array([A.mean() for A in acts]),
        act_std=np.array([A.std() for A in acts]),
        dead=np.array([dead_fraction(A) for A in acts]),
        grad_norms=np.array([np.linalg.norm(grads[f"W{i}"]) for i in range(1, L + 1)]),
        loss=float(loss),
    )


class _ProbingSolver(Solver):
    """A ``Solver`` that calls ``probe(model)`` before training and every ``every`` updates."""

    def __init__(self, *args, every=0, probe=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.every, self.probe = every, probe
        self.tracked, self.tracked_step = [], []

    def track(self):
        if self.every and self.probe is not None:
            self.tracked.append(self.probe(self.model))
            self.tracked_step.append(self.step_count)

    def step(self, X_batch, y_batch):
        loss = super().step(X_batch, y_batch)
        if self.every and self.step_count % self.every == 0:
            self.track()
        return loss


def train_sgd(model: MLP, X: np.ndarray, y: np.ndarray, lr: float, epochs: int,
              batch_size: int = 64, seed: int = 0, every: int = 0, callback=None,
              progress: bool = True) -> dict:
    """Mini-batch SGD on (X, y) with the course's ``Solver`` (shuffled each epoch by ``seed``).

    Returns ``{"epoch_loss": [...]}``: the mean mini-batch loss of every epoch. With
    ``every > 0`` and a ``callback(model) -> number``, the callback is also called before
    training, every ``every`` steps and once more after the last step (if that step was not
    already tracked); its values go to ``"tracked"`` and the step numbers to
    ``"tracked_step"``. Training stops early (the rest of the epoch losses are NaN) if
    the loss stops being finite.
    """
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length N, got {len(X)} and {len(y)}")
    solver = _ProbingSolver(model, {"X_train": X, "y_train": y}, update_rule="sgd",
                            optim_config={"lr": lr}, batch_size=batch_size, epochs=epochs,
                            seed=seed, num_train_eval=None, progress=progress,
                            every=every, probe=callback)
    solver.track()
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            solver.train()
        except FloatingPointError:
            diverged = True
    per_epoch = solver.iterations_per_epoch
    losses = solver.history["loss"]
    epoch_loss = [float(np.mean(losses[i:i + per_epoch])) for i in range(0, len(losses), per_epoch)]
    if diverged:
        if len(losses) % per_epoch == 0:  # diverged at the first step of an epoch
            epoch_loss.append(float("nan"))
        epoch_loss[-1] = float("nan")
        epoch_loss += [float("nan")] * (epochs - len(epoch_loss))
    if solver.tracked_step and solver.tracked_step[-1] != solver.step_count:
        with np.errstate(over="ignore", invalid="ignore"):
            solver.track()  # the state at the end of training
    return {"epoch_loss": epoch_loss, "tracked": solver.tracked,
            "tracked_step": solver.tracked_step}
