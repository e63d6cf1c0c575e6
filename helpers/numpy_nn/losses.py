"""Loss functions: each returns ``(loss, dscores)``, the loss averaged over the batch N.

Shapes: ``scores: (N, C)`` class scores (logits), ``y: (N,)`` integer labels in ``[0, C)``.
``dscores`` has the shape of ``scores``. Everything is computed from the scores (logits),
never from probabilities, so logits of +-1000 give finite, correct losses.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_array, check_labels, check_shapes


def _check_scores_labels(scores, y):
    check_shapes(("scores", scores, ("N", "C")))
    n, c = scores.shape
    if isinstance(y, np.ndarray) and y.shape == (c,) and n != c:
        raise ValueError(
            f"scores must have shape (N, C) with N={c} (from y.shape[0]), got {scores.shape}: "
            f"it looks transposed (did you mean scores.T?)"
        )
    check_labels("y", y, n, c)
    return n, c


def softmax(scores):
    """Row-wise softmax. scores: (N, C). Returns probabilities (N, C), rows summing to 1.

    Subtracting each row's max changes nothing mathematically (softmax is shift-invariant)
    and keeps exp() from overflowing.
    """
    check_shapes(("scores", scores, ("N", "C")))
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


def log_softmax(scores):
    """Row-wise log of the softmax, without computing a log of something that underflowed.

    scores: (N, C). Returns (N, C): s - max - log(sum(exp(s - max))).
    """
    check_shapes(("scores", scores, ("N", "C")))
    shifted = scores - scores.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted


def softmax_cross_entropy(scores, y):
    """Softmax followed by cross-entropy, averaged over N (torch.nn.functional.cross_entropy).

    scores: (N, C) logits; y: (N,) int labels. Returns (loss, dscores: (N, C)) where
    dscores = (softmax(scores) - onehot(y)) / N.
    """
    n, _ = _check_scores_labels(scores, y)
    logp = log_softmax(scores)
    rows = np.arange(n)
    loss = -logp[rows, y].mean()
    dscores = np.exp(logp)
    dscores[rows, y] -= 1
    dscores /= n
    return loss, dscores


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
    check_array("y", y, floating=False)
    if y.shape not in ((n,), logits.shape):
        raise ValueError(f"y must have shape (N,) with N={n} (from logits), got {y.shape}")
    t = y.reshape(n)
    if n and (t.min() < 0 or t.max() > 1):
        raise ValueError(f"y must hold targets in [0, 1], got values in [{t.min()}, {t.max()}]")
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
    diff = pred - target
    return np.mean(diff * diff), (2.0 / diff.size) * diff


def hinge_loss(scores, y, delta=1.0):
    """Multiclass SVM (Weston-Watkins) loss, averaged over N.

    scores: (N, C); y: (N,) int labels. loss_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta).
    torch.nn.functional.multi_margin_loss(scores, y, margin=delta) also divides each loss_i by
    C, so ours equals C times torch's. Returns (loss, dscores: (N, C)).
    """
    n, _ = _check_scores_labels(scores, y)
    rows = np.arange(n)
    margins = np.maximum(0, scores - scores[rows, y][:, None] + delta)
    margins[rows, y] = 0
    loss = margins.sum() / n
    # Each violated margin pushes s_j up by 1 and s_y down by 1.
    dscores = (margins > 0).astype(scores.dtype)
    dscores[rows, y] = -dscores.sum(axis=1)
    dscores /= n
    return loss, dscores


def l2_penalty(weights, reg):
    """L2 regularisation 0.5 * reg * sum_W ||W||^2 over a list of weight arrays (any shapes).

    The 0.5 makes the gradient simply reg * W. (torch's weight_decay=reg in SGD adds the same
    reg * W to the gradient.) Returns (loss, grads: list, one array per W, same shapes).
    """
    if not isinstance(weights, list | tuple):
        raise TypeError(f"weights must be a list of arrays, got {type(weights).__name__}")
    for i, w in enumerate(weights):
        check_array(f"weights[{i}]", w)
    loss = 0.5 * reg * sum(float(np.sum(w * w)) for w in weights)
    return loss, [reg * w for w in weights]
