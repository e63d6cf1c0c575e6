"""Your NumPy layers inside PyTorch: wrap a forward/backward pair in a ``torch.autograd.Function``
and let ``torch.autograd.gradcheck`` judge the hand-written backward.

    from helpers.numpy_nn.layers import affine_forward, affine_backward
    from helpers.torch_nn.numpy_function import numpy_function
    affine = numpy_function(affine_forward, affine_backward, name="affine")
    x, W, b = (torch.randn(*s, dtype=torch.float64, requires_grad=True)
               for s in [(4, 3), (3, 2), (2,)])
    torch.autograd.gradcheck(affine, (x, W, b))     # True, or an error naming the bad entry

The forward receives the tensors' data as NumPy arrays (``forward(*arrays) -> (out, cache)``,
the convention of ``helpers.numpy_nn``); the backward receives ``dout`` as a NumPy array and
returns one gradient per input, in order (a tuple, or one array for one input). Inputs that
are not floating point (class labels) get no gradient.

The wrapped backward runs NumPy, which autograd cannot see into, so such a function is
differentiable once (``once_differentiable``): ``gradgradcheck`` needs a backward built from
differentiable operations. ``numpy_matmul`` is one: its backward is made of ``numpy_matmul``
calls itself, so second derivatives flow and ``gradgradcheck`` applies.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.autograd.function import once_differentiable

__all__ = ["numpy_function", "numpy_matmul", "softmax_ce_backward", "softmax_ce_forward"]


def _to_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return t


def _to_tensor(a, like: torch.Tensor | None):
    t = torch.from_numpy(np.array(a, order="C"))  # a copy: 0-d stays 0-d, always writable
    return t.to(like.device) if like is not None else t


def numpy_function(forward, backward, *, name: str = "numpy_function"):
    """Return ``apply(*tensors)``: an autograd function running ``forward``/``backward`` in NumPy.

    forward(*arrays) -> (out, cache); backward(dout, cache) -> gradients, one per input (a
    tuple, or a single array when there is one input). ``out`` may be an array or a number
    (a loss). The result tensor has the NumPy output's dtype (float64 in, float64 out).
    """
    if not callable(forward):
        raise TypeError(f"forward must be callable, got {type(forward).__name__}")
    if not callable(backward):
        raise TypeError(f"backward must be callable, got {type(backward).__name__}")
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")

    class _NumpyFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *inputs):
            like = next((t for t in inputs if isinstance(t, torch.Tensor)), None)
            out, cache = forward(*(_to_numpy(t) for t in inputs))
            ctx.cache = cache
            ctx.n_inputs = len(inputs)
            ctx.floating = [isinstance(t, torch.Tensor) and t.is_floating_point() for t in inputs]
            ctx.shapes = [tuple(t.shape) if isinstance(t, torch.Tensor) else None for t in inputs]
            return _to_tensor(np.asarray(out), like)

        @staticmethod
        @once_differentiable
        def backward(ctx, dout):
            grads = backward(dout.detach().cpu().numpy(), ctx.cache)
            if not isinstance(grads, tuple | list):
                grads = (grads,)
            n_float = sum(ctx.floating)
            if len(grads) not in (ctx.n_inputs, n_float):
                raise ValueError(f"{name}'s backward returned {len(grads)} gradients for "
                                 f"{ctx.n_inputs} inputs ({n_float} floating point)")
            if len(grads) == n_float and n_float != ctx.n_inputs:  # labels got no gradient
                it = iter(grads)
                grads = [next(it) if f else None for f in ctx.floating]
            result = []
            for i, (g, is_float, shape) in enumerate(
                    zip(grads, ctx.floating, ctx.shapes, strict=True)):
                if g is None or not is_float:
                    result.append(None)
                    continue
                g = np.asarray(g)
                if g.shape != shape:
                    raise ValueError(f"{name}'s backward returned a gradient of shape {g.shape} "
                                     f"for input {i} of shape {shape}: a gradient has the shape "
                                     "of what it is the gradient of")
                result.append(_to_tensor(g, dout))
            return tuple(result)

    _NumpyFunction.__name__ = _NumpyFunction.__qualname__ = name
    return _NumpyFunction.apply


def softmax_ce_forward(scores, y):
    """``helpers.numpy_nn.losses.softmax_cross_entropy`` as a forward: (loss, cache).

    scores: (N, C) logits; y: (N,) int labels. The cache holds dL/dscores: (N, C).
    """
    from helpers.numpy_nn.losses import softmax_cross_entropy

    loss, dscores = softmax_cross_entropy(scores, y)
    return np.asarray(loss, dtype=scores.dtype), dscores


def softmax_ce_backward(dout, cache):
    """dout: () the upstream gradient of the loss (1.0 when the loss is the end). Returns
    (dscores: (N, C), None): labels have no gradient."""
    return dout * cache, None


class _NumpyMatmul(torch.autograd.Function):
    """a @ b in NumPy, with a backward made of this same function (so twice differentiable)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _to_tensor(_to_numpy(a) @ _to_numpy(b), a)

    @staticmethod
    def backward(ctx, dout):
        a, b = ctx.saved_tensors
        return numpy_matmul(dout, b.mT), numpy_matmul(a.mT, dout)


def numpy_matmul(a, b):
    """a: (N, D), b: (D, M) -> (N, M), computed by NumPy; differentiable any number of times."""
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor):
        raise TypeError("a and b must be torch tensors, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"a must have shape (N, D) and b (D, M), got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    return _NumpyMatmul.apply(a, b)
