"""The kernel editor of notebook 12: edit a 3 x 3 kernel and see the feature map of a digit.

``KernelEditor`` is plain Python (testable without a browser): set a kernel (nine numbers, or
a preset: identity, blur, Sobel x, Sobel y, sharpen, outline), call ``compute()`` for the
feature map and its statistics, ``figure()`` for the picture and ``readout()`` for the text
line. ``show_kernel_editor()`` wires a preset dropdown, nine number boxes and a digit chooser
to it.

The feature map is what a convolution layer computes (a cross-correlation, the kernel is not
flipped) with stride 1 and zero padding 1, so a 28 x 28 digit gives a 28 x 28 map:

    S[i, j] = sum_{k, l} I_pad[i + k, j + l] * K[k, l],   k, l = 0, 1, 2.
"""

from __future__ import annotations

import html

import numpy as np

from helpers.numpy_nn.im2col import conv_forward_im2col
from helpers.widgets._base import fig_to_png, new_figure

PRESETS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur": [[1 / 9] * 3] * 3,
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}
PRESETS = {k: np.array(v, dtype=np.float64) for k, v in PRESETS.items()}


def _check_image(image):
    if not isinstance(image, np.ndarray) or image.ndim != 2 or min(image.shape) < 3:
        shape = getattr(image, "shape", None)
        raise ValueError(f"image must be a 2-D array (H, W) with H, W >= 3, got shape {shape}")
    if not np.issubdtype(image.dtype, np.number):
        raise TypeError(f"image must hold numbers, got dtype {image.dtype}")
    image = image.astype(np.float64)
    if image.max() > 1.0:  # uint8 pixels 0..255
        image = image / 255.0
    return image


def feature_map(image, kernel):
    """The 3 x 3 cross-correlation of ``image: (H, W)`` with ``kernel: (3, 3)``, pad 1, stride 1.

    Returns (H, W).
    """
    image = _check_image(image)
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.shape != (3, 3):
        raise ValueError(f"kernel must have shape (3, 3), got {kernel.shape}")
    out, _ = conv_forward_im2col(image[None, None], kernel[None, None], np.zeros(1),
                                 {"stride": 1, "pad": 1})
    return out[0, 0]


def _load_digits():
    from helpers.data import load_mnist

    images, labels = load_mnist("test")
    return images[:100], labels[:100]


class KernelEditor:
    """State of the kernel editor: a digit image and a 3 x 3 kernel.

    images: (M, H, W) candidate digits (default: the first 100 MNIST test digits, pixels
    0..255 or 0..1); labels: (M,) or None; index: which digit; preset: a name in ``PRESETS``.
    """

    def __init__(self, images=None, labels=None, index: int = 0, preset: str = "sobel_x"):
        if images is None:
            images, labels = _load_digits()
        images = np.asarray(images)
        if images.ndim == 2:
            images = images[None]
        if images.ndim != 3:
            raise ValueError(f"images must have shape (M, H, W) or (H, W), got {images.shape}")
        self.images = images
        self.labels = None if labels is None else np.asarray(labels)
        self.index = 0
        self.kernel = PRESETS["identity"].copy()
        self.preset = "identity"
        self.set_digit(index)
        self.set_preset(preset)

    # ----------------------------------------------------------------- settings
    def set_digit(self, index: int) -> KernelEditor:
        if (isinstance(index, bool) or not isinstance(index, int | np.integer)
                or not 0 <= index < len(self.images)):
            raise ValueError(f"index must be an integer in [0, {len(self.images)}), got {index!r}")
        self.index = int(index)
        self.image = _check_image(self.images[self.index])
        return self

    def set_preset(self, name: str) -> KernelEditor:
        if name not in PRESETS:
            raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}")
        self.kernel = PRESETS[name].copy()
        self.preset = name
        return self

    def set_kernel(self, kernel) -> KernelEditor:
        k = np.asarray(kernel, dtype=np.float64)
        if k.shape == (9,):
            k = k.reshape(3, 3)
        if k.shape != (3, 3):
            raise ValueError(f"kernel must have shape (3, 3) or (9,), got {k.shape}")
        if not np.all(np.isfinite(k)):
            raise ValueError("kernel entries must be finite numbers")
        self.kernel = k.copy()
        self.preset = next((n for n, p in PRESETS.items() if np.allclose(p, k)), "custom")
        return self

    def set_entry(self, row: int, col: int, value: float) -> KernelEditor:
        if not (0 <= row < 3 and 0 <= col < 3):
            raise ValueError(f"row and col must be in 0..2, got ({row}, {col})")
        k = self.kernel.copy()
        k[row, col] = float(value)
        return self.set_kernel(k)

    # ----------------------------------------------------------------- results
    def compute(self) -> dict:
        """``feature_map`` (H, W), its ``min``, ``max``, ``mean_abs``, and ``kernel_sum``
        (1 keeps the brightness, 0 answers only to changes: an edge detector)."""
        fmap = feature_map(self.image, self.kernel)
        return {"feature_map": fmap, "min": float(fmap.min()), "max": float(fmap.max()),
                "mean_abs": float(np.abs(fmap).mean()), "kernel_sum": float(self.kernel.sum())}

    def readout(self) -> str:
        r = self.compute()
        label = "" if self.labels is None else f" (a {int(self.labels[self.index])})"
        return (f"digit #{self.index}{label}, kernel {self.preset}: sum of weights "
                f"{r['kernel_sum']:+.3g}; feature map from {r['min']:+.3f} to {r['max']:+.3f}, "
                f"mean |value| {r['mean_abs']:.3f}")

    def figure(self):
        """The digit, the kernel (numbers written in), and the feature map (red > 0 > blue)."""
        r = self.compute()
        fig = new_figure(figsize=(9.5, 3.2))
        ax1, ax2, ax3 = fig.subplots(1, 3)
        ax1.imshow(self.image, cmap="gray_r", vmin=0, vmax=1)
        ax1.set_title("input digit")
        lim = max(np.abs(self.kernel).max(), 1e-9)
        ax2.imshow(self.kernel, cmap="RdBu_r", vmin=-lim, vmax=lim)
        for (i, j), v in np.ndenumerate(self.kernel):
            ax2.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=11,
                     color="white" if abs(v) > 0.6 * lim else "black")
        ax2.set_title(f"kernel ({self.preset})")
        flim = max(np.abs(r["feature_map"]).max(), 1e-9)
        im = ax3.imshow(r["feature_map"], cmap="RdBu_r", vmin=-flim, vmax=flim)
        ax3.set_title("feature map")
        fig.colorbar(im, ax=ax3, shrink=0.8)
        for ax in (ax1, ax2, ax3):
            ax.set_xticks([])
            ax.set_yticks([])
        return fig

    def png(self) -> bytes:
        return fig_to_png(self.figure())


def show_kernel_editor(index: int = 0, preset: str = "sobel_x", images=None, labels=None):
    """Display the editor: a preset dropdown, a 3 x 3 grid of number boxes, a digit chooser."""
    import ipywidgets as W
    from IPython.display import display

    from helpers.widgets._base import figure_image, readout

    editor = KernelEditor(images=images, labels=labels, index=index, preset=preset)
    presets = W.Dropdown(options=[*PRESETS, "custom"], value=preset, description="preset")
    digit = W.BoundedIntText(value=index, min=0, max=len(editor.images) - 1, description="digit #")
    boxes = [W.FloatText(value=float(editor.kernel.flat[i]), layout=W.Layout(width="80px"))
             for i in range(9)]
    grid = W.GridBox(boxes, layout=W.Layout(grid_template_columns="repeat(3, 85px)"))
    text, image = readout(), figure_image()
    busy = {"on": False}  # set while the code itself writes the boxes

    def redraw():
        text.value = html.escape(editor.readout())
        image.value = editor.png()

    def on_preset(change):
        if busy["on"] or change["new"] == "custom":
            return
        editor.set_preset(change["new"])
        busy["on"] = True
        for i, b in enumerate(boxes):
            b.value = float(editor.kernel.flat[i])
        busy["on"] = False
        redraw()

    def on_box(_change):
        if busy["on"]:
            return
        editor.set_kernel([b.value for b in boxes])
        busy["on"] = True
        presets.value = editor.preset
        busy["on"] = False
        redraw()

    def on_digit(change):
        editor.set_digit(int(change["new"]))
        redraw()

    presets.observe(on_preset, names="value")
    digit.observe(on_digit, names="value")
    for b in boxes:
        b.observe(on_box, names="value")
    redraw()
    box = W.VBox([W.HBox([presets, digit]), W.HBox([W.Label("kernel"), grid]), text, image])
    display(box)
    return box
