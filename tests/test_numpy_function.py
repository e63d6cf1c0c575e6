"""helpers.torch_nn.numpy_function: NumPy layers checked by torch.autograd.gradcheck."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.autograd import gradcheck, gradgradcheck
from torch.autograd.gradcheck import GradcheckError

from helpers.numpy_nn.activations import relu_backward, relu_forward
from helpers.numpy_nn.conv import conv_backward_naive, conv_forward_naive
from helpers.numpy_nn.layers import affine_backward, affine_forward
from helpers.torch_nn.numpy_function import (
    numpy_function,
    numpy_matmul,
    softmax_ce_backward,
    softmax_ce_forward,
)


def t64(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, dtype=torch.float64, generator=g).requires_grad_(True)


def test_affine_passes_gradcheck_and_matches_torch():
    affine = numpy_function(affine_forward, affine_backward, name="affine")
    x, W, b = t64(4, 2, 3, seed=0), t64(6, 5, seed=1), t64(5, seed=2)
    assert gradcheck(affine, (x, W, b))
    out = affine(x, W, b)
    ref = x.reshape(4, -1) @ W + b
    torch.testing.assert_close(out, ref)
    out.sum().backward()
    gx = x.grad.clone()
    x.grad = None
    ref.sum().backward()
    torch.testing.assert_close(gx, x.grad)


def test_relu_passes_gradcheck_away_from_the_kink():
    relu = numpy_function(relu_forward, relu_backward, name="relu")
    x = t64(5, 4)
    with torch.no_grad():
        x += torch.sign(x) * 0.1  # keep |x| >= 0.1 so h = 1e-6 never straddles 0
    assert gradcheck(relu, (x,))


def test_softmax_cross_entropy_with_integer_labels():
    ce = numpy_function(softmax_ce_forward, softmax_ce_backward, name="softmax_ce")
    scores, y = t64(6, 4), torch.tensor([0, 3, 1, 1, 2, 0])
    assert gradcheck(lambda s: ce(s, y), (scores,))
    loss = ce(scores, y)
    torch.testing.assert_close(loss, F.cross_entropy(scores, y))
    assert loss.ndim == 0


def test_conv_naive_passes_gradcheck():
    conv = numpy_function(lambda x, w, b: conv_forward_naive(x, w, b, {"stride": 2, "pad": 1}),
                          conv_backward_naive, name="conv")
    assert gradcheck(conv, (t64(2, 2, 5, 5), t64(3, 2, 3, 3, seed=1), t64(3, seed=2)))


def test_a_wrong_backward_is_caught():
    def wrong_backward(dout, cache):
        dx, dW, db = affine_backward(dout, cache)
        return dx, dW, db / dout.shape[0]  # a stray 1/N on the bias

    bad = numpy_function(affine_forward, wrong_backward, name="bad_affine")
    args = (t64(4, 3), t64(3, 2, seed=1), t64(2, seed=2))
    assert not gradcheck(bad, args, raise_exception=False)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(bad, args)


def test_wrong_gradient_shape_and_count_are_named():
    bad_shape = numpy_function(affine_forward, lambda d, c: (*affine_backward(d, c)[:2],
                                                             np.zeros((1, 2))), name="affine")
    args = (t64(4, 3), t64(3, 2, seed=1), t64(2, seed=2))
    with pytest.raises(ValueError, match=r"gradient of shape \(1, 2\) for input 2 of shape"):
        bad_shape(*args).sum().backward()
    bad_count = numpy_function(affine_forward, lambda d, c: affine_backward(d, c)[:2],
                               name="affine")
    with pytest.raises(ValueError, match="returned 2 gradients for 3 inputs"):
        bad_count(*args).sum().backward()


def test_numpy_function_is_once_differentiable_and_matmul_twice():
    affine = numpy_function(affine_forward, affine_backward, name="affine")
    args = (t64(3, 2), t64(2, 2, seed=1), t64(2, seed=2))
    with pytest.raises(RuntimeError):
        gradgradcheck(affine, args)
    a, b = t64(3, 4), t64(4, 2, seed=1)
    assert gradcheck(numpy_matmul, (a, b)) and gradgradcheck(numpy_matmul, (a, b))
    torch.testing.assert_close(numpy_matmul(a, b), a @ b)


def test_float32_stays_float32():
    affine = numpy_function(affine_forward, affine_backward, name="affine")
    x = torch.randn(3, 2, requires_grad=True)
    W = torch.randn(2, 4, requires_grad=True)
    b = torch.zeros(4, requires_grad=True)
    out = affine(x, W, b)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == W.grad.dtype == torch.float32


def test_bad_inputs():
    with pytest.raises(TypeError, match="forward must be callable"):
        numpy_function(None, affine_backward)
    with pytest.raises(TypeError, match="backward must be callable"):
        numpy_function(affine_forward, "affine_backward")
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        numpy_function(affine_forward, affine_backward, name="")
    with pytest.raises(ValueError, match=r"b \(D, M\)"):
        numpy_matmul(t64(3, 4), t64(3, 2))
    with pytest.raises(TypeError, match="must be torch tensors"):
        numpy_matmul(np.zeros((2, 2)), t64(2, 2))
    with pytest.raises(ValueError, match="y must have shape"):
        softmax_ce_forward(np.zeros((3, 4)), np.zeros(2, dtype=int))
