"""Attention in NumPy against torch (scaled_dot_product_attention, nn.MultiheadAttention)
and gradient-checked, with padding and causal masks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.numpy_nn.attention import (
    causal_mask,
    multi_head_attention_backward,
    multi_head_attention_forward,
    padding_mask,
    scaled_dot_product_attention_backward,
    scaled_dot_product_attention_forward,
)
from helpers.numpy_nn.gradcheck import check_layer_grad, grad_check, rel_error


def _qkv(rng, n=2, tq=4, tk=5, d=3, dv=6):
    return (rng.standard_normal((n, tq, d)), rng.standard_normal((n, tk, d)),
            rng.standard_normal((n, tk, dv)))


@pytest.mark.parametrize("which", ["none", "padding", "causal"])
def test_sdpa_matches_torch(which):
    rng = np.random.default_rng(0)
    Q, K, V = _qkv(rng, tq=5)
    mask = {"none": None, "padding": padding_mask(np.array([5, 2]), 5),
            "causal": causal_mask(5)}[which]
    out, cache = scaled_dot_product_attention_forward(Q, K, V, mask)
    dout = rng.standard_normal(out.shape)
    dQ, dK, dV = scaled_dot_product_attention_backward(dout, cache)
    ts = [torch.tensor(a, requires_grad=True) for a in (Q, K, V)]
    tmask = None if mask is None else torch.tensor(np.broadcast_to(mask, (2, 5, 5)).copy())
    ot = F.scaled_dot_product_attention(*ts, attn_mask=tmask)
    ot.backward(torch.tensor(dout))
    assert rel_error(out, ot.detach().numpy()) < 1e-10
    for mine, t in zip((dQ, dK, dV), ts, strict=True):
        assert rel_error(mine, t.grad.numpy()) < 1e-8
    if mask is not None:  # masked weights are exactly zero and rows still sum to one
        A = cache["weights"]
        assert (A[~np.broadcast_to(mask, A.shape)] == 0).all()
        np.testing.assert_allclose(A.sum(-1), 1.0)


def test_sdpa_gradcheck_and_dtype():
    rng = np.random.default_rng(1)
    Q, K, V = _qkv(rng)
    mask = padding_mask(np.array([3, 5]), 5)
    res = check_layer_grad(lambda q, k, v: scaled_dot_product_attention_forward(q, k, v, mask),
                           scaled_dot_product_attention_backward, {"Q": Q, "K": K, "V": V},
                           verbose=False)
    assert all(r.passed for r in res.values())
    out, cache = scaled_dot_product_attention_forward(*(a.astype(np.float32) for a in (Q, K, V)))
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in
               scaled_dot_product_attention_backward(out, cache))


def test_sdpa_bad_inputs():
    rng = np.random.default_rng(0)
    Q, K, V = _qkv(rng)
    with pytest.raises(ValueError, match=r"Q must have shape \(N, T, D\).*batch axis"):
        scaled_dot_product_attention_forward(Q[0], K, V)
    with pytest.raises(ValueError, match=r"K must have shape \(\.\.\., Tk, D\) with .* D=3"):
        scaled_dot_product_attention_forward(Q, K[..., :2], V)
    with pytest.raises(ValueError, match=r"V must have shape \(\.\.\., Tk, Dv\)"):
        scaled_dot_product_attention_forward(Q, K, V[:, :3])
    with pytest.raises(TypeError, match="mask must be a boolean array"):
        scaled_dot_product_attention_forward(Q, K, V, np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"mask must broadcast to \(\.\.\., Tq, Tk\)"):
        scaled_dot_product_attention_forward(Q, K, V, np.ones((5, 4), dtype=bool))
    with pytest.raises(ValueError, match="no key to attend to"):
        scaled_dot_product_attention_forward(Q, K, V, np.zeros((4, 5), dtype=bool))
    _, cache = scaled_dot_product_attention_forward(Q, K, V)
    with pytest.raises(ValueError, match=r"dout must have shape \(\.\.\., Tq, Dv\)"):
        scaled_dot_product_attention_backward(np.zeros((2, 4, 5)), cache)
    with pytest.raises(ValueError, match="T must be a positive integer"):
        causal_mask(0)
    with pytest.raises(ValueError, match=r"lengths must be in \[1, T\]"):
        padding_mask(np.array([0, 2]), 3)
    with pytest.raises(ValueError, match=r"lengths must have shape \(N,\)"):
        padding_mask(np.array([[1]]), 3)


def test_masks():
    np.testing.assert_array_equal(causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    np.testing.assert_array_equal(padding_mask(np.array([1, 3]), 3),
                                  [[[1, 0, 0]], [[1, 1, 1]]])


def _mha_params(rng, E):
    p = {k: rng.standard_normal((E, E)) / np.sqrt(E) for k in ("Wq", "Wk", "Wv", "Wo")}
    p.update({k: rng.standard_normal(E) * 0.1 for k in ("bq", "bk", "bv", "bo")})
    return p


@pytest.mark.parametrize("self_attention", [True, False])
def test_mha_matches_torch_multiheadattention(self_attention):
    rng = np.random.default_rng(2)
    E, h, N, Tq, Tk = 8, 2, 3, 4, 6
    p = _mha_params(rng, E)
    q = rng.standard_normal((N, Tq, E))
    k = q if self_attention else rng.standard_normal((N, Tk, E))
    v = q if self_attention else rng.standard_normal((N, Tk, E))
    Tk = k.shape[1]
    lengths = np.array([Tk, 2, 3])
    mask = padding_mask(lengths, Tk)
    out, cache = multi_head_attention_forward(q, k, v, p, h, mask)
    mha = torch.nn.MultiheadAttention(E, h, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.tensor(np.concatenate([p["Wq"].T, p["Wk"].T, p["Wv"].T])))
        mha.in_proj_bias.copy_(torch.tensor(np.concatenate([p["bq"], p["bk"], p["bv"]])))
        mha.out_proj.weight.copy_(torch.tensor(p["Wo"].T))
        mha.out_proj.bias.copy_(torch.tensor(p["bo"]))
    tq, tk, tv = (torch.tensor(a) for a in (q, k, v))
    key_padding = torch.tensor(~mask[:, 0, :])   # torch: True = ignore this key
    ot, wt = mha(tq, tk, tv, key_padding_mask=key_padding, average_attn_weights=False)
    assert rel_error(out, ot.detach().numpy()) < 1e-10
    assert rel_error(cache["weights"], wt.detach().numpy()) < 1e-10


def test_mha_backward_gradchecks_and_matches_torch_autograd():
    rng = np.random.default_rng(3)
    E, h = 6, 3
    p = _mha_params(rng, E)
    q, k, v = rng.standard_normal((2, 3, E)), rng.standard_normal((2, 4, E)), rng.standard_normal((2, 4, E))
    mask = causal_mask(4)[:3]
    out, cache = multi_head_attention_forward(q, k, v, p, h, mask)
    dout = rng.standard_normal(out.shape)
    g = multi_head_attention_backward(dout, cache)
    arrays = {"q": q, "k": k, "v": v, **p}

    def f():
        return float(np.sum(multi_head_attention_forward(q, k, v, p, h, mask)[0] * dout))

    # The key bias adds q . bk to every score of a query: the softmax ignores it, dbk = 0.
    np.testing.assert_allclose(g["bk"], 0.0, atol=1e-12)
    arrays.pop("bk")
    res = grad_check(f, arrays, {name: g[name] for name in arrays}, verbose=False)
    assert all(r.passed for r in res.values()), {k_: r.max_rel_error for k_, r in res.items()}
    # self-attention: the gradient of x is the sum of its three roles
    x = rng.standard_normal((2, 3, E))
    out, cache = multi_head_attention_forward(x, x, x, p, h, causal_mask(3))
    g = multi_head_attention_backward(np.ones_like(out), cache)
    xt = torch.tensor(x, requires_grad=True)
    mha = torch.nn.MultiheadAttention(E, h, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.tensor(np.concatenate([p["Wq"].T, p["Wk"].T, p["Wv"].T])))
        mha.in_proj_bias.copy_(torch.tensor(np.concatenate([p["bq"], p["bk"], p["bv"]])))
        mha.out_proj.weight.copy_(torch.tensor(p["Wo"].T))
        mha.out_proj.bias.copy_(torch.tensor(p["bo"]))
    ot, _ = mha(xt, xt, xt, attn_mask=torch.tensor(~causal_mask(3)))
    ot.sum().backward()
    assert rel_error(out, ot.detach().numpy()) < 1e-10
    assert rel_error(g["q"] + g["k"] + g["v"], xt.grad.numpy()) < 1e-8
    assert rel_error(g["Wq"], mha.in_proj_weight.grad.numpy()[:E].T) < 1e-8


def test_mha_bad_inputs():
    rng = np.random.default_rng(0)
    p = _mha_params(rng, 6)
    x = rng.standard_normal((2, 3, 6))
    with pytest.raises(ValueError, match="num_heads must divide E=6"):
        multi_head_attention_forward(x, x, x, p, 4)
    with pytest.raises(ValueError, match="num_heads must be a positive integer"):
        multi_head_attention_forward(x, x, x, p, 0)
    with pytest.raises(ValueError, match=r"q must have shape \(N, T, E\)"):
        multi_head_attention_forward(x[0], x, x, p, 2)
    with pytest.raises(ValueError, match=r"k and v must have shape \(N, Tk, E\)"):
        multi_head_attention_forward(x, x[..., :4], x, p, 2)
    with pytest.raises(ValueError, match=r"params\['Wo'\] must have shape \(6, 6\)"):
        multi_head_attention_forward(x, x, x, {**p, "Wo": np.zeros((6, 5))}, 2)
    with pytest.raises(ValueError, match="params must be a dict with keys"):
        multi_head_attention_forward(x, x, x, {"Wq": p["Wq"]}, 2)
    out, cache = multi_head_attention_forward(x, x, x, p, 2)
    with pytest.raises(ValueError, match=r"dout must have shape \(N, Tq, E\)"):
        multi_head_attention_backward(out[:, :2], cache)
