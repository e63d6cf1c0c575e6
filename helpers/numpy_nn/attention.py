"""Attention in NumPy (notebook 18): scaled dot-product attention and multi-head attention,
forward and backward, with padding and causal masks.

    out, cache = scaled_dot_product_attention_forward(Q, K, V, mask)   # (..., Tq, Dv)
    dQ, dK, dV = scaled_dot_product_attention_backward(dout, cache)
    out, cache = multi_head_attention_forward(q, k, v, params, num_heads, mask)
    grads = multi_head_attention_backward(dout, cache)

Scaled dot-product attention: S = Q K^T / sqrt(d) (Tq, Tk), A = softmax(S) over the keys
(the last axis: each query's weights sum to 1), out = A V. A mask is boolean with **True
where a query may attend to a key** (torch's boolean ``attn_mask`` convention); masked scores
are set to -inf *before* the softmax, so their weights are exactly 0.

Multi-head attention (rows are samples, so a projection is ``x @ W``): Q = q Wq + bq,
K = k Wk + bk, V = v Wv + bv, each (N, T, E), split into h heads of E/h features, attention
per head, heads concatenated, out = concat Wo + bo. ``torch.nn.MultiheadAttention`` stores
the transposes: ``in_proj_weight = [Wq^T; Wk^T; Wv^T]`` (3E, E), ``out_proj.weight = Wo^T``.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_array, check_like, check_positive_int

__all__ = ["causal_mask", "multi_head_attention_backward", "multi_head_attention_forward",
           "padding_mask", "scaled_dot_product_attention_backward",
           "scaled_dot_product_attention_forward"]


def causal_mask(T: int) -> np.ndarray:
    """(T, T) boolean mask, True on and below the diagonal: position t sees positions <= t."""
    check_positive_int("T", T)
    return np.tril(np.ones((T, T), dtype=bool))


def padding_mask(lengths, T: int) -> np.ndarray:
    """(N, 1, T) boolean mask, True for the first lengths[n] keys of sequence n (the real
    tokens), False for the padding after them; it broadcasts over the Tq queries."""
    check_positive_int("T", T)
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"lengths must have shape (N,) and hold integers, got shape "
                         f"{lengths.shape} dtype {lengths.dtype}")
    if lengths.size and (lengths.min() < 1 or lengths.max() > T):
        raise ValueError(f"lengths must be in [1, T] with T={T}, got values in "
                         f"[{lengths.min()}, {lengths.max()}]")
    return (np.arange(T)[None, :] < lengths[:, None])[:, None, :]


def _softmax_last(S):
    S = S - S.max(axis=-1, keepdims=True)
    e = np.exp(S)
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention_forward(Q, K, V, mask=None):
    """Attention of Tq queries over Tk keys/values, for any leading batch axes ``...``.

    Q: (..., Tq, D), K: (..., Tk, D), V: (..., Tk, Dv); mask: boolean, broadcastable to
    (..., Tq, Tk), True = may attend (every query needs at least one True key).
    Returns out (..., Tq, Dv) and the cache; ``cache["weights"]`` is A (..., Tq, Tk).
    """
    for name, a in (("Q", Q), ("K", K), ("V", V)):
        check_array(name, a)
        if a.ndim < 3:
            raise ValueError(f"{name} must have shape (N, T, D) (or more leading axes), got "
                             f"{a.shape}; one sequence still needs a batch axis")
    if K.shape[-1] != Q.shape[-1] or K.shape[:-2] != Q.shape[:-2]:
        raise ValueError(f"K must have shape (..., Tk, D) with ... = {Q.shape[:-2]} and "
                         f"D={Q.shape[-1]} (from Q.shape), got {K.shape}")
    if V.shape[:-1] != K.shape[:-1]:
        raise ValueError(f"V must have shape (..., Tk, Dv) with (..., Tk) = {K.shape[:-1]} "
                         f"(from K.shape), got {V.shape}")
    d = Q.shape[-1]
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d)                       # (..., Tq, Tk)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"mask must be a boolean array (True = may attend), got dtype "
                            f"{mask.dtype}")
        try:
            mask = np.broadcast_to(mask, S.shape)
        except ValueError:
            raise ValueError(f"mask must broadcast to (..., Tq, Tk) = {S.shape}, got "
                             f"{mask.shape}") from None
        if not mask.any(axis=-1).all():
            raise ValueError("mask leaves a query with no key to attend to (a row of all "
                             "False): its softmax would be 0/0")
        S = np.where(mask, S, -np.inf)
    A = _softmax_last(S).astype(Q.dtype, copy=False)
    out = A @ V
    return out, {"Q": Q, "K": K, "V": V, "weights": A, "scale": 1.0 / np.sqrt(d)}


def scaled_dot_product_attention_backward(dout, cache):
    """Gradients of scaled dot-product attention: dout (..., Tq, Dv) -> (dQ, dK, dV).

    dV = A^T dout; dA = dout V^T; dS = A * (dA - sum_k(dA * A)) (the softmax backward, row
    by row; masked entries have A = 0 and so get no gradient); dQ = dS K / sqrt(d),
    dK = dS^T Q / sqrt(d).
    """
    Q, K, V, A, scale = cache["Q"], cache["K"], cache["V"], cache["weights"], cache["scale"]
    check_like("dout", dout, (*A.shape[:-1], V.shape[-1]), "(..., Tq, Dv)")
    dV = np.swapaxes(A, -1, -2) @ dout
    dA = dout @ np.swapaxes(V, -1, -2)
    dS = A * (dA - (dA * A).sum(axis=-1, keepdims=True))
    dQ = (dS @ K) * scale
    dK = (np.swapaxes(dS, -1, -2) @ Q) * scale
    return dQ.astype(Q.dtype, copy=False), dK.astype(K.dtype, copy=False), dV


_MHA_KEYS = ("Wq", "bq", "Wk", "bk", "Wv", "bv", "Wo", "bo")


def _split(x, h):
    n, t, e = x.shape
    return x.reshape(n, t, h, e // h).transpose(0, 2, 1, 3)          # (N, h, T, E/h)


def _merge(x):
    n, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n, t, h * dh)


def multi_head_attention_forward(q, k, v, params, num_heads: int, mask=None):
    """Multi-head attention: q (N, Tq, E), k and v (N, Tk, E) -> out (N, Tq, E).

    params: ``Wq, Wk, Wv, Wo`` (E, E) and ``bq, bk, bv, bo`` (E,); num_heads h divides E.
    mask: boolean, broadcastable to (N, Tq, Tk) (the same for every head), True = may attend.
    Self-attention is q = k = v = x. Returns out and the cache; ``cache["weights"]`` holds
    the attention weights (N, h, Tq, Tk).
    """
    check_positive_int("num_heads", num_heads)
    if not isinstance(params, dict) or set(_MHA_KEYS) - set(params):
        raise ValueError(f"params must be a dict with keys {list(_MHA_KEYS)}")
    for name, a in (("q", q), ("k", k), ("v", v)):
        check_array(name, a)
        if a.ndim != 3:
            raise ValueError(f"{name} must have shape (N, T, E), got {a.shape}")
    E = q.shape[-1]
    if k.shape[0] != q.shape[0] or k.shape[-1] != E or v.shape != k.shape:
        raise ValueError(f"k and v must have shape (N, Tk, E) with N={q.shape[0]}, E={E} "
                         f"(from q.shape), got {k.shape} and {v.shape}")
    if E % num_heads:
        raise ValueError(f"num_heads must divide E={E}, got {num_heads}")
    for key in _MHA_KEYS:
        check_array(f"params[{key!r}]", params[key])
        want = (E, E) if key[0] == "W" else (E,)
        if params[key].shape != want:
            raise ValueError(f"params[{key!r}] must have shape {want} (E={E}), got "
                             f"{params[key].shape}")
    Qp = q @ params["Wq"] + params["bq"]
    Kp = k @ params["Wk"] + params["bk"]
    Vp = v @ params["Wv"] + params["bv"]
    if mask is not None:
        mask = np.asarray(mask)
        mask = mask[:, None] if mask.ndim == 3 else mask                # same for each head
    heads, att = scaled_dot_product_attention_forward(
        _split(Qp, num_heads), _split(Kp, num_heads), _split(Vp, num_heads), mask)
    concat = _merge(heads)
    out = concat @ params["Wo"] + params["bo"]
    cache = {"q": q, "k": k, "v": v, "params": params, "h": num_heads, "att": att,
             "concat": concat, "weights": att["weights"]}
    return out, cache


def multi_head_attention_backward(dout, cache):
    """Gradients of multi-head attention: dout (N, Tq, E) -> dict with ``q, k, v`` (the
    inputs' gradients) and one entry per parameter (``Wq`` ... ``bo``)."""
    q, k, v, p, h = cache["q"], cache["k"], cache["v"], cache["params"], cache["h"]
    check_like("dout", dout, cache["concat"].shape, "(N, Tq, E)")
    g = {"Wo": cache["concat"].reshape(-1, q.shape[-1]).T @ dout.reshape(-1, q.shape[-1]),
         "bo": dout.sum(axis=(0, 1))}
    dconcat = dout @ p["Wo"].T
    dQh, dKh, dVh = scaled_dot_product_attention_backward(_split(dconcat, h), cache["att"])
    for x, dxh, W, b, name in ((q, dQh, "Wq", "bq", "q"), (k, dKh, "Wk", "bk", "k"),
                               (v, dVh, "Wv", "bv", "v")):
        dx = _merge(dxh)                                              # (N, T, E)
        E = x.shape[-1]
        g[W] = x.reshape(-1, E).T @ dx.reshape(-1, E)
        g[b] = dx.sum(axis=(0, 1))
        g[name] = dx @ p[W].T
    return g  # self-attention (q = k = v = x): dx = g["q"] + g["k"] + g["v"]


# ----------------------------------------------------------------------------- exercise references
# Used by notebook 18's graded cells to compute expected values (not part of the lesson).

def _softmax_axis(S, axis):
    S = S - S.max(axis=axis, keepdims=True)
    e = np.exp(S)
    return e / e.sum(axis=axis, keepdims=True)


def _sdpa_mistakes(Q, K, V, mask=None) -> dict:
    """(out, weights) of the natural mistakes of the attention exercise."""
    d = Q.shape[-1]
    raw = Q @ np.swapaxes(K, -1, -2)
    m = None if mask is None else np.broadcast_to(mask, raw.shape)

    def masked(S):
        return S if m is None else np.where(m, S, -np.inf)

    out = {}
    A = _softmax_axis(masked(raw), -1)
    out["no_scale"] = (A @ V, A)
    A = _softmax_axis(masked(raw / np.sqrt(d)), -2) if m is None else \
        _softmax_axis(np.where(m, raw / np.sqrt(d), -1e30), -2)
    out["wrong_axis"] = (A @ V, A)
    A = _softmax_axis(raw / np.sqrt(d), -1)
    out["mask_ignored"] = (A @ V, A)
    if m is not None:
        A = np.where(m, A, 0.0)
        out["mask_after_softmax"] = (A @ V, A)
    A = _softmax_axis(masked(raw / d), -1)
    out["scale_by_d"] = (A @ V, A)
    if m is not None:
        A = _softmax_axis(np.where(m, raw / np.sqrt(d), 0.0), -1)
        out["mask_zero"] = (A @ V, A)
        out["mask_inverted"] = _weights_only_where_masked(m)
    A = _softmax_axis(masked(raw / np.sqrt(V.shape[-1])), -1)
    out["scale_by_dv"] = (A @ V, A)
    return out


def _weights_only_where_masked(allowed):
    """A mistakes predicate: the weights vanish (or are NaN) wherever the mask says True."""
    def hit(got):
        w = np.asarray(got[1], dtype=np.float64)
        w = np.broadcast_to(w, np.broadcast_shapes(w.shape, allowed.shape))
        a = np.broadcast_to(allowed, w.shape)
        return bool((~a).any() and np.all(np.nan_to_num(np.abs(w), nan=0.0)[a] < 1e-12))
    return hit


def _reference_additive_attention(s, H, W, U, v, mask=None):
    """Bahdanau attention of one decoder step: context (N, Dh) and weights (N, T)."""
    e = np.tanh((s @ W)[:, None, :] + H @ U) @ v
    if mask is not None:
        e = np.where(mask, e, -np.inf)
    alpha = _softmax_axis(e, -1)
    return np.einsum("nt,ntd->nd", alpha, H), alpha


def _additive_mistakes(s, H, W, U, v, mask=None) -> dict:
    e = np.tanh((s @ W)[:, None, :] + H @ U) @ v
    out = {}
    a = _softmax_axis(e, 0)
    out["wrong_axis"] = (np.einsum("nt,ntd->nd", a, H), a)
    a = _softmax_axis(e, -1)
    out["mask_ignored"] = (np.einsum("nt,ntd->nd", a, H), a)
    if mask is not None:
        a = np.where(mask, a, 0.0)
        out["mask_after_softmax"] = (np.einsum("nt,ntd->nd", a, H), a)
    e = ((s @ W)[:, None, :] + H @ U) @ v
    a = _softmax_axis(e if mask is None else np.where(mask, e, -np.inf), -1)
    out["no_tanh"] = (np.einsum("nt,ntd->nd", a, H), a)
    e = np.tanh(((s @ W)[:, None, :] + H @ U) @ v)
    a = _softmax_axis(e if mask is None else np.where(mask, e, -np.inf), -1)
    out["tanh_outside"] = (np.einsum("nt,ntd->nd", a, H), a)
    e = np.tanh((s @ W)[:, None, :] + H @ U) @ v
    a = _softmax_axis(e if mask is None else np.where(mask, e, -np.inf), -1)
    out["context_mean"] = (np.einsum("nt,ntd->nd", a, H) / H.shape[1], a)
    if mask is not None:
        e = np.tanh((s @ W)[:, None, :] + H @ U) @ v
        a = _softmax_axis(np.where(mask, e, 0.0), -1)
        out["mask_zero"] = (np.einsum("nt,ntd->nd", a, H), a)
        out["mask_inverted"] = _weights_only_where_masked(np.asarray(mask, dtype=bool))
    return out
