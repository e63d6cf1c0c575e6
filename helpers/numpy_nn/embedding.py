"""Word embeddings in NumPy: the lookup layer and skip-gram with negative sampling (SGNS).

    out, cache = word_embedding_forward(x, W)        # x: (N, T) ints, W: (V, D) -> (N, T, D)
    dW = word_embedding_backward(dout, cache)         # (V, D), rows of unused words are 0
    loss, grads = sgns_loss(center_vecs, context_vecs, negative_vecs)

Skip-gram with negative sampling (Mikolov et al., 2013). For one centre word c with input
vector v_c, one observed context word o with output vector u_o, and K noise words with
output vectors u_1..u_K drawn from the noise distribution P_n,

    loss = -log s(u_o . v_c) - sum_k log s(-u_k . v_c)        (s = the logistic sigmoid)

averaged over the N (centre, context) pairs of a batch. The gradients (d/dx log s(x) =
1 - s(x) = s(-x)):

    dloss/dv_c = (s(u_o . v_c) - 1) u_o + sum_k s(u_k . v_c) u_k
    dloss/du_o = (s(u_o . v_c) - 1) v_c
    dloss/du_k = s(u_k . v_c) v_c

each divided by N for the mean. ``noise_distribution`` is the unigram distribution raised to
the 3/4 power; ``keep_probabilities`` is word2vec's subsampling of frequent words.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_array, check_like, check_shapes

__all__ = ["keep_probabilities", "log_sigmoid", "noise_distribution", "sgns_loss",
           "word_embedding_backward", "word_embedding_forward"]


def _check_indices(name: str, x, vocab_size: int) -> None:
    check_array(name, x, floating=False)
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"{name} must hold integer word indices, got dtype {x.dtype} "
                        f"(convert with {name}.astype(np.int64))")
    if x.size and (x.min() < 0 or x.max() >= vocab_size):
        raise ValueError(f"{name} must hold word indices in [0, V) with V={vocab_size} "
                         f"(from W.shape[0]), got values in [{x.min()}, {x.max()}]")


def word_embedding_forward(x, W):
    """Look up one vector per word index.

    x: (N, T) integer indices in [0, V); W: (V, D) the embedding matrix.
    Returns out (N, T, D) with ``out[n, t] = W[x[n, t]]`` (W's dtype) and the cache.
    A lookup is the product of a one-hot row (1, V) with W, done without building the one-hot.
    """
    check_array("W", W)
    if W.ndim != 2:
        raise ValueError(f"W must have shape (V, D), got {W.shape}")
    check_array("x", x, floating=False)
    if x.ndim != 2:
        hint = "; one sequence still needs a batch axis: x.reshape(1, -1)" if x.ndim == 1 else ""
        raise ValueError(f"x must have shape (N, T), got {x.shape}{hint}")
    _check_indices("x", x, W.shape[0])
    return W[x], (x, W.shape, W.dtype)


def word_embedding_backward(dout, cache):
    """Gradient of the lookup: dW (V, D); row v sums dout over every position holding word v.

    dout: (N, T, D), the upstream gradient of ``out``. Words used several times get the sum
    (``np.add.at``, not ``dW[x] += dout``, which would keep only the last of repeated words).
    """
    x, shape, dtype = cache
    check_like("dout", dout, (*x.shape, shape[1]), "(N, T, D)")
    dW = np.zeros(shape, dtype=dtype)
    np.add.at(dW, x.ravel(), dout.reshape(-1, shape[1]).astype(dtype, copy=False))
    return dW


def log_sigmoid(z):
    """log s(z) = -log(1 + exp(-z)), computed without overflow for large |z|. Any shape."""
    check_array("z", z)
    return -np.logaddexp(0, -z).astype(z.dtype, copy=False)


def _sigmoid(z):
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def sgns_loss(center_vecs, context_vecs, negative_vecs):
    """Skip-gram negative-sampling loss of a batch and its gradients.

    center_vecs: (N, D) input vectors v_c of the centre words;
    context_vecs: (N, D) output vectors u_o of the observed context words;
    negative_vecs: (N, K, D) output vectors of K noise words per pair.
    Returns ``(loss, grads)``: the mean loss over the N pairs (a float) and
    ``{"center": (N, D), "context": (N, D), "negative": (N, K, D)}``, the gradients of that
    mean with respect to each input (same dtype as the inputs).
    """
    check_shapes(("center_vecs", center_vecs, ("N", "D")),
                 ("context_vecs", context_vecs, ("N", "D")),
                 ("negative_vecs", negative_vecs, ("N", "K", "D")))
    n = center_vecs.shape[0]
    if n == 0:
        raise ValueError("center_vecs must hold at least one pair (N >= 1), got N=0")
    pos = np.einsum("nd,nd->n", center_vecs, context_vecs)            # (N,)   u_o . v_c
    neg = np.einsum("nkd,nd->nk", negative_vecs, center_vecs)         # (N, K) u_k . v_c
    loss = -(log_sigmoid(pos).sum() + log_sigmoid(-neg).sum()) / n
    g_pos = (_sigmoid(pos) - 1.0) / n                                 # dloss/d(u_o . v_c)
    g_neg = _sigmoid(neg) / n                                         # dloss/d(u_k . v_c)
    grads = {
        "center": g_pos[:, None] * context_vecs + np.einsum("nk,nkd->nd", g_neg, negative_vecs),
        "context": g_pos[:, None] * center_vecs,
        "negative": g_neg[:, :, None] * center_vecs[:, None, :],
    }
    dtype = center_vecs.dtype
    return float(loss), {k: v.astype(dtype, copy=False) for k, v in grads.items()}


def _check_counts(counts):
    check_array("counts", counts, floating=False)
    if counts.ndim != 1 or counts.size == 0:
        raise ValueError(f"counts must have shape (V,) with V >= 1, got {counts.shape}")
    if not np.issubdtype(counts.dtype, np.number) or (counts < 0).any() or counts.sum() <= 0:
        raise ValueError("counts must hold non-negative word counts with a positive total")


def noise_distribution(counts, power: float = 0.75):
    """The noise distribution of negative sampling: P_n(w) proportional to count(w)**power.

    counts: (V,) word counts. Returns (V,) float64 probabilities summing to 1. power=1 is
    the unigram distribution, power=0 the uniform one; 3/4 gives rare words more chances.
    """
    _check_counts(counts)
    if not isinstance(power, int | float) or isinstance(power, bool) or not 0 <= power <= 1:
        raise ValueError(f"power must be a number in [0, 1], got {power!r}")
    p = counts.astype(np.float64) ** power
    p[counts == 0] = 0.0
    return p / p.sum()


def keep_probabilities(counts, sample: float = 1e-3):
    """Subsampling of frequent words: the probability of keeping each occurrence of a word.

    counts: (V,) word counts; sample: the threshold t (word2vec's ``-sample``). With the
    word's frequency f = count / total, word2vec's C code (and gensim) keep it with
    probability ``(sqrt(f / t) + 1) * t / f`` capped at 1, so words rarer than about t are
    always kept and "the" is mostly dropped. sample=0 keeps everything. Returns (V,) float64.
    """
    _check_counts(counts)
    if not isinstance(sample, int | float) or isinstance(sample, bool) or sample < 0:
        raise ValueError(f"sample must be a number >= 0, got {sample!r}")
    if sample == 0:
        return np.ones(counts.shape, dtype=np.float64)
    f = counts.astype(np.float64) / counts.sum()
    with np.errstate(divide="ignore"):
        keep = (np.sqrt(f / sample) + 1.0) * sample / f
    return np.minimum(keep, 1.0)
