"""The interactive linear-classifier demo of notebook 02 (after the CS231n demo).

Three classes in the plane, a linear score function ``s = x W + b`` with ``W: (2, 3)`` and
``b: (3,)`` (rows are samples, so column k of W holds class k's weights), a softmax
(cross-entropy) or multiclass SVM (Weston-Watkins) loss, L2 regularisation, and plain
gradient descent. The logic is the plain class ``LinearClassifierDemo`` (tested without a
browser); ``show_linear_classifier()`` only wires ipywidgets controls to it.

Loss (the data loss averaged over the N points, plus the penalty on W, not on b):

    L = (1/N) sum_i L_i + 0.5 * l2 * sum(W**2)

softmax: L_i = -log p_{i, y_i} with p_i = softmax(s_i);
SVM:     L_i = sum_{j != y_i} max(0, s_ij - s_{i y_i} + 1).
Both per-example losses come from :mod:`helpers.numpy_nn.losses` (``reduction="none"``); the
0.5 makes the penalty's gradient l2 * W, as in ``helpers.numpy_nn.losses.l2_penalty``.
(The CS231n demo prints its regularisation loss as l2 * sum(W**2), without the 0.5.)
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from helpers.numpy_nn.losses import hinge_loss, l2_penalty, softmax_cross_entropy
from helpers.widgets._base import figure_image, readout

# The data table and starting parameters of the CS231n demo:
# x[0], x[1], y. Starting parameters there are w_k = (w[k,0], w[k,1]), b[k]; our W is their
# transpose (column k = class k).
DEFAULT_X = np.array([[0.5, 0.4], [0.8, 0.3], [0.3, 0.8],
                      [-0.4, 0.3], [-0.3, 0.7], [-0.7, 0.2],
                      [0.7, -0.4], [0.5, -0.6], [-0.4, -0.5]])
DEFAULT_Y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
DEFAULT_W = np.array([[1.0, 2.0, 3.0],
                      [2.0, -4.0, -1.0]])
DEFAULT_B = np.array([0.0, 0.5, -0.5])

LOSS_TYPES = ("softmax", "svm")
TABLE_COLUMNS = ("x1", "x2", "y", "s0", "s1", "s2", "loss")  # classes are 0, 1, 2


def per_example_loss(scores, y, loss_type="softmax", delta=1.0):
    """Per-example losses ``(N,)`` and their gradient ``dL_i/ds`` ``(N, C)`` (not averaged)."""
    scores = np.asarray(scores, dtype=float)
    if loss_type == "softmax":
        return softmax_cross_entropy(scores, y, reduction="none")
    if loss_type == "svm":
        return hinge_loss(scores, y, delta, reduction="none")
    raise ValueError(f"loss_type must be one of {LOSS_TYPES}, got {loss_type!r}")


@dataclass
class LossTable:
    """What the readout shows: one row per point and the three loss totals."""

    rows: np.ndarray  # (N, 7): x1, x2, y, s0, s1, s2, loss
    data_loss: float
    reg_loss: float

    @property
    def total_loss(self) -> float:
        return self.data_loss + self.reg_loss

    def to_html(self) -> str:
        head = "".join(f"<th>{c}</th>" for c in TABLE_COLUMNS)
        body = []
        for r in self.rows:
            cells = [f"{r[0]:.2f}", f"{r[1]:.2f}", f"{int(r[2])}"] + [f"{v:.2f}" for v in r[3:]]
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        return (
            f"<b>total loss {self.total_loss:.4f}</b> = data loss {self.data_loss:.4f}"
            f" + regularisation loss {self.reg_loss:.4f}"
            "<table style='font-family:monospace;font-size:12px;text-align:right'>"
            f"<tr>{head}</tr>{''.join(body)}</table>"
        )


class LinearClassifierDemo:
    """A 3-class linear classifier in 2-D trained by gradient descent, one step at a time.

    X: (N, 2) points, y: (N,) labels in {0, 1, 2}; W: (2, 3), b: (3,).
    ``loss_type`` is "softmax" or "svm"; ``lr`` the learning rate; ``l2`` the L2
    strength. ``step()`` takes gradient steps, ``loss_table()`` reports the losses,
    ``render_png()`` draws the plane.
    """

    def __init__(self, X=None, y=None, W=None, b=None, loss_type="softmax",
                 lr=0.1, l2=0.1, seed=0):
        self.X = np.array(DEFAULT_X if X is None else X, dtype=float)
        self.y = np.array(DEFAULT_Y if y is None else y)
        if self.X.ndim != 2 or self.X.shape[1] != 2:
            raise ValueError(f"X must have shape (N, 2), got {self.X.shape}")
        if self.y.shape != (self.X.shape[0],):
            raise ValueError(f"y must have shape (N,) with N={self.X.shape[0]}, got {self.y.shape}")
        if not np.issubdtype(self.y.dtype, np.integer) or self.y.min() < 0 or self.y.max() > 2:
            raise ValueError("y must hold integer labels in {0, 1, 2}")
        self._W0 = np.array(DEFAULT_W if W is None else W, dtype=float)
        self._b0 = np.array(DEFAULT_B if b is None else b, dtype=float)
        if self._W0.shape != (2, 3):
            hint = " (looks transposed)" if self._W0.shape == (3, 2) else ""
            raise ValueError(f"W must have shape (D, C) = (2, 3), got {self._W0.shape}{hint}")
        if self._b0.shape != (3,):
            raise ValueError(f"b must have shape (C,) = (3,), got {self._b0.shape}")
        self.loss_type = loss_type
        self.lr = float(lr)
        self.l2 = float(l2)
        self.rng = np.random.default_rng(seed)
        self.steps = 0
        self.reset()

    # --- state -------------------------------------------------------------------------
    @property
    def loss_type(self) -> str:
        return self._loss_type

    @loss_type.setter
    def loss_type(self, value: str) -> None:
        if value not in LOSS_TYPES:
            raise ValueError(f"loss_type must be one of {LOSS_TYPES}, got {value!r}")
        self._loss_type = value

    def reset(self) -> None:
        """Back to the starting parameters."""
        self.W = self._W0.copy()
        self.b = self._b0.copy()
        self.steps = 0

    def randomise(self) -> None:
        """New parameters drawn from N(0, 1) (W) and N(0, 0.25) (b)."""
        self.W = self.rng.normal(0.0, 1.0, size=(2, 3))
        self.b = self.rng.normal(0.0, 0.5, size=3)
        self.steps = 0

    # --- maths -------------------------------------------------------------------------
    def scores(self, X=None):
        """s = X W + b: (N, 3)."""
        X = self.X if X is None else np.asarray(X, dtype=float)
        return X @ self.W + self.b

    def loss(self):
        """(data_loss, reg_loss, dW, db) at the current parameters."""
        n = self.X.shape[0]
        losses, dscores = per_example_loss(self.scores(), self.y, self.loss_type)
        dscores /= n
        reg_loss, (dW_reg,) = l2_penalty([self.W], self.l2)
        dW = self.X.T @ dscores + dW_reg
        db = dscores.sum(axis=0)
        return float(losses.mean()), reg_loss, dW, db

    def step(self, n_steps: int = 1) -> float:
        """Take ``n_steps`` gradient-descent steps; return the total loss afterwards."""
        for _ in range(int(n_steps)):
            _, _, dW, db = self.loss()
            self.W -= self.lr * dW
            self.b -= self.lr * db
            self.steps += 1
        data, reg, _, _ = self.loss()
        return data + reg

    def loss_table(self) -> LossTable:
        s = self.scores()
        losses, _ = per_example_loss(s, self.y, self.loss_type)
        rows = np.column_stack([self.X, self.y.astype(float), s, losses])
        data, reg, _, _ = self.loss()
        return LossTable(rows=rows, data_loss=data, reg_loss=reg)

    def accuracy(self) -> float:
        return float((self.scores().argmax(axis=1) == self.y).mean())

    # --- picture -----------------------------------------------------------------------
    def figure(self, ax=None, extent: float = 1.5, resolution: int = 200):
        """The plane coloured by argmax class, the three score = 0 lines, w_k arrows, data.

        Draws on ``ax`` when given, else on a new figure; returns the figure.
        """
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D

        from helpers.plotting import CLASS_COLORS, class_cmap, scatter_classes

        g = np.linspace(-extent, extent, resolution)
        xx, yy = np.meshgrid(g, g)
        pts = np.column_stack([xx.ravel(), yy.ravel()])
        s = self.scores(pts)
        if ax is None:
            fig, ax = plt.subplots(figsize=(5.2, 5.0))
        else:
            fig = ax.figure
        ax.contourf(xx, yy, s.argmax(axis=1).reshape(xx.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                    cmap=class_cmap(3), alpha=0.6)
        for k in range(3):
            sk = s[:, k].reshape(xx.shape)
            if sk.min() < 0 < sk.max():
                ax.contour(xx, yy, sk, levels=[0.0], colors=[CLASS_COLORS[k]], linewidths=2)
            w = self.W[:, k]
            norm2 = float(w @ w)
            if norm2 > 1e-12:  # an arrow along w_k from the point of its line nearest 0
                p0 = -self.b[k] * w / norm2
                if np.all(np.abs(p0) < extent):
                    d = 0.3 * w / np.sqrt(norm2)
                    ax.annotate("", xy=p0 + d, xytext=p0,
                                arrowprops={"arrowstyle": "->", "color": CLASS_COLORS[k],
                                            "lw": 2})
        scatter_classes(self.X, self.y, ax=ax, edge="black", size=60,
                        labels=["class 0", "class 1", "class 2"])
        handles, _ = ax.get_legend_handles_labels()
        handles += [Line2D([], [], color="0.35", lw=2, label="$s_k = 0$ (class $k$'s colour)"),
                    Line2D([], [], color="0.35", lw=0, marker=r"$\rightarrow$", markersize=14,
                           label="$w_k$: direction of growing $s_k$")]
        ax.set_xlim(-extent, extent)
        ax.set_ylim(-extent, extent)
        ax.set_aspect("equal")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.legend(handles=handles, loc="upper left", fontsize=8)
        t = self.loss_table()
        ax.set_title(f"{self.loss_type} loss, step {self.steps}: total {t.total_loss:.3f}, "
                     f"accuracy {self.accuracy():.0%}", fontsize=10)
        return fig

    def render_png(self, dpi: int = 80) -> bytes:
        """The figure as PNG bytes, drawn off-screen (no pyplot figure is left open)."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.2, 5.0), layout="constrained")
        self.figure(ax=fig.add_subplot())
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
        return buf.getvalue()


def show_linear_classifier(demo: LinearClassifierDemo | None = None):
    """The ipywidgets front end: loss type, learning rate, regularisation, four buttons."""
    import ipywidgets as W

    demo = demo or LinearClassifierDemo()
    loss_dd = W.Dropdown(options=[("softmax (cross-entropy)", "softmax"),
                                  ("multiclass SVM (hinge)", "svm")],
                         value=demo.loss_type, description="loss")
    step_sl = W.FloatLogSlider(value=demo.lr, base=10, min=-3, max=0.5, step=0.1,
                               description="step size", continuous_update=False,
                               readout_format=".3f")
    reg_sl = W.FloatSlider(value=demo.l2, min=0.0, max=1.0, step=0.01,
                           description="reg λ", continuous_update=False)
    b_one = W.Button(description="single step")
    b_100 = W.Button(description="run 100 steps")
    b_rand = W.Button(description="randomise")
    b_reset = W.Button(description="reset")
    img = figure_image()
    out = readout()

    def refresh(*_):
        demo.loss_type = loss_dd.value
        demo.lr = step_sl.value
        demo.l2 = reg_sl.value
        img.value = demo.render_png()
        wtxt = ", ".join(f"w{k}=({demo.W[0, k]:.2f}, {demo.W[1, k]:.2f}) b{k}={demo.b[k]:.2f}"
                         for k in range(3))
        out.value = (f"step {demo.steps} · accuracy {demo.accuracy():.0%}<br>{wtxt}<br>"
                     + demo.loss_table().to_html())

    def on_one(_):
        refresh()
        demo.step(1)
        refresh()

    def on_100(_):
        refresh()
        demo.step(100)
        refresh()

    def on_rand(_):
        demo.randomise()
        refresh()

    def on_reset(_):
        demo.reset()
        refresh()

    for ctl in (loss_dd, step_sl, reg_sl):
        ctl.observe(refresh, names="value")
    b_one.on_click(on_one)
    b_100.on_click(on_100)
    b_rand.on_click(on_rand)
    b_reset.on_click(on_reset)
    refresh()
    controls = W.VBox([loss_dd, step_sl, reg_sl, W.HBox([b_one, b_100]), W.HBox([b_rand, b_reset])])
    return W.VBox([W.HBox([controls, img]), out])
