"""A tiny scalar autograd engine in the style of micrograd (the finished version of notebook 03).

Every ``Value`` remembers the values it was computed from (``_prev``) and a ``_backward``
closure that adds its gradient into theirs by the chain rule. ``backward()`` visits the graph
in reverse topological order, so a node's gradient is complete before it is passed on.
A node used twice (``a * a``, or ``b`` in ``b + b * c``) receives both contributions: ``+=``.
"""

from __future__ import annotations

import math
import numbers

from numpy import bool_ as np_bool

_NUMBER = numbers.Real  # int, float and NumPy's scalars (np.float32(2.0), np.int64(3)); not bool


class Value:
    """A scalar with a gradient. ``data``: a Python number; ``grad``: d(output)/d(this)."""

    def __init__(self, data, _children=(), _op="", label=""):
        if isinstance(data, bool | np_bool) or not isinstance(data, _NUMBER):
            raise TypeError(f"data must be an int or float (or a NumPy scalar), got "
                            f"{type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        label = f"label={self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _wrap(other):
        if isinstance(other, Value):
            return other
        if isinstance(other, bool | np_bool) or not isinstance(other, _NUMBER):
            raise TypeError(f"cannot combine a Value with {type(other).__name__}")
        return Value(other)

    def __add__(self, other):
        other = Value._wrap(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # an add node routes its gradient unchanged to both inputs
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = Value._wrap(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # a multiply node swaps its inputs
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k):
        if isinstance(k, bool | np_bool) or not isinstance(k, _NUMBER):
            raise TypeError(f"only number exponents are supported, got {type(k).__name__}")
        out = Value(self.data**k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def _unary(self, value, local_grad, op):
        """A one-input node whose derivative is the number ``local_grad``."""
        out = Value(value, (self,), op)

        def _backward():
            self.grad += local_grad * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, 1.0 - t * t, "tanh")

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log needs a positive value, got {self.data}")
        return self._unary(math.log(self.data), 1.0 / self.data, "log")

    def relu(self):  # relu'(0) = 0, as in torch
        return self._unary(max(self.data, 0.0), float(self.data > 0), "relu")

    def sigmoid(self):
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return self._unary(s, s * (1.0 - s), "sigmoid")

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-Value._wrap(other))

    def __truediv__(self, other):
        return self * Value._wrap(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return Value._wrap(other) - self

    def __rtruediv__(self, other):
        return Value._wrap(other) / self

    def backward(self):
        """Add d(self)/d(node) into ``node.grad`` for every node of the graph (seed: 1.0)."""
        topo, seen = [], set()

        def build(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        # As in torch, leaves (inputs, parameters) accumulate over calls (zero_grad between
        # steps), while intermediate nodes start from 0 so a second call counts each path once.
        for v in topo:
            if v._prev:
                v.grad = 0.0
        self.grad += 1.0
        for v in reversed(topo):
            v._backward()


def zero_grad(values):
    """Set ``grad = 0`` on every Value in ``values`` (e.g. a model's parameters)."""
    for v in values:
        if not isinstance(v, Value):
            raise TypeError(f"values must hold Value objects, got {type(v).__name__}")
        v.grad = 0.0
