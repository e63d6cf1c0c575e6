"""The scalar autograd engine ``Value`` against torch.autograd in float64."""

import math

import pytest
import torch

from helpers.numpy_nn import Value, zero_grad


def close(a, b, tol=1e-12):
    assert abs(a - b) <= tol * max(1.0, abs(b)), (a, b)


def run_both(expr, inputs):
    """Evaluate ``expr`` on Values and on float64 tensors; compare output and input gradients."""
    vs = [Value(x) for x in inputs]
    out = expr(*vs)
    out.backward()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    t_out = expr(*ts)
    t_out.backward()
    close(out.data, t_out.item())
    for v, t in zip(vs, ts, strict=True):
        close(v.grad, t.grad.item())
    return vs


def micrograd_expression(a, b):
    # The test expression of micrograd's README: every operator, and nodes used many times.
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


def neuron(x1, x2, w1, w2, b):
    return (x1 * w1 + x2 * w2 + b).tanh()


def tiny_mlp_loss(x1, x2, w11, w12, w21, w22, b1, b2, v1, v2, c):
    # 2 -> 2 (tanh) -> 1 (sigmoid), binary cross-entropy for y = 1 and y = 0 written with
    # log, exp, rsub, rtruediv and a reused hidden node.
    h1 = (x1 * w11 + x2 * w21 + b1).tanh()
    h2 = (x1 * w12 + x2 * w22 + b2).tanh()
    z = h1 * v1 + h2 * v2 + c
    p = z.sigmoid()
    q = 1 / (1 + (-z).exp())  # the same sigmoid, by hand
    return -(p.log()) - (1 - q).log() + 0.5 * (h1**2) - h1 / 4


@pytest.mark.parametrize("a,b", [(-4.0, 2.0), (1.5, -0.5), (0.3, 0.7)])
def test_micrograd_expression(a, b):
    run_both(micrograd_expression, [a, b])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_neuron_and_tiny_mlp(seed):
    g = torch.Generator().manual_seed(seed)
    xs = torch.randn(11, generator=g, dtype=torch.float64).tolist()
    run_both(neuron, xs[:5])
    run_both(tiny_mlp_loss, xs)


def test_karpathy_neuron_values():
    vs = run_both(neuron, [2.0, 0.0, -3.0, 1.0, 6.8813735870195432])
    close(vs[0].grad, -1.5, tol=1e-6)  # the numbers of the micrograd lecture
    close(vs[2].grad, 1.0, tol=1e-6)


def test_unary_ops_and_kink():
    for x in (-2.0, 0.5, 3.0):
        run_both(lambda v: v.exp() + v.tanh() * v.sigmoid() + (v * v + 1).log(), [x])
        run_both(lambda v: 2.0 - v / 3.0 + v**-2 + 1.5**2 * v, [x])
    v = Value(0.0)
    v.relu().backward()
    assert v.grad == 0.0  # relu'(0) = 0, as in torch
    for x in (-800.0, 800.0):
        s = Value(x).sigmoid()
        assert math.isfinite(s.data)


def test_node_reuse_accumulates_gradient():
    a = Value(3.0)
    b = a * a + a  # a feeds three edges: d/da = 2a + 1
    b.backward()
    assert a.grad == 7.0


def test_backward_twice_accumulates_on_leaves_like_torch():
    a, b = Value(1.5), Value(-2.0)
    out = (a * b + a).tanh()
    out.backward()
    out.backward()
    ta = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)
    t_out = (ta * tb + ta).tanh()
    t_out.backward(retain_graph=True)
    t_out.backward()
    close(a.grad, ta.grad.item())
    close(b.grad, tb.grad.item())
    zero_grad([a, b])
    assert a.grad == 0.0 and b.grad == 0.0
    out.backward()
    close(2 * a.grad, ta.grad.item())


def test_graph_bookkeeping_and_repr():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    assert c._op == "*" and c._prev == {a, b}
    assert repr(a) == "Value(label='a', data=2, grad=0)"
    assert repr(c) == "Value(data=-6, grad=0)"
