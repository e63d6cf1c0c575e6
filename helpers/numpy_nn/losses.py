"""Loss functions: each returns ``(loss, dscores)``, the loss averaged over the batch N.

Shapes: ``scores: (N, C)`` class scores (logits), ``y: (N,)`` integer labels in ``[0, C)``.
``dscores`` has the shape of ``scores``. Everything is computed from the scores (logits),
never from probabilities, so logits of +-1000 give finite, correct losses.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import (
    check_array,
    check_finite,
    check_labels,
    check_nonempty,
    check_nonnegative,
    check_shapes,
)

REDUCTIONS = ("mean", "sum", "none")


def _check_scores(scores, name="scores"):
    check_shapes((name, scores, ("N", "C")))
    check_nonempty(name, scores, 0, "N")
    check_nonempty(name, scores, 1, "C")
    check_finite(name, scores)


def _check_scores_labels(scores, y):
    """scores: (N, C) finite, non-empty; y: (N,) int labels in [0, C). Returns (N, C)."""
    _check_scores(scores)
    n, c = scores.shape
    if isinstance(y, np.ndarray) and y.ndim == 1 and len(y) != n:
        fits = (len(y) == c and np.issubdtype(y.dtype, np.integer)
                and (y.size == 0 or (y.min() >= 0 and y.max() < n)))
        if fits:  # the labels would be valid for scores.T, of shape (N, C) = (c, n)
            raise ValueError(
                f"scores must have shape (N, C) with N={c} (from y.shape[0]), got {scores.shape}: "
                "it looks transposed (did you mean scores.T?)")
        raise ValueError(
            f"y has {len(y)} labels but scores has N={n} rows (scores must have shape (N, C), "
            f"got {scores.shape}): one label per row of scores, y must have shape (N,)")
    check_labels("y", y, n, c)
    return n, c


def _reduce(losses, dscores, reduction):
    """Per-example ``losses (N,)`` and ``dscores`` (gradients of each loss_i) -> the reduction."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if reduction == "none":
        return losses, dscores
    if reduction == "sum":
        return losses.sum(), dscores
    n = losses.shape[0]
    return losses.mean(), dscores / np.asarray(n, dtype=dscores.dtype)


def softmax(scores):
    """Row-wise softmax. scores: (N, C). Returns probabilities (N, C), rows summing to 1.

    Subtracting each row's max changes nothing mathematically (softmax is shift-invariant)
    and keeps exp() from overflowing.
    """
    _check_scores(scores)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


def log_softmax(scores):
    """Row-wise log of the softmax, without computing a log of something that underflowed.

    scores: (N, C). Returns (N, C): s - max - log(sum(exp(s - max))).
    """
    _check_scores(scores)
    shifted = scores - scores.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted


def softmax_cross_entropy(scores, y, reduction="mean"):
    """Softmax followed by cross-entropy, averaged over N (torch.nn.functional.cross_entropy).

    scores: (N, C) logits; y: (N,) int labels. Returns (loss, dscores: (N, C)) where
    dscores = (softmax(scores) - onehot(y)) / N. ``reduction`` as in torch: "mean" (default),
    "sum" (dscores without the 1/N), or "none" (loss: (N,) per example, dscores: the gradient
    of each example's own loss, row i of softmax - onehot). The loss has scores' dtype.
    """
    n, _ = _check_scores_labels(scores, y)
    logp = log_softmax(scores)
    rows = np.arange(n)
    losses = -logp[rows, y]
    dscores = np.exp(logp)
    dscores[rows, y] -= 1
    return _reduce(losses, dscores, reduction)


def binary_cross_entropy(logits, y):
    """Binary cross-entropy from logits z, averaged over N.

    logits: (N,) or (N, 1); y: (N,) or the shape of logits, targets in [0, 1] (0/1 labels,
    int or float). loss_i = log(1 + exp(z)) - y*z, written as logaddexp(0, z) - y*z so that
    it never overflows; this is torch.nn.functional.binary_cross_entropy_with_logits.
    Returns (loss, dlogits) with dlogits = (sigmoid(z) - y) / N, shape of logits.
    """
    check_array("logits", logits)
    if logits.ndim == 2 and logits.shape[1] == 1:
        z = logits[:, 0]
    elif logits.ndim == 1:
        z = logits
    else:
        hint = ""
        if logits.ndim == 2 and logits.shape[0] == 1:
            hint = ": it looks transposed (did you mean logits.T?)"
        raise ValueError(f"logits must have shape (N,) or (N, 1), got {logits.shape}{hint}")
    n = z.shape[0]
    check_nonempty("logits", logits, 0, "N")
    check_finite("logits", logits)
    check_array("y", y, floating=False)
    if y.shape not in ((n,), logits.shape):
        raise ValueError(f"y must have shape (N,) with N={n} (from logits), got {y.shape}")
    check_finite("y", y, ": targets must be numbers in [0, 1]")
    t = y.reshape(n)
    if t.min() < 0 or t.max() > 1:
        raise ValueError(f"y must hold targets in [0, 1], got values in [{t.min()}, {t.max()}]")
    t = t.astype(logits.dtype, copy=False)
    loss = (np.logaddexp(0, z) - t * z).mean()
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))  # sigmoid(z) without overflow
    return loss, ((p - t) / n).reshape(logits.shape).astype(logits.dtype, copy=False)


def mse_loss(pred, target):
    """Mean squared error over *all* entries, like torch's mse_loss(reduction="mean").

    pred: (N,) or (N, D); target: same shape. loss = sum((pred - target)^2) / (N*D), so
    dpred = 2 * (pred - target) / (N*D). (Some texts divide by N only, or use 1/2 in front;
    the gradient then differs by that constant factor.)
    """
    check_array("pred", pred)
    check_array("target", target, floating=False)
    if pred.shape != target.shape:
        hint = ""
        if pred.ndim + target.ndim == 3 and pred.size == target.size:
            # (N, 1) - (N,) silently broadcasts to (N, N): a classic bug.
            hint = f"; they would broadcast to {np.broadcast_shapes(pred.shape, target.shape)}"
        elif target.ndim == 2 and target.shape[::-1] == pred.shape:
            hint = ": it looks transposed (did you mean target.T?)"
        raise ValueError(
            f"target must have the shape of pred {pred.shape} ((N,) or (N, D)), got "
            f"{target.shape}{hint}"
        )
    check_nonempty("pred", pred, 0, "N")
    check_finite("pred", pred)
    check_finite("target", target)
    diff = pred - target.astype(pred.dtype, copy=False)
    return np.mean(diff * diff), (np.asarray(2.0 / diff.size, dtype=pred.dtype) * diff)


def hinge_loss(scores, y, delta=1.0, reduction="mean"):
    """Multiclass SVM (Weston-Watkins) loss, averaged over N.

    scores: (N, C); y: (N,) int labels; delta >= 0 the margin.
    loss_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta).
    torch.nn.functional.multi_margin_loss(scores, y, margin=delta) also divides each loss_i by
    C, so ours equals C times torch's. Returns (loss, dscores: (N, C)); ``reduction`` as in
    ``softmax_cross_entropy`` ("none": per-example losses (N,) and their own gradients).
    """
    n, _ = _check_scores_labels(scores, y)
    delta = check_nonnegative("delta (the margin)", delta)
    rows = np.arange(n)
    margins = np.maximum(0, scores - scores[rows, y][:, None] + np.asarray(delta, scores.dtype))
    margins[rows, y] = 0
    # Each violated margin pushes s_j up by 1 and s_y down by 1.
    dscores = (margins > 0).astype(scores.dtype)
    dscores[rows, y] = -dscores.sum(axis=1)
    return _reduce(margins.sum(axis=1), dscores, reduction)


def l2_penalty(weights, l2):
    """L2 regularisation 0.5 * l2 * sum_W ||W||^2 over a list of weight arrays (any shapes).

    The 0.5 makes the gradient simply l2 * W. (torch's weight_decay=l2 in SGD adds the same
    l2 * W to the gradient.) ``l2 >= 0``. Returns (loss, grads: list, one array per W, same
    shapes and dtypes).
    """
    if not isinstance(weights, list | tuple):
        raise TypeError(f"weights must be a list of arrays, got {type(weights).__name__}")
    l2 = check_nonnegative("l2 (the regularisation strength)", l2)
    for i, w in enumerate(weights):
        check_array(f"weights[{i}]", w)
    loss = 0.5 * l2 * sum(float(np.sum(w * w)) for w in weights)
    if weights:  # the weights' dtype (float32 weights give a float32 loss)
        loss = np.result_type(*weights).type(loss)
    return loss, [np.asarray(l2, dtype=w.dtype) * w for w in weights]
