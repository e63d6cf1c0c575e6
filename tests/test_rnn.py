"""helpers.numpy_nn.rnn: gradient checks (float64), equality with torch.nn.RNN/GRU/LSTM (and
their cells) given the same weights, clipping equal to torch's, bad inputs, dtypes."""

import numpy as np
import pytest
import torch

from helpers.numpy_nn import rnn
from helpers.numpy_nn.gradcheck import check_layer_grad, grad_check, rel_error
from helpers.numpy_nn.rnn import _reorder_blocks

TOL = 1e-10


def R(seed=0):
    return np.random.default_rng(seed)


def arrays(seed, *shapes, scale=0.5):
    rng = R(seed)
    return [rng.standard_normal(s) * scale for s in shapes]


def t64(a, grad=True):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def assert_close(ours, ref, what=""):
    ref = ref.detach().numpy() if isinstance(ref, torch.Tensor) else ref
    assert ours.shape == ref.shape, (what, ours.shape, ref.shape)
    err = rel_error(ours, ref)
    assert err < TOL, f"{what}: rel error {err:.2e}"


def load(module, state):
    module.double()
    with torch.no_grad():
        for k, v in state.items():
            getattr(module, k).copy_(torch.tensor(v))
    return module


# --------------------------------------------------------------------------- gradient checks
N, T, D, H = 3, 4, 5, 6


def test_rnn_step_gradcheck():
    x, h, Wx, Wh, b = arrays(0, (N, D), (N, H), (D, H), (H, H), (H,))
    res = check_layer_grad(rnn.rnn_step_forward, rnn.rnn_step_backward,
                           {"x": x, "prev_h": h, "Wx": Wx, "Wh": Wh, "b": b}, verbose=False)
    assert all(r.passed for r in res.values()), {k: r.max_rel_error for k, r in res.items()}


def test_rnn_forward_gradcheck():
    x, h0, Wx, Wh, b = arrays(1, (N, T, D), (N, H), (D, H), (H, H), (H,))
    res = check_layer_grad(rnn.rnn_forward, rnn.rnn_backward,
                           {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}, verbose=False)
    assert all(r.passed for r in res.values()), {k: r.max_rel_error for k, r in res.items()}


def test_gru_step_gradcheck():
    x, h, Wx, Wh, bx, bh = arrays(2, (N, D), (N, H), (D, 3 * H), (H, 3 * H), (3 * H,), (3 * H,))
    res = check_layer_grad(rnn.gru_step_forward, rnn.gru_step_backward,
                           {"x": x, "prev_h": h, "Wx": Wx, "Wh": Wh, "bx": bx, "bh": bh},
                           verbose=False)
    assert all(r.passed for r in res.values()), {k: r.max_rel_error for k, r in res.items()}


def test_gru_forward_gradcheck():
    x, h0, Wx, Wh, bx, bh = arrays(3, (N, T, D), (N, H), (D, 3 * H), (H, 3 * H), (3 * H,),
                                   (3 * H,))
    res = check_layer_grad(rnn.gru_forward, rnn.gru_backward,
                           {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "bx": bx, "bh": bh},
                           verbose=False)
    assert all(r.passed for r in res.values()), {k: r.max_rel_error for k, r in res.items()}


def test_lstm_step_gradcheck():
    x, h, c, Wx, Wh, b = arrays(4, (N, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,))
    dh, dc = arrays(5, (N, H), (N, H), scale=1.0)
    inputs = {"x": x, "prev_h": h, "prev_c": c, "Wx": Wx, "Wh": Wh, "b": b}
    nh, nc, cache = rnn.lstm_step_forward(*inputs.values())
    grads = rnn.lstm_step_backward(dh, dc, cache)

    def f():
        a, b_, _ = rnn.lstm_step_forward(*inputs.values())
        return float(np.sum(a * dh) + np.sum(b_ * dc))

    res = grad_check(f, inputs, dict(zip(inputs, grads, strict=True)), verbose=False)
    assert all(r.passed for r in res.values()), {k: r.max_rel_error for k, r in res.items()}


def test_lstm_forward_gradcheck():
    x, h0, Wx, Wh, b = arrays(6, (N, T, D), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,))
    res = check_layer_grad(rnn.lstm_forward, rnn.lstm_backward,
                           {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}, verbose=False)
    assert all(r.passed for r in res.values()), {k: r.max_rel_error for k, r in res.items()}


def test_temporal_affine_gradcheck():
    x, w, b = arrays(7, (N, T, D), (D, 7), (7,))
    res = check_layer_grad(rnn.temporal_affine_forward, rnn.temporal_affine_backward,
                           {"x": x, "w": w, "b": b}, verbose=False)
    assert all(r.passed for r in res.values())


def test_temporal_softmax_loss_gradcheck():
    (x,) = arrays(8, (N, T, 7), scale=2.0)
    y = R(9).integers(0, 7, (N, T))
    mask = R(10).random((N, T)) > 0.3
    mask[0, 0] = True
    _, dx = rnn.temporal_softmax_loss(x, y, mask)
    res = grad_check(lambda: rnn.temporal_softmax_loss(x, y, mask)[0], {"x": x}, {"x": dx},
                     verbose=False)
    assert res["x"].passed


def test_char_rnn_gradcheck_and_solver_step():
    from helpers.numpy_nn.solver import Solver

    chars = "abcde"
    model = rnn.CharRNN(chars, hidden_size=4, seed=0, clip_norm=None)
    X = R(0).integers(0, 5, (2, 6))
    y = R(1).integers(0, 5, (2, 6))
    _, grads = model.loss(X, y)
    res = grad_check(lambda: model.loss(X, y)[0], model.params, grads, verbose=False)
    assert all(r.passed for r in res.values())
    solver = Solver(rnn.CharRNN(chars, 8), {"X_train": X, "y_train": y}, update_rule="adam",
                    optim_config={"lr": 1e-2}, batch_size=2, epochs=30, progress=False)
    solver.train()
    assert solver.history["loss"][-1] < 0.5 * solver.history["loss"][0]
    scores, state = model.step(2, model.init_state())
    assert scores.shape == (5,) and state.shape == (1, 4)
    # step() agrees with scores() on the first character
    assert_close(scores, model.scores(np.array([[2]]))[0][0, 0], "step vs scores")


# --------------------------------------------------------------------------- equal to PyTorch
def _torch_seq(module, x, h0, dh, c0=None):
    xt, h0t = t64(x), t64(h0[None])
    if c0 is None:
        out, _ = module(xt, h0t)
    else:
        out, _ = module(xt, (h0t, t64(c0[None], grad=False)))
    out.backward(torch.tensor(dh))
    return out, xt.grad, h0t.grad[0]


@pytest.mark.parametrize("seed", [0, 1])
def test_rnn_equals_torch(seed):
    n, t, d, hd = 4, 7, 3, 5
    x, h0, Wx, Wh, b, dh = arrays(seed, (n, t, d), (n, hd), (d, hd), (hd, hd), (hd,), (n, t, hd))
    h, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
    dx, dh0, dWx, dWh, db = rnn.rnn_backward(dh, cache)
    m = load(torch.nn.RNN(d, hd, batch_first=True), rnn.rnn_to_torch(Wx, Wh, b))
    out, gx, gh0 = _torch_seq(m, x, h0, dh)
    assert_close(h, out, "h")
    assert_close(dx, gx, "dx")
    assert_close(dh0, gh0, "dh0")
    assert_close(dWx, m.weight_ih_l0.grad.numpy().T, "dWx")
    assert_close(dWh, m.weight_hh_l0.grad.numpy().T, "dWh")
    assert_close(db, m.bias_ih_l0.grad.numpy(), "db")


def test_rnn_step_equals_torch_cell():
    x, h, Wx, Wh, b, dn = arrays(3, (N, D), (N, H), (D, H), (H, H), (H,), (N, H))
    nh, cache = rnn.rnn_step_forward(x, h, Wx, Wh, b)
    grads = rnn.rnn_step_backward(dn, cache)
    cell = torch.nn.RNNCell(D, H).double()
    st = rnn.rnn_to_torch(Wx, Wh, b)
    load(cell, {k.replace("_l0", ""): v for k, v in st.items()})
    xt, ht = t64(x), t64(h)
    out = cell(xt, ht)
    out.backward(torch.tensor(dn))
    assert_close(nh, out, "next_h")
    for ours, ref, what in zip(grads, (xt.grad, ht.grad, cell.weight_ih.grad.T,
                                       cell.weight_hh.grad.T, cell.bias_ih.grad),
                               ("dx", "dprev_h", "dWx", "dWh", "db"), strict=True):
        assert_close(ours, ref, what)


@pytest.mark.parametrize("seed", [0, 1])
def test_gru_equals_torch(seed):
    n, t, d, hd = 4, 7, 3, 5
    x, h0, Wx, Wh, bx, bh, dh = arrays(seed, (n, t, d), (n, hd), (d, 3 * hd), (hd, 3 * hd),
                                       (3 * hd,), (3 * hd,), (n, t, hd))
    h, cache = rnn.gru_forward(x, h0, Wx, Wh, bx, bh)
    dx, dh0, dWx, dWh, dbx, dbh = rnn.gru_backward(dh, cache)
    m = load(torch.nn.GRU(d, hd, batch_first=True), rnn.gru_to_torch(Wx, Wh, bx, bh))
    out, gx, gh0 = _torch_seq(m, x, h0, dh)
    assert_close(h, out, "h")
    assert_close(dx, gx, "dx")
    assert_close(dh0, gh0, "dh0")
    assert_close(dWx, m.weight_ih_l0.grad.numpy().T, "dWx")
    assert_close(dWh, m.weight_hh_l0.grad.numpy().T, "dWh")
    assert_close(dbx, m.bias_ih_l0.grad.numpy(), "dbx")
    assert_close(dbh, m.bias_hh_l0.grad.numpy(), "dbh")


def test_gru_step_equals_torch_cell():
    x, h, Wx, Wh, bx, bh, dn = arrays(4, (N, D), (N, H), (D, 3 * H), (H, 3 * H), (3 * H,),
                                      (3 * H,), (N, H))
    nh, cache = rnn.gru_step_forward(x, h, Wx, Wh, bx, bh)
    grads = rnn.gru_step_backward(dn, cache)
    cell = torch.nn.GRUCell(D, H).double()
    load(cell, {k.replace("_l0", ""): v for k, v in rnn.gru_to_torch(Wx, Wh, bx, bh).items()})
    xt, ht = t64(x), t64(h)
    out = cell(xt, ht)
    out.backward(torch.tensor(dn))
    assert_close(nh, out, "next_h")
    refs = (xt.grad, ht.grad, cell.weight_ih.grad.T, cell.weight_hh.grad.T, cell.bias_ih.grad,
            cell.bias_hh.grad)
    for ours, ref, what in zip(grads, refs, ("dx", "dprev_h", "dWx", "dWh", "dbx", "dbh"),
                               strict=True):
        assert_close(ours, ref, what)


@pytest.mark.parametrize("seed", [0, 1])
def test_lstm_equals_torch(seed):
    n, t, d, hd = 4, 7, 3, 5
    x, h0, Wx, Wh, b, dh = arrays(seed, (n, t, d), (n, hd), (d, 4 * hd), (hd, 4 * hd),
                                  (4 * hd,), (n, t, hd))
    h, cache = rnn.lstm_forward(x, h0, Wx, Wh, b)
    dx, dh0, dWx, dWh, db = rnn.lstm_backward(dh, cache)
    m = load(torch.nn.LSTM(d, hd, batch_first=True), rnn.lstm_to_torch(Wx, Wh, b))
    out, gx, gh0 = _torch_seq(m, x, h0, dh, c0=np.zeros((n, hd)))
    assert_close(h, out, "h")
    assert_close(dx, gx, "dx")
    assert_close(dh0, gh0, "dh0")
    # torch's gradients are in its [i, f, g, o] layout: reorder (the permutation is its own
    # inverse) and transpose back into ours
    assert_close(dWx, _reorder_blocks(m.weight_ih_l0.grad.numpy().T, hd), "dWx")
    assert_close(dWh, _reorder_blocks(m.weight_hh_l0.grad.numpy().T, hd), "dWh")
    assert_close(db, _reorder_blocks(m.bias_ih_l0.grad.numpy(), hd), "db")


def test_lstm_step_equals_torch_cell():
    x, h, c, Wx, Wh, b, dn, dc = arrays(5, (N, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H),
                                        (4 * H,), (N, H), (N, H))
    nh, nc, cache = rnn.lstm_step_forward(x, h, c, Wx, Wh, b)
    grads = rnn.lstm_step_backward(dn, dc, cache)
    cell = torch.nn.LSTMCell(D, H).double()
    load(cell, {k.replace("_l0", ""): v for k, v in rnn.lstm_to_torch(Wx, Wh, b).items()})
    xt, ht, ct = t64(x), t64(h), t64(c)
    oh, oc = cell(xt, (ht, ct))
    (oh * torch.tensor(dn) + oc * torch.tensor(dc)).sum().backward()
    assert_close(nh, oh, "next_h")
    assert_close(nc, oc, "next_c")
    refs = (xt.grad, ht.grad, ct.grad, _reorder_blocks(cell.weight_ih.grad.numpy().T, H),
            _reorder_blocks(cell.weight_hh.grad.numpy().T, H),
            _reorder_blocks(cell.bias_ih.grad.numpy(), H))
    for ours, ref, what in zip(grads, refs, ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"),
                               strict=True):
        assert_close(ours, ref, what)


def test_temporal_affine_and_loss_equal_torch():
    x, w, b = arrays(11, (N, T, D), (D, 7), (7,))
    y = R(12).integers(0, 7, (N, T))
    mask = R(13).random((N, T)) > 0.4
    mask[0, 0] = True
    s, cache = rnn.temporal_affine_forward(x, w, b)
    loss, ds = rnn.temporal_softmax_loss(s, y, mask)
    dx, dw, db = rnn.temporal_affine_backward(ds, cache)
    xt, wt, bt = t64(x), t64(w), t64(b)
    st = xt @ wt + bt
    m = torch.tensor(mask)
    lt = torch.nn.functional.cross_entropy(st[m], torch.tensor(y)[m])
    lt.backward()
    assert abs(loss - lt.item()) < 1e-12 * abs(loss)
    assert_close(s, st, "scores")
    assert_close(dx, xt.grad, "dx")
    assert_close(dw, wt.grad, "dw")
    assert_close(db, bt.grad, "db")
    # no mask = every step counts
    assert rnn.temporal_softmax_loss(s, y)[0] == pytest.approx(
        torch.nn.functional.cross_entropy(st.detach().reshape(-1, 7),
                                          torch.tensor(y).reshape(-1)).item(), rel=1e-12)


# --------------------------------------------------------------------------- clipping
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e6])
def test_clip_grad_norm_equals_torch(max_norm):
    grads = dict(zip("abc", arrays(14, (3, 4), (5,), (2, 2, 2), scale=1.0), strict=True))
    clipped, norm = rnn.clip_grad_norm(grads, max_norm)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads.values()]
    for p, g in zip(params, grads.values(), strict=True):
        p.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    assert norm == pytest.approx(total.item(), rel=1e-14)
    for (k, c), p in zip(clipped.items(), params, strict=True):
        assert_close(c, p.grad, k)
    # a new dict: the input is untouched
    assert not np.shares_memory(clipped["a"], grads["a"])
    if max_norm < norm:
        total_after = np.sqrt(sum(np.sum(c ** 2) for c in clipped.values()))
        assert total_after == pytest.approx(max_norm, rel=1e-5)


def test_clip_grad_value_equals_torch():
    grads = dict(zip("ab", arrays(15, (3, 4), (5,), scale=2.0), strict=True))
    clipped = rnn.clip_grad_value(grads, 0.7)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads.values()]
    for p, g in zip(params, grads.values(), strict=True):
        p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(params, 0.7)
    for (k, c), p in zip(clipped.items(), params, strict=True):
        np.testing.assert_array_equal(c, p.grad.numpy(), err_msg=k)


# --------------------------------------------------------------------------- dtypes
def test_float32_stays_float32():
    f = np.float32
    x, h, c, Wx, Wh, b = (a.astype(f) for a in arrays(16, (N, T, D), (N, H), (N, H), (D, H),
                                                      (H, H), (H,)))
    out, cache = rnn.rnn_forward(x, h, Wx, Wh, b)
    assert out.dtype == f and all(g.dtype == f for g in rnn.rnn_backward(out, cache))
    nh, cache = rnn.rnn_step_forward(x[:, 0], h, Wx, Wh, b)
    assert nh.dtype == f and all(g.dtype == f for g in rnn.rnn_step_backward(nh, cache))
    W4x, W4h, b4 = (a.astype(f) for a in arrays(17, (D, 4 * H), (H, 4 * H), (4 * H,)))
    out, cache = rnn.lstm_forward(x, h, W4x, W4h, b4)
    assert out.dtype == f and all(g.dtype == f for g in rnn.lstm_backward(out, cache))
    nh, nc, cache = rnn.lstm_step_forward(x[:, 0], h, c, W4x, W4h, b4)
    assert nh.dtype == nc.dtype == f
    assert all(g.dtype == f for g in rnn.lstm_step_backward(nh, nc, cache))
    W3x, W3h, b3, c3 = (a.astype(f) for a in arrays(18, (D, 3 * H), (H, 3 * H), (3 * H,),
                                                     (3 * H,)))
    out, cache = rnn.gru_forward(x, h, W3x, W3h, b3, c3)
    assert out.dtype == f and all(g.dtype == f for g in rnn.gru_backward(out, cache))
    nh, cache = rnn.gru_step_forward(x[:, 0], h, W3x, W3h, b3, c3)
    assert nh.dtype == f and all(g.dtype == f for g in rnn.gru_step_backward(nh, cache))
    s, cache = rnn.temporal_affine_forward(x, Wx, b)
    assert s.dtype == f and all(g.dtype == f for g in rnn.temporal_affine_backward(s, cache))
    y = np.zeros((N, T), dtype=np.int64)
    _, ds = rnn.temporal_softmax_loss(s, y)
    assert ds.dtype == f
    clipped, _ = rnn.clip_grad_norm({"a": s}, 0.1)
    assert clipped["a"].dtype == f
    assert rnn.clip_grad_value({"a": s}, 0.1)["a"].dtype == f
    assert rnn.CharRNN("ab", 3, dtype=np.float32).loss(y[:, :2] % 2, y[:, :2] % 2)[1][
        "Wh"].dtype == f


# --------------------------------------------------------------------------- bad inputs
def _ok():
    x, h, c, Wx, Wh, b = arrays(19, (N, D), (N, H), (N, H), (D, H), (H, H), (H,))
    return x, h, c, Wx, Wh, b


def test_rnn_step_bad_inputs():
    x, h, _, Wx, Wh, b = _ok()
    with pytest.raises(ValueError, match=r"Wx must have shape \(D, H\).*transposed"):
        rnn.rnn_step_forward(x, h, Wx.T, Wh, b)
    with pytest.raises(ValueError, match=r"prev_h must have shape \(N, H\)"):
        rnn.rnn_step_forward(x, h[:2], Wx, Wh, b)
    with pytest.raises(TypeError, match="x must be a NumPy array"):
        rnn.rnn_step_forward(x.tolist(), h, Wx, Wh, b)
    _, cache = rnn.rnn_step_forward(x, h, Wx, Wh, b)
    with pytest.raises(ValueError, match="dnext_h must have"):
        rnn.rnn_step_backward(np.zeros((N, H + 1)), cache)


def test_rnn_forward_bad_inputs():
    x, h, _, Wx, Wh, b = _ok()
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, D\)"):
        rnn.rnn_forward(x, h, Wx, Wh, b)
    with pytest.raises(ValueError, match="T >= 1"):
        rnn.rnn_forward(np.zeros((N, 0, D)), h, Wx, Wh, b)
    with pytest.raises(ValueError, match=r"h0 must have shape \(N, H\)"):
        rnn.rnn_forward(np.zeros((N + 1, 2, D)), h, Wx, Wh, b)
    _, cache = rnn.rnn_forward(np.zeros((N, 2, D)), h, Wx, Wh, b)
    with pytest.raises(ValueError, match=r"dh must have shape \(N, T, H\)"):
        rnn.rnn_backward(np.zeros((N, 3, H)), cache)


def test_gru_bad_inputs():
    x, h, _, _, _, _ = _ok()
    Wx, Wh, bx, bh = arrays(20, (D, 3 * H), (H, 3 * H), (3 * H,), (3 * H,))
    with pytest.raises(ValueError, match=r"Wx must have shape \(D, 3H\) with 3H=18"):
        rnn.gru_step_forward(x, h, Wx[:, :-1], Wh, bx, bh)
    with pytest.raises(ValueError, match=r"bh must have shape \(3H,\)"):
        rnn.gru_step_forward(x, h, Wx, Wh, bx, bh[:H])
    _, cache = rnn.gru_step_forward(x, h, Wx, Wh, bx, bh)
    with pytest.raises(ValueError, match="dnext_h must have"):
        rnn.gru_step_backward(np.zeros((H, N)), cache)
    with pytest.raises(ValueError, match=r"Wh must have shape \(H, 3H\)"):
        rnn.gru_forward(x[:, None], h, Wx, Wh[:, :H], bx, bh)
    _, cache = rnn.gru_forward(x[:, None], h, Wx, Wh, bx, bh)
    with pytest.raises(ValueError, match="dh must have"):
        rnn.gru_backward(np.zeros((N, 2, H)), cache)


def test_lstm_bad_inputs():
    x, h, c, _, _, _ = _ok()
    Wx, Wh, b = arrays(21, (D, 4 * H), (H, 4 * H), (4 * H,))
    with pytest.raises(ValueError, match=r"b must have shape \(4H,\) with 4H=24"):
        rnn.lstm_step_forward(x, h, c, Wx, Wh, b[:H])
    with pytest.raises(ValueError, match=r"prev_c must have shape \(N, H\)"):
        rnn.lstm_step_forward(x, h, c[:, :2], Wx, Wh, b)
    with pytest.raises(ValueError, match=r"Wh must have shape \(H, 4H\)"):
        rnn.lstm_step_forward(x, h, c, Wx, Wh.T, b)
    _, _, cache = rnn.lstm_step_forward(x, h, c, Wx, Wh, b)
    with pytest.raises(ValueError, match="dnext_c must have"):
        rnn.lstm_step_backward(np.zeros((N, H)), np.zeros((N, 1)), cache)
    with pytest.raises(ValueError, match=r"Wx must have shape \(D, 4H\)"):
        rnn.lstm_forward(x[:, None], h, Wx[:, :H], Wh, b)
    _, cache = rnn.lstm_forward(x[:, None], h, Wx, Wh, b)
    with pytest.raises(ValueError, match="dh must have"):
        rnn.lstm_backward(np.zeros((N, H)), cache)


def test_to_torch_bad_inputs():
    _, _, _, Wx, Wh, b = _ok()
    with pytest.raises(ValueError, match=r"Wx must have shape \(D, H\)"):
        rnn.rnn_to_torch(Wx[:, :2], Wh, b)
    with pytest.raises(ValueError, match=r"Wx must have shape \(D, 4H\)"):
        rnn.lstm_to_torch(Wx, Wh, b)
    with pytest.raises(ValueError, match=r"bx must have shape \(3H,\)"):
        rnn.gru_to_torch(np.zeros((D, 3 * H)), np.zeros((H, 3 * H)), b, np.zeros(3 * H))


def test_temporal_bad_inputs():
    x, w, b = arrays(22, (N, T, D), (D, 7), (7,))
    with pytest.raises(ValueError, match=r"w must have shape \(D, M\).*transposed"):
        rnn.temporal_affine_forward(x, w.T, b)
    _, cache = rnn.temporal_affine_forward(x, w, b)
    with pytest.raises(ValueError, match=r"dout must have shape \(N, T, M\)"):
        rnn.temporal_affine_backward(np.zeros((N, T, 6)), cache)
    s = np.zeros((N, T, 7))
    y = np.zeros((N, T), dtype=np.int64)
    with pytest.raises(ValueError, match=r"y must have shape \(N, T\)"):
        rnn.temporal_softmax_loss(s, y.T)
    with pytest.raises(ValueError, match=r"class indices in \[0, C\)"):
        rnn.temporal_softmax_loss(s, y + 7)
    with pytest.raises(TypeError, match="mask must be a boolean array"):
        rnn.temporal_softmax_loss(s, y, np.ones((N, T)))
    with pytest.raises(ValueError, match="no True entry"):
        rnn.temporal_softmax_loss(s, y, np.zeros((N, T), dtype=bool))
    with pytest.raises(TypeError, match="y must hold integer"):
        rnn.temporal_softmax_loss(s, y.astype(float))


def test_clip_bad_inputs():
    with pytest.raises(TypeError, match="grads must be a non-empty dict"):
        rnn.clip_grad_norm([np.zeros(2)], 1.0)
    with pytest.raises(TypeError, match="grads must be a non-empty dict"):
        rnn.clip_grad_norm({}, 1.0)
    with pytest.raises(ValueError, match="max_norm must be a positive"):
        rnn.clip_grad_norm({"a": np.zeros(2)}, 0.0)
    with pytest.raises(ValueError, match="clip_value must be a positive"):
        rnn.clip_grad_value({"a": np.zeros(2)}, -1)
    with pytest.raises(TypeError, match=r"grads\['a'\] must be a NumPy array"):
        rnn.clip_grad_value({"a": [1.0]}, 1.0)


def test_vocab_and_char_rnn_bad_inputs():
    chars = rnn.build_vocab("hello")
    assert chars == "ehlo"
    ids = rnn.encode("hole", chars)
    assert ids.dtype == np.int64 and rnn.decode(ids, chars) == "hole"
    with pytest.raises(ValueError, match="outside the vocabulary"):
        rnn.encode("hex", chars)
    with pytest.raises(ValueError, match="non-empty"):
        rnn.build_vocab("")
    with pytest.raises(ValueError, match="hidden_size must be a positive"):
        rnn.CharRNN(chars, 0)
    model = rnn.CharRNN(chars, 3)
    with pytest.raises(ValueError, match=r"X must be an \(N, T\) array of character ids"):
        model.loss(np.zeros(3, np.int64), np.zeros(3, np.int64))
    with pytest.raises(ValueError, match=r"ids in \[0, V\)"):
        model.loss(np.full((1, 2), 9), np.zeros((1, 2), np.int64))


def test_lstm_from_torch_inverts_lstm_to_torch():
    Wx, Wh, b = arrays(23, (D, 4 * H), (H, 4 * H), (4 * H,))
    st = rnn.lstm_to_torch(Wx, Wh, b)
    st["bias_hh_l0"] = st["bias_hh_l0"] + 0.25
    Wx2, Wh2, b2 = rnn.lstm_from_torch(*st.values())
    np.testing.assert_array_equal(Wx2, Wx)
    np.testing.assert_array_equal(Wh2, Wh)
    np.testing.assert_allclose(b2, b + 0.25, rtol=1e-15)
    with pytest.raises(ValueError, match=r"bias_ih must have shape \(4H,\)"):
        rnn.lstm_from_torch(st["weight_ih_l0"], st["weight_hh_l0"], b[:H], b)


def test_exercise_references_match_the_library():
    x, h, c, Wx, Wh, b = _ok()
    np.testing.assert_allclose(rnn._reference_rnn_step(x, h, Wx, Wh, b),
                               rnn.rnn_step_forward(x, h, Wx, Wh, b)[0])
    nh, cache = rnn.rnn_step_forward(x, h, Wx, Wh, b)
    for ours, ref in zip(rnn._reference_rnn_step_backward(nh, x, h, Wx, Wh, b),
                         rnn.rnn_step_backward(nh, cache), strict=True):
        np.testing.assert_allclose(ours, ref)
    W4x, W4h, b4 = arrays(24, (D, 4 * H), (H, 4 * H), (4 * H,))
    ref = rnn.lstm_step_forward(x, h, c, W4x, W4h, b4)
    for ours, r in zip(rnn._reference_lstm_step(x, h, c, W4x, W4h, b4), ref[:2], strict=True):
        np.testing.assert_allclose(ours, r)
    grads = {"a": Wx, "b": b}
    for k, v in rnn._reference_clip_by_global_norm(grads, 0.5).items():
        np.testing.assert_allclose(v, rnn.clip_grad_norm(grads, 0.5)[0][k])
    # BPTT: the accumulated dh equals what rnn_backward propagates (its dh0 is one step on)
    xs, h0 = arrays(25, (N, T, D), (N, H))
    hs, cache = rnn.rnn_forward(xs, h0, Wx, Wh, b)
    (dh,) = arrays(26, (N, T, H))
    total = rnn._reference_bptt_dh(dh, hs, Wh)
    np.testing.assert_allclose(rnn.rnn_backward(dh, cache)[1],
                               (total[:, 0] * (1 - hs[:, 0] ** 2)) @ Wh.T)


def test_char_rnn_predict():
    model = rnn.CharRNN("abc", 4)
    X = np.array([[0, 1, 2]])
    assert model.predict(X).shape == (1, 3)
    np.testing.assert_array_equal(model.predict(X), model.scores(X)[0].argmax(-1))
