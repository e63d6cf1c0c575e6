"""``FullyConnectedNet``: a ReLU network with optional dropout and batch/layer normalisation.

CS231n's class, with the course's names. Each hidden layer l computes

    Z_l = A_{l-1} @ W_l + b_l  ->  [batch norm or layer norm (gamma_l, beta_l)]  ->  ReLU
        ->  [dropout]  ->  A_l,

and the last layer gives the scores (N, C), followed by softmax cross-entropy. It plugs into
``helpers.numpy_nn.solver.Solver``: ``params`` (a dict), ``loss(X, y) -> (loss, grads)`` in
training mode (dropout on, batch statistics), ``predict(X)`` in test mode (dropout off,
running statistics).

    from helpers.numpy_nn.fc_net import FullyConnectedNet
    net = FullyConnectedNet([500, 150], dropout=0.2, normalization="batchnorm")
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_choice, check_labels, check_positive_int, check_shapes
from helpers.numpy_nn.activations import relu_backward, relu_forward
from helpers.numpy_nn.init import init_weights
from helpers.numpy_nn.layers import linear_backward, linear_forward
from helpers.numpy_nn.losses import l2_penalty, softmax, softmax_cross_entropy
from helpers.numpy_nn.model import MNIST_ARCHITECTURE  # noqa: F401 - re-exported for 10
from helpers.numpy_nn.regularization import (
    batchnorm_backward,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    layernorm_backward,
    layernorm_forward,
)

NORMALIZATIONS = (None, "batchnorm", "layernorm")


class FullyConnectedNet:
    """ReLU network ``input_dim -> hidden_dims... -> num_classes``.

    ``hidden_dims``: list of hidden widths, e.g. ``[500, 150]``; ``dropout``: the probability
    of dropping a hidden unit (PyTorch's ``p``; 0 = no dropout); ``normalization``: None,
    ``"batchnorm"`` or ``"layernorm"`` (before each ReLU); ``l2``: penalty strength, the loss
    gains ``0.5 * l2 * sum ||W||^2`` (weights only); ``init``: "he" (default) or any
    ``helpers.numpy_nn.init`` method; ``dtype``: float32 trains faster, float64 for gradient
    checks; ``seed``: weights and dropout masks; ``dropout_seed``: an int makes every call
    use the same masks (for gradient checks), None draws new masks each call.

    ``params``: ``W1: (D, H1), b1: (H1,), [gamma1, beta1: (H1,)], ..., WL: (H_{L-1}, C), bL: (C,)``.
    """

    def __init__(self, hidden_dims, input_dim=784, num_classes=10, *, dropout=0.0,
                 normalization=None, l2=0.0, init="he", dtype=np.float32, seed=0,
                 dropout_seed=None, bn_momentum=0.1):
        if not isinstance(hidden_dims, list | tuple):
            raise TypeError(f"hidden_dims must be a list of widths, got {type(hidden_dims).__name__}")
        for i, h in enumerate(hidden_dims):
            check_positive_int(f"hidden_dims[{i}]", h)
        check_positive_int("input_dim", input_dim)
        check_positive_int("num_classes", num_classes)
        if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout < 1:
            raise ValueError(f"dropout (the drop probability) must be in [0, 1), got {dropout!r}")
        if normalization is not None:
            check_choice("normalization", normalization, ("batchnorm", "layernorm"))
        if isinstance(l2, bool) or not isinstance(l2, int | float) or l2 < 0:
            raise ValueError(f"l2 must be a number >= 0, got {l2!r}")
        self.hidden_dims = [int(h) for h in hidden_dims]
        self.input_dim, self.num_classes = int(input_dim), int(num_classes)
        self.dropout, self.normalization, self.l2 = float(dropout), normalization, float(l2)
        self.dtype = np.dtype(dtype)
        self.num_layers = len(self.hidden_dims) + 1
        rng = np.random.default_rng(seed)
        dims = [self.input_dim, *self.hidden_dims, self.num_classes]
        self.params = {}
        for i in range(1, self.num_layers + 1):
            self.params[f"W{i}"] = init_weights(init, dims[i - 1], dims[i], rng, dtype=self.dtype)
            self.params[f"b{i}"] = np.zeros(dims[i], dtype=self.dtype)
            if normalization and i < self.num_layers:
                self.params[f"gamma{i}"] = np.ones(dims[i], dtype=self.dtype)
                self.params[f"beta{i}"] = np.zeros(dims[i], dtype=self.dtype)
        self.bn_params = [{"mode": "train", "momentum": bn_momentum}
                          for _ in range(self.num_layers - 1)]
        self.dropout_seed = dropout_seed
        self._drop_rng = np.random.default_rng(None if seed is None else seed + 1)

    def _check_X(self, X):
        check_shapes(("X", X, ("N", "D")), known={"D": (self.input_dim, "input_dim")})
        return X.astype(self.dtype, copy=False)

    def scores(self, X, mode="test"):
        """X: (N, D). Returns (scores: (N, C), caches); mode "train" or "test"."""
        check_choice("mode", mode, ("train", "test"))
        A = self._check_X(X)
        caches = []
        for i in range(1, self.num_layers):
            Z, lin = linear_forward(A, self.params[f"W{i}"], self.params[f"b{i}"])
            norm = None
            if self.normalization == "batchnorm":
                bn = self.bn_params[i - 1]
                bn["mode"] = mode
                Z, norm = batchnorm_forward(Z, self.params[f"gamma{i}"], self.params[f"beta{i}"], bn)
            elif self.normalization == "layernorm":
                Z, norm = layernorm_forward(Z, self.params[f"gamma{i}"], self.params[f"beta{i}"])
            A, act = relu_forward(Z)
            drop = None
            if self.dropout > 0:
                dp = {"mode": mode, "p": self.dropout}
                if self.dropout_seed is not None:
                    dp["seed"] = self.dropout_seed + i
                else:
                    dp["rng"] = self._drop_rng
                A, drop = dropout_forward(A, dp)
            caches.append((lin, norm, act, drop))
        L = self.num_layers
        out, lin = linear_forward(A, self.params[f"W{L}"], self.params[f"b{L}"])
        caches.append((lin, None, None, None))
        return out, caches

    def loss(self, X, y):
        """Training mode. X: (N, D), y: (N,) int labels. Returns (loss, grads keyed like params)."""
        scores, caches = self.scores(X, mode="train")
        check_labels("y", y, scores.shape[0], self.num_classes, source="X")
        loss, dout = softmax_cross_entropy(scores, y)
        grads = {}
        for i in range(self.num_layers, 0, -1):
            lin, norm, act, drop = caches[i - 1]
            if i < self.num_layers:
                if drop is not None:
                    dout = dropout_backward(dout, drop)
                dout = relu_backward(dout, act)
                if self.normalization == "batchnorm":
                    dout, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dout, norm)
                elif self.normalization == "layernorm":
                    dout, grads[f"gamma{i}"], grads[f"beta{i}"] = layernorm_backward(dout, norm)
            dout, grads[f"W{i}"], grads[f"b{i}"] = linear_backward(dout, lin)
        if self.l2:
            weights = [self.params[f"W{i}"] for i in range(1, self.num_layers + 1)]
            reg_loss, reg_grads = l2_penalty(weights, self.l2)
            loss += reg_loss
            for i, g in enumerate(reg_grads, start=1):
                grads[f"W{i}"] = grads[f"W{i}"] + g
        return float(loss), grads

    def predict_proba(self, X, batch_size=2000):
        """Test mode. X: (N, D). Returns (N, C) class probabilities."""
        return np.concatenate([softmax(self.scores(X[i:i + batch_size])[0])
                               for i in range(0, max(len(X), 1), batch_size)])

    def predict(self, X):
        """Test mode (dropout off, running statistics). X: (N, D). Returns (N,) class indices."""
        return self.scores(X, mode="test")[0].argmax(axis=1)


class Augmented:
    """A model trained on augmented mini-batches: ``loss`` sees ``augment(X, rng)``.

    ``model``: any model with ``params``, ``loss`` and ``predict`` (shared, not copied);
    ``augment(X, rng) -> X'`` of X's shape, e.g.
    ``lambda X, rng: random_shifts(X, 2, rng)``. ``predict`` uses the clean inputs.
    """

    def __init__(self, model, augment, seed=0):
        if not callable(augment):
            raise TypeError(f"augment must be a callable (X, rng) -> X, got {type(augment).__name__}")
        self.model, self.augment = model, augment
        self.params = model.params
        self.rng = np.random.default_rng(seed)

    def loss(self, X, y):
        return self.model.loss(self.augment(X, self.rng), y)

    def predict(self, X):
        return self.model.predict(X)

    def predict_proba(self, X):
        return self.model.predict_proba(X)
