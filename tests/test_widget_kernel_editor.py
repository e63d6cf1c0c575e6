"""The kernel editor's logic (notebook 12), without a browser."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.widgets.kernel_editor import PRESETS, KernelEditor, feature_map, show_kernel_editor


def digit():
    img = np.zeros((28, 28))
    img[6:22, 12:16] = 1.0  # a vertical bar, like a "1"
    return img


def test_feature_map_matches_torch_conv2d():
    rng = np.random.default_rng(0)
    img, k = rng.random((10, 12)), rng.standard_normal((3, 3))
    ref = F.conv2d(torch.tensor(img)[None, None], torch.tensor(k)[None, None], padding=1)
    np.testing.assert_allclose(feature_map(img, k), ref[0, 0].numpy(), rtol=1e-12, atol=1e-12)


def test_identity_keeps_the_image_and_blur_keeps_the_mean_inside():
    e = KernelEditor(images=digit()[None], preset="identity")
    np.testing.assert_allclose(e.compute()["feature_map"], digit())
    fm = e.set_preset("blur").compute()["feature_map"]
    assert fm[14, 13] == pytest.approx(1.0) and fm[14, 12] == pytest.approx(2 / 3)


def test_sobel_x_answers_to_vertical_edges_and_sobel_y_not_on_a_vertical_bar():
    e = KernelEditor(images=digit()[None], preset="sobel_x")
    fx = e.compute()["feature_map"]
    assert fx[14, 11] > 3 and fx[14, 16] < -3  # left edge positive, right edge negative
    assert fx[14, 13] == 0 and fx[2, 2] == 0  # inside the bar and background: no change
    fy = e.set_preset("sobel_y").compute()["feature_map"]
    assert fy[14, 13] == 0  # along the vertical edge nothing changes from top to bottom
    assert abs(fy[6, 13]) > 3  # the bar's top end is a horizontal edge


def test_kernel_sum_and_uint8_images_and_labels():
    e = KernelEditor(images=(digit() * 255).astype(np.uint8)[None], labels=np.array([1]))
    assert e.compute()["kernel_sum"] == 0.0
    assert e.set_preset("sharpen").compute()["kernel_sum"] == 1.0
    assert e.image.max() == 1.0
    assert "(a 1)" in e.readout() and "sharpen" in e.readout()


def test_set_kernel_and_entry_recognise_presets_and_custom():
    e = KernelEditor(images=digit()[None], preset="identity")
    e.set_entry(1, 1, 2.0)
    assert e.preset == "custom" and e.kernel[1, 1] == 2.0
    e.set_kernel(PRESETS["sobel_y"].ravel())
    assert e.preset == "sobel_y"


def test_readout_and_png_change_with_the_kernel():
    e = KernelEditor(images=digit()[None], preset="sobel_x")
    r1, p1 = e.readout(), e.png()
    e.set_preset("blur")
    r2, p2 = e.readout(), e.png()
    assert r1 != r2 and p1 != p2 and p2[:4] == b"\x89PNG"


def test_bad_inputs():
    e = KernelEditor(images=digit()[None])
    with pytest.raises(ValueError, match="preset must be one of"):
        e.set_preset("gauss")
    with pytest.raises(ValueError, match=r"kernel must have shape \(3, 3\) or \(9,\)"):
        e.set_kernel(np.ones((2, 2)))
    with pytest.raises(ValueError, match="finite"):
        e.set_kernel([np.nan] * 9)
    with pytest.raises(ValueError, match="index must be an integer in"):
        e.set_digit(1)
    with pytest.raises(ValueError, match="row and col must be in 0..2"):
        e.set_entry(3, 0, 1.0)
    with pytest.raises(ValueError, match=r"images must have shape \(M, H, W\)"):
        KernelEditor(images=np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"kernel must have shape \(3, 3\)"):
        feature_map(digit(), np.ones(9))
    with pytest.raises(ValueError, match="image must be a 2-D array"):
        feature_map(np.zeros(5), np.ones((3, 3)))


def test_show_kernel_editor_builds_and_reacts():
    box = show_kernel_editor(images=digit()[None], preset="sobel_x")
    presets, _digit = box.children[0].children
    grid = box.children[1].children[1]
    text, image = box.children[2], box.children[3]
    before = (text.value, image.value)
    presets.value = "blur"
    assert [b.value for b in grid.children] == pytest.approx(PRESETS["blur"].ravel().tolist())
    assert text.value != before[0] and image.value != before[1]
    grid.children[4].value = 5.0  # edit one entry: the kernel becomes custom
    assert presets.value == "custom" and "custom" in text.value
