"""Data augmentation on batches of images with plain torch ops (no torchvision), and a fast loader.

    from helpers.torch_nn.augment import Compose, random_crop, random_flip, random_rotate, TensorLoader
    augment = Compose(random_crop(padding=2), random_rotate(degrees=10))
    train_loader = TensorLoader(X_train, y_train, batch_size=128, transform=augment, seed=0)

Every transform maps a batch ``(N, C, H, W)`` to a batch of the same shape and dtype, drawing
its own random parameters for every image from a ``torch.Generator`` (reproducible).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.nn import functional as F  # noqa: N812

__all__ = ["Compose", "TensorLoader", "crop", "flip", "random_crop", "random_flip",
           "random_rotate", "rotate"]


def _check_batch(x, name="x"):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor (N, C, H, W), got {type(x).__name__}")
    if x.ndim != 4:
        raise ValueError(f"{name} must have shape (N, C, H, W), got {tuple(x.shape)}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a float tensor (scale the pixels first), got {x.dtype}")


def flip(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mirror left-right the images where ``mask`` (N,) is True."""
    _check_batch(x)
    if mask.shape != (len(x),):
        raise ValueError(f"mask must have shape (N,) = ({len(x)},), got {tuple(mask.shape)}")
    return torch.where(mask[:, None, None, None], x.flip(-1), x)


def crop(x: torch.Tensor, offsets: torch.Tensor, padding: int, fill: float = 0.0) -> torch.Tensor:
    """Pad by ``padding`` pixels of value ``fill`` and cut the H×W window at ``offsets`` (N, 2) =
    (row, col) in [0, 2·padding]: offset (padding, padding) is the original image; others shift
    it. ``fill`` should be the background value (for standardised images ``-mean / std``)."""
    _check_batch(x)
    n, _, h, w = x.shape
    if offsets.shape != (n, 2):
        raise ValueError(f"offsets must have shape (N, 2) = ({n}, 2), got {tuple(offsets.shape)}")
    xp = F.pad(x, (padding, padding, padding, padding), value=float(fill))
    rows = offsets[:, :1] + torch.arange(h)          # (N, H)
    cols = offsets[:, 1:] + torch.arange(w)          # (N, W)
    out = xp[torch.arange(n)[:, None, None], :, rows[:, :, None], cols[:, None, :]]  # (N, H, W, C)
    return out.permute(0, 3, 1, 2).contiguous()


def rotate(x: torch.Tensor, angles_deg: torch.Tensor, fill: float = 0.0) -> torch.Tensor:
    """Rotate every image about its centre by its angle (degrees, (N,)), bilinear; the corners
    that come from outside the image get the value ``fill`` (the background)."""
    _check_batch(x)
    if angles_deg.shape != (len(x),):
        raise ValueError(f"angles_deg must have shape (N,) = ({len(x)},), got {tuple(angles_deg.shape)}")
    a = angles_deg.to(x.dtype) * (math.pi / 180)
    cos, sin, zero = torch.cos(a), torch.sin(a), torch.zeros_like(a)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    out = F.grid_sample(x - fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out + fill


class _Random:
    def __init__(self, seed):
        self.generator = torch.Generator().manual_seed(seed)


class random_flip(_Random):  # noqa: N801 - used like a function
    """Mirror each image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5, seed: int = 0):
        if not 0 <= p <= 1:
            raise ValueError(f"p must be in [0, 1], got {p!r}")
        super().__init__(seed)
        self.p = p

    def __call__(self, x):
        _check_batch(x)
        return flip(x, torch.rand(len(x), generator=self.generator) < self.p)


class random_crop(_Random):  # noqa: N801
    """Pad by ``padding`` pixels and crop back to H×W at a random place: a random shift of up
    to ``padding`` pixels in each direction."""

    def __init__(self, padding: int = 2, seed: int = 0, fill: float = 0.0):
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
            raise ValueError(f"padding must be an integer >= 0, got {padding!r}")
        super().__init__(seed)
        self.padding, self.fill = padding, float(fill)

    def __call__(self, x):
        _check_batch(x)
        offsets = torch.randint(0, 2 * self.padding + 1, (len(x), 2), generator=self.generator)
        return crop(x, offsets, self.padding, self.fill)


class random_rotate(_Random):  # noqa: N801
    """Rotate each image by an angle drawn uniformly from [−degrees, degrees]; ``fill`` as in
    ``random_crop``."""

    def __init__(self, degrees: float = 10.0, seed: int = 0, fill: float = 0.0):
        if degrees < 0:
            raise ValueError(f"degrees must be >= 0, got {degrees!r}")
        super().__init__(seed)
        self.degrees, self.fill = float(degrees), float(fill)

    def __call__(self, x):
        _check_batch(x)
        angles = (torch.rand(len(x), generator=self.generator) * 2 - 1) * self.degrees
        return rotate(x, angles, self.fill)


class Compose:
    """Apply transforms in order."""

    def __init__(self, *transforms):
        for t in transforms:
            if not callable(t):
                raise TypeError(f"every transform must be callable, got {t!r}")
        self.transforms = transforms

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x


class TensorLoader:
    """Mini-batches ``(inputs, targets)`` sliced from in-memory tensors, optionally augmented.

    Much faster than a ``DataLoader`` over a ``TensorDataset`` (which indexes and stacks one
    sample at a time): one shuffled index per epoch, one slice per batch. ``X`` (N, C, H, W)
    float (a (N, H, W) array gets the channel axis added), ``y`` (N,) integers.
    ``transform`` is applied to every training batch (inputs only).
    """

    def __init__(self, X, y, batch_size: int = 128, shuffle: bool = True, transform=None,
                 seed: int = 0, drop_last: bool = False):
        X = torch.as_tensor(np.asarray(X, dtype=np.float32) if not isinstance(X, torch.Tensor) else X)
        y = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y).long()
        if X.ndim == 3:
            X = X[:, None]
        if X.ndim != 4:
            raise ValueError(f"X must have shape (N, C, H, W) or (N, H, W), got {tuple(X.shape)}")
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape (N,) = ({len(X)},), got {tuple(y.shape)}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be callable or None, got {transform!r}")
        self.X, self.y = X.float(), y
        self.batch_size, self.shuffle, self.transform = batch_size, shuffle, transform
        self.drop_last = drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self):
        n = len(self.y)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.y)
        idx = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        for b in range(len(self)):
            i = idx[b * self.batch_size:(b + 1) * self.batch_size]
            xb = self.X[i]
            if self.transform is not None:
                xb = self.transform(xb)
            yield xb, self.y[i]
