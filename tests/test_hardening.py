"""The library refuses bad input everywhere, keeps dtypes, and says when it cannot judge.

One test (or parametrised family) per promise of the house rules: label counts reported as
counts, empty batches and class axes, non-finite inputs and targets, negative strengths and
margins, integer parameters given to update rules, dtype in = dtype out (float32 stays
float32; 0-d arrays in, arrays out), an inconclusive gradient check, a data cache that is in
the way, and ``Value`` taking NumPy scalars.
"""

import numpy as np
import pytest

from helpers import data
from helpers.numpy_nn import activations as act
from helpers.numpy_nn import gradcheck, layers, losses, optim
from helpers.numpy_nn._shapes import NonFiniteError
from helpers.numpy_nn.autograd import Value
from helpers.numpy_nn.logistic import bce_with_logits, logistic_gradients, predict_proba
from helpers.numpy_nn.model import MLP

rng = np.random.default_rng(0)
SCORES = rng.standard_normal((4, 3))
Y = np.array([0, 1, 2, 0])
ARCH = [{"input_dim": 3, "output_dim": 5, "activation": "relu"},
        {"input_dim": 5, "output_dim": 3, "activation": "softmax"}]
CLASS_LOSSES = [losses.softmax_cross_entropy, losses.hinge_loss]
RULES = [optim.sgd, optim.sgd_momentum, optim.adagrad, optim.rmsprop, optim.adam, optim.adamw]


# --------------------------------------------------------------------------- label counts
@pytest.mark.parametrize("loss", CLASS_LOSSES)
def test_label_count_is_reported_as_a_count_not_a_transpose(loss):
    with pytest.raises(ValueError) as e:
        loss(SCORES, np.array([0, 1, 2, 0, 1]))  # 5 labels, 4 rows: transposing cannot help
    assert "5 labels" in str(e.value) and "N=4 rows" in str(e.value)
    assert "transposed" not in str(e.value)
    with pytest.raises(ValueError) as e:
        loss(SCORES, np.array([0, 9, 1]))  # 3 labels = C, but label 9 cannot be a class of .T
    assert "3 labels" in str(e.value) and "transposed" not in str(e.value)


@pytest.mark.parametrize("loss", CLASS_LOSSES)
def test_a_real_transpose_is_still_called_one(loss):
    with pytest.raises(ValueError, match="looks transposed"):
        loss(SCORES.T, Y)  # (3, 4) for 4 labels in [0, 3): scores.T fits


def test_mlp_label_count():
    model = MLP(ARCH)
    with pytest.raises(ValueError, match=r"N=4"):
        model.loss(rng.standard_normal((4, 3)), np.array([0, 1, 2]))


# --------------------------------------------------------------------------- empty inputs
@pytest.mark.parametrize("loss", CLASS_LOSSES)
def test_empty_batch(loss):
    with pytest.raises(ValueError, match="empty"):
        loss(np.zeros((0, 3)), np.zeros(0, dtype=np.int64))


@pytest.mark.parametrize("fn", [losses.softmax, losses.log_softmax])
def test_empty_class_axis(fn):
    with pytest.raises(ValueError, match=r"C = 0"):
        fn(np.zeros((3, 0)))


def test_empty_class_axis_in_a_loss():
    with pytest.raises(ValueError, match=r"C = 0"):
        losses.softmax_cross_entropy(np.zeros((2, 0)), np.zeros(2, dtype=np.int64))


def test_empty_batch_other_losses_and_the_mlp():
    with pytest.raises(ValueError, match="empty"):
        losses.binary_cross_entropy(np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError, match="empty"):
        losses.mse_loss(np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="empty"):
        MLP(ARCH).loss(np.zeros((0, 3)), np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match="empty"):
        bce_with_logits(np.zeros(0), np.zeros(0))


# --------------------------------------------------------------------------- non-finite
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("loss", CLASS_LOSSES + [lambda s, y: losses.softmax(s)])
def test_non_finite_scores(loss, bad):
    s = SCORES.copy()
    s[2, 1] = bad
    with pytest.raises(ValueError, match=r"NaN or inf.*index \(2, 1\)"):
        loss(s, Y)


def test_non_finite_targets_and_inputs():
    with pytest.raises(ValueError, match="y contains"):
        losses.binary_cross_entropy(np.zeros(3), np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="target contains"):
        losses.mse_loss(np.zeros(3), np.array([0.0, np.inf, 1.0]))
    X = rng.standard_normal((4, 3))
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains"):
        MLP(ARCH).loss(X, Y)
    with pytest.raises(ValueError, match="X contains"):
        predict_proba(X, np.zeros(3), 0.0)
    with pytest.raises(ValueError, match="y contains"):
        logistic_gradients(np.ones((2, 3)), np.array([0.0, np.nan]), np.zeros(3), 0.0)


def test_non_finite_error_is_also_what_training_loops_catch():
    # A diverged network's scores overflow: the loss refuses them with an error that is both
    # a ValueError (bad input) and a FloatingPointError (what Solver users catch).
    model = MLP(ARCH)
    model.params["W2"][:] = np.inf
    with pytest.raises(FloatingPointError), np.errstate(invalid="ignore", over="ignore"):
        model.loss(np.ones((4, 3)), Y)
    assert issubclass(NonFiniteError, ValueError)


@pytest.mark.parametrize("rule", RULES)
def test_non_finite_gradient_to_an_update_rule(rule):
    with pytest.raises(ValueError, match="NaN or inf"):
        rule(np.zeros(3), np.array([0.0, np.nan, 1.0]))


# --------------------------------------------------------------------------- negative strengths
def test_negative_regularisation_and_margin():
    with pytest.raises(ValueError, match="l2 .* must be >= 0"):
        losses.l2_penalty([np.ones(2)], -0.1)
    with pytest.raises(ValueError, match="delta .* must be >= 0"):
        losses.hinge_loss(SCORES, Y, delta=-1.0)
    with pytest.raises(ValueError, match="l2 .* must be >= 0"):
        MLP(ARCH, l2=-1e-3)
    with pytest.raises(ValueError, match="must be >= 0"):
        losses.l2_penalty([np.ones(2)], np.nan)
    from helpers.widgets.playground.model import PenalisedMLP, build_model

    with pytest.raises(ValueError, match="reg_strength must be >= 0"):
        PenalisedMLP(build_model(2, [2], "tanh"), "L2", -0.5)


@pytest.mark.parametrize("rule", RULES)
def test_negative_learning_rate(rule):
    with pytest.raises(ValueError, match=r"config\['lr'\]"):
        rule(np.zeros(3), np.ones(3), {"lr": -0.1})


# --------------------------------------------------------------------------- integer parameters
@pytest.mark.parametrize("rule", RULES)
def test_integer_parameter_to_an_update_rule(rule):
    with pytest.raises(TypeError, match="floating-point"):
        rule(np.arange(3), np.ones(3))


# --------------------------------------------------------------------------- dtypes
F32 = np.float32


@pytest.mark.parametrize("name", act.ELEMENTWISE_NAMES)
def test_float32_through_every_elementwise_op(name):
    x = rng.standard_normal((4, 5)).astype(F32)
    out, cache = act.activation_forward(name, x)
    dx = act.activation_backward(name, np.ones_like(out), cache)
    assert out.dtype == F32 and dx.dtype == F32


@pytest.mark.parametrize("name", act.ELEMENTWISE_NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zero_d_in_arrays_out(name, dtype):
    out, cache = act.activation_forward(name, np.array(0.7, dtype=dtype))
    dx = act.activation_backward(name, np.ones_like(out), cache)
    for v in (out, dx):
        assert isinstance(v, np.ndarray) and v.shape == () and v.dtype == dtype


def test_float32_through_other_ops():
    x = rng.standard_normal((4, 3)).astype(F32)
    W, b = rng.standard_normal((3, 2)).astype(F32), np.zeros(2, F32)
    for fwd, bwd, xin in ((layers.linear_forward, layers.linear_backward, x),
                          (layers.affine_forward, layers.affine_backward, x.reshape(4, 3, 1))):
        out, cache = fwd(xin, W, b)
        assert out.dtype == F32 and all(g.dtype == F32 for g in bwd(np.ones_like(out), cache))
    for a in (act.prelu_forward(x, np.array(0.2, F32))[0], act.glu_forward(x[:, :2])[0],
              act.maxout_forward(x, rng.standard_normal((3, 4)).astype(F32), np.zeros(4, F32), 2)[0]):
        assert a.dtype == F32


def test_float32_through_every_loss():
    s = SCORES.astype(F32)
    for fn in CLASS_LOSSES:
        for reduction in ("mean", "sum", "none"):
            loss, ds = fn(s, Y, reduction=reduction)
            assert np.asarray(loss).dtype == F32 and ds.dtype == F32, (fn, reduction)
    for loss, d in (losses.binary_cross_entropy(s[:, 0], np.array([0, 1, 1, 0])),
                    losses.mse_loss(s, np.zeros((4, 3)))):  # float64 targets do not upcast
        assert np.asarray(loss).dtype == F32 and d.dtype == F32
    assert losses.softmax(s).dtype == F32 and losses.log_softmax(s).dtype == F32
    loss, (g,) = losses.l2_penalty([s], 0.1)
    assert np.asarray(loss).dtype == F32 and g.dtype == F32


@pytest.mark.parametrize("output", ["softmax", "sigmoid", "linear"])
def test_float32_mlp(output):
    arch = [{"input_dim": 3, "output_dim": 5, "activation": "tanh"},
            {"input_dim": 5, "output_dim": 3 if output != "sigmoid" else 1, "activation": output}]
    model = MLP(arch, dtype=F32, l2=0.1)
    X = rng.standard_normal((4, 3))  # float64 input: the model's dtype wins
    y = {"softmax": Y, "sigmoid": np.array([0, 1, 1, 0]), "linear": np.zeros((4, 3))}[output]
    loss, grads = model.loss(X, y)
    assert np.asarray(loss).dtype == F32
    assert all(g.dtype == F32 for g in grads.values())


@pytest.mark.parametrize("rule", RULES)
def test_float32_update_rules(rule):
    w, config = rule(np.ones((2, 2), F32), np.full((2, 2), 0.5, F32))
    w, config = rule(w, np.full((2, 2), 0.5, F32), config)
    assert w.dtype == F32


# --------------------------------------------------------------------------- gradient checker
def test_gradient_check_is_inconclusive_below_the_rounding_noise():
    w = np.array([1.0, 2.0])
    # |f| ~ 1e9 makes the rounding noise of f (~2) larger than anything the gradient (1e-3)
    # could differ by: the numerical gradient is 0, and yet rel < threshold would "pass".
    res = gradcheck.grad_check(lambda: 1e9 + 1e-3 * w.sum(), {"w": w}, {"w": np.full(2, 1e-3)},
                               verbose=False)["w"]
    assert res.status == "INCONCLUSIVE" and not res.passed


def test_gradient_check_still_passes_and_fails_when_it_can_tell():
    w = np.array([1.0, 2.0])
    ok = gradcheck.grad_check(lambda: float((w**2).sum()), {"w": w}, {"w": 2 * w}, verbose=False)
    bad = gradcheck.grad_check(lambda: float((w**2).sum()), {"w": w}, {"w": w}, verbose=False)
    assert ok["w"].status == "PASS" and ok["w"].passed
    assert bad["w"].status == "FAIL" and not bad["w"].passed


def test_gradient_check_prints_inconclusive(capsys):
    w = np.array([1.0])
    gradcheck.grad_check(lambda: 1e9 + 1e-3 * w.sum(), {"w": w}, {"w": np.array([1e-3])})
    out = capsys.readouterr().out
    assert "INCONCLUSIVE" in out and "rounding noise" in out and "PASS" not in out


# --------------------------------------------------------------------------- the data cache
ENTRY = data.REGISTRY["mnist/t10k-labels-idx1-ubyte.gz"]


def _first_line(err):
    return str(err.value).splitlines()[0]


def test_cache_path_that_is_a_file(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    with pytest.raises(data.DataUnavailableError) as e:
        data.fetch(ENTRY, cache=blocker, progress=False)
    assert "is a file, not a folder" in _first_line(e) and str(blocker) in _first_line(e)
    assert "connect to the internet" not in str(e.value)


def test_a_folder_where_the_file_should_be(tmp_path):
    (tmp_path / ENTRY.name).mkdir(parents=True)
    with pytest.raises(data.DataUnavailableError) as e:
        data.fetch(ENTRY, cache=tmp_path, progress=False)
    assert "is a folder" in _first_line(e) and "should be a file" in _first_line(e)


def test_read_only_cache(tmp_path, monkeypatch):
    # Root ignores permission bits, so the check is simulated where it is asked.
    monkeypatch.setattr(data, "_writable", lambda folder: False)
    with pytest.raises(data.DataUnavailableError) as e:
        data.fetch(ENTRY, cache=tmp_path, progress=False)
    assert "read-only" in _first_line(e) and "connect to the internet" not in str(e.value)
    assert ENTRY.sha256 in str(e.value)  # and still how to get the file by hand


def test_read_only_cache_with_a_corrupted_copy(tmp_path, monkeypatch):
    path = tmp_path / ENTRY.name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"truncated")
    monkeypatch.setattr(data, "_writable", lambda folder: False)
    with pytest.raises(data.DataUnavailableError) as e:
        data.fetch(ENTRY, cache=tmp_path, progress=False)
    assert "read-only" in _first_line(e) and "corrupted" in str(e.value)


# --------------------------------------------------------------------------- Value
@pytest.mark.parametrize("x", [np.float32(2.0), np.float64(2.0), np.int64(2), np.int32(2)])
def test_value_accepts_numpy_scalars(x):
    a = Value(x)
    out = a * x + Value(1.0) * np.float32(3.0)
    out.backward()
    assert type(a.data) is float and out.data == pytest.approx(7.0) and a.grad == pytest.approx(2.0)


def test_value_still_refuses_bools_and_arrays():
    for bad in (True, np.bool_(True), np.zeros(2), "3"):
        with pytest.raises(TypeError):
            Value(bad)


# --------------------------------------------------------------------------- the Playground
def test_playground_reads_configurations_saved_with_the_old_names():
    from helpers.widgets.playground import PlaygroundState

    s = PlaygroundState.from_json('{"learning_rate": 0.3, "reg_rate": 0.01, "regularization": "L2"}')
    assert s.lr == 0.3 and s.reg_strength == 0.01
    with pytest.raises(ValueError, match="unknown Playground settings"):
        PlaygroundState.from_json('{"learning_rat": 0.3}')
