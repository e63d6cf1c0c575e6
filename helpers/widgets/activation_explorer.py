"""The activation explorer of notebook 05: an activation, its derivative, and the gradient
flowing down a deep network built with it.

``ActivationExplorer`` is plain Python (testable without a browser): pick an activation, an
initialiser and a depth, call ``compute()`` for the numbers, ``figure()`` for the plot and
``readout()`` for the text line. ``show_activation_explorer()`` wires ipywidgets controls to
it (the depth slider recomputes on release, ``continuous_update=False``).

The gradient flow is measured on a fixed batch of N(0, 1) inputs with random labels: an MLP
with ``depth`` weight layers of ``width`` units (``helpers.probes``), one forward and
backward pass, and ||dW_l|| for every layer l = 1 (next to the input) ... L (output).
"""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import numpy as np

from helpers.numpy_nn.activations import ACTIVATIONS
from helpers.plotting import CLASS_COLORS
from helpers.probes import build_mlp, deep_architecture, layer_statistics
from helpers.widgets._base import fig_to_png

EXPLORER_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish", "gelu")
EXPLORER_INITS = ("xavier", "he")
MIN_DEPTH, MAX_DEPTH = 2, 30


class ActivationExplorer:
    """State and computations of the activation explorer.

    activation: one of ``EXPLORER_ACTIVATIONS``; depth: number of weight layers (2 ... 30);
    init: ``"xavier"`` or ``"he"``; width: units per hidden layer; n: batch size; seed: fixes
    the batch and the weights, so two explorers with the same settings agree exactly.
    """

    def __init__(self, activation: str = "sigmoid", depth: int = 10, init: str = "xavier",
                 width: int = 64, n: int = 256, n_classes: int = 10, seed: int = 0):
        self.width, self.n_classes, self.seed = width, n_classes, seed
        rng = np.random.default_rng(seed)
        self.X = rng.standard_normal((n, width))
        self.y = rng.integers(0, n_classes, size=n)
        self.x_grid = np.linspace(-5.0, 5.0, 401)
        self._cache = {}
        self.activation, self.depth, self.init = "sigmoid", 10, "xavier"
        self.set(activation=activation, depth=depth, init=init)

    def set(self, activation: str | None = None, depth: int | None = None,
            init: str | None = None) -> ActivationExplorer:
        """Change any of the settings (validated); returns self."""
        if activation is not None:
            if activation not in EXPLORER_ACTIVATIONS:
                raise ValueError(f"activation must be one of {EXPLORER_ACTIVATIONS}, "
                                 f"got {activation!r}")  # fmt: skip
            self.activation = activation
        if depth is not None:
            if (isinstance(depth, bool) or not isinstance(depth, int | np.integer)
                    or not MIN_DEPTH <= depth <= MAX_DEPTH):
                raise ValueError(f"depth must be an integer in [{MIN_DEPTH}, {MAX_DEPTH}], "
                                 f"got {depth!r}")  # fmt: skip
            self.depth = int(depth)
        if init is not None:
            if init not in EXPLORER_INITS:
                raise ValueError(f"init must be one of {EXPLORER_INITS}, got {init!r}")
            self.init = init
        return self

    def compute(self) -> dict:
        """The numbers behind the figure, for the current settings.

        Returns a dict: ``x`` (grid), ``f`` and ``df`` (the activation and its derivative on
        the grid), ``max_derivative`` (max |f'| on the grid), ``derivative_at_0``,
        ``grad_norms`` (||dW_l||, l = 1 ... depth), ``ratio`` (||dW_1|| / ||dW_L||) and
        ``loss``.
        """
        key = (self.activation, self.depth, self.init)
        if key not in self._cache:
            f, df = ACTIVATIONS[self.activation]
            fx, dfx = f(self.x_grid), df(self.x_grid)
            arch = deep_architecture(self.width, self.width, self.depth, self.activation,
                                     self.n_classes)  # fmt: skip
            stats = layer_statistics(build_mlp(arch, init=self.init, seed=self.seed),
                                     self.X, self.y)  # fmt: skip
            self._cache[key] = {
                "x": self.x_grid, "f": fx, "df": dfx,
                "max_derivative": float(np.max(np.abs(dfx))),
                "derivative_at_0": float(df(np.zeros(1))[0]),
                "grad_norms": stats.grad_norms, "ratio": stats.grad_ratio,
                "loss": stats.loss,
            }
        return self._cache[key]

    def readout(self) -> str:
        """One line of text with the key numbers."""
        r = self.compute()
        return (f"{self.activation}, {self.init} init, {self.depth} layers: "
                f"max |f'| = {r['max_derivative']:.3f}, f'(0) = {r['derivative_at_0']:.3f}, "
                f"||dW_1|| / ||dW_L|| = {r['ratio']:.2e}")

    def figure(self):
        """Left: f and f' on [-5, 5]. Right: ||dW_l|| per layer, log scale."""
        r = self.compute()
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.4), layout="constrained")
        ax1.plot(r["x"], r["f"], color=CLASS_COLORS[0], label="f(x)")
        ax1.plot(r["x"], r["df"], color=CLASS_COLORS[1], linestyle="--", label="f'(x)")
        ax1.axhline(0, color="#888888", linewidth=0.8)
        ax1.set_xlabel("x")
        ax1.set_ylabel("value")
        ax1.set_title(f"{self.activation} and its derivative")
        ax1.legend(loc="upper left")
        layers = np.arange(1, self.depth + 1)
        ax2.semilogy(layers, r["grad_norms"], marker="o", color=CLASS_COLORS[2])
        ax2.set_xlabel("layer l (1 = next to the input)")
        ax2.set_ylabel(r"$\|dW_l\|_F$ (log scale)")
        ax2.set_title(f"gradient norm per layer ({self.init} init)")
        ax2.set_xlim(0.5, self.depth + 0.5)
        return fig

    def png(self) -> bytes:
        return fig_to_png(self.figure())


def show_activation_explorer(activation: str = "sigmoid", depth: int = 10, init: str = "xavier"):
    """Display the explorer: dropdowns for the activation and the initialiser, a depth slider."""
    import ipywidgets as W
    from IPython.display import display

    from helpers.widgets._base import figure_image, readout

    explorer = ActivationExplorer(activation=activation, depth=depth, init=init)
    act = W.Dropdown(options=list(EXPLORER_ACTIVATIONS), value=activation, description="activation")
    ini = W.Dropdown(options=list(EXPLORER_INITS), value=init, description="init")
    dep = W.IntSlider(value=depth, min=MIN_DEPTH, max=MAX_DEPTH, step=1, description="depth",
                      continuous_update=False)  # fmt: skip
    text, image = readout(), figure_image()

    def update(_=None):
        explorer.set(activation=act.value, depth=dep.value, init=ini.value)
        text.value = html.escape(explorer.readout())
        image.value = explorer.png()

    for control in (act, ini, dep):
        control.observe(update, names="value")
    update()
    box = W.VBox([W.HBox([act, ini, dep]), text, image])
    display(box)
    return box
