"""Recurrent layers in NumPy (notebooks 15 and 16): vanilla RNN, GRU, LSTM, and what goes
around them (temporal affine layer, masked temporal softmax loss, gradient clipping, a
character-level RNN model).

Rows are samples: a sequence batch is ``x: (N, T, D)`` (N sequences, T time steps, D input
features), hidden states are ``(N, H)`` per step and ``(N, T, H)`` for a whole sequence.
Weights multiply from the right (``x @ Wx``), so ``Wx: (D, H)``, ``Wh: (H, H)``; PyTorch
stores the transposes (``weight_ih_l0: (H, D)``). ``rnn_to_torch``, ``gru_to_torch`` and
``lstm_to_torch`` give the PyTorch tensors that make ``torch.nn.RNN/GRU/LSTM`` compute
exactly what these functions compute.

Every ``*_forward`` returns ``(out, cache)`` and every ``*_backward(dout, cache)`` returns
one gradient per input, in the order of the forward's arguments (CS231n's convention).

Gate layouts (columns of ``Wx``/``Wh``, blocks of H):

- LSTM: ``[i | f | o | g]`` (input, forget, output gates and the candidate), CS231n's
  order; PyTorch uses ``[i | f | g | o]`` (``lstm_to_torch`` reorders).
- GRU: ``[r | z | n]`` (reset, update, candidate), PyTorch's order and PyTorch's equations,
  with two biases ``bx`` and ``bh`` because the reset gate multiplies ``h @ Wh_n + bh_n``.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_array, check_labels, check_like, check_shapes

__all__ = [
    "CharRNN", "build_vocab", "clip_grad_norm", "clip_grad_value", "decode", "encode",
    "gru_backward", "gru_forward", "gru_step_backward", "gru_step_forward", "gru_to_torch",
    "lstm_backward", "lstm_forward", "lstm_from_torch", "lstm_step_backward", "lstm_step_forward", "lstm_to_torch",
    "rnn_backward", "rnn_forward", "rnn_step_backward", "rnn_step_forward", "rnn_to_torch",
    "temporal_affine_backward", "temporal_affine_forward", "temporal_softmax_loss",
]


def _sigmoid(x):
    # 1 / (1 + exp(-x)) = (1 + tanh(x / 2)) / 2: no overflow, one ufunc, dtype kept.
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _known(sym: str, size: int, source: str) -> dict:
    return {sym: (size, source)}


def _check_steps(x):
    if x.shape[1] == 0:
        raise ValueError(f"x must have shape (N, T, D) with T >= 1 time steps, got {x.shape}")


# =========================================================================== vanilla RNN
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One step of a tanh RNN: next_h = tanh(x @ Wx + prev_h @ Wh + b).

    x: (N, D); prev_h: (N, H); Wx: (D, H); Wh: (H, H); b: (H,).
    Returns (next_h: (N, H), cache).
    """
    check_shapes(("x", x, ("N", "D")), ("prev_h", prev_h, ("N", "H")), ("Wx", Wx, ("D", "H")),
                 ("Wh", Wh, ("H", "H")), ("b", b, ("H",)))
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    """dnext_h: (N, H), the gradient of the loss w.r.t. next_h.

    Returns (dx: (N, D), dprev_h: (N, H), dWx: (D, H), dWh: (H, H), db: (H,)). The tanh
    derivative is taken from the *output*: d tanh(a)/da = 1 - tanh(a)^2 = 1 - next_h^2.
    """
    x, prev_h, Wx, Wh, next_h = cache
    check_like("dnext_h", dnext_h, next_h.shape, "(N, H)")
    da = dnext_h * (1.0 - next_h * next_h)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def _check_seq(x, h0, Wx, Wh, gates: int, bias_names=("b",), biases=()):
    """x: (N, T, D), h0: (N, H), Wx: (D, gH), Wh: (H, gH), each bias (gH,)."""
    check_shapes(("x", x, ("N", "T", "D")), ("h0", h0, ("N", "H")))
    _check_steps(x)
    g = "H" if gates == 1 else f"{gates}H"
    known = {} if gates == 1 else _known(g, gates * h0.shape[1], f"{gates} x h0.shape[1]")
    items = [("Wx", Wx, ("D", g)), ("Wh", Wh, ("H", g))]
    items += [(name, b, (g,)) for name, b in zip(bias_names, biases, strict=True)]
    check_shapes(("x", x, ("N", "T", "D")), ("h0", h0, ("N", "H")), *items, known=known)


def rnn_forward(x, h0, Wx, Wh, b):
    """A tanh RNN over a whole sequence: h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b), t = 1..T.

    x: (N, T, D); h0: (N, H) the initial hidden state; Wx: (D, H); Wh: (H, H); b: (H,).
    Returns (h: (N, T, H) every hidden state, cache). ``x @ Wx + b`` is computed for all
    steps at once; only ``h_{t-1} @ Wh`` has to wait for the previous step.
    """
    _check_seq(x, h0, Wx, Wh, 1, ("b",), (b,))
    n, t_steps, _ = x.shape
    xw = x @ Wx + b
    h = np.empty(xw.shape, dtype=np.result_type(xw, h0, Wh))
    prev = h0
    for t in range(t_steps):
        prev = np.tanh(xw[:, t] + prev @ Wh)
        h[:, t] = prev
    return h, (x, h0, Wx, Wh, h)


def rnn_backward(dh, cache):
    """Backpropagation through time. dh: (N, T, H), the gradient of the loss w.r.t. each h_t
    *from above only* (the output layer); the gradient through h_{t+1} is added here.

    Returns (dx: (N, T, D), dh0: (N, H), dWx: (D, H), dWh: (H, H), db: (H,)). The weights
    are shared by all steps, so their gradients are sums over t.
    """
    x, h0, Wx, Wh, h = cache
    check_like("dh", dh, h.shape, "(N, T, H)")
    n, t_steps, hdim = h.shape
    da = np.empty_like(h)
    dprev = np.zeros_like(h0)
    for t in reversed(range(t_steps)):
        dht = dh[:, t] + dprev  # from the output at t and from h_{t+1}
        da[:, t] = dht * (1.0 - h[:, t] * h[:, t])
        dprev = da[:, t] @ Wh.T
    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)
    da2 = da.reshape(-1, hdim)
    dx = da @ Wx.T
    dWx = x.reshape(-1, x.shape[2]).T @ da2
    dWh = h_prev.reshape(-1, hdim).T @ da2
    return dx, dprev, dWx, dWh, da2.sum(axis=0)


# =========================================================================== GRU
def gru_step_forward(x, prev_h, Wx, Wh, bx, bh):
    """One GRU step with PyTorch's equations (gate blocks ``[r | z | n]`` of width H):

        r = sigmoid(x Wx_r + bx_r + h Wh_r + bh_r)        reset gate
        z = sigmoid(x Wx_z + bx_z + h Wh_z + bh_z)        update gate
        n = tanh(x Wx_n + bx_n + r * (h Wh_n + bh_n))     candidate
        next_h = (1 - z) * n + z * h

    x: (N, D); prev_h: (N, H); Wx: (D, 3H); Wh: (H, 3H); bx, bh: (3H,).
    Returns (next_h: (N, H), cache).
    """
    check_shapes(("x", x, ("N", "D")), ("prev_h", prev_h, ("N", "H")))
    hd = prev_h.shape[1]
    check_shapes(("x", x, ("N", "D")), ("prev_h", prev_h, ("N", "H")), ("Wx", Wx, ("D", "3H")),
                 ("Wh", Wh, ("H", "3H")), ("bx", bx, ("3H",)), ("bh", bh, ("3H",)),
                 known=_known("3H", 3 * hd, "3 x prev_h.shape[1]"))
    next_h, cache = _gru_step(x @ Wx + bx, prev_h, Wh, bh, x)
    return next_h, (*cache, Wx)


def _gru_step(gx, prev_h, Wh, bh, x):
    hd = prev_h.shape[1]
    gh = prev_h @ Wh + bh
    rz = _sigmoid(gx[:, :2 * hd] + gh[:, :2 * hd])
    r, z = rz[:, :hd], rz[:, hd:]
    hn = gh[:, 2 * hd:]
    n = np.tanh(gx[:, 2 * hd:] + r * hn)
    next_h = (1.0 - z) * n + z * prev_h
    return next_h, (x, prev_h, Wh, r, z, n, hn)


def _gru_step_back(dnext_h, cache):
    """Gradients w.r.t. the gate pre-activations: (dgx: (N, 3H), dgh: (N, 3H), dprev_h
    through the gates' direct path only)."""
    _x, prev_h, _Wh, r, z, n, hn = cache
    dn = dnext_h * (1.0 - z)
    dz = dnext_h * (prev_h - n)
    dan = dn * (1.0 - n * n)
    dar = dan * hn * r * (1.0 - r)
    daz = dz * z * (1.0 - z)
    dgx = np.concatenate([dar, daz, dan], axis=1)
    dgh = np.concatenate([dar, daz, dan * r], axis=1)
    return dgx, dgh, dnext_h * z


def gru_step_backward(dnext_h, cache):
    """dnext_h: (N, H). Returns (dx: (N, D), dprev_h: (N, H), dWx: (D, 3H), dWh: (H, 3H),
    dbx: (3H,), dbh: (3H,)). dbx and dbh agree on the r and z blocks and differ on n, where
    bh_n sits inside the reset gate's product."""
    x, prev_h, Wh = cache[0], cache[1], cache[2]
    Wx = cache[-1]
    check_like("dnext_h", dnext_h, prev_h.shape, "(N, H)")
    dgx, dgh, dprev = _gru_step_back(dnext_h, cache[:-1])
    dprev = dprev + dgh @ Wh.T
    return dgx @ Wx.T, dprev, x.T @ dgx, prev_h.T @ dgh, dgx.sum(axis=0), dgh.sum(axis=0)


def gru_forward(x, h0, Wx, Wh, bx, bh):
    """A GRU over a whole sequence (``gru_step_forward`` for t = 1..T).

    x: (N, T, D); h0: (N, H); Wx: (D, 3H); Wh: (H, 3H); bx, bh: (3H,).
    Returns (h: (N, T, H), cache).
    """
    _check_seq(x, h0, Wx, Wh, 3, ("bx", "bh"), (bx, bh))
    gx = x @ Wx + bx
    h = np.empty(x.shape[:2] + h0.shape[1:], dtype=np.result_type(gx, h0, Wh))
    caches, prev = [], h0
    for t in range(x.shape[1]):
        prev, c = _gru_step(gx[:, t], prev, Wh, bh, None)
        h[:, t] = prev
        caches.append(c)
    return h, (x, h0, Wx, Wh, h, caches)


def gru_backward(dh, cache):
    """BPTT through a GRU. dh: (N, T, H) gradients from above (as in ``rnn_backward``).

    Returns (dx: (N, T, D), dh0: (N, H), dWx: (D, 3H), dWh: (H, 3H), dbx: (3H,), dbh: (3H,)).
    """
    x, h0, Wx, Wh, h, caches = cache
    check_like("dh", dh, h.shape, "(N, T, H)")
    n, t_steps, hd = h.shape
    dgx = np.empty((n, t_steps, 3 * hd), dtype=h.dtype)
    dgh = np.empty_like(dgx)
    dprev = np.zeros_like(h0)
    for t in reversed(range(t_steps)):
        gx_t, gh_t, direct = _gru_step_back(dh[:, t] + dprev, caches[t])
        dgx[:, t], dgh[:, t] = gx_t, gh_t
        dprev = direct + gh_t @ Wh.T
    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1).reshape(-1, hd)
    dgx2, dgh2 = dgx.reshape(-1, 3 * hd), dgh.reshape(-1, 3 * hd)
    return (dgx @ Wx.T, dprev, x.reshape(-1, x.shape[2]).T @ dgx2, h_prev.T @ dgh2,
            dgx2.sum(axis=0), dgh2.sum(axis=0))


# =========================================================================== LSTM
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step (gate blocks ``[i | f | o | g]`` of width H):

        a = x @ Wx + prev_h @ Wh + b                          (N, 4H)
        i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)    input, forget, output gates
        g = tanh(a_g)                                         candidate cell
        next_c = f * prev_c + i * g
        next_h = o * tanh(next_c)

    x: (N, D); prev_h, prev_c: (N, H); Wx: (D, 4H); Wh: (H, 4H); b: (4H,).
    Returns (next_h: (N, H), next_c: (N, H), cache).
    """
    check_shapes(("x", x, ("N", "D")), ("prev_h", prev_h, ("N", "H")))
    hd = prev_h.shape[1]
    check_shapes(("x", x, ("N", "D")), ("prev_h", prev_h, ("N", "H")),
                 ("prev_c", prev_c, ("N", "H")), ("Wx", Wx, ("D", "4H")),
                 ("Wh", Wh, ("H", "4H")), ("b", b, ("4H",)),
                 known=_known("4H", 4 * hd, "4 x prev_h.shape[1]"))
    next_h, next_c, gates = _lstm_step(x @ Wx + b, prev_h, prev_c, Wh)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, gates, next_c)


def _lstm_step(ax, prev_h, prev_c, Wh):
    hd = prev_h.shape[1]
    a = ax + prev_h @ Wh
    ifo = _sigmoid(a[:, :3 * hd])
    g = np.tanh(a[:, 3 * hd:])
    next_c = ifo[:, hd:2 * hd] * prev_c + ifo[:, :hd] * g
    tc = np.tanh(next_c)
    next_h = ifo[:, 2 * hd:] * tc
    return next_h, next_c, (ifo, g, tc)


def _lstm_step_back(dnext_h, dnext_c, prev_c, gates):
    """(da: (N, 4H), dprev_c: (N, H)) from the gradients w.r.t. next_h and next_c."""
    ifo, g, tc = gates
    hd = g.shape[1]
    i, f, o = ifo[:, :hd], ifo[:, hd:2 * hd], ifo[:, 2 * hd:]
    dc = dnext_c + dnext_h * o * (1.0 - tc * tc)
    dsig = np.concatenate([dc * g, dc * prev_c, dnext_h * tc], axis=1)
    da = np.concatenate([dsig * ifo * (1.0 - ifo), dc * i * (1.0 - g * g)], axis=1)
    return da, dc * f


def lstm_step_backward(dnext_h, dnext_c, cache):
    """dnext_h, dnext_c: (N, H). Returns (dx: (N, D), dprev_h: (N, H), dprev_c: (N, H),
    dWx: (D, 4H), dWh: (H, 4H), db: (4H,))."""
    x, prev_h, prev_c, Wx, Wh, gates, next_c = cache
    check_like("dnext_h", dnext_h, prev_h.shape, "(N, H)")
    check_like("dnext_c", dnext_c, prev_h.shape, "(N, H)")
    da, dprev_c = _lstm_step_back(dnext_h, dnext_c, prev_c, gates)
    return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    """An LSTM over a whole sequence, the cell state starting at c_0 = 0.

    x: (N, T, D); h0: (N, H); Wx: (D, 4H); Wh: (H, 4H); b: (4H,).
    Returns (h: (N, T, H), cache). The cache holds every step's gates and cell state (the
    gate activations notebook 16 draws are in ``cache[5]``: (N, T, 4H), order i, f, o, g).
    """
    _check_seq(x, h0, Wx, Wh, 4, ("b",), (b,))
    n, t_steps, _ = x.shape
    hd = h0.shape[1]
    ax = x @ Wx + b
    dt = np.result_type(ax, h0, Wh)
    h = np.empty((n, t_steps, hd), dtype=dt)
    c = np.empty((n, t_steps, hd), dtype=dt)
    gate = np.empty((n, t_steps, 4 * hd), dtype=dt)  # i, f, o (sigmoids), g (tanh)
    tcs = np.empty((n, t_steps, hd), dtype=dt)
    prev_h, prev_c = h0, np.zeros_like(h0, dtype=dt)
    for t in range(t_steps):
        prev_h, prev_c, (ifo, g, tc) = _lstm_step(ax[:, t], prev_h, prev_c, Wh)
        h[:, t], c[:, t], tcs[:, t] = prev_h, prev_c, tc
        gate[:, t, :3 * hd], gate[:, t, 3 * hd:] = ifo, g
    return h, (x, h0, Wx, Wh, h, gate, c, tcs)


def lstm_backward(dh, cache):
    """BPTT through an LSTM. dh: (N, T, H) gradients from above (as in ``rnn_backward``).

    Returns (dx: (N, T, D), dh0: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,)).
    """
    x, h0, Wx, Wh, h, gate, c, tcs = cache
    check_like("dh", dh, h.shape, "(N, T, H)")
    n, t_steps, hd = h.shape
    da = np.empty_like(gate)
    dprev_h = np.zeros_like(h0, dtype=h.dtype)
    dprev_c = np.zeros_like(dprev_h)
    zero_c = np.zeros_like(dprev_h)
    WhT = np.ascontiguousarray(Wh.T)
    for t in reversed(range(t_steps)):
        prev_c = c[:, t - 1] if t > 0 else zero_c
        gates = (gate[:, t, :3 * hd], gate[:, t, 3 * hd:], tcs[:, t])
        da_t, dprev_c = _lstm_step_back(dh[:, t] + dprev_h, dprev_c, prev_c, gates)
        da[:, t] = da_t
        dprev_h = da_t @ WhT
    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1).reshape(-1, hd)
    da2 = da.reshape(-1, 4 * hd)
    return (da @ Wx.T, dprev_h, x.reshape(-1, x.shape[2]).T @ da2, h_prev.T @ da2,
            da2.sum(axis=0))


# =========================================================================== PyTorch layouts
def _check_weights(Wx, Wh, gates: int, biases: dict):
    check_shapes(("Wh", Wh, ("H", "G")))
    hd = Wh.shape[0]
    g = "H" if gates == 1 else f"{gates}H"
    known = _known(g, gates * hd, f"{gates} x Wh.shape[0]")
    check_shapes(("Wx", Wx, ("D", g)), ("Wh", Wh, ("H", g)),
                 *[(k, v, (g,)) for k, v in biases.items()], known=known)


def rnn_to_torch(Wx, Wh, b) -> dict:
    """The ``torch.nn.RNN`` (one layer, tanh) parameters computing ``rnn_forward``.

    Wx: (D, H); Wh: (H, H); b: (H,). Returns NumPy arrays keyed like the module's
    ``state_dict``: weight_ih_l0 (H, D) = Wx.T, weight_hh_l0 (H, H) = Wh.T, bias_ih_l0 = b,
    bias_hh_l0 = 0 (PyTorch adds two biases; their sum is what matters).
    """
    _check_weights(Wx, Wh, 1, {"b": b})
    return {"weight_ih_l0": Wx.T.copy(), "weight_hh_l0": Wh.T.copy(),
            "bias_ih_l0": b.copy(), "bias_hh_l0": np.zeros_like(b)}


def gru_to_torch(Wx, Wh, bx, bh) -> dict:
    """The ``torch.nn.GRU`` parameters computing ``gru_forward``: the same gate order
    ``[r | z | n]`` and the same two biases, so only the weights are transposed.

    Wx: (D, 3H); Wh: (H, 3H); bx, bh: (3H,). Returns weight_ih_l0 (3H, D), weight_hh_l0
    (3H, H), bias_ih_l0 (3H,), bias_hh_l0 (3H,) as NumPy arrays.
    """
    _check_weights(Wx, Wh, 3, {"bx": bx, "bh": bh})
    return {"weight_ih_l0": Wx.T.copy(), "weight_hh_l0": Wh.T.copy(),
            "bias_ih_l0": bx.copy(), "bias_hh_l0": bh.copy()}


# our LSTM blocks are [i, f, o, g]; PyTorch's are [i, f, g, o]
LSTM_TORCH_ORDER = (0, 1, 3, 2)


def _reorder_blocks(a, hd):
    blocks = [a[..., k * hd:(k + 1) * hd] for k in LSTM_TORCH_ORDER]
    return np.concatenate(blocks, axis=-1)


def lstm_from_torch(weight_ih, weight_hh, bias_ih, bias_hh):
    """The inverse of ``lstm_to_torch``: (Wx: (D, 4H), Wh: (H, 4H), b: (4H,)) from PyTorch's
    one-layer LSTM parameters (NumPy arrays; PyTorch's two biases are added)."""
    check_shapes(("weight_hh", weight_hh, ("4H", "H")))
    hd = weight_hh.shape[1]
    check_shapes(("weight_ih", weight_ih, ("4H", "D")), ("weight_hh", weight_hh, ("4H", "H")),
                 ("bias_ih", bias_ih, ("4H",)), ("bias_hh", bias_hh, ("4H",)),
                 known=_known("4H", 4 * hd, "4 x weight_hh.shape[1]"))
    return (_reorder_blocks(weight_ih.T, hd), _reorder_blocks(weight_hh.T, hd),
            _reorder_blocks(bias_ih + bias_hh, hd))


def lstm_to_torch(Wx, Wh, b) -> dict:
    """The ``torch.nn.LSTM`` parameters computing ``lstm_forward``.

    Wx: (D, 4H); Wh: (H, 4H); b: (4H,). Our gate blocks ``[i | f | o | g]`` become PyTorch's
    ``[i | f | g | o]``, then the weights are transposed: weight_ih_l0 (4H, D),
    weight_hh_l0 (4H, H), bias_ih_l0 (4H,) = reordered b, bias_hh_l0 = 0.
    """
    _check_weights(Wx, Wh, 4, {"b": b})
    hd = Wh.shape[0]
    return {"weight_ih_l0": _reorder_blocks(Wx, hd).T.copy(),
            "weight_hh_l0": _reorder_blocks(Wh, hd).T.copy(),
            "bias_ih_l0": _reorder_blocks(b, hd), "bias_hh_l0": np.zeros_like(b)}


# =========================================================================== output layer and loss
def temporal_affine_forward(x, w, b):
    """The same affine map at every time step: out[:, t] = x[:, t] @ w + b.

    x: (N, T, D); w: (D, M); b: (M,). Returns (out: (N, T, M), cache).
    """
    check_shapes(("x", x, ("N", "T", "D")), ("w", w, ("D", "M")), ("b", b, ("M",)))
    return x @ w + b, (x, w)


def temporal_affine_backward(dout, cache):
    """dout: (N, T, M). Returns (dx: (N, T, D), dw: (D, M), db: (M,))."""
    x, w = cache
    check_like("dout", dout, x.shape[:2] + (w.shape[1],), "(N, T, M)")
    d2 = dout.reshape(-1, w.shape[1])
    return dout @ w.T, x.reshape(-1, x.shape[2]).T @ d2, d2.sum(axis=0)


def temporal_softmax_loss(x, y, mask=None):
    """Softmax cross-entropy at every time step, averaged over the counted steps.

    x: (N, T, V) scores; y: (N, T) integer targets in [0, V); mask: (N, T) booleans, True
    where the step counts (None: every step). Returns (loss, dx: (N, T, V)) with

        loss = -sum_{n,t} mask[n,t] * log softmax(x[n,t])[y[n,t]] / sum(mask)

    i.e. nats per counted step, as ``torch.nn.functional.cross_entropy(x[mask], y[mask])``.
    (CS231n divides by N instead of by the number of counted steps.)
    """
    check_shapes(("x", x, ("N", "T", "V")))
    n, t_steps, v = x.shape
    check_array("y", y, floating=False)
    if y.shape != (n, t_steps):
        raise ValueError(f"y must have shape (N, T) = {(n, t_steps)} (from x.shape[:2]), "
                         f"got {y.shape}")
    check_labels("y", y.reshape(-1), n * t_steps, v, source="x")
    if mask is None:
        mask = np.ones((n, t_steps), dtype=bool)
    check_array("mask", mask, floating=False)
    if mask.shape != (n, t_steps):
        raise ValueError(f"mask must have shape (N, T) = {(n, t_steps)} (from x.shape[:2]), "
                         f"got {mask.shape}")
    if mask.dtype != bool:
        raise TypeError(f"mask must be a boolean array, got dtype {mask.dtype} "
                        "(convert with mask.astype(bool))")
    count = int(mask.sum())
    if count == 0:
        raise ValueError("mask has no True entry: there is no step to average the loss over")
    flat = x.reshape(-1, v)
    shifted = flat - flat.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows, yf, mf = np.arange(n * t_steps), y.reshape(-1), mask.reshape(-1)
    loss = -float(logp[rows, yf][mf].sum()) / count
    dx = np.exp(logp)
    dx[rows, yf] -= 1
    dx *= (mf / count).astype(x.dtype)[:, None]
    return loss, dx.reshape(x.shape)


# =========================================================================== gradient clipping
def _check_grads(grads):
    if not isinstance(grads, dict) or not grads:
        raise TypeError("grads must be a non-empty dict name -> array, got "
                        f"{type(grads).__name__}{' (empty)' if isinstance(grads, dict) else ''}")
    for k, g in grads.items():
        check_array(f"grads[{k!r}]", g)


def _check_threshold(name, value):
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def clip_grad_value(grads, clip_value):
    """Clip every entry of every gradient to [-clip_value, clip_value]
    (``torch.nn.utils.clip_grad_value_``). grads: dict name -> array. Returns a new dict."""
    _check_grads(grads)
    _check_threshold("clip_value", clip_value)
    return {k: np.clip(g, -clip_value, clip_value) for k, g in grads.items()}


def clip_grad_norm(grads, max_norm):
    """Rescale all gradients together so that their *global* norm is at most ``max_norm``.

    The global norm is sqrt(sum over every array and entry of g^2), all gradients as one
    vector; every gradient is multiplied by the same min(1, max_norm / (norm + 1e-6)), so the
    update's direction is kept (``torch.nn.utils.clip_grad_norm_``, same epsilon).
    grads: dict name -> array. Returns (clipped: a new dict, norm: the norm before clipping).
    """
    _check_grads(grads)
    _check_threshold("max_norm", max_norm)
    norm = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64)))
                             for g in grads.values())))
    coef = min(1.0, max_norm / (norm + 1e-6))
    return {k: g * np.asarray(coef, dtype=g.dtype) for k, g in grads.items()}, norm


# =========================================================================== characters
def build_vocab(text: str) -> str:
    """The sorted distinct characters of ``text``, as one string (index = character id)."""
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty string")
    return "".join(sorted(set(text)))


def encode(text: str, chars: str) -> np.ndarray:
    """Character ids of ``text`` (int64, shape (len(text),)) in the vocabulary ``chars``."""
    if not isinstance(text, str) or not isinstance(chars, str):
        raise TypeError("text and chars must be strings")
    index = {ch: i for i, ch in enumerate(chars)}
    missing = sorted(set(text) - set(index))
    if missing:
        raise ValueError(f"text holds characters outside the vocabulary: {missing[:10]}")
    return np.fromiter((index[ch] for ch in text), dtype=np.int64, count=len(text))


def decode(ids, chars: str) -> str:
    """The text of a sequence of character ids."""
    return "".join(chars[int(i)] for i in ids)


# =========================================================================== a character RNN
class CharRNN:
    """A character-level language model: one-hot characters -> tanh RNN -> scores.

    chars: the vocabulary (V characters); hidden_size: H. Parameters: ``Wx`` (V, H) (row k
    is what the one-hot vector of character k adds), ``Wh`` (H, H), ``b`` (H,), ``W_out``
    (H, V), ``b_out`` (V,). ``loss(X, y)`` with X, y: (N, T) character ids (y is X shifted
    by one) runs the RNN from h_0 = 0 over the T steps, returns the mean loss in nats per
    character and the gradients (clipped to a global norm of ``clip_norm`` when given), so
    ``helpers.numpy_nn.solver.Solver`` can train it. ``init_state()`` and ``step(char_id,
    state) -> (scores (V,), state)`` are what the text sampler needs.
    """

    def __init__(self, chars: str, hidden_size: int = 128, seed: int = 0,
                 clip_norm: float | None = 5.0, dtype=np.float64):
        if not isinstance(chars, str) or not chars:
            raise ValueError("chars must be a non-empty string (the vocabulary)")
        if isinstance(hidden_size, bool) or not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError(f"hidden_size must be a positive integer, got {hidden_size!r}")
        if clip_norm is not None:
            _check_threshold("clip_norm", clip_norm)
        self.chars, self.clip_norm = chars, clip_norm
        v, hd = len(chars), hidden_size
        rng = np.random.default_rng(seed)
        self.params = {
            "Wx": rng.standard_normal((v, hd)) * np.sqrt(1.0 / v) * 3,
            "Wh": np.linalg.qr(rng.standard_normal((hd, hd)))[0] * 0.9,
            "b": np.zeros(hd),
            "W_out": rng.standard_normal((hd, v)) * np.sqrt(1.0 / hd),
            "b_out": np.zeros(v),
        }
        self.params = {k: p.astype(dtype) for k, p in self.params.items()}
        self.last_grad_norm = float("nan")

    def _one_hot(self, X):
        out = np.zeros(X.shape + (len(self.chars),), dtype=self.params["Wx"].dtype)
        np.put_along_axis(out, X[..., None], 1.0, axis=-1)
        return out

    def _check_ids(self, name, X):
        check_array(name, X, floating=False)
        if X.ndim != 2 or not np.issubdtype(X.dtype, np.integer):
            raise ValueError(f"{name} must be an (N, T) array of character ids, got shape "
                             f"{X.shape} dtype {X.dtype}")
        if X.size and (X.min() < 0 or X.max() >= len(self.chars)):
            raise ValueError(f"{name} must hold ids in [0, V) with V={len(self.chars)}")

    def scores(self, X, h0=None):
        """Scores (N, T, V) for ids X: (N, T), and the caches for ``loss``."""
        self._check_ids("X", X)
        p = self.params
        if h0 is None:
            h0 = np.zeros((X.shape[0], p["Wh"].shape[0]), dtype=p["Wh"].dtype)
        h, rnn_cache = rnn_forward(self._one_hot(X), h0, p["Wx"], p["Wh"], p["b"])
        s, aff_cache = temporal_affine_forward(h, p["W_out"], p["b_out"])
        return s, (rnn_cache, aff_cache)

    def loss(self, X, y):
        """Mean cross-entropy in nats per character and the gradients (a dict like params)."""
        self._check_ids("X", X)
        self._check_ids("y", y)
        if y.shape != X.shape:
            raise ValueError(f"y must have the shape of X {X.shape}, got {y.shape}")
        s, (rnn_cache, aff_cache) = self.scores(X)
        loss, ds = temporal_softmax_loss(s, y)
        dh, dW_out, db_out = temporal_affine_backward(ds, aff_cache)
        _dx, _dh0, dWx, dWh, db = rnn_backward(dh, rnn_cache)
        grads = {"Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out, "b_out": db_out}
        if self.clip_norm is not None:
            grads, self.last_grad_norm = clip_grad_norm(grads, self.clip_norm)
        return loss, grads

    def predict(self, X):
        """The most likely next character at every step: (N, T) ids."""
        return self.scores(X)[0].argmax(axis=-1)

    def init_state(self):
        return np.zeros((1, self.params["Wh"].shape[0]), dtype=self.params["Wh"].dtype)

    def step(self, char_id: int, state):
        """Feed one character; returns (scores: (V,), the next state)."""
        p = self.params
        h = np.tanh(p["Wx"][int(char_id)] + state @ p["Wh"] + p["b"])
        return (h @ p["W_out"] + p["b_out"])[0], h


# =========================================================================== exercise references
# The notebooks' checks compute expected values (and the values of named mistakes) here, so
# that a test cell does not show the answer's formula.
def _reference_rnn_step(x, prev_h, Wx, Wh, b, mistake=None):
    a = x @ Wx + b + (0 if mistake == "no_recurrence" else prev_h @ (Wh.T if mistake == "transposed_Wh" else Wh))
    if mistake in ("no_bias", "bias_outside"):
        a = a - b
    if mistake == "no_tanh":
        return a
    if mistake == "relu":
        return np.maximum(a, 0.0)
    if mistake == "bias_outside":
        return np.tanh(a) + b
    return _sigmoid(a) if mistake == "sigmoid" else np.tanh(a)


def _reference_rnn_step_backward(dnext_h, x, prev_h, Wx, Wh, b, mistake=None):
    a = x @ Wx + prev_h @ Wh + b
    h = np.tanh(a)
    local = {"preactivation": 1 - a * a, "no_square": 1 - h, "none": 1.0,
             "tanh_twice": 1 - np.tanh(h) ** 2, "prev_h_derivative": 1 - prev_h * prev_h}.get(mistake, 1 - h * h)
    da = dnext_h * local
    if mistake == "dWh_transposed":
        return da @ Wx.T, da @ Wh.T, x.T @ da, da.T @ prev_h, da.sum(axis=0)
    if mistake == "dx_untransposed":  # only computable when Wx is square
        return da @ Wx, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)
    if mistake == "db_mean":
        return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.mean(axis=0)
    if mistake == "untransposed":
        return da @ Wx.T, da @ Wh, x.T @ da, prev_h.T @ da, da.sum(axis=0)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def _reference_bptt_dh(dh, h, Wh, mistake=None):
    total = np.array(dh, dtype=float, copy=True)
    if mistake == "no_accumulation":
        return total
    for t in reversed(range(h.shape[1] - 1)):
        local = 1.0 if mistake == "no_tanh_derivative" else 1 - h[:, t + (
            0 if mistake == "wrong_step" else 1)] ** 2
        W = Wh if mistake == "untransposed" else Wh.T
        upstream = dh[:, t + 1] if mistake == "no_total" else total[:, t + 1]
        if mistake == "derivative_at_t":
            total[:, t] = dh[:, t] + (total[:, t + 1] @ Wh.T) * (1 - h[:, t] ** 2)
            continue
        total[:, t] = dh[:, t] + (upstream * local) @ W
    return total


def _reference_clip_by_global_norm(grads, max_norm, mistake=None):
    if mistake == "by_value":
        return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}
    if mistake == "per_tensor":
        return {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in grads.items()}
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    if mistake == "l1":
        norm = sum(float(np.sum(np.abs(g))) for g in grads.values())
    if mistake == "sum_of_norms":
        norm = sum(float(np.linalg.norm(g)) for g in grads.values())
    if mistake == "no_sqrt":
        norm = norm ** 2
    coef = max_norm / (norm + 1e-6)
    if mistake != "always_rescale":
        coef = min(1.0, coef)
    return {k: g * coef for k, g in grads.items()}


def _reference_lstm_step(x, prev_h, prev_c, Wx, Wh, b, mistake=None):
    hd = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    order = {"torch_order": (0, 1, 3, 2), "swap_i_f": (1, 0, 2, 3),
             "swap_f_o": (0, 2, 1, 3)}.get(mistake, (0, 1, 2, 3))
    blk = [a[:, k * hd:(k + 1) * hd] for k in order]
    i, f, o, g = _sigmoid(blk[0]), _sigmoid(blk[1]), _sigmoid(blk[2]), np.tanh(blk[3])
    if mistake == "all_sigmoid":
        g = _sigmoid(blk[3])
    if mistake == "one_minus_f":
        i = 1 - f
    if mistake == "no_input_gate":
        i = 1.0
    c = (prev_c if mistake == "no_forget" else f * prev_c) + i * g
    if mistake == "tanh_of_o_c":
        return np.tanh(o * c), c
    if mistake == "tanh_prev_c":
        return o * np.tanh(prev_c), c
    h = o * (c if mistake == "no_tanh_c" else np.tanh(c))
    return h, c
