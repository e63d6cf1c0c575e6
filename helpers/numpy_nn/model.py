"""An L-layer perceptron driven by an architecture list (one dict per layer).

Layer l (1-based) computes Z_l = A_{l-1} @ W_l + b_l and A_l = g_l(Z_l), with A_0 = X: (N, D).
The last layer's activation picks the loss: "softmax" (softmax cross-entropy, y: (N,) ints),
"sigmoid" (binary cross-entropy from logits, output_dim 1, y: (N,) in {0, 1}) or
"linear"/"identity" (mean squared error, y: (N, output_dim), or (N,) when output_dim is 1).
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import (
    check_array,
    check_choice,
    check_finite,
    check_labels,
    check_nonnegative,
    check_positive_int,
    check_shapes,
)
from helpers.numpy_nn.activations import (
    ELEMENTWISE_NAMES,
    activation_backward,
    activation_forward,
    sigmoid_forward,
)
from helpers.numpy_nn.init import INIT_METHODS, init_weights
from helpers.numpy_nn.layers import linear_backward, linear_forward
from helpers.numpy_nn.losses import (
    binary_cross_entropy,
    l2_penalty,
    mse_loss,
    softmax,
    softmax_cross_entropy,
)

OUTPUT_ACTIVATIONS = ("softmax", "sigmoid", "linear", "identity")

#: The classic from-scratch MNIST network, 784-500-150-10 with ReLU (notebook 04, the
#: benchmarks and the tests all use this one list).
MNIST_ARCHITECTURE = [
    {"input_dim": 784, "output_dim": 500, "activation": "relu"},
    {"input_dim": 500, "output_dim": 150, "activation": "relu"},
    {"input_dim": 150, "output_dim": 10, "activation": "softmax"},
]


def _validate_architecture(architecture):
    if not isinstance(architecture, list | tuple) or not architecture:
        raise ValueError("architecture must be a non-empty list of layer dicts")
    for i, layer in enumerate(architecture, start=1):
        if not isinstance(layer, dict) or not {"input_dim", "output_dim"} <= set(layer):
            raise ValueError(f"layer {i} must be a dict with input_dim, output_dim, activation")
        for key in ("input_dim", "output_dim"):
            v = layer[key]
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
                raise ValueError(f"layer {i} {key} must be a positive integer, got {v!r}")
        act = layer.get("activation", "linear")
        if i < len(architecture):
            check_choice(f"activation of hidden layer {i}", act, ELEMENTWISE_NAMES)
            nxt = architecture[i]
            if isinstance(nxt, dict) and nxt.get("input_dim") != layer["output_dim"]:
                raise ValueError(
                    f"layer {i} output_dim={layer['output_dim']} does not match layer {i + 1} "
                    f"input_dim={nxt.get('input_dim')}: consecutive layers must chain"
                )
        else:
            check_choice(f"activation of the output layer {i}", act, OUTPUT_ACTIVATIONS)
            if act == "sigmoid" and layer["output_dim"] != 1:
                raise ValueError(
                    f"a sigmoid output layer needs output_dim 1, got {layer['output_dim']}"
                )


class MLP:
    """A multilayer perceptron. ``params``: {"W1": (D, H1), "b1": (H1,), ..., "bL": (C,)}."""

    def __init__(self, architecture, init="he", l2=0.0, seed=0, dtype=np.float64):
        _validate_architecture(architecture)
        check_choice("init method", init, INIT_METHODS)
        l2 = check_nonnegative("l2 (the regularisation strength)", l2)
        self.architecture = [dict(layer) for layer in architecture]
        self.output = self.architecture[-1].get("activation", "linear")
        self.l2, self.dtype = l2, np.dtype(dtype)
        rng = np.random.default_rng(seed)
        self.params = {}
        for i, layer in enumerate(self.architecture, start=1):
            d, m = layer["input_dim"], layer["output_dim"]
            self.params[f"W{i}"] = init_weights(init, d, m, rng, dtype=self.dtype)
            self.params[f"b{i}"] = np.zeros(m, dtype=self.dtype)

    @property
    def num_layers(self):
        return len(self.architecture)

    def _check_X(self, X):
        check_shapes(
            ("X", X, ("N", "D")),
            known={"D": (self.architecture[0]["input_dim"], "layer 1 input_dim")},
        )
        check_finite("X", X, ": the inputs must be finite numbers")
        return X.astype(self.dtype, copy=False)  # a float64 X must not upcast float32 weights

    def forward(self, X):
        """X: (N, D). Returns (scores: (N, C) pre-activations of the last layer, caches).

        ``caches[l - 1] = ((A_{l-1}, W_l), activation cache)`` for layer l; the last layer's
        activation cache is None (its non-linearity is part of the loss).
        """
        A = self._check_X(X)
        caches = []
        for i, layer in enumerate(self.architecture, start=1):
            Z, lin_cache = linear_forward(A, self.params[f"W{i}"], self.params[f"b{i}"])
            if i == self.num_layers:  # the output non-linearity lives in the loss
                caches.append((lin_cache, None))
                return Z, caches
            A, act_cache = activation_forward(layer["activation"], Z)
            caches.append((lin_cache, act_cache))

    def _data_loss(self, scores, y):
        n = scores.shape[0]
        if self.output == "softmax":
            check_labels("y", y, n, scores.shape[1], source="X")
            return softmax_cross_entropy(scores, y)
        if self.output == "sigmoid":
            return binary_cross_entropy(scores, y)
        check_array("y", y, floating=False)
        if y.ndim == 1 and scores.shape[1] == 1:
            y = y[:, None]
        return mse_loss(scores, y)

    def loss(self, X, y):
        """X: (N, D), y: labels/targets. Returns (loss, grads) with grads keyed like params.

        The loss includes 0.5 * l2 * sum ||W||^2 over the weights (not the biases).
        """
        scores, caches = self.forward(X)
        loss, dout = self._data_loss(scores, y)
        grads = {}
        for i in range(self.num_layers, 0, -1):
            lin_cache, act_cache = caches[i - 1]
            if act_cache is not None:
                dout = activation_backward(self.architecture[i - 1]["activation"], dout, act_cache)
            dout, grads[f"W{i}"], grads[f"b{i}"] = linear_backward(dout, lin_cache)
        if self.l2:
            weights = [self.params[f"W{i}"] for i in range(1, self.num_layers + 1)]
            reg_loss, reg_grads = l2_penalty(weights, self.l2)
            loss += reg_loss
            for i, g in enumerate(reg_grads, start=1):
                grads[f"W{i}"] += g
        return loss, grads

    def predict_proba(self, X):
        """Softmax: (N, C) class probabilities; sigmoid: (N,) probabilities of class 1."""
        scores, _ = self.forward(X)
        if self.output == "softmax":
            return softmax(scores)
        if self.output == "sigmoid":
            return sigmoid_forward(scores[:, 0])[0]
        raise ValueError("predict_proba needs a softmax or sigmoid output layer; use predict")

    def predict(self, X):
        """Softmax: (N,) class indices; sigmoid: (N,) 0/1; linear: (N, C) (or (N,) if C == 1)."""
        scores, _ = self.forward(X)
        if self.output == "softmax":
            return scores.argmax(axis=1)
        if self.output == "sigmoid":
            return (scores[:, 0] > 0).astype(np.int64)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def shape_table(self, N):
        """Rows (name, shape) for X and every W, b, Z, A for a batch of N samples."""
        check_positive_int("N", N)
        rows = [("X", (N, self.architecture[0]["input_dim"]))]
        for i, layer in enumerate(self.architecture, start=1):
            d, m = layer["input_dim"], layer["output_dim"]
            rows += [(f"W{i}", (d, m)), (f"b{i}", (m,)), (f"Z{i}", (N, m)), (f"A{i}", (N, m))]
        return rows

