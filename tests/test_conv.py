"""Convolution and pooling (helpers.numpy_nn.conv, helpers.numpy_nn.im2col): gradient-checked
in float64, equal to torch.nn.functional forward and backward, bad inputs rejected."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.numpy_nn.conv import (
    avg_pool_backward_naive,
    avg_pool_forward_naive,
    conv_backward_naive,
    conv_forward_naive,
    conv_output_size,
    max_pool_backward_naive,
    max_pool_forward_naive,
)
from helpers.numpy_nn.gradcheck import check_layer_grad, rel_error
from helpers.numpy_nn.im2col import (
    col2im,
    conv_backward_im2col,
    conv_forward_im2col,
    im2col,
    max_pool_backward_fast,
    max_pool_forward_fast,
)

CONV = [(conv_forward_naive, conv_backward_naive), (conv_forward_im2col, conv_backward_im2col)]
CONV_IDS = ["naive", "im2col"]
# (N, C, H, W, F, HH, WW, stride, pad)
CONV_SHAPES = [
    (2, 3, 5, 5, 4, 3, 3, 1, 1),
    (1, 1, 6, 7, 2, 3, 2, 2, 0),
    (3, 2, 7, 5, 3, 3, 3, 2, 1),   # (n + 2p - f) not divisible by s: the floor
    (2, 2, 4, 4, 1, 1, 1, 1, 0),   # 1x1 convolution
    (1, 3, 5, 5, 2, 5, 5, 1, 2),   # filter as large as the image
    (2, 1, 8, 8, 2, 3, 3, 3, 1),
]


def torch_conv(x, w, b, stride, pad, dout):
    ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.conv2d(ts[0], ts[1], ts[2], stride=stride, padding=pad)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), [t.grad.numpy() for t in ts]


@pytest.mark.parametrize(("fwd", "bwd"), CONV, ids=CONV_IDS)
@pytest.mark.parametrize("shape", CONV_SHAPES)
def test_conv_equals_torch_forward_and_backward(fwd, bwd, shape):
    N, C, H, W, Fn, HH, WW, s, p = shape
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((Fn, C, HH, WW))
    b = rng.standard_normal(Fn)
    out, cache = fwd(x, w, b, {"stride": s, "pad": p})
    assert out.shape == (N, Fn, conv_output_size(H, HH, s, p), conv_output_size(W, WW, s, p))
    dout = rng.standard_normal(out.shape)
    ref_out, ref_grads = torch_conv(x, w, b, s, p, dout)
    np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12)
    for got, want in zip(bwd(dout, cache), ref_grads, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("fwd", "bwd"), CONV, ids=CONV_IDS)
@pytest.mark.parametrize("shape", [(2, 2, 5, 5, 3, 3, 3, 1, 1), (1, 2, 6, 5, 2, 3, 2, 2, 0)])
def test_conv_gradient_check_float64(fwd, bwd, shape):
    N, C, H, W, Fn, HH, WW, s, p = shape
    rng = np.random.default_rng(7)
    inputs = {"x": rng.standard_normal((N, C, H, W)), "w": rng.standard_normal((Fn, C, HH, WW)),
              "b": rng.standard_normal(Fn)}
    res = check_layer_grad(lambda x, w, b: fwd(x, w, b, {"stride": s, "pad": p}), bwd, inputs,
                           verbose=False)
    for name, r in res.items():
        assert r.max_rel_error < 1e-7, name


def test_naive_and_im2col_agree_and_im2col_is_a_matrix_product():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), np.zeros(4)
    cols = im2col(x, 3, 3, stride=1, pad=1)
    assert cols.shape == (2 * 6 * 6, 3 * 9)
    # row (n=1, i=0, j=0): the top-left window of image 1, padded with zeros
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    np.testing.assert_array_equal(cols[36], xp[1, :, 0:3, 0:3].ravel())
    a, _ = conv_forward_naive(x, w, b, {"stride": 1, "pad": 1})
    c, _ = conv_forward_im2col(x, w, b, {"stride": 1, "pad": 1})
    np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("s", "p"), [(1, 0), (1, 1), (2, 1), (3, 0)])
def test_col2im_is_the_adjoint_of_im2col(s, p):
    # <im2col(x), y> = <x, col2im(y)> for all x, y: col2im is the transpose of the linear map
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 2, 7, 6))
    cols = im2col(x, 3, 3, s, p)
    y = rng.standard_normal(cols.shape)
    assert np.sum(cols * y) == pytest.approx(np.sum(x * col2im(y, x.shape, 3, 3, s, p)))


POOLS = [(2, 2, 2), (3, 3, 1), (2, 3, 1), (3, 2, 2), (2, 2, 3)]
POOL_IMPLS = [(max_pool_forward_naive, max_pool_backward_naive),
              (max_pool_forward_fast, max_pool_backward_fast)]


@pytest.mark.parametrize(("fwd", "bwd"), POOL_IMPLS, ids=["naive", "fast"])
@pytest.mark.parametrize(("ph", "pw", "s"), POOLS)
@pytest.mark.parametrize("hw", [(6, 6), (7, 5)])
def test_max_pool_equals_torch(fwd, bwd, ph, pw, s, hw):
    rng = np.random.default_rng(ph * 10 + pw + s)
    x = rng.standard_normal((2, 3, *hw))
    param = {"pool_height": ph, "pool_width": pw, "stride": s}
    out, cache = fwd(x, param)
    t = torch.tensor(x, requires_grad=True)
    ref = F.max_pool2d(t, (ph, pw), stride=s)
    dout = rng.standard_normal(out.shape)
    ref.backward(torch.tensor(dout))
    np.testing.assert_array_equal(out, ref.detach().numpy())
    np.testing.assert_allclose(bwd(dout, cache), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_max_pool_ties_route_to_the_first_maximum_like_torch():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, :2, :2] = 1.0  # a window of four equal maxima
    dout = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    t = torch.tensor(x, requires_grad=True)
    F.max_pool2d(t, 2, 2).backward(torch.tensor(dout))
    for fwd, bwd in POOL_IMPLS:
        _, cache = fwd(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
        np.testing.assert_array_equal(bwd(dout, cache), t.grad.numpy())


@pytest.mark.parametrize(("ph", "pw", "s"), POOLS)
def test_avg_pool_equals_torch(ph, pw, s):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 7, 6))
    param = {"pool_height": ph, "pool_width": pw, "stride": s}
    out, cache = avg_pool_forward_naive(x, param)
    t = torch.tensor(x, requires_grad=True)
    ref = F.avg_pool2d(t, (ph, pw), stride=s)
    dout = rng.standard_normal(out.shape)
    ref.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(avg_pool_backward_naive(dout, cache), t.grad.numpy(),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("fwd", "bwd"), POOL_IMPLS + [(avg_pool_forward_naive,
                                                          avg_pool_backward_naive)],
                         ids=["max-naive", "max-fast", "avg"])
def test_pool_gradient_check_float64(fwd, bwd):
    rng = np.random.default_rng(4)
    x = rng.permutation(np.linspace(-3, 3, 2 * 2 * 6 * 6)).reshape(2, 2, 6, 6)  # no ties
    param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    res = check_layer_grad(lambda x: fwd(x, param), bwd, {"x": x}, verbose=False)
    assert res["x"].max_rel_error < 1e-7


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_in_is_dtype_out(dtype):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 2, 5, 5)).astype(dtype)
    w = rng.standard_normal((3, 2, 3, 3)).astype(dtype)
    b = rng.standard_normal(3).astype(dtype)
    cp = {"stride": 1, "pad": 1}
    for fwd, bwd in CONV:
        out, cache = fwd(x, w, b, cp)
        assert out.dtype == dtype
        assert all(g.dtype == dtype for g in bwd(np.ones_like(out), cache))
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    for fwd, bwd in POOL_IMPLS + [(avg_pool_forward_naive, avg_pool_backward_naive)]:
        out, cache = fwd(x, pp)
        assert out.dtype == dtype and bwd(np.ones_like(out), cache).dtype == dtype
    assert im2col(x, 3, 3, 1, 1).dtype == dtype
    assert col2im(im2col(x, 3, 3, 1, 1), x.shape, 3, 3, 1, 1).dtype == dtype


def test_float32_im2col_close_to_torch():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 1, 28, 28)).astype(np.float32)
    w = rng.standard_normal((8, 1, 3, 3)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    out, _ = conv_forward_im2col(x, w, b, {"stride": 1, "pad": 1})
    ref = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), padding=1).numpy()
    assert rel_error(out, ref) < 1e-3 and np.abs(out - ref).max() < 1e-4


# --------------------------------------------------------------------------- output size
def test_conv_output_size():
    assert conv_output_size(28, 3, 1, 1) == 28
    assert conv_output_size(28, 5) == 24
    assert conv_output_size(7, 3, 2, 0) == 3
    assert conv_output_size(6, 3, 2, 0) == 2  # floor((6 - 3) / 2) + 1
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_output_size(2, 5)
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        conv_output_size(5, 3, 0)


# --------------------------------------------------------------------------- bad inputs
X = np.zeros((2, 3, 5, 5))
Wt = np.zeros((4, 3, 3, 3))
B = np.zeros(4)
CP = {"stride": 1, "pad": 1}
PP = {"pool_height": 2, "pool_width": 2, "stride": 2}


@pytest.mark.parametrize("fwd", [conv_forward_naive, conv_forward_im2col], ids=CONV_IDS)
def test_conv_forward_rejects_bad_inputs(fwd):
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\), got \(3, 5, 5\)"):
        fwd(X[0], Wt, B, CP)
    with pytest.raises(ValueError, match=r"w must have shape \(F, C, HH, WW\) with C=3"):
        fwd(X, np.zeros((4, 2, 3, 3)), B, CP)
    with pytest.raises(ValueError, match=r"b must have shape \(F,\) with F=4"):
        fwd(X, Wt, np.zeros(3), CP)
    with pytest.raises(TypeError, match="x must be a floating-point array"):
        fwd(X.astype(int), Wt, B, CP)
    with pytest.raises(ValueError, match="conv_param must have keys"):
        fwd(X, Wt, B, {"stride": 1})
    with pytest.raises(ValueError, match=r"conv_param\['stride'\] must be a positive integer"):
        fwd(X, Wt, B, {"stride": 0, "pad": 1})
    with pytest.raises(ValueError, match=r"conv_param\['pad'\] must be an integer >= 0"):
        fwd(X, Wt, B, {"stride": 1, "pad": -1})
    with pytest.raises(TypeError, match="conv_param must be a dict"):
        fwd(X, Wt, B, (1, 1))
    with pytest.raises(ValueError, match="larger than the padded input"):
        fwd(X, np.zeros((4, 3, 9, 9)), B, CP)


@pytest.mark.parametrize(("fwd", "bwd"), CONV, ids=CONV_IDS)
def test_conv_backward_rejects_bad_dout(fwd, bwd):
    out, cache = fwd(X, Wt, B, CP)
    with pytest.raises(ValueError, match=r"dout must have shape \(N, F, H_out, W_out\)"):
        bwd(out[:, :2], cache)


@pytest.mark.parametrize("fwd", [max_pool_forward_naive, max_pool_forward_fast,
                                 avg_pool_forward_naive])
def test_pool_forward_rejects_bad_inputs(fwd):
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\)"):
        fwd(X[0], PP)
    with pytest.raises(ValueError, match="pool_param must have keys"):
        fwd(X, {"pool_height": 2, "stride": 2})
    with pytest.raises(ValueError, match=r"pool_param\['stride'\] must be a positive integer"):
        fwd(X, {"pool_height": 2, "pool_width": 2, "stride": 0})
    with pytest.raises(ValueError, match="larger than x's images"):
        fwd(X, {"pool_height": 6, "pool_width": 2, "stride": 1})
    with pytest.raises(TypeError, match="pool_param must be a dict"):
        fwd(X, [2, 2, 2])


@pytest.mark.parametrize(("fwd", "bwd"), POOL_IMPLS + [(avg_pool_forward_naive,
                                                          avg_pool_backward_naive)],
                         ids=["max-naive", "max-fast", "avg"])
def test_pool_backward_rejects_bad_dout(fwd, bwd):
    out, cache = fwd(X, PP)
    with pytest.raises(ValueError, match=r"dout must have shape \(N, C, H_out, W_out\)"):
        bwd(out[:, :, :1], cache)


def test_im2col_and_col2im_reject_bad_inputs():
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\)"):
        im2col(X[0], 3, 3)
    with pytest.raises(ValueError, match="larger than the padded images"):
        im2col(X, 7, 7)
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        im2col(X, 3, 3, stride=0)
    cols = im2col(X, 3, 3, 1, 1)
    with pytest.raises(ValueError, match=r"cols must have shape \(N\*H_out\*W_out, C\*HH\*WW\)"):
        col2im(cols[:-1], X.shape, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="x_shape must be a tuple"):
        col2im(cols, (2, 3, 5), 3, 3, 1, 1)
    with pytest.raises(TypeError, match="cols must be a NumPy array"):
        col2im(cols.tolist(), X.shape, 3, 3, 1, 1)
