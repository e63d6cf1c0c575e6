"""The regularisation explorer (notebook 09): strength of L2 or dropout -> train vs validation.

A small ReLU network (784-256-10 by default) is trained on a small MNIST subset (1 000
images: small enough to over-fit) for each setting; the explorer shows the training and
validation accuracy per epoch and the **gap** between them, and a second panel collects the
final gap of every setting tried so far. Results are cached, so moving back is instant.
"""

from __future__ import annotations

import html

import numpy as np

from helpers.plotting import CLASS_COLORS
from helpers.widgets._base import fig_to_png, new_figure

KINDS = ("l2", "dropout")
STRENGTHS = {
    "l2": (0.0, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1),
    "dropout": (0.0, 0.2, 0.4, 0.6, 0.8),
}


def _mnist_subset(n_train, n_val, seed):
    from helpers.data import flatten, load_mnist, scale

    X, y = load_mnist("train")
    idx = np.random.default_rng(seed).permutation(len(y))[: n_train + n_val]
    X = flatten(scale(X[idx]))
    return X[:n_train], y[idx][:n_train], X[n_train:], y[idx][n_train:]


class RegularizationExplorer:
    """Train, cache and plot one small network per (kind, strength).

    ``kind``: ``"l2"`` (``l2`` penalty strength) or ``"dropout"`` (drop probability p);
    ``strength``: a value of ``STRENGTHS[kind]``; ``data``: optional
    ``(X_train, y_train, X_val, y_val)`` (default: an MNIST subset of ``n_train``/``n_val``);
    ``hidden``: hidden widths; ``epochs``; ``seed`` fixes data, weights and masks.
    """

    def __init__(self, kind="l2", strength=0.0, *, data=None, n_train=1000, n_val=1000,
                 hidden=(256,), epochs=25, seed=0):
        if data is None:
            data = _mnist_subset(n_train, n_val, seed)
        if not isinstance(data, tuple | list) or len(data) != 4:
            raise ValueError("data must be a tuple (X_train, y_train, X_val, y_val)")
        self.data = tuple(data)
        self.hidden, self.epochs, self.seed = list(hidden), int(epochs), seed
        self._cache = {}
        self.kind, self.strength = "l2", 0.0
        self.set(kind=kind, strength=strength)

    def set(self, kind=None, strength=None) -> RegularizationExplorer:
        """Change the kind and/or the strength (validated); returns self.

        Changing only the kind resets the strength to that kind's first value (0: none).
        """
        if kind is not None:
            if kind not in KINDS:
                raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
            if kind != self.kind and strength is None:
                strength = STRENGTHS[kind][0]
            self.kind = kind
        if strength is not None:
            if strength not in STRENGTHS[self.kind]:
                raise ValueError(f"strength must be one of {STRENGTHS[self.kind]} for "
                                 f"{self.kind}, got {strength!r}")
            self.strength = float(strength)
        return self

    def compute(self) -> dict:
        """Train (or fetch from the cache) the current setting.

        Returns ``train_acc``, ``val_acc`` (per epoch, arrays), ``final_train``,
        ``final_val``, ``gap`` (final train minus final validation accuracy).
        """
        key = (self.kind, self.strength)
        if key not in self._cache:
            from helpers.numpy_nn.fc_net import FullyConnectedNet
            from helpers.numpy_nn.solver import Solver

            Xtr, ytr, Xva, yva = self.data
            kw = {"l2": self.strength} if self.kind == "l2" else {"dropout": self.strength}
            net = FullyConnectedNet(self.hidden, input_dim=Xtr.shape[1],
                                    num_classes=int(max(ytr.max(), yva.max())) + 1,
                                    seed=self.seed, **kw)
            solver = Solver(net, {"X_train": Xtr, "y_train": ytr, "X_val": Xva, "y_val": yva},
                            update_rule="adam", optim_config={"lr": 1e-3}, batch_size=64,
                            epochs=self.epochs, num_train_eval=len(Xtr), seed=self.seed,
                            progress=False, restore_best=False)
            h = solver.train()
            tr, va = np.array(h["train_acc"]), np.array(h["val_acc"])
            self._cache[key] = {"train_acc": tr, "val_acc": va, "final_train": float(tr[-1]),
                                "final_val": float(va[-1]), "gap": float(tr[-1] - va[-1])}
        return self._cache[key]

    def label(self) -> str:
        return f"L2 l2={self.strength:g}" if self.kind == "l2" else f"dropout p={self.strength:g}"

    def readout(self) -> str:
        r = self.compute()
        return (f"{self.label()}: train accuracy {100 * r['final_train']:.1f}%, validation "
                f"{100 * r['final_val']:.1f}%, gap {100 * r['gap']:.1f} points")

    def figure(self):
        """Left: train and validation accuracy per epoch. Right: final gap per strength tried."""
        r = self.compute()
        fig = new_figure((9.5, 3.4))
        ax1, ax2 = fig.subplots(1, 2)
        epochs = np.arange(1, len(r["train_acc"]) + 1)
        ax1.plot(epochs, 100 * r["train_acc"], color=CLASS_COLORS[0], label="training")
        ax1.plot(epochs, 100 * r["val_acc"], color=CLASS_COLORS[1], linestyle="--",
                 label="validation")
        ax1.fill_between(epochs, 100 * r["val_acc"], 100 * r["train_acc"], color="#cccccc",
                         alpha=0.5, label="gap")
        ax1.set_ylim(70, 100.5)
        ax1.set_xlabel("epoch")
        ax1.set_ylabel("accuracy (%)")
        ax1.set_title(self.label())
        ax1.legend(loc="lower right")
        tried = sorted((s, v["gap"]) for (k, s), v in self._cache.items() if k == self.kind)
        xs = np.arange(len(STRENGTHS[self.kind]))
        pos = {s: i for i, s in enumerate(STRENGTHS[self.kind])}
        ax2.bar([pos[s] for s, _ in tried], [100 * g for _, g in tried], color=CLASS_COLORS[2])
        ax2.bar([pos[self.strength]], [100 * r["gap"]], color=CLASS_COLORS[1])
        ax2.set_xticks(xs, [f"{s:g}" for s in STRENGTHS[self.kind]])
        ax2.set_xlabel("l2" if self.kind == "l2" else "dropout p")
        ax2.set_ylabel("train - validation (points)")
        ax2.set_title("gap of every setting tried")
        return fig

    def png(self) -> bytes:
        return fig_to_png(self.figure())


def show_regularization_explorer(kind="l2", strength=0.0, **kwargs):
    """Display the explorer: a dropdown for the kind, a slider over the strengths."""
    import ipywidgets as W
    from IPython.display import display

    from helpers.widgets._base import figure_image, readout

    explorer = RegularizationExplorer(kind=kind, strength=strength, **kwargs)
    kind_box = W.Dropdown(options=list(KINDS), value=explorer.kind, description="kind")
    slider = W.SelectionSlider(options=list(STRENGTHS[explorer.kind]), value=explorer.strength,
                               description="strength", continuous_update=False)
    text, image = readout(), figure_image()

    def redraw():
        text.value = html.escape(explorer.readout())
        image.value = explorer.png()

    def on_kind(_=None):
        explorer.set(kind=kind_box.value)
        slider.unobserve(on_strength, names="value")
        slider.options = list(STRENGTHS[explorer.kind])
        slider.value = explorer.strength
        slider.observe(on_strength, names="value")
        redraw()

    def on_strength(_=None):
        explorer.set(strength=slider.value)
        redraw()

    kind_box.observe(on_kind, names="value")
    slider.observe(on_strength, names="value")
    redraw()
    box = W.VBox([W.HBox([kind_box, slider]), text, image])
    display(box)
    return box
