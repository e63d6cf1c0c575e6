"""The affine (fully connected) layer: out = x @ W + b, rows are samples."""

from __future__ import annotations

from helpers.numpy_nn._shapes import check_like, check_shapes


def linear_forward(x, W, b):
    """x: (N, D); W: (D, M); b: (M,). Returns (out: (N, M), cache)."""
    check_shapes(("x", x, ("N", "D")), ("W", W, ("D", "M")), ("b", b, ("M",)))
    return x @ W + b, (x, W)


def linear_backward(dout, cache):
    """dout: (N, M). Returns (dx: (N, D), dW: (D, M), db: (M,)).

    Each gradient has the shape of what it is the gradient of; the transposes follow from
    matching shapes: dx = dout @ W.T, dW = x.T @ dout, and db sums dout over the batch
    because b was broadcast to every row.
    """
    x, W = cache
    check_like("dout", dout, (x.shape[0], W.shape[1]), "(N, M)")
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def affine_forward(x, W, b):
    """CS231n's affine layer: x: (N, d1, ..., dk) is flattened to (N, D), D = d1 * ... * dk.

    W: (D, M); b: (M,). Returns (out: (N, M), cache). For x: (N, D) it is ``linear_forward``.
    """
    from helpers.numpy_nn._shapes import check_array

    check_array("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, D) or (N, d1, ..., dk), got {x.shape}; "
                         "one sample still needs a batch axis: x.reshape(1, -1)")
    out, (x2, W) = linear_forward(x.reshape(x.shape[0], -1), W, b)
    return out, (x2, W, x.shape)


def affine_backward(dout, cache):
    """dout: (N, M). Returns (dx: the shape of the forward's x, dW: (D, M), db: (M,))."""
    x2, W, shape = cache
    dx, dW, db = linear_backward(dout, (x2, W))
    return dx.reshape(shape), dW, db
