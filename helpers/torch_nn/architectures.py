"""Convolutional networks of notebooks 13-14, all at the native 28×28 resolution of (Fashion-)MNIST.

    from helpers.torch_nn.architectures import MnistCNN, LeNet5, ResNetSmall, count_params, count_flops
    model = MnistCNN()                       # conv32-conv64-pool-dropout-fc128-dropout-fc10
    count_params(model), count_flops(model, (1, 1, 28, 28))

Every model takes images ``(N, 1, 28, 28)`` (``in_channels`` and ``n_classes`` can be changed)
and returns class scores (logits) ``(N, n_classes)``: use them with ``nn.CrossEntropyLoss``.

Notebook 13: ``MnistCNN`` (the PyTorch-examples network), ``DeepBNCNN`` (four conv-BN-ReLU-pool
stages and a 512-512 head) and ``SmallBNCNN`` (its two-stage rebuild).
Notebook 14: ``LeNet5``, ``AlexNetSmall``, ``VGGSmall`` (``vgg_block``), ``ResidualBlock`` and
``ResNetSmall``, ``InceptionBlock`` and ``InceptionSmall``, ``DeepStack`` (a deep plain network
and the same depth with residual connections), ``MixedPrecision`` (bfloat16 autocast wrapper).
Counting: ``count_params``, ``count_flops`` (``torch.utils.flop_counter``), ``conv2d_flops``
(the formula), ``conv2d_output_size``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - PyTorch's own convention

__all__ = [
    "AlexNetSmall", "DeepBNCNN", "DeepStack", "InceptionBlock", "InceptionSmall", "LeNet5",
    "MixedPrecision", "MnistCNN", "ResNetSmall", "ResidualBlock", "SmallBNCNN", "VGGSmall",
    "conv2d_flops", "conv2d_output_size", "count_flops", "count_params", "freeze", "vgg_block",
]


def _check_images(x, in_channels: int, name: str = "x"):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (N, C, H, W), got {type(x).__name__}")
    if x.ndim != 4 or x.shape[1] != in_channels:
        raise ValueError(f"{name} must have shape (N, C={in_channels}, H, W), got {tuple(x.shape)}"
                         + (" (add the channel axis: x.unsqueeze(1))" if x.ndim == 3 else ""))


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


class _Net(nn.Module):
    """Base: checks the input shape, then ``features`` → ``classifier``."""

    in_channels = 1

    def forward(self, x):
        _check_images(x, self.in_channels)
        return self.classifier(self.features(x))


# --------------------------------------------------------------------------- notebook 13

class MnistCNN(_Net):
    """The PyTorch-examples MNIST network: conv32-conv64-pool-dropout-fc128-dropout-fc10.

    (N, 1, 28, 28) → conv 3×3 → (N, 32, 26, 26) → conv 3×3 → (N, 64, 24, 24) → max-pool 2
    → (N, 64, 12, 12) → dropout 0.25 → flatten (N, 9216) → fc (N, 128) → dropout 0.5 → (N, 10).
    ReLU after both convolutions and fc1. 1,199,882 parameters. Returns logits (the original
    returns ``log_softmax``; ``nn.CrossEntropyLoss`` applies it itself).
    """

    def __init__(self, n_classes: int = 10, p_conv: float = 0.25, p_fc: float = 0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout(p_conv))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * 12 * 12, 128), nn.ReLU(), nn.Dropout(p_fc),
            nn.Linear(128, n_classes))


def _conv_bn_relu_pool(c_in, c_out):
    return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.MaxPool2d(2)]


class DeepBNCNN(_Net):
    """Four conv-BN-ReLU-pool stages (64, 128, 256, 512 channels) and a 512-512 BN/dropout head.

    Spatial size 28 → 14 → 7 → 3 → 1 (max-pool 2 floors 7/2 to 3 and 3/2 to 1), so the head
    sees (N, 512). 2,084,234 parameters.
    """

    def __init__(self, n_classes: int = 10, p: float = 0.5):
        super().__init__()
        layers = []
        for c_in, c_out in ((1, 64), (64, 128), (128, 256), (256, 512)):
            layers += _conv_bn_relu_pool(c_in, c_out)
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(p), nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(),
            nn.Dropout(p), nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(p),
            nn.Linear(512, n_classes))


class SmallBNCNN(_Net):
    """The smaller rebuild: two conv-BN-ReLU-pool stages (32, 64) and one hidden layer of 128.

    28 → 14 → 7; flatten (N, 64·7·7 = 3136) → fc 128 → dropout → fc. 421,642 parameters.
    """

    def __init__(self, n_classes: int = 10, p: float = 0.3, in_channels: int = 1):
        super().__init__()
        self.in_channels = in_channels
        self.features = nn.Sequential(*_conv_bn_relu_pool(in_channels, 32),
                                      *_conv_bn_relu_pool(32, 64))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
                                        nn.Dropout(p), nn.Linear(128, n_classes))


# --------------------------------------------------------------------------- notebook 14

class LeNet5(_Net):
    """LeNet-5 (LeCun et al. 1998) at 28×28: the first conv pads by 2 so that 32×32 maths holds.

    conv 5×5 (6) → (N, 6, 28, 28) → avg-pool → 14 → conv 5×5 (16) → 10 → avg-pool → 5
    → flatten 400 → 120 → 84 → n_classes; tanh activations as in the original. 61,706 parameters.
    """

    def __init__(self, n_classes: int = 10, activation=nn.Tanh):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), activation(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), activation(), nn.AvgPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), activation(), nn.Linear(120, 84),
            activation(), nn.Linear(84, n_classes))


class AlexNetSmall(_Net):
    """AlexNet's recipe at 28×28: a large first kernel, five ReLU convs, three max-pools, a
    dropout-regularised three-layer head (AlexNet: 11×11 stride 4 on 224 px, 96-256-384-384-256).

    conv 5×5 (32) → pool → 14 → conv 5×5 (64) → pool → 7 → conv 3×3 (96) → conv 3×3 (96)
    → conv 3×3 (64) → pool → 3 → flatten 576 → 256 → 256 → n_classes.
    """

    def __init__(self, n_classes: int = 10, p: float = 0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 96, 3, padding=1), nn.ReLU(),
            nn.Conv2d(96, 96, 3, padding=1), nn.ReLU(),
            nn.Conv2d(96, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(p), nn.Linear(64 * 3 * 3, 256), nn.ReLU(), nn.Dropout(p),
            nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, n_classes))


def vgg_block(c_in: int, c_out: int, n_convs: int, batch_norm: bool = True) -> nn.Sequential:
    """VGG's unit: ``n_convs`` 3×3 convolutions (padding 1, size kept), each + (BN) + ReLU, then
    a 2×2 max-pool that halves H and W."""
    _positive_int(c_in, "c_in"), _positive_int(c_out, "c_out"), _positive_int(n_convs, "n_convs")
    layers = []
    for i in range(n_convs):
        layers.append(nn.Conv2d(c_in if i == 0 else c_out, c_out, 3, padding=1,
                                bias=not batch_norm))
        if batch_norm:
            layers.append(nn.BatchNorm2d(c_out))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


class VGGSmall(_Net):
    """Three VGG blocks (2 convs each) of ``width``, 2·width, 4·width channels: 28 → 14 → 7 → 3,
    then flatten (4·width·9) → 256 → dropout → n_classes."""

    def __init__(self, n_classes: int = 10, width: int = 32, batch_norm: bool = True,
                 p: float = 0.4):
        super().__init__()
        _positive_int(width, "width")
        w = width
        self.features = nn.Sequential(vgg_block(1, w, 2, batch_norm),
                                      vgg_block(w, 2 * w, 2, batch_norm),
                                      vgg_block(2 * w, 4 * w, 2, batch_norm))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(p),
                                        nn.Linear(4 * w * 9, 256), nn.ReLU(), nn.Dropout(p),
                                        nn.Linear(256, n_classes))


class ResidualBlock(nn.Module):
    """``relu(F(x) + shortcut(x))`` with ``F`` = conv3×3-BN-ReLU-conv3×3-BN (He et al. 2016).

    ``shortcut`` is the identity when the shape is kept (``c_in == c_out`` and ``stride == 1``),
    else a 1×1 convolution with that stride (+ BN) that matches channels and size.
    ``residual=False`` drops the shortcut (a plain two-layer block, for the degradation test).
    Input (N, c_in, H, W) → output (N, c_out, ⌈H/stride⌉, ⌈W/stride⌉).
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1, residual: bool = True,
                 batch_norm: bool = True):
        super().__init__()
        _positive_int(c_in, "c_in"), _positive_int(c_out, "c_out"), _positive_int(stride, "stride")
        self.c_in, self.residual = c_in, residual
        norm = nn.BatchNorm2d if batch_norm else (lambda c: nn.Identity())
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=not batch_norm)
        self.bn1 = norm(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=not batch_norm)
        self.bn2 = norm(c_out)
        if residual and (stride != 1 or c_in != c_out):
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                          norm(c_out))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        _check_images(x, self.c_in)
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.residual:
            out = out + self.shortcut(x)
        return F.relu(out)


class ResNetSmall(_Net):
    """A CIFAR-style ResNet at 28×28: stem conv 3×3 (``width``) → three stages of
    ``blocks`` residual blocks (width, 2·width stride 2, 4·width stride 2): 28 → 14 → 7
    → global average pool (N, 4·width) → n_classes."""

    def __init__(self, n_classes: int = 10, width: int = 32, blocks: int = 1,
                 in_channels: int = 1):
        super().__init__()
        _positive_int(width, "width"), _positive_int(blocks, "blocks")
        self.in_channels = in_channels
        w = width
        layers = [nn.Conv2d(in_channels, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU()]
        for c_in, c_out, stride in ((w, w, 1), (w, 2 * w, 2), (2 * w, 4 * w, 2)):
            layers.append(ResidualBlock(c_in, c_out, stride))
            layers += [ResidualBlock(c_out, c_out) for _ in range(blocks - 1)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                        nn.Linear(4 * w, n_classes))


class InceptionBlock(nn.Module):
    """GoogLeNet's Inception module: four parallel branches concatenated on the channel axis.

    1×1 conv (``c1``) | 1×1 conv (``c3_reduce``) → 3×3 conv (``c3``) | 1×1 conv (``c5_reduce``)
    → 5×5 conv (``c5``) | 3×3 max-pool (stride 1) → 1×1 conv (``pool_proj``); each conv + BN +
    ReLU, padding keeps H×W. Output (N, c1 + c3 + c5 + pool_proj, H, W). The 1×1 "reduce"
    convolutions shrink the channels before the expensive 3×3 and 5×5 ones.
    """

    def __init__(self, c_in: int, c1: int, c3_reduce: int, c3: int, c5_reduce: int, c5: int,
                 pool_proj: int):
        super().__init__()
        for name, v in (("c_in", c_in), ("c1", c1), ("c3_reduce", c3_reduce), ("c3", c3),
                        ("c5_reduce", c5_reduce), ("c5", c5), ("pool_proj", pool_proj)):
            _positive_int(v, name)
        self.c_in = c_in
        self.out_channels = c1 + c3 + c5 + pool_proj

        def cbr(a, b, k):
            return [nn.Conv2d(a, b, k, padding=k // 2, bias=False), nn.BatchNorm2d(b), nn.ReLU()]

        self.branch1 = nn.Sequential(*cbr(c_in, c1, 1))
        self.branch3 = nn.Sequential(*cbr(c_in, c3_reduce, 1), *cbr(c3_reduce, c3, 3))
        self.branch5 = nn.Sequential(*cbr(c_in, c5_reduce, 1), *cbr(c5_reduce, c5, 5))
        self.branch_pool = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1),
                                         *cbr(c_in, pool_proj, 1))

    def forward(self, x):
        _check_images(x, self.c_in)
        return torch.cat([self.branch1(x), self.branch3(x), self.branch5(x),
                          self.branch_pool(x)], dim=1)


class InceptionSmall(_Net):
    """Stem conv 3×3 (32) → pool → 14 → Inception (64 out) → Inception (128 out) → pool → 7
    → Inception (192 out) → global average pool → n_classes."""

    def __init__(self, n_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            InceptionBlock(32, 16, 24, 32, 4, 8, 8),      # 16 + 32 + 8 + 8 = 64
            InceptionBlock(64, 32, 32, 64, 8, 16, 16),    # 32 + 64 + 16 + 16 = 128
            nn.MaxPool2d(2),
            InceptionBlock(128, 48, 48, 96, 12, 24, 24))  # 48 + 96 + 24 + 24 = 192
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                        nn.Linear(192, n_classes))


class DeepStack(_Net):
    """``n_blocks`` two-conv blocks of ``width`` channels at 14×14 (after a stride-2 stem),
    plain (``residual=False``) or residual: the same layers, only the shortcut differs.
    Depth = 2·n_blocks + 2 weight layers (stem and classifier included)."""

    def __init__(self, n_blocks: int, residual: bool, width: int = 16, n_classes: int = 10,
                 batch_norm: bool = True):
        super().__init__()
        _positive_int(n_blocks, "n_blocks"), _positive_int(width, "width")
        norm = nn.BatchNorm2d(width) if batch_norm else nn.Identity()
        layers = [nn.Conv2d(1, width, 3, stride=2, padding=1, bias=not batch_norm), norm, nn.ReLU()]
        layers += [ResidualBlock(width, width, residual=residual, batch_norm=batch_norm)
                   for _ in range(n_blocks)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                        nn.Linear(width, n_classes))


class MixedPrecision(nn.Module):
    """Run ``model`` under ``torch.autocast`` (bfloat16 by default) and return float32 outputs.

    Weights stay float32 (the optimiser updates them in full precision); only the matrix
    products and convolutions run in bfloat16. On CPUs with bfloat16 instructions (AVX512-BF16,
    AMX) convolutions are about twice as fast; elsewhere it is correct but may be slower.
    """

    def __init__(self, model: nn.Module, dtype: torch.dtype = torch.bfloat16, enabled: bool = True):
        super().__init__()
        self.model, self.dtype, self.enabled = model, dtype, enabled

    def forward(self, x):
        device_type = x.device.type if x.device.type in ("cuda", "cpu", "mps") else "cpu"
        with torch.autocast(device_type, dtype=self.dtype, enabled=self.enabled):
            out = self.model(x)
        return out.float()


# --------------------------------------------------------------------------- counting

def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (weights and biases; BN's running statistics are buffers, not counted)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def count_flops(model: nn.Module, input_shape=(1, 1, 28, 28), per_module: bool = False):
    """FLOPs of one forward pass on an input of ``input_shape`` (N, C, H, W), counted by
    ``torch.utils.flop_counter.FlopCounterMode``: 2 per multiply-add of convolutions and matrix
    products (bias additions, activations, pooling and BN are not counted).

    Returns an int, or with ``per_module=True`` a dict {module name: FLOPs} (``"Global"`` = total).
    """
    from torch.utils.flop_counter import FlopCounterMode

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    shape = tuple(input_shape)
    if len(shape) != 4:
        raise ValueError(f"input_shape must be (N, C, H, W), got {shape}")
    was_training = model.training
    model.eval()
    try:
        param = next(model.parameters())
        device, dtype = param.device, param.dtype
    except StopIteration:
        device, dtype = torch.device("cpu"), torch.float32
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(torch.zeros(shape, device=device, dtype=dtype))
    model.train(was_training)
    if not per_module:
        return int(counter.get_total_flops())
    return {name: int(sum(ops.values())) for name, ops in counter.get_flop_counts().items()}


def conv2d_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    for name, v in (("size", size), ("kernel", kernel), ("stride", stride)):
        _positive_int(v, name)
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be an integer >= 0, got {padding!r}")
    if size + 2 * padding < kernel:
        raise ValueError(f"kernel {kernel} is larger than the padded input {size + 2 * padding}")
    return (size + 2 * padding - kernel) // stride + 1


def conv2d_flops(c_in: int, c_out: int, kernel: int, h_out: int, w_out: int, n: int = 1) -> int:
    """FLOPs of a convolution by hand: each of the n·c_out·h_out·w_out outputs is a sum of
    c_in·kernel² products, one multiply and one add each: 2·n·c_out·h_out·w_out·c_in·kernel²
    (bias not counted, as in ``torch.utils.flop_counter``)."""
    for name, v in (("c_in", c_in), ("c_out", c_out), ("kernel", kernel), ("h_out", h_out),
                    ("w_out", w_out), ("n", n)):
        _positive_int(v, name)
    return 2 * n * c_out * h_out * w_out * c_in * kernel * kernel


def freeze(module: nn.Module, frozen: bool = True) -> nn.Module:
    """Set ``requires_grad = not frozen`` on every parameter of ``module``; returns it.

    Frozen parameters get no gradient, so the optimiser leaves them alone. (BN layers in a
    frozen part still update running statistics in train mode: call ``.eval()`` on them too
    when they must stay fixed.)
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be an nn.Module, got {type(module).__name__}")
    for p in module.parameters():
        p.requires_grad_(not frozen)
    return module


# --------------------------------------------------------------------------- exercise references

def _reference_conv_out_shape(in_shape, c_out, kernel, stride=1, padding=0):
    n, _, h, w = in_shape
    return (n, c_out, conv2d_output_size(h, kernel, stride, padding),
            conv2d_output_size(w, kernel, stride, padding))


def _reference_conv_params(c_in, c_out, kernel, bias=True):
    return c_out * c_in * kernel * kernel + (c_out if bias else 0)


def _reference_bn_eval(x, running_mean, running_var, gamma, beta, eps=1e-5):
    shape = (1, -1, 1, 1)
    return (gamma.reshape(shape) * (x - running_mean.reshape(shape))
            / (running_var.reshape(shape) + eps) ** 0.5 + beta.reshape(shape))


def _reference_residual_forward(x, f):
    return torch.relu(f(x) + x)
