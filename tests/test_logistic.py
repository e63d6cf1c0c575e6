"""Unit tests of helpers.numpy_nn.logistic (notebook 01) and its widget logic (no browser)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.numpy_nn.logistic import (
    accuracy,
    bce_loss,
    bce_with_logits,
    logistic_gradients,
    predict,
    predict_proba,
    sigmoid,
    sigmoid_derivative,
    train_logistic_regression,
)
from helpers.synthetic import make_blobs


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    y = (rng.random(40) < 0.5).astype(np.float64)
    w = rng.normal(size=5)
    return X, y, w, 0.3


# ---------------------------------------------------------------------------- sigmoid
def test_sigmoid_is_stable_at_extremes():
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # a warning fails
        s = sigmoid(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))
    assert np.all(np.isfinite(s))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    np.testing.assert_allclose(s, torch.sigmoid(torch.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0],
                                                             dtype=torch.float64)).numpy())


def test_sigmoid_matches_torch_and_keeps_shape():
    z = np.linspace(-30, 30, 61).reshape(61, 1)
    np.testing.assert_allclose(sigmoid(z), torch.sigmoid(torch.from_numpy(z)).numpy(), rtol=1e-14)
    assert sigmoid(z).shape == (61, 1)
    assert isinstance(sigmoid(0.0), float)


def test_sigmoid_derivative():
    z = np.linspace(-6, 6, 25)
    t = torch.from_numpy(z).requires_grad_()
    torch.sigmoid(t).sum().backward()
    np.testing.assert_allclose(sigmoid_derivative(z), t.grad.numpy(), rtol=1e-12)
    assert sigmoid_derivative(0.0) == 0.25


# ---------------------------------------------------------------------------- losses
def test_bce_loss_matches_torch(problem):
    X, y, w, b = problem
    a = sigmoid(X @ w + b)
    ref = F.binary_cross_entropy(torch.from_numpy(a), torch.from_numpy(y)).item()
    assert bce_loss(a, y) == pytest.approx(ref, rel=1e-12)


def test_bce_with_logits_matches_torch_including_extremes():
    z = np.array([-1000.0, -30.0, -1.0, 0.0, 2.0, 40.0, 1000.0])
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    ref = F.binary_cross_entropy_with_logits(torch.from_numpy(z), torch.from_numpy(y)).item()
    assert bce_with_logits(z, y) == pytest.approx(ref, rel=1e-12)


def test_bce_loss_clips_saturated_probabilities():
    loss = bce_loss(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    assert np.isfinite(loss) and loss == pytest.approx(-np.log(1e-12), rel=1e-6)
    assert bce_loss(np.array([1.0, 0.0]), np.array([1.0, 0.0])) < 1e-11


def test_bce_loss_rejects_logits_and_shape_mismatch():
    with pytest.raises(ValueError, match="bce_with_logits"):
        bce_loss(np.array([2.0, -1.0]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"\(N, 1\) column"):
        bce_loss(np.full((3, 1), 0.5), np.zeros(3))


# ---------------------------------------------------------------------------- gradient
def test_gradient_matches_autograd(problem):
    X, y, w, b = problem
    dw, db = logistic_gradients(X, y, w, b)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy_with_logits(torch.from_numpy(X) @ wt + bt, torch.from_numpy(y)).backward()
    assert dw.shape == (5,) and isinstance(db, float)
    np.testing.assert_allclose(dw, wt.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert db == pytest.approx(bt.grad.item(), rel=1e-10)


def test_gradient_matches_centred_differences(problem):
    X, y, w, b = problem
    dw, db = logistic_gradients(X, y, w, b)
    h = 1e-6
    num = np.array([(bce_with_logits(X @ (w + h * e) + b, y)
                     - bce_with_logits(X @ (w - h * e) + b, y)) / (2 * h) for e in np.eye(5)])
    rel = np.linalg.norm(dw - num) / np.linalg.norm(dw + num)
    assert rel < 1e-7
    num_b = (bce_with_logits(X @ w + b + h, y) - bce_with_logits(X @ w + b - h, y)) / (2 * h)
    assert db == pytest.approx(num_b, rel=1e-6)


# ---------------------------------------------------------------------------- training
def test_trainer_reduces_loss_and_separates_blobs():
    X, y = make_blobs(200, noise=0.8, seed=1)
    w, b, hist = train_logistic_regression(X, y, lr=0.5, steps=200)
    assert hist["loss"][0] == pytest.approx(np.log(2))  # zeros: a = 0.5 everywhere
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    assert np.all(np.diff(hist["loss"]) <= 1e-12)  # small enough lr: monotone on a convex loss
    assert len(hist["loss"]) == 201 and hist["iteration"][-1] == 200
    assert accuracy(predict(X, w, b), y) > 0.95
    assert hist["accuracy"][-1] == accuracy(predict(X, w, b), y)


def test_trainer_records_validation_every_k():
    X, y = make_blobs(100, noise=0.8, seed=2)
    _, _, hist = train_logistic_regression(X[:80], y[:80], lr=0.1, steps=50, X_val=X[80:],
                                           y_val=y[80:], eval_every=10)
    assert hist["iteration"] == [0, 10, 20, 30, 40, 50]
    assert len(hist["val_loss"]) == len(hist["val_accuracy"]) == 6


def test_trainer_does_not_modify_inputs():
    X, y = make_blobs(50, seed=3)
    w0 = np.array([0.5, -0.5])
    X_copy, w_copy = X.copy(), w0.copy()
    train_logistic_regression(X, y, lr=0.1, steps=5, w0=w0)
    assert np.array_equal(X, X_copy) and np.array_equal(w0, w_copy)


def test_predict_threshold():
    X = np.array([[0.0], [1.0], [-1.0]])
    w = np.array([2.0])
    assert predict(X, w, 0.0).tolist() == [1, 1, 0]
    assert predict(X, w, 0.0, threshold=0.9).tolist() == [0, 0, 0]
    assert predict(X, w, 0.0).dtype == np.int64
    np.testing.assert_allclose(predict_proba(X, w, 0.0), sigmoid(np.array([0.0, 2.0, -2.0])))


# ---------------------------------------------------------------------------- shape errors
def test_shape_errors_name_argument_expected_and_got():
    X = np.zeros((10, 3))
    y = np.zeros(10)
    with pytest.raises(ValueError, match=r"X must have shape \(N, D\).*got \(10,\)"):
        logistic_gradients(np.zeros(10), y, np.zeros(3), 0.0)
    with pytest.raises(ValueError, match=r"w must have shape \(D,\) = \(3,\).*got \(3, 1\).*reshape"):
        logistic_gradients(X, y, np.zeros((3, 1)), 0.0)
    with pytest.raises(ValueError, match=r"y must have shape \(N,\) = \(10,\).*got \(10, 1\)"):
        logistic_gradients(X, y[:, None], np.zeros(3), 0.0)
    with pytest.raises(ValueError, match=r"b must be a single number"):
        logistic_gradients(X, y, np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"flatten them"):
        predict_proba(np.zeros((4, 28, 28)), np.zeros(784), 0.0)


def test_shape_errors_say_looks_transposed():
    X = np.zeros((10, 3))
    with pytest.raises(ValueError, match="looks transposed"):  # X given as (D, N)
        logistic_gradients(X.T, np.zeros(10), np.zeros(3), 0.0)
    with pytest.raises(ValueError, match="looks transposed"):
        train_logistic_regression(X.T, np.zeros(10), steps=1)


def test_trainer_rejects_bad_labels_and_settings():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"labels 0 and 1.*\[2"):
        train_logistic_regression(X, np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="lr must be"):
        train_logistic_regression(X, np.array([0, 1, 0, 1]), lr=-1.0)
    with pytest.raises(TypeError, match="torch tensor"):
        sigmoid(torch.zeros(3))


# ---------------------------------------------------------------------------- widget logic
def test_widget_readout_and_png_change_with_lr_and_iterations():
    from helpers.widgets.logreg import LogRegExplorer

    ex = LogRegExplorer("blobs", lr=0.01, steps=20)
    text0, png0 = ex.readout_text(), ex.figure_png()
    assert png0.startswith(b"\x89PNG") and "iterations 20" in text0
    ex.set(lr=1.0)
    text1, png1 = ex.readout_text(), ex.figure_png()
    assert text1 != text0 and png1 != png0 and ex.loss < 0.9 * ex.result["history"]["loss"][0]
    ex.set(steps=200)
    text2, png2 = ex.readout_text(), ex.figure_png()
    assert "iterations 200" in text2 and text2 != text1 and png2 != png1
    ex.set(dataset="moons")
    assert ex.readout_text().startswith("moons")


def test_widget_rejects_unknown_dataset():
    from helpers.widgets.logreg import LogRegExplorer

    with pytest.raises(ValueError, match="unknown dataset"):
        LogRegExplorer("spirals")


def test_widget_ui_builds_and_updates():
    pytest.importorskip("ipywidgets")
    from helpers.widgets.logreg import show_logreg_explorer

    ui = show_logreg_explorer(steps=10)
    controls, text, image = ui.children
    before = (text.value, image.value)
    controls.children[1].value = 0.5  # the learning-rate slider
    assert (text.value, image.value) != before
    assert "nn-readout" in text._dom_classes and "nn-figure" in image._dom_classes


def test_widget_top_learning_rate_behaves_as_notebook_01_says():
    # Section 8: at the top of the slider (10**1.5 ≈ 31.6) the first step on the blobs
    # overshoots before the loss comes down; on the moons the loss never settles.
    from helpers.widgets.logreg import LogRegExplorer

    top = 10 ** 1.5
    loss = np.asarray(LogRegExplorer("blobs", lr=top, steps=100).result["history"]["loss"])
    assert loss[1] > loss[0] and loss[-1] < 0.5 * loss[0]
    loss = np.asarray(LogRegExplorer("moons", lr=top, steps=500).result["history"]["loss"])
    assert np.ptp(loss[-50:]) > 0.05
