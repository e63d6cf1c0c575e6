"""Notebook 04's widget: train a small MLP on a 2-D dataset and watch its decision boundary.

The logic is the plain class :class:`MLPTrainer` (testable without a browser): choose a
dataset, hidden size, number of hidden layers, activation, learning rate and L2 strength,
call :meth:`MLPTrainer.train`, then read :meth:`MLPTrainer.readout` (epoch, loss, training
accuracy) and :meth:`MLPTrainer.figure_png` (decision boundary and loss curve as PNG bytes).
The model is :class:`helpers.numpy_nn.model.MLP`, trained by full-batch gradient descent
(``Solver.step`` of :mod:`helpers.numpy_nn.solver` with plain SGD), so one epoch is one step. The loss recorded for an epoch
is computed *before* that epoch's update (it comes with the gradient), so the readout's loss
is one step older than its accuracy, which is measured on the current weights.
A run whose loss grows by more than six orders of magnitude (a learning rate that is too
large) is plotted as log10(loss) on a linear axis, so its first epochs stay readable.

:func:`show_mlp_trainer` wires ipywidgets controls to it: every control has
``continuous_update=False`` and retrains from scratch when released; "Train more" continues
from the current weights. The figure is refreshed a few times during training, so the
boundary visibly moves.
"""

from __future__ import annotations

import html

import numpy as np

from helpers.numpy_nn.model import MLP
from helpers.numpy_nn.solver import Solver
from helpers.synthetic import make_circles, make_moons, make_spiral, make_xor

#: name -> (generator, noise, number of classes)
DATASETS = {
    "moons": (make_moons, 0.2, 2),
    "circles": (make_circles, 0.1, 2),
    "xor": (make_xor, 0.15, 2),
    "spiral": (make_spiral, 0.2, 3),
}
ACTIVATIONS = ("tanh", "relu", "sigmoid")
HIDDEN_SIZES = (1, 2, 3, 4, 5, 8, 16, 32, 64)
L2_VALUES = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)


def _number(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value!r}")
    return float(value)


def _integer(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value!r}")
    return int(value)


class MLPTrainer:
    """A dataset, an :class:`~helpers.numpy_nn.MLP` and its training history.

    dataset: one of ``DATASETS``; hidden: units per hidden layer (1..256); layers: number of
    hidden layers (1..4); lr: learning rate (0, 100]; activation: one of ``ACTIVATIONS``;
    l2: L2 strength λ >= 0 (the loss adds 0.5·λ·Σ‖W‖²); epochs: gradient steps per
    :meth:`train` call; n: number of points; seed: data and initialisation seed.
    Changing a setting (:meth:`set`) rebuilds the data and the model and clears the history.
    """

    def __init__(self, dataset="moons", hidden=8, layers=1, lr=1.0, activation="tanh",
                 l2=1e-3, epochs=500, n=200, seed=0):
        self._settings = {}
        self.set(dataset=dataset, hidden=hidden, layers=layers, lr=lr, activation=activation,
                 l2=l2, epochs=epochs, n=n, seed=seed)

    # -- settings ------------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        return dict(self._settings)

    def set(self, **changes) -> MLPTrainer:
        """Change settings (same names as the constructor) and reset data, model and history."""
        s = dict(self._settings)
        unknown = set(changes) - {"dataset", "hidden", "layers", "lr", "activation", "l2",
                                  "epochs", "n", "seed"}
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}")
        s.update(changes)
        if s["dataset"] not in DATASETS:
            raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {s['dataset']!r}")
        if s["activation"] not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {s['activation']!r}")
        s["hidden"] = _integer("hidden", s["hidden"], 1, 256)
        s["layers"] = _integer("layers", s["layers"], 1, 4)
        s["epochs"] = _integer("epochs", s["epochs"], 1, 100_000)
        s["n"] = _integer("n", s["n"], 10, 5000)
        s["seed"] = _integer("seed", s["seed"], 0, 2**31 - 1)
        s["lr"] = _number("lr", s["lr"], 0.0, 100.0)
        if s["lr"] == 0:
            raise ValueError("lr must be > 0, got 0")
        s["l2"] = _number("l2", s["l2"], 0.0, 10.0)
        self._settings = s
        self.reset()
        return self

    def reset(self) -> None:
        """Fresh data and freshly initialised weights; empty history."""
        s = self._settings
        make, noise, n_classes = DATASETS[s["dataset"]]
        self.X, self.y = make(n=s["n"], noise=noise, seed=s["seed"])
        self.n_classes = n_classes
        h, act = s["hidden"], s["activation"]
        arch = [{"input_dim": 2, "output_dim": h, "activation": act}]
        arch += [{"input_dim": h, "output_dim": h, "activation": act}] * (s["layers"] - 1)
        arch += [{"input_dim": h, "output_dim": n_classes, "activation": "softmax"}]
        # He initialisation suits ReLU; Xavier suits tanh and sigmoid (notebook 06).
        init = "he" if act == "relu" else "xavier"
        self.model = MLP(arch, init=init, l2=s["l2"], seed=s["seed"])
        self.solver = Solver(self.model, {"X_train": self.X, "y_train": self.y},
                             update_rule="sgd", optim_config={"lr": s["lr"]},
                             batch_size=len(self.y), progress=False)
        self.losses: list[float] = []
        self.diverged = False

    # -- training ------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return len(self.losses)

    def train(self, epochs: int | None = None, callback=None, every: int = 100) -> MLPTrainer:
        """Run ``epochs`` (default: the ``epochs`` setting) full-batch gradient steps.

        ``callback(self)``, if given, is called every ``every`` epochs and at the end.
        Training stops early if the loss stops being finite (learning rate too large).
        """
        epochs = self._settings["epochs"] if epochs is None else _integer("epochs", epochs, 1, 100_000)
        for i in range(1, epochs + 1):
            if self.diverged:
                break
            try:
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    loss = self.solver.step(self.X, self.y)
            except FloatingPointError:  # the loss is no longer finite
                self.diverged = True
                break
            except ValueError as err:  # ... or a gradient (the update rule refuses it)
                if "NaN or inf" not in str(err):
                    raise
                self.diverged = True
                break
            self.losses.append(loss)
            if callback is not None and i % every == 0 and i != epochs:
                callback(self)
        if callback is not None:
            callback(self)
        return self

    def predict(self, X) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return self.model.predict(np.asarray(X, dtype=np.float64))

    def accuracy(self) -> float:
        return float((self.predict(self.X) == self.y).mean())

    # -- output --------------------------------------------------------------------------
    def readout(self) -> str:
        """One line: epoch, loss and training accuracy.

        The loss is the one computed at the start of the last step, i.e. before its update;
        the accuracy is measured on the current (updated) weights.
        """
        s = self._settings
        head = (f"{s['dataset']} · {s['layers']}×{s['hidden']} {s['activation']} · "
                f"lr {s['lr']:g} · λ {s['l2']:g}")
        if self.diverged:
            return (f"{head} — epoch {self.epoch}: diverged (the loss is no longer finite; "
                    "lower the learning rate)")
        if not self.losses:
            return f"{head} — epoch 0: not trained yet"
        return (f"{head} — epoch {self.epoch} · loss {self.losses[-1]:.4f} · "
                f"train accuracy {100 * self.accuracy():.1f}%")

    def loss_curve(self) -> tuple[list[float], str, bool]:
        """What the loss panel plots: ``(values, y-axis label, log y-axis?)``.

        Normally the losses on a log axis (it shows the slow phase of training). A run whose
        loss grew by more than a factor 10^6 (divergence) would squash its first epochs into
        the bottom of any such axis, so it is shown as log10(loss) on a linear axis instead:
        a blow-up 1.1 → 3e3 → 4e12 → 4e36 becomes 0.04, 3.5, 12.6, 36.6, evenly readable.
        """
        losses = list(self.losses)
        if not losses:
            return [], "loss (cross-entropy + L2)", False
        lo, hi = min(losses), max(losses)
        if lo > 0 and hi < 1e6 * lo:
            return losses, "loss (cross-entropy + L2)", True
        floor = np.finfo(float).tiny  # a loss of exactly 0 would have no logarithm
        return ([float(np.log10(max(v, floor))) for v in losses],
                "log10(loss): the loss blew up", False)

    def figure(self):
        """Decision boundary (left) and training loss (right) as a matplotlib figure."""
        import matplotlib.pyplot as plt

        from helpers.plotting import plot_decision_boundary, plot_training_curves

        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 4.0), constrained_layout=True)
        s = self._settings
        plot_decision_boundary(self.predict, self.X, self.y, ax=ax1, resolution=120,
                               title=f"{s['dataset']}: decision boundary, epoch {self.epoch}")
        if self.losses:
            values, ylabel, logy = self.loss_curve()
            plot_training_curves({"training loss": values}, ax=ax2, xlabel="epoch",
                                 ylabel=ylabel, logy=logy, title="training loss")
            if len(values) <= 30:  # a short (diverged) run: mark every epoch
                ax2.lines[-1].set_marker("o")
        else:
            ax2.set_xlabel("epoch")
            ax2.set_ylabel("loss (cross-entropy + L2)")
            ax2.set_title("training loss")
            ax2.text(0.5, 0.5, "press Train", ha="center", va="center", transform=ax2.transAxes)
        if self.diverged:
            ax1.set_title("diverged: lower the learning rate", color="#D55E00")
        return fig

    def figure_png(self) -> bytes:
        from helpers.widgets._base import fig_to_png

        return fig_to_png(self.figure())

    def readout_html(self) -> str:
        return f"<code>{html.escape(self.readout())}</code>"


def show_mlp_trainer(trainer: MLPTrainer | None = None):
    """Build the ipywidgets interface around ``trainer`` (a fresh one by default), train it
    once, and return the widget box (display it, or let it be the cell's last value)."""
    import ipywidgets as W

    from helpers.widgets._base import figure_image, readout

    t = trainer or MLPTrainer()
    s = t.settings
    style = {"description_width": "120px"}
    dataset = W.ToggleButtons(options=list(DATASETS), value=s["dataset"], description="dataset",
                              style=style)
    hidden = W.SelectionSlider(options=list(HIDDEN_SIZES) if s["hidden"] in HIDDEN_SIZES
                               else sorted({*HIDDEN_SIZES, s["hidden"]}),
                               value=s["hidden"], description="hidden size",
                               continuous_update=False, style=style)
    layers = W.IntSlider(value=s["layers"], min=1, max=4, description="hidden layers",
                         continuous_update=False, style=style)
    lr = W.FloatLogSlider(value=s["lr"], base=10, min=-3, max=1, step=0.25,
                          description="learning rate", continuous_update=False, style=style)
    activation = W.ToggleButtons(options=list(ACTIVATIONS), value=s["activation"],
                                 description="activation", style=style)
    l2 = W.SelectionSlider(options=list(L2_VALUES) if s["l2"] in L2_VALUES
                           else sorted({*L2_VALUES, s["l2"]}),
                           value=s["l2"], description="L2 λ", continuous_update=False,
                           style=style)
    more = W.Button(description=f"Train {s['epochs']} more epochs", icon="play")
    retrain = W.Button(description="Retrain from scratch", icon="refresh")
    text = readout()
    image = figure_image()
    controls = {"dataset": dataset, "hidden": hidden, "layers": layers, "lr": lr,
                "activation": activation, "l2": l2}

    def draw(tr):
        text.value = tr.readout_html()
        image.value = tr.figure_png()

    def busy(flag):
        for w in (*controls.values(), more, retrain):
            w.disabled = flag

    def run(fresh):
        busy(True)
        try:
            if fresh:
                t.set(**{k: w.value for k, w in controls.items()})
            t.train(callback=draw, every=max(1, t.settings["epochs"] // 3))
        finally:
            busy(False)

    for w in controls.values():
        w.observe(lambda _change: run(True), names="value")
    more.on_click(lambda _b: run(False))
    retrain.on_click(lambda _b: run(True))
    if not t.losses and not t.diverged:
        t.train()  # train once so the figure is never empty
    draw(t)
    box = W.VBox([W.HBox([W.VBox([dataset, activation]), W.VBox([hidden, layers, lr, l2])]),
                  W.HBox([more, retrain]), text, image])
    box.trainer = t  # for tests and for curious students
    box.controls = controls
    box.buttons = {"more": more, "retrain": retrain}
    return box
