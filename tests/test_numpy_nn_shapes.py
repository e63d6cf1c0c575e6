"""Every public function of helpers.numpy_nn rejects bad inputs with a message that says which
argument is wrong, the expected shape in symbols, the shape it got and, where it applies,
that it looks transposed."""

import re

import numpy as np
import pytest

import helpers.numpy_nn as nn

rng = np.random.default_rng(0)
X = rng.standard_normal((4, 3))  # N=4, D=3
W = rng.standard_normal((3, 5))  # D=3, M=5
B = np.zeros(5)
Y = np.array([0, 1, 2, 0])
SCORES = rng.standard_normal((4, 3))  # N=4, C=3


def raises(fn, *parts, exc=ValueError):
    """Call fn, expect exc, and check that every part appears in the message."""
    with pytest.raises(exc) as e:
        fn()
    msg = str(e.value)
    for part in parts:
        assert part in msg, f"{part!r} not in {msg!r}"
    return msg


# --------------------------------------------------------------------------- element-wise ops
ELEMENTWISE = [
    (nn.sigmoid_forward, nn.sigmoid_backward),
    (nn.tanh_forward, nn.tanh_backward),
    (nn.relu_forward, nn.relu_backward),
    (nn.leaky_relu_forward, nn.leaky_relu_backward),
    (nn.elu_forward, nn.elu_backward),
    (nn.swish_forward, nn.swish_backward),
    (nn.gelu_forward, nn.gelu_backward),
    (nn.identity_forward, nn.identity_backward),
]


@pytest.mark.parametrize("fwd,bwd", ELEMENTWISE, ids=[f.__name__ for f, _ in ELEMENTWISE])
def test_elementwise_bad_inputs(fwd, bwd):
    raises(lambda: fwd([1.0, 2.0]), "x must be a NumPy array", "list", exc=TypeError)
    raises(lambda: fwd(np.arange(3)), "x must be a floating-point array", "int64", exc=TypeError)
    _, cache = fwd(X)
    raises(lambda: bwd(X.T, cache), "dout", "(4, 3)", "got (3, 4)", "transposed")
    raises(lambda: bwd(np.zeros(4), cache), "dout", "(4, 3)", "got (4,)")


def test_erf_and_dispatch_bad_inputs():
    raises(lambda: nn.erf(np.arange(3)), "x must be a floating-point array", exc=TypeError)
    raises(lambda: nn.gelu_forward(X, approximate="fast"), "approximate 'fast'", "none, tanh")
    raises(lambda: nn.activation_forward("relu6", X), "activation 'relu6'", "relu", "sigmoid")
    _, cache = nn.activation_forward("tanh", X)
    raises(lambda: nn.activation_backward("tanhh", X, cache), "activation 'tanhh'")
    raises(lambda: nn.activation_backward("tanh", X.T, cache), "dout", "transposed")
    raises(lambda: nn.ACTIVATIONS["relu"][1]([0.0]), "x must be a NumPy array", exc=TypeError)


def test_prelu_bad_inputs():
    raises(
        lambda: nn.prelu_forward(X[0], 0.1),
        "x must have shape (N, D)",
        "got (3,)",
        "reshape(1, -1)",
    )
    raises(
        lambda: nn.prelu_forward(X, np.zeros(4)),
        "alpha must have shape (D,)",
        "D=3",
        "x.shape[1]",
        "got (4,)",
    )
    raises(
        lambda: nn.prelu_forward(X, np.zeros((1, 3))),
        "alpha must have shape (D,)",
        "got (1, 3)",
        "ravel",
    )
    raises(lambda: nn.prelu_forward(X, "0.1"), "alpha must be a number", exc=TypeError)
    _, cache = nn.prelu_forward(X, 0.1)
    raises(lambda: nn.prelu_backward(X.T, cache), "dout", "got (3, 4)", "transposed")


def test_maxout_bad_inputs():
    Wm = rng.standard_normal((3, 6))  # M=3, k=2
    bm = np.zeros(6)
    raises(lambda: nn.maxout_forward(X, Wm, bm, 0), "k must be a positive integer")
    raises(
        lambda: nn.maxout_forward(X, Wm, bm, 4),
        "W must have shape (D, M*k)",
        "k=4",
        "got (3, 6)",
        "not a multiple of k",
    )
    raises(
        lambda: nn.maxout_forward(X, Wm.T, bm, 2),
        "W must have shape (D, M*k)",
        "got (6, 3)",
        "transposed",
    )
    raises(
        lambda: nn.maxout_forward(X.T, Wm, bm, 2),
        "x must have shape (N, D)",
        "got (3, 4)",
        "transposed",
    )
    raises(
        lambda: nn.maxout_forward(X, Wm, np.zeros(5), 2),
        "b must have shape (M*k,)",
        "M*k=6",
        "got (5,)",
    )
    _, cache = nn.maxout_forward(X, Wm, bm, 2)
    raises(
        lambda: nn.maxout_backward(np.zeros((4, 6)), cache),
        "dout must have shape (N, M)",
        "(4, 3)",
        "got (4, 6)",
    )


@pytest.mark.parametrize(
    "fwd,bwd", [(nn.glu_forward, nn.glu_backward), (nn.gtu_forward, nn.gtu_backward)]
)
def test_glu_gtu_bad_inputs(fwd, bwd):
    raises(lambda: fwd(X), "x must have shape (N, 2H)", "got (4, 3)")
    raises(lambda: fwd(np.arange(4)), "x must be a floating-point array", exc=TypeError)
    _, cache = fwd(np.zeros((4, 6)))
    raises(
        lambda: bwd(np.zeros((4, 6)), cache), "dout must have shape (N, H)", "(4, 3)", "got (4, 6)"
    )
    raises(lambda: bwd(np.zeros((3, 4)), cache), "transposed")


# --------------------------------------------------------------------------- linear layer
def test_linear_bad_inputs():
    raises(
        lambda: nn.linear_forward(X.T, W, B),
        "x must have shape (N, D)",
        "got (3, 4)",
        "transposed",
        "x.T",
    )
    raises(
        lambda: nn.linear_forward(X, W.T, B),
        "W must have shape (D, M)",
        "got (5, 3)",
        "transposed",
        "W.T",
    )
    raises(
        lambda: nn.linear_forward(X, W, np.zeros(4)),
        "b must have shape (M,)",
        "M=5",
        "W.shape[1]",
        "got (4,)",
    )
    raises(
        lambda: nn.linear_forward(X, W, B[None, :]), "b must have shape (M,)", "got (1, 5)", "ravel"
    )
    raises(
        lambda: nn.linear_forward(X[0], W, B), "x must have shape (N, D)", "got (3,)", "batch axis"
    )
    raises(
        lambda: nn.linear_forward(X, rng.standard_normal((2, 5)), B),
        "W must have shape (D, M)",
        "D=3",
        "x.shape[1]",
        "got (2, 5)",
    )
    raises(
        lambda: nn.linear_forward(X, W.astype(int), B),
        "W must be a floating-point array",
        exc=TypeError,
    )
    _, cache = nn.linear_forward(X, W, B)
    raises(
        lambda: nn.linear_backward(np.zeros((5, 4)), cache),
        "dout must have shape (N, M)",
        "(4, 5)",
        "got (5, 4)",
        "transposed",
    )


def test_transposed_hint_only_when_it_would_fit():
    # A square W cannot look transposed; a plain mismatch says which size was expected.
    msg = raises(
        lambda: nn.linear_forward(X, np.zeros((2, 2)), np.zeros(2)),
        "W must have shape (D, M)",
        "D=3",
        "got (2, 2)",
    )
    assert "transposed" not in msg


# --------------------------------------------------------------------------- losses
@pytest.mark.parametrize("loss", [nn.softmax_cross_entropy, nn.hinge_loss])
def test_class_losses_bad_inputs(loss):
    raises(lambda: loss(SCORES[0], Y[:1]), "scores must have shape (N, C)", "got (3,)")
    raises(lambda: loss(SCORES.T, Y), "scores must have shape (N, C)", "got (3, 4)", "transposed")
    raises(lambda: loss(SCORES, Y[:, None]), "y must have shape (N,)", "N=4", "got (4, 1)", "ravel")
    raises(
        lambda: loss(SCORES, np.eye(3, dtype=int)[Y]), "y must have shape (N,)", "one-hot", "argmax"
    )
    raises(
        lambda: loss(SCORES, Y.astype(float)),
        "y must hold integer class indices",
        "float64",
        exc=TypeError,
    )
    raises(lambda: loss(SCORES, np.array([0, 1, 3, 0])), "[0, C)", "C=3", "[0, 3]")
    raises(lambda: loss(SCORES, np.array([0, -1, 2, 0])), "[0, C)", "[-1, 2]")
    raises(lambda: loss(SCORES, [0, 1, 2, 0]), "y must be a NumPy array", exc=TypeError)


def test_softmax_log_softmax_bad_inputs():
    for fn in (nn.softmax, nn.log_softmax):
        raises(lambda fn=fn: fn(SCORES[0]), "scores must have shape (N, C)", "got (3,)")
        raises(
            lambda fn=fn: fn(np.zeros((2, 3, 4))), "scores must have shape (N, C)", "got (2, 3, 4)"
        )


def test_binary_cross_entropy_bad_inputs():
    z = np.zeros(4)
    raises(
        lambda: nn.binary_cross_entropy(np.zeros((4, 2)), Y),
        "logits must have shape (N,) or (N, 1)",
        "got (4, 2)",
    )
    raises(lambda: nn.binary_cross_entropy(np.zeros((1, 4)), Y), "got (1, 4)", "transposed")
    raises(
        lambda: nn.binary_cross_entropy(z, np.zeros(3)), "y must have shape (N,)", "N=4", "got (3,)"
    )
    raises(lambda: nn.binary_cross_entropy(z, np.array([0, 1, 2, 0])), "[0, 1]", "[0, 2]")
    raises(
        lambda: nn.binary_cross_entropy(z.astype(int), Y),
        "logits must be a floating-point",
        exc=TypeError,
    )


def test_mse_bad_inputs():
    raises(
        lambda: nn.mse_loss(np.zeros((4, 1)), np.zeros(4)),
        "target must have the shape of pred",
        "(4, 1)",
        "got (4,)",
        "broadcast to (4, 4)",
    )
    raises(lambda: nn.mse_loss(np.zeros((4, 2)), np.zeros((2, 4))), "got (2, 4)", "transposed")
    raises(lambda: nn.mse_loss([0.0], np.zeros(1)), "pred must be a NumPy array", exc=TypeError)


def test_l2_penalty_bad_inputs():
    raises(lambda: nn.l2_penalty(W, 0.1), "weights must be a list", exc=TypeError)
    raises(
        lambda: nn.l2_penalty([W, [1.0]], 0.1), "weights[1] must be a NumPy array", exc=TypeError
    )


# --------------------------------------------------------------------------- init, model, sgd
def test_init_bad_inputs():
    g = np.random.default_rng(0)
    raises(lambda: nn.init_weights("he", 0, 3, g), "fan_in must be a positive integer", "0")
    raises(lambda: nn.init_weights("he", 3, 2.5, g), "fan_out must be a positive integer", "2.5")
    raises(
        lambda: nn.init_weights("he", 3, 2, 0), "rng must be a np.random.Generator", exc=TypeError
    )
    raises(
        lambda: nn.init_weights("glorot", 3, 2, g),
        "unknown init method 'glorot'",
        "he",
        "xavier_uniform",
    )


ARCH = [
    {"input_dim": 3, "output_dim": 5, "activation": "relu"},
    {"input_dim": 5, "output_dim": 3, "activation": "softmax"},
]


def test_mlp_bad_inputs():
    model = nn.MLP(ARCH)
    for call in (model.forward, model.predict, model.predict_proba, lambda X: model.loss(X, Y)):
        raises(lambda call=call: call(X.T), "X must have shape (N, D)", "got (3, 4)", "transposed")
        raises(
            lambda call=call: call(np.zeros((4, 7))),
            "X must have shape (N, D)",
            "D=3",
            "layer 1 input_dim",
            "got (4, 7)",
        )
        raises(lambda call=call: call(X[0]), "X must have shape (N, D)", "got (3,)", "batch axis")
    raises(lambda: model.loss(X, Y[:3]), "y must have shape (N,)", "N=4", "got (3,)")
    raises(lambda: model.loss(X, np.array([0, 1, 5, 0])), "[0, C)", "C=3")
    raises(
        lambda: nn.MLP(ARCH[:1] + [{**ARCH[1], "input_dim": 4}]),
        "layer 1 output_dim=5",
        "layer 2 input_dim=4",
    )
    reg = nn.MLP([{"input_dim": 3, "output_dim": 2, "activation": "linear"}])
    raises(
        lambda: reg.loss(X, np.zeros((2, 4))),
        "target must have the shape of pred",
        "got (2, 4)",
        "transposed",
    )
    raises(lambda: reg.predict_proba(X), "predict_proba needs a softmax or sigmoid output")
    raises(lambda: model.shape_table(0), "N must be a positive integer")
    binary = nn.MLP([{"input_dim": 3, "output_dim": 1, "activation": "sigmoid"}])
    raises(lambda: binary.loss(X, np.zeros(5)), "y must have shape (N,)", "N=4", "got (5,)")


def test_sgd_step_bad_inputs():
    model = nn.MLP(ARCH)
    _, grads = model.loss(X, Y)
    grads["W1"] = grads["W1"].T
    raises(
        lambda: nn.sgd_step(model.params, grads, 0.1),
        "grads['W1'] must have the shape of params['W1'], (3, 5)",
        "got (5, 3)",
        "looks transposed",
    )
    del grads["b2"]
    raises(lambda: nn.sgd_step(model.params, grads, 0.1), "grads is missing", "b2")


# --------------------------------------------------------------------------- gradient checking
def test_gradcheck_bad_inputs():
    raises(
        lambda: nn.numerical_gradient(lambda x: 0.0, [1.0]),
        "x must be a NumPy array",
        exc=TypeError,
    )
    raises(lambda: nn.numerical_gradient(3.0, np.zeros(2)), "f must be callable", exc=TypeError)
    raises(
        lambda: nn.rel_error(np.zeros(3), np.zeros((3, 1))),
        "b must have the shape of a",
        "(3,)",
        "(3, 1)",
    )
    p = {"w": np.zeros(3)}
    raises(lambda: nn.grad_check(lambda: 0.0, p, {}), "analytic is missing", "w")
    raises(
        lambda: nn.grad_check(lambda: 0.0, p, {"w": np.zeros(4)}, verbose=False),
        "analytic['w'] must have shape (3,)",
        "got (4,)",
    )
    raises(lambda: nn.grad_check(lambda: 0.0, [1.0], {}), "must be dicts", exc=TypeError)
    raises(
        lambda: nn.check_layer_grad(
            nn.linear_forward, lambda d, c: nn.linear_backward(d, c)[:2], {"x": X, "W": W, "b": B}
        ),
        "backward returned 2 gradients for 3 inputs",
    )


def test_value_bad_inputs():
    raises(lambda: nn.Value("3"), "data must be an int or float", "str", exc=TypeError)
    raises(lambda: nn.Value(np.zeros(2)), "data must be an int or float", exc=TypeError)
    raises(lambda: nn.Value(2.0) ** nn.Value(2.0), "number exponents", exc=TypeError)
    raises(lambda: nn.Value(2.0) + "a", "cannot combine a Value with str", exc=TypeError)
    raises(lambda: nn.Value(-1.0).log(), "log needs a positive value")
    raises(lambda: nn.zero_grad([1.0]), "Value objects", exc=TypeError)


def test_every_public_function_is_covered_here():
    """A new public function must get a bad-input test in this file."""
    source = open(__file__).read()
    public = [n for n in nn.__all__ if callable(getattr(nn, n)) and n != "GradCheckResult"]
    missing = [name for name in public if not re.search(rf"\bnn\.{name}\b", source)]
    assert not missing, missing


# --------------------------------------------------------------------------- layers, optim, solver
def test_affine_bad_inputs():
    raises(lambda: nn.affine_forward(np.zeros(3), W, B), "x must have shape (N, D)",
           "reshape(1, -1)")
    raises(lambda: nn.affine_forward(np.zeros((4, 1, 3)), W.T, B), "W must have shape (D, M)",
           "looks transposed")
    _, cache = nn.affine_forward(np.zeros((4, 1, 3)), W, B)
    raises(lambda: nn.affine_backward(np.zeros((5, 4)), cache), "dout must have shape (N, M)",
           "looks transposed")


@pytest.mark.parametrize("update", [nn.sgd, nn.sgd_momentum, nn.adagrad, nn.rmsprop, nn.adam,
                                    nn.adamw])
def test_update_rules_bad_inputs(update):
    raises(lambda: update(np.arange(3), np.ones(3)), "floating-point", exc=TypeError)
    raises(lambda: update(W, W.T), "dw must have", "looks transposed")
    raises(lambda: update(W, np.full_like(W, np.nan)), "NaN or inf")
    raises(lambda: update(W, W, {"lr": -1.0}), "config['lr'] must be a number >= 0")
    raises(lambda: update(W, W, {"learning_rate": 0.1}), "unknown keys ['learning_rate']")


def test_get_update_rule_bad_inputs():
    assert nn.get_update_rule("adam") is nn.adam
    raises(lambda: nn.get_update_rule("adamm"), "unknown update rule 'adamm'", "adam, adamw")


def test_solver_bad_inputs():
    model = nn.MLP(ARCH)
    data = {"X_train": X, "y_train": Y}
    raises(lambda: nn.Solver(object(), data), "params", exc=TypeError)
    raises(lambda: nn.Solver(model, {"X": X}), "X_train, y_train")
    raises(lambda: nn.Solver(model, {"X_train": X, "y_train": Y[:3]}), "same number of samples")
    raises(lambda: nn.Solver(model, data, batch_size=0), "batch_size must be a positive integer")
    raises(lambda: nn.Solver(model, data, epochs=-1), "epochs must be an integer >= 0")
    raises(lambda: nn.Solver(model, data, update_rule="adamm"), "unknown update rule")
