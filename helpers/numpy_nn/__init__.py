"""The from-scratch NumPy neural-network library built in Part I of the course.

Conventions: rows are samples (x: (N, D)); every op is a pair ``X_forward(...) -> (out, cache)``
and ``X_backward(dout, cache) -> gradients``; losses return ``(loss, dscores)`` averaged over N;
every function checks the shapes of its inputs and says which argument is wrong and how.
Update rules are ``update(w, dw, config) -> (next_w, config)`` (``optim``); ``Solver`` is
the one training loop (``solver``).

This file only hands names on: inside the package, a module imports its siblings directly
(``from helpers.numpy_nn.losses import softmax``), never this face. The modules follow the
course: ``_shapes`` (input checks), ``autograd`` (03), ``gradcheck`` (01-04), ``logistic``
(01), ``losses`` (02), ``layers``/``activations``/``init``/``model`` (03-06), ``optim`` (07),
``schedules`` (08), ``regularization`` (09), ``solver`` (07-10), later ``conv``, ``im2col``,
``rnn``, ``embedding``, ``attention`` (import those from their modules).
"""

from helpers.numpy_nn.activations import (
    ACTIVATIONS,
    ELEMENTWISE_NAMES,
    activation_backward,
    activation_forward,
    elu_backward,
    elu_forward,
    erf,
    gelu_backward,
    gelu_forward,
    glu_backward,
    glu_forward,
    gtu_backward,
    gtu_forward,
    identity_backward,
    identity_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    maxout_backward,
    maxout_forward,
    prelu_backward,
    prelu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    swish_backward,
    swish_forward,
    tanh_backward,
    tanh_forward,
)
from helpers.numpy_nn.autograd import Value, zero_grad
from helpers.numpy_nn.gradcheck import (
    GradCheckResult,
    check_layer_grad,
    grad_check,
    numerical_gradient,
    rel_error,
)
from helpers.numpy_nn.init import INIT_METHODS, init_weights
from helpers.numpy_nn.layers import (
    affine_backward,
    affine_forward,
    linear_backward,
    linear_forward,
)
from helpers.numpy_nn.losses import (
    binary_cross_entropy,
    hinge_loss,
    l2_penalty,
    log_softmax,
    mse_loss,
    softmax,
    softmax_cross_entropy,
)
from helpers.numpy_nn.model import MLP, MNIST_ARCHITECTURE, OUTPUT_ACTIVATIONS
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
from helpers.numpy_nn.solver import Solver

__all__ = [
    "ACTIVATIONS",
    "ELEMENTWISE_NAMES",
    "GradCheckResult",
    "INIT_METHODS",
    "MLP",
    "MNIST_ARCHITECTURE",
    "OPTIMIZERS",
    "OUTPUT_ACTIVATIONS",
    "Solver",
    "Value",
    "activation_backward",
    "activation_forward",
    "adagrad",
    "adam",
    "adamw",
    "affine_backward",
    "affine_forward",
    "binary_cross_entropy",
    "check_layer_grad",
    "elu_backward",
    "elu_forward",
    "erf",
    "gelu_backward",
    "gelu_forward",
    "get_update_rule",
    "glu_backward",
    "glu_forward",
    "grad_check",
    "gtu_backward",
    "gtu_forward",
    "hinge_loss",
    "identity_backward",
    "identity_forward",
    "init_weights",
    "l2_penalty",
    "leaky_relu_backward",
    "leaky_relu_forward",
    "linear_backward",
    "linear_forward",
    "log_softmax",
    "maxout_backward",
    "maxout_forward",
    "mse_loss",
    "numerical_gradient",
    "prelu_backward",
    "prelu_forward",
    "rel_error",
    "relu_backward",
    "relu_forward",
    "rmsprop",
    "sgd",
    "sgd_momentum",
    "sgd_step",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax",
    "softmax_cross_entropy",
    "swish_backward",
    "swish_forward",
    "tanh_backward",
    "tanh_forward",
    "zero_grad",
]
