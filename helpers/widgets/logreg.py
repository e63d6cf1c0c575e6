"""Notebook 01's widget: feel the learning rate and the number of iterations.

``LogRegExplorer`` is the logic (no ipywidgets): it trains logistic regression by batch
gradient descent on a 2-D dataset and renders the decision boundary next to the training
curve as PNG bytes, with a one-line readout. ``show_logreg_explorer()`` wires sliders to it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from helpers.numpy_nn.logistic import predict_proba, train_logistic_regression
from helpers.plotting import plot_decision_boundary, plot_training_curves
from helpers.synthetic import make_dataset
from helpers.widgets._base import fig_to_png, figure_image, readout

# name -> noise: blobs overlap a little, moons and circles are not linearly separable.
DATASETS = {"blobs": 1.2, "moons": 0.2, "circles": 0.1, "xor": 0.2}


class LogRegExplorer:
    """Train logistic regression on a 2-D dataset for given ``lr`` and ``steps``.

    >>> ex = LogRegExplorer("blobs", lr=0.1, steps=100)
    >>> ex.readout_text()        # 'iterations 100 · loss … · accuracy …'
    >>> png = ex.figure_png()    # decision boundary | loss curve
    """

    def __init__(self, dataset: str = "blobs", lr: float = 0.1, steps: int = 100,
                 n: int = 200, seed: int = 0):
        self.n, self.seed = n, seed
        self._data = {}
        self.result = None
        self.set(dataset=dataset, lr=lr, steps=steps)

    def set(self, dataset: str | None = None, lr: float | None = None,
            steps: int | None = None) -> LogRegExplorer:
        """Change any setting and retrain (training 200 points takes milliseconds)."""
        dataset = self.dataset if dataset is None else dataset
        if dataset not in DATASETS:
            raise ValueError(f"unknown dataset {dataset!r}; choose one of {sorted(DATASETS)}")
        lr = self.lr if lr is None else float(lr)
        steps = self.steps if steps is None else int(steps)
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr!r}")
        if steps < 1:
            raise ValueError(f"steps must be at least 1, got {steps!r}")
        self.dataset, self.lr, self.steps = dataset, lr, steps
        self.X, self.y = self.data(dataset)
        w, b, history = train_logistic_regression(self.X, self.y, lr=lr, steps=steps)
        self.result = {"w": w, "b": b, "history": history}
        return self

    def data(self, name: str):
        if name not in self._data:
            self._data[name] = make_dataset(name, n=self.n, noise=DATASETS[name], seed=self.seed)
        return self._data[name]

    @property
    def loss(self) -> float:
        return self.result["history"]["loss"][-1]

    @property
    def accuracy(self) -> float:
        return self.result["history"]["accuracy"][-1]

    def readout_text(self) -> str:
        loss = self.loss
        diverged = "" if np.isfinite(loss) and loss < 10 else " (diverging: lower the learning rate)"
        return (f"{self.dataset} · learning rate {self.lr:.3g} · iterations {self.steps} · "
                f"loss {loss:.4f} · accuracy {self.accuracy:.1%}{diverged}")

    def figure_png(self) -> bytes:
        w, b, history = self.result["w"], self.result["b"], self.result["history"]
        # not a pyplot figure: never shown by the inline backend; constrained layout keeps the
        # colour bar and both panels' labels apart
        fig = Figure(figsize=(9.5, 3.8), layout="constrained")
        ax1, ax2 = fig.subplots(1, 2)
        plot_decision_boundary(lambda P: predict_proba(P, w, b), self.X, self.y, ax=ax1,
                               proba=True, resolution=120,
                               title=f"after {self.steps} iterations (black line: P = ½)")
        ax1.legend(loc="lower right", fontsize=8)
        shading = next(c for c in ax1.collections if isinstance(c, ContourSet) and c.filled)
        fig.colorbar(shading, ax=ax1, label="P(class 1 | x)", ticks=[0, 0.5, 1])
        plot_training_curves({"training loss": history["loss"]}, ax=ax2,
                             title=f"training loss, learning rate {self.lr:.3g}",
                             ylabel="binary cross-entropy")
        return fig_to_png(fig)


def show_logreg_explorer(dataset: str = "blobs", lr: float = 0.1, steps: int = 100):
    """Sliders for learning rate (log scale) and iterations, a dataset menu; returns the UI."""
    import ipywidgets as W

    ex = LogRegExplorer(dataset, lr=lr, steps=steps)
    lr_slider = W.FloatLogSlider(value=lr, base=10, min=-3, max=1.5, step=0.1,
                                 description="learning rate", continuous_update=False,
                                 readout_format=".3g", style={"description_width": "initial"})
    it_slider = W.IntSlider(value=steps, min=1, max=2000, step=1, description="iterations",
                            continuous_update=False)
    menu = W.Dropdown(options=list(DATASETS), value=dataset, description="dataset")
    text, image = readout(), figure_image()

    def refresh(_=None):
        ex.set(dataset=menu.value, lr=lr_slider.value, steps=it_slider.value)
        text.value = ex.readout_text()
        image.value = ex.figure_png()

    for control in (lr_slider, it_slider, menu):
        control.observe(refresh, names="value")
    text.value = ex.readout_text()
    image.value = ex.figure_png()
    return W.VBox([W.HBox([menu, lr_slider, it_slider]), text, image])
