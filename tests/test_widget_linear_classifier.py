"""The linear-classifier demo of notebook 02, tested without a browser."""

import numpy as np
import pytest
import torch

from helpers.numpy_nn import hinge_loss, l2_penalty, softmax_cross_entropy
from helpers.widgets.linear_classifier import (
    DEFAULT_W,
    LinearClassifierDemo,
    per_example_loss,
    show_linear_classifier,
)

# The CS231n demo's table at its starting parameters: per-example softmax losses.
SEED_LOSSES = [0.56, 1.04, 0.11, 1.96, 4.06, 1.68, 1.72, 2.40, 3.00]


def test_reproduces_seed_table():
    demo = LinearClassifierDemo()
    t = demo.loss_table()
    assert t.rows.shape == (9, 7)
    np.testing.assert_allclose(t.rows[:, 3:6][0], [1.3, -0.1, 0.6], atol=1e-12)
    np.testing.assert_allclose(t.rows[:, 6], SEED_LOSSES, atol=0.005)
    assert round(t.data_loss, 2) == 1.84
    # the demo prints reg * sum(W^2) = 3.50 at reg = 0.1; ours carries the 0.5
    assert t.reg_loss == pytest.approx(0.5 * 0.1 * np.sum(DEFAULT_W**2))
    assert t.total_loss == pytest.approx(t.data_loss + t.reg_loss)


@pytest.mark.parametrize("loss_type", ["softmax", "svm"])
def test_losses_match_library_and_torch(loss_type):
    demo = LinearClassifierDemo(l2=0.3, loss_type=loss_type)
    demo.randomise()
    data, reg, dW, db = demo.loss()
    s = demo.scores()
    lib = softmax_cross_entropy(s, demo.y) if loss_type == "softmax" else hinge_loss(s, demo.y)
    assert data == pytest.approx(lib[0], abs=1e-12)
    assert reg == pytest.approx(l2_penalty([demo.W], 0.3)[0])
    # torch autograd on the same loss
    Wt = torch.tensor(demo.W, requires_grad=True)
    bt = torch.tensor(demo.b, requires_grad=True)
    st = torch.tensor(demo.X) @ Wt + bt
    yt = torch.tensor(demo.y)
    if loss_type == "softmax":
        L = torch.nn.functional.cross_entropy(st, yt)
    else:
        L = 3 * torch.nn.functional.multi_margin_loss(st, yt, margin=1.0)
    L = L + 0.5 * 0.3 * (Wt**2).sum()
    L.backward()
    assert L.item() == pytest.approx(data + reg, abs=1e-12)
    np.testing.assert_allclose(dW, Wt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(db, bt.grad.numpy(), atol=1e-12)


def test_per_example_softmax_survives_large_scores():
    s = np.array([[1000.0, 0.0, -1000.0]])
    losses, ds = per_example_loss(s, np.array([1]))
    assert np.isfinite(losses).all() and losses[0] == pytest.approx(1000.0)
    np.testing.assert_allclose(ds, [[1.0, -1.0, 0.0]], atol=1e-12)


@pytest.mark.parametrize("loss_type", ["softmax", "svm"])
def test_training_lowers_loss_and_separates(loss_type):
    demo = LinearClassifierDemo(loss_type=loss_type, lr=0.1, l2=0.01)
    before = demo.loss_table().total_loss
    one = demo.step()
    assert one < before
    after = demo.step(300)
    assert after < one
    assert demo.steps == 301
    assert demo.accuracy() == 1.0


def test_reset_randomise_and_validation():
    demo = LinearClassifierDemo(seed=3)
    demo.step(5)
    demo.randomise()
    assert demo.steps == 0 and not np.allclose(demo.W, DEFAULT_W)
    demo.reset()
    np.testing.assert_array_equal(demo.W, DEFAULT_W)
    with pytest.raises(ValueError, match="loss_type"):
        demo.loss_type = "mse"
    with pytest.raises(ValueError, match="transposed"):
        LinearClassifierDemo(W=np.ones((3, 2)))
    with pytest.raises(ValueError, match="X must have shape"):
        LinearClassifierDemo(X=np.ones((4, 3)), y=np.zeros(4, dtype=int))


def test_render_and_widget():
    demo = LinearClassifierDemo()
    png = demo.render_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    html = demo.loss_table().to_html()
    assert "total loss" in html and html.count("<tr>") == 10
    assert "<th>s0</th>" in html and "<th>s3</th>" not in html  # classes are numbered 0, 1, 2
    ui = show_linear_classifier(demo)
    controls, img = ui.children[0].children
    loss_dd, step_sl, reg_sl, row1, _ = controls.children
    readout = ui.children[1]
    first_img, first_text = img.value, readout.value
    assert "w0=(" in first_text and "b2=" in first_text and "w3" not in first_text
    row1.children[1].click()  # run 100 steps
    assert demo.steps == 100 and img.value != first_img and readout.value != first_text
    text_softmax = readout.value
    loss_dd.value = "svm"  # changing a control redraws without training
    assert demo.loss_type == "svm" and demo.steps == 100 and readout.value != text_softmax
    reg_sl.value = 0.5
    step_sl.value = 0.01
    assert demo.l2 == 0.5 and demo.lr == pytest.approx(0.01)
