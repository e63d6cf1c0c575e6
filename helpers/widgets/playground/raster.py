"""The Playground's drawing in NumPy: colour maps, bilinear resize, markers, PNG encoding.

The heat-map, points and thumbnails are painted into an RGB array pasted into a frame that
matplotlib draws once (axes, ticks, labels), then encoded as PNG with the standard library;
``bench/playground_speed.py`` measures it against a matplotlib redraw.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import numpy as np

from helpers.widgets.playground.data import DOMAIN

# Okabe-Ito blue (class 0) and orange (class 1), as in helpers.plotting.CLASS_COLORS.
CLASS_RGB = np.array([[0x00, 0x72, 0xB2], [0xE6, 0x9F, 0x00]], dtype=np.float64)


def _diverging_lut(lighten: float, n: int = 256) -> np.ndarray:
    """(n, 3) uint8 colours: blue (class 0) at 0 -> white at 0.5 -> orange (class 1) at 1.

    ``lighten`` blends the class colours with white (0 = full strength)."""
    ends = (1 - lighten) * CLASS_RGB + lighten * 255.0
    t = np.linspace(0.0, 1.0, n)[:, None]
    lo = ends[0] + (255.0 - ends[0]) * np.clip(2 * t, 0, 1)
    hi = 255.0 + (ends[1] - 255.0) * np.clip(2 * t - 1, 0, 1)
    return np.round(np.where(t < 0.5, lo, hi)).astype(np.uint8)


LUT = _diverging_lut(0.55)  # heat-map: light, so the points stay visible on top
_LUT_STRONG = _diverging_lut(0.0)  # thumbnails: full strength, so small images stay readable


def encode_png(rgb: np.ndarray, level: int = 1) -> bytes:
    """PNG bytes of an ``(H, W, 3) uint8`` image with the standard library only (zlib)."""
    h, w, _ = rgb.shape
    raw = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    raw[:, 0] = 0  # filter type "None" on every row
    raw[:, 1:] = rgb.reshape(h, 3 * w)

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + chunk(b"IEND", b""))


def encode_png_palette(idx: np.ndarray, palette: np.ndarray, level: int = 1) -> bytes:
    """PNG bytes of an ``(H, W) uint8`` image of indices into ``palette: (K, 3) uint8``
    (K <= 256): one byte per pixel, about a third of the RGB size (the neuron heat-maps)."""
    h, w = idx.shape
    raw = np.zeros((h, 1 + w), dtype=np.uint8)
    raw[:, 1:] = idx

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([8, 3, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"PLTE", np.ascontiguousarray(palette, dtype=np.uint8).tobytes())
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + chunk(b"IEND", b""))


@lru_cache(maxsize=16)
def _interp_index(n_out: int, n_in: int):
    """Linear interpolation from n_in samples to n_out pixels: (lo indices, weights of lo+1)."""
    pos = np.linspace(0, n_in - 1, n_out)
    lo = np.clip(np.floor(pos).astype(np.intp), 0, n_in - 2)
    return lo, (pos - lo)[:, None]


def resize(v: np.ndarray, h: int, w: int) -> np.ndarray:
    """Bilinear resize of a 2-D grid ``v`` to ``(h, w)`` (separable, no BLAS call)."""
    lo, f = _interp_index(h, v.shape[0])
    rows = v[lo] * (1 - f) + v[lo + 1] * f  # (h, n)
    lo, f = _interp_index(w, v.shape[1])
    return rows[:, lo] * (1 - f.T) + rows[:, lo + 1] * f.T


def colour(v: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to RGB through a 256-entry lookup table: (H, W) -> (H, W, 3)."""
    idx = (np.clip(v, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    return np.take(lut, idx, axis=0)


@lru_cache(maxsize=4)
def _frame(size_px: int):
    """The static frame (axes, ticks, labels) drawn once by matplotlib; returns
    (rgb array, (row0, row1, col0, col1) of the plot area)."""
    # A bare Figure on an Agg canvas: no pyplot, so the notebook's backend is left alone.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dpi = 100
    fig = Figure(figsize=(size_px / dpi, size_px / dpi), dpi=dpi, facecolor="white", layout="none")
    FigureCanvasAgg(fig)
    side = size_px - 58  # a square plot area; fixed pixel margins keep the labels inside
    ax = fig.add_axes((44 / size_px, 40 / size_px, side / size_px, side / size_px))
    ax.set_xlim(-DOMAIN, DOMAIN)
    ax.set_ylim(-DOMAIN, DOMAIN)
    ax.set_xticks(range(-6, 7, 2))
    ax.set_yticks(range(-6, 7, 2))
    ax.set_xlabel("x₁", fontsize=10)
    ax.set_ylabel("x₂", fontsize=10)
    ax.tick_params(labelsize=8)
    ax.grid(False)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
    bb = ax.get_window_extent()
    h = rgb.shape[0]
    # Pixel rows count from the top; keep the axes' spines (1 px) outside the pasted area.
    r0, r1 = int(round(h - bb.y1)) + 1, int(round(h - bb.y0)) - 1
    c0, c1 = int(round(bb.x0)) + 1, int(round(bb.x1)) - 1
    return rgb, (r0, r1, c0, c1)


@lru_cache(maxsize=8)
def _marker_offsets(shape: str, radius: int):
    """Pixel offsets (dr, dc) of a filled marker and of its outline ring."""
    r = np.arange(-radius - 1, radius + 2)
    dr, dc = np.meshgrid(r, r, indexing="ij")
    if shape == "disc":
        d = np.hypot(dr, dc)
        inner, outer = d <= radius - 0.5, d <= radius + 0.6
    else:  # square
        m = np.maximum(abs(dr), abs(dc))
        inner, outer = m <= radius - 1, m <= radius
    ring = outer & ~inner
    return (dr[inner], dc[inner]), (dr[ring], dc[ring])


def draw_points(img, rows, cols, labels, hollow: bool = False, radius: int = 3) -> None:
    """Stamp class-coloured markers (class 0 disc, class 1 square) into ``img`` in place.

    ``hollow`` markers (test points) are white inside with a class-coloured ring.
    """
    h, w, _ = img.shape
    for k, shape in ((0, "disc"), (1, "square")):
        sel = labels == k
        if not sel.any():
            continue
        (ir, ic), (rr, rc) = _marker_offsets(shape, radius)
        fill = np.array([255, 255, 255]) if hollow else CLASS_RGB[k]
        ring = CLASS_RGB[k] * 0.6 if not hollow else CLASS_RGB[k] * 0.85
        for (dr, dc), colour in (((rr, rc), ring), ((ir, ic), fill)):
            R = (rows[sel][:, None] + dr[None, :]).ravel()
            C = (cols[sel][:, None] + dc[None, :]).ravel()
            ok = (R >= 0) & (R < h) & (C >= 0) & (C < w)
            img[R[ok], C[ok]] = colour.astype(np.uint8)


def draw_value_points(img, rows, cols, rgb, hollow: bool = False, radius: int = 3) -> None:
    """Stamp discs coloured by each point's own value (regression targets) into ``img``.

    ``rgb: (N, 3) uint8`` is each point's colour; the ring is dark grey (training points) or
    the point's colour on a white disc (``hollow``: test points).
    """
    h, w, _ = img.shape
    (ir, ic), (rr, rc) = _marker_offsets("disc", radius)
    rgb = np.asarray(rgb, dtype=np.uint8)
    for (dr, dc), fill_ring in (((rr, rc), "ring"), ((ir, ic), "fill")):
        R = (rows[:, None] + dr[None, :]).ravel()
        C = (cols[:, None] + dc[None, :]).ravel()
        if fill_ring == "ring":
            col = np.repeat(rgb if hollow else np.full_like(rgb, 60), len(dr), axis=0)
        else:
            col = np.repeat(np.full_like(rgb, 255) if hollow else rgb, len(dr), axis=0)
        ok = (R >= 0) & (R < h) & (C >= 0) & (C < w)
        img[R[ok], C[ok]] = col[ok]
