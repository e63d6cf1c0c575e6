"""Check cases of notebooks 13-14's exercises that need tensors (private: used by test cells).

The cases live here rather than in the test cells so that the cells need not import torch
themselves (the grader fingerprints every module a test cell imports, and training in the
notebook legitimately replaces ``torch.manual_seed`` when PyTorch loads its compiler).
Every mistake a case names is listed next to it.
"""

from __future__ import annotations

import torch

from helpers.checks import Case, shape_is
from helpers.torch_nn.architectures import (
    InceptionBlock,
    _reference_bn_eval,
    _reference_residual_forward,
    count_flops,
)

# ----------------------------------------------------------------------------- 13, exercise 3

def bn_eval_cases(hidden: bool = False) -> list[Case]:
    g = torch.Generator().manual_seed(3)
    if hidden:
        bn = torch.nn.BatchNorm2d(6)
        bn.running_mean.uniform_(-1, 1, generator=g)
        bn.running_var.uniform_(0.5, 2, generator=g)
        with torch.no_grad():
            bn.weight.uniform_(0.5, 1.5, generator=g)
            bn.bias.uniform_(-1, 1, generator=g)
        bn.eval()
        x = torch.randn(3, 6, 4, 4, generator=g)
        with torch.no_grad():
            return [Case(args=(x, bn.running_mean.clone(), bn.running_var.clone(),
                               bn.weight.detach().clone(), bn.bias.detach().clone()),
                         expected=bn(x))]
    # W == C == 3 on purpose: a (C,) vector used without reshaping broadcasts along the width
    # without an error, so that mistake gets a named message instead of a silent wrong answer.
    # The inputs are small so that a failure message can print them whole.
    x = 2 + 3 * torch.randn(2, 3, 2, 3, generator=g)
    rm, rv = torch.tensor([1.0, 2.0, -1.0]), torch.tensor([4.0, 0.25, 9.0])
    ga, be = torch.tensor([1.0, 2.0, 0.5]), torch.tensor([0.0, -1.0, 3.0])
    v = (1, -1, 1, 1)
    eps = 1e-5
    batch_stats = ga.view(v) * (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(
        x.var((0, 2, 3), unbiased=False, keepdim=True) + eps) + be.view(v)
    batch_stats_unbiased = ga.view(v) * (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(
        x.var((0, 2, 3), keepdim=True) + eps) + be.view(v)
    no_view = ga * (x - rm) / torch.sqrt(rv + eps) + be          # (C,) lined up with W
    no_sqrt = ga.view(v) * (x - rm.view(v)) / (rv.view(v) + eps) + be.view(v)
    no_affine = (x - rm.view(v)) / torch.sqrt(rv.view(v) + eps)
    no_eps_affine = ga.view(v) * (x - rm.view(v)) / torch.sqrt(rv.view(v)) + be.view(v)
    beta_scaled = ga.view(v) * ((x - rm.view(v)) / torch.sqrt(rv.view(v) + eps) + be.view(v))
    hint = ("channel c uses its own running mean, variance, γ and β, applied to every pixel of "
            "that channel (axis 1 of x)")
    batch_msg = "evaluation mode uses the running statistics, not the batch's own mean and variance"
    zeros, ones = torch.zeros(3), torch.ones(3)
    # a channel with a tiny running variance: there eps decides the result
    rv_small = torch.tensor([1e-6, 1.0, 1e-4])
    no_eps = (x - rm.view(v)) / torch.sqrt(rv_small.view(v))
    eps_outside = (x - rm.view(v)) / (torch.sqrt(rv_small.view(v)) + eps)
    eps_msg = "add eps to the variance inside the square root: sqrt(var + eps)"
    return [
        Case(args=(x, rm, rv, ga, be), expected=_reference_bn_eval(x, rm, rv, ga, be),
             label="per-channel values (here W = C = 3)", hint=hint,
             mistakes=[(no_view, "a (C,) vector lines up with the LAST axis of x (the width W), not "
                                 "the channels: reshape it to (1, C, 1, 1) first"),
                       (batch_stats, batch_msg), (batch_stats_unbiased, batch_msg),
                       (no_sqrt, "divide by the standard deviation sqrt(var + eps), not by the variance"),
                       (no_affine, "apply the learned scale γ and shift β after normalising"),
                       (beta_scaled, "the shift β is added after scaling by γ, it is not scaled itself"),
                       (no_eps_affine, "add eps to the variance inside the square root: sqrt(var + eps)"),
                       (lambda got: tuple(torch.as_tensor(got).shape) != tuple(x.shape),
                        "return the shape of x: (N, C, H, W)")]),
        Case(args=(x, rm, rv_small, ones, zeros), expected=_reference_bn_eval(x, rm, rv_small, ones, zeros),
             label="tiny running variances (1e-6, 1, 1e-4): here eps matters", hint=hint,
             mistakes=[(no_eps, eps_msg), (eps_outside, eps_msg)]),
        Case(args=(x, zeros, ones, ones, zeros), kwargs={"eps": 1e-3},
             expected=_reference_bn_eval(x, zeros, ones, ones, zeros, eps=1e-3),
             label="mean 0, variance 1, γ = 1, β = 0, eps = 1e-3: almost the identity", hint=hint,
             mistakes=[(lambda got: torch.allclose(torch.as_tensor(got).mean((0, 2, 3)), zeros, atol=1e-4),
                        batch_msg),
                       (x / (1 + 1e-5) ** 0.5, "use the eps argument, not a fixed 1e-5")]),
    ]


# ----------------------------------------------------------------------------- 14, exercise 1

def _double(t):
    return 2 * t


def _minus_one(t):
    return t - 1.0


def _minus_two_x(t):
    return -2 * t


def _zero(t):
    return torch.zeros_like(t)


def residual_cases(hidden: bool = False) -> list[Case]:
    if hidden:
        g = torch.Generator().manual_seed(0)
        conv = torch.nn.Conv2d(3, 3, 3, padding=1)
        x = torch.randn(2, 3, 5, 5, generator=g)
        with torch.no_grad():
            return [Case(args=(x, conv), expected=_reference_residual_forward(x, conv))]
    x = torch.tensor([[-2.0, -0.5, 0.5, 2.0]])
    after = "the ReLU comes after adding x, not on F(x) alone"
    reduced = (lambda got: type(got).__module__.startswith("torch.return_types"),
               "torch.max(t, 0) with a number as second argument reduces along that dimension "
               "and returns (values, indices); the ReLU compares every entry with 0 on its own "
               "(an element-wise maximum)")
    return [
        Case(args=(x, _double), expected=_reference_residual_forward(x, _double), label="F(x) = 2x",
             mistakes=[reduced, (_double(x), "add the shortcut: the output is F(x) + x, not F(x)"),
                       (torch.relu(_double(x)), "add the shortcut x before the ReLU: ReLU(F(x) + x)"),
                       (torch.relu(2 * _double(x)), "the shortcut adds the input x itself, not F(x) again"),
                       (_double(x) + x, "apply the ReLU after the addition"),
                       (torch.relu(_double(x)) + x, after),
                       (_double(x) + torch.relu(x), "one ReLU, applied to the sum F(x) + x, not to x")]),
        Case(args=(x, _minus_one), expected=_reference_residual_forward(x, _minus_one),
             label="F(x) = x - 1", mistakes=[(torch.relu(_minus_one(x)) + x, after)]),
        Case(args=(x, _minus_two_x), expected=_reference_residual_forward(x, _minus_two_x),
             label="F(x) = -2x",
             mistakes=[(torch.relu(_minus_two_x(torch.relu(x)) + x),
                        "the branch reads the block's input x itself, not ReLU(x)")]),
        Case(args=(x.abs(), _zero), expected=x.abs(),
             label="F = 0 gives the identity on x >= 0"),
    ]


# ----------------------------------------------------------------------------- 14, exercise 2

def _same(t):
    return t


def _two_channels(t):
    return torch.cat([10 * t, -t], dim=1)


def inception_cases(hidden: bool = False) -> list[Case]:
    if hidden:
        block = InceptionBlock(4, 2, 3, 5, 1, 2, 3).eval()
        x = torch.randn(3, 4, 6, 6, generator=torch.Generator().manual_seed(1))
        fns = [lambda t, b=b: b(t) for b in (block.branch1, block.branch3, block.branch5,
                                              block.branch_pool)]
        with torch.no_grad():
            return [Case(args=(x, fns), expected=block(x))]
    x = torch.arange(2 * 1 * 2 * 2, dtype=torch.float32).reshape(2, 1, 2, 2)
    hint = ("join the outputs along the channel axis (dim=1): it is the only axis on which their "
            "sizes may differ")
    return [
        Case(args=(x, [_same, _same, _same]), expected=torch.cat([x, x, x], dim=1),
             label="three equal branches", hint=hint,
             mistakes=[(shape_is(6, 1, 2, 2), "axis 0 is the batch: concatenate along the channel axis (dim=1)"),
                       (shape_is(2, 1, 2, 6), "concatenate along the channel axis (dim=1), not the width"),
                       (shape_is(2, 1, 6, 2), "concatenate along the channel axis (dim=1), not the height"),
                       (shape_is(2, 3, 1, 2, 2), "concatenate (torch.cat), don't stack: the channels add up"),
                       (3 * x, "the branch outputs are concatenated, not added"),
                       (x, "the branches run in parallel: each one reads the same input x, not the "
                           "previous branch's output"),
                       (shape_is(2, 4, 2, 2), "join the branch outputs only; the input x is not one of them"),
                       (lambda got: isinstance(got, list | tuple),
                        "return one tensor: join the list of branch outputs with torch.cat")]),
        Case(args=(x, [_same, _two_channels]), expected=torch.cat([x, _two_channels(x)], dim=1),
             label="two branches, 1 + 2 channels", hint=hint,
             mistakes=[(torch.cat([_two_channels(x), x], dim=1), "keep the branches in the order given")]),
    ]


# ----------------------------------------------------------------------------- 14, exercise 3

def library_conv_flops(c_in: int, c_out: int, kernel: int, size: int, stride: int = 1,
                       padding: int = 0) -> int:
    """FLOPs of one image through ``nn.Conv2d`` counted by ``FlopCounterMode``."""
    conv = torch.nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding)
    return count_flops(conv, (1, c_in, size, size))
