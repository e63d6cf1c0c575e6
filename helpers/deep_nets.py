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
- ``train_sgd``: mini-batch gradient descent with a record of the loss and of any statistic.

Layers are numbered from 1 (next to the input) to L (the output layer), as in
``MLP.params`` (``W1 ... WL``). Rows are samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.numpy_nn import (
    ELEMENTWISE_NAMES,
    MLP,
    activation_forward,
    init_weights,
    linear_forward,
    sgd_step,
)


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


def train_sgd(model: MLP, X: np.ndarray, y: np.ndarray, lr: float, epochs: int,
              batch_size: int = 64, seed: int = 0, every: int = 0, callback=None) -> dict:
    """Mini-batch gradient descent (``sgd_step``) on (X, y), shuffled each epoch.

    Returns ``{"epoch_loss": [...]}``: the mean mini-batch loss of every epoch. With
    ``every > 0`` and a ``callback(model) -> number``, the callback is also called before
    training, every ``every`` steps and once more after the last step (if that step was not
    already tracked); its values go to ``"tracked"`` and the step numbers to
    ``"tracked_step"``. Training stops early (the rest of the epoch losses are NaN) if
    the loss stops being finite.
    """
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length N, got {len(X)} and {len(y)}")
    rng = np.random.default_rng(seed)
    n = len(y)
    history = {"epoch_loss": [], "tracked": [], "tracked_step": []}
    step = 0

    def track():
        if every and callback is not None:
            history["tracked"].append(callback(model))
            history["tracked_step"].append(step)

    track()
    for _ in range(epochs):
        order = rng.permutation(n)
        losses = []
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                loss, grads = model.loss(X[idx], y[idx])
                losses.append(loss)
                if not np.isfinite(loss):
                    break
                sgd_step(model.params, grads, lr)
                step += 1
                if every and step % every == 0:
                    track()
        history["epoch_loss"].append(float(np.mean(losses)))
        if not np.isfinite(history["epoch_loss"][-1]):
            history["epoch_loss"] += [float("nan")] * (epochs - len(history["epoch_loss"]))
            break
    if every and callback is not None and history["tracked_step"][-1] != step:
        track()  # the state at the end of training
    return history
