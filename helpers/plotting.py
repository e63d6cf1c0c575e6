"""The course figure style, decision boundaries and training curves.

Colours are the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies); figures have a white background so they stay legible in JupyterLab's dark
theme as well as the light one.
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

# Okabe & Ito (2008), "Color Universal Design".
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
SEQUENTIAL_CMAP = "cividis"
DIVERGING_CMAP = "PuOr"


def use_course_style() -> None:
    """Apply the course's matplotlib settings (call once at the top of a notebook)."""
    mpl.rcParams.update({
        "figure.figsize": (6.0, 4.0),
        "figure.dpi": 100,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.facecolor": "white",
        "axes.edgecolor": "#333333",
        "axes.labelcolor": "#111111",
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.prop_cycle": mpl.cycler(color=CLASS_COLORS),
        "xtick.color": "#111111",
        "ytick.color": "#111111",
        "text.color": "#111111",
        "legend.frameon": True,
        "legend.framealpha": 0.9,
        "image.cmap": SEQUENTIAL_CMAP,
        "figure.constrained_layout.use": True,
    })


def class_cmap(n_classes: int, alpha_light: bool = True) -> ListedColormap:
    """A categorical colormap of the first ``n_classes`` course colours (lightened for fills)."""
    colors = np.array([mpl.colors.to_rgb(c) for c in CLASS_COLORS[:n_classes]])
    if alpha_light:
        colors = 0.55 * colors + 0.45  # blend with white so points stay visible on top
    return ListedColormap(colors)


def scatter_classes(X, y, ax=None, labels=None, edge="white", size=28, alpha=1.0,
                    marker_offset: int = 0):
    """Scatter 2-D points coloured and shaped by class (shape too, for printing in grey)."""
    ax = ax or plt.gca()
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    for k in np.unique(y):
        m = y == k
        name = labels[int(k)] if labels is not None else f"class {int(k)}"
        ax.scatter(X[m, 0], X[m, 1], s=size, c=CLASS_COLORS[int(k) % len(CLASS_COLORS)],
                   marker=MARKERS[(int(k) + marker_offset) % len(MARKERS)], edgecolors=edge,
                   linewidths=0.6, alpha=alpha, label=name)
    return ax


def grid_for(X, resolution: int = 200, margin: float = 0.5):
    """A ``resolution × resolution`` grid covering the points: ``(xx, yy, points (M, 2))``."""
    x_min, y_min = X.min(axis=0) - margin
    x_max, y_max = X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution),
                         np.linspace(y_min, y_max, resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_boundary(predict, X, y, ax=None, resolution: int = 200, title=None,
                           proba: bool = False, labels=None, margin: float = 0.5):
    """Shade the plane by the model's prediction and draw the data on top.

    ``predict`` maps points ``(M, 2)`` to class labels ``(M,)``; with ``proba=True`` it
    returns P(class 1) ``(M,)`` and the plane is shaded continuously with the 0.5 contour.
    """
    ax = ax or plt.gca()
    X = np.asarray(X)
    xx, yy, pts = grid_for(X, resolution, margin)
    Z = np.asarray(predict(pts)).reshape(-1)
    if Z.shape[0] != pts.shape[0]:
        raise ValueError(f"predict must return one value per point: expected ({pts.shape[0]},), "
                         f"got {np.asarray(predict(pts)).shape}")
    Z = Z.reshape(xx.shape)
    n_classes = int(max(np.max(y), np.max(Z) if not proba else 1)) + 1
    if proba:
        cmap = mpl.colors.LinearSegmentedColormap.from_list(
            "course2", [class_cmap(2)(0), "white", class_cmap(2)(1)])
        ax.contourf(xx, yy, Z, levels=np.linspace(0, 1, 21), cmap=cmap, vmin=0, vmax=1)
        ax.contour(xx, yy, Z, levels=[0.5], colors="#333333", linewidths=1.2)
    else:
        ax.contourf(xx, yy, Z, levels=np.arange(n_classes + 1) - 0.5, cmap=class_cmap(n_classes))
        ax.contour(xx, yy, Z, levels=np.arange(n_classes) + 0.5, colors="#333333",
                   linewidths=0.8)
    scatter_classes(X, y, ax=ax, labels=labels)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    if title:
        ax.set_title(title)
    return ax


def plot_training_curves(history: dict, ax=None, xlabel: str = "iteration",
                         ylabel: str = "loss", logy: bool = False, title=None):
    """Plot each named series of ``history`` (e.g. ``{"train": [...], "validation": [...]}``)."""
    ax = ax or plt.gca()
    for i, (name, values) in enumerate(history.items()):
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(1, len(values) + 1), values, label=name,
                color=CLASS_COLORS[i % len(CLASS_COLORS)],
                linestyle=["-", "--", ":", "-."][i % 4])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(history) > 1:
        ax.legend()
    return ax


def show_images(images, labels=None, n_cols: int = 10, cmap="gray_r", size: float = 1.1,
                title=None):
    """A grid of grey-scale images ``(N, H, W)`` with optional per-image captions."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W), got {images.shape}")
    n = len(images)
    n_rows = int(np.ceil(n / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols, size * n_rows + 0.3),
                             squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap=cmap)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def plot_history(history: dict, axes=None, smooth: float = 0.9, title=None, label=None,
                 color=None):
    """The curves of a ``Solver.history`` (or ``torch_nn.fit``'s history): left, the loss of
    every step (light) and its bias-corrected exponentially weighted average with
    ``smooth`` = beta (dark); right, the accuracy of every epoch (training and validation).
    Returns the figure. ``axes``: two axes to draw into (several histories in one figure,
    each with its ``label`` and ``color``)."""
    loss = np.asarray(history.get("loss", history.get("step_loss", [])), dtype=float)
    if loss.size == 0:
        raise ValueError("history has no 'loss' (per step) to plot")
    if not 0 <= smooth < 1:
        raise ValueError(f"smooth must be in [0, 1), got {smooth!r}")
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    fig = axes[0].figure
    ax1, ax2 = axes
    color = color or CLASS_COLORS[0]
    avg, ewa = 0.0, np.empty_like(loss)
    for t, v in enumerate(loss):
        avg = smooth * avg + (1 - smooth) * v
        ewa[t] = avg / (1 - smooth ** (t + 1))
    steps = np.arange(len(loss))
    ax1.plot(steps, loss, color=color, alpha=0.25, lw=0.8)
    ax1.plot(steps, ewa, color=color, lw=1.8, label=label or "training loss (smoothed)")
    ax1.set_xlabel("step (update)")
    ax1.set_ylabel("loss")
    ax1.legend(fontsize=8)
    epochs = np.arange(1, len(history.get("train_acc", [])) + 1)
    if len(epochs):
        ax2.plot(epochs, history["train_acc"], color=color, ls="--", marker="o", ms=3,
                 label=f"{label + ': ' if label else ''}training")
    val = history.get("val_acc", [])
    if len(val):
        ax2.plot(np.arange(1, len(val) + 1), val, color=color, marker="s", ms=3,
                 label=f"{label + ': ' if label else ''}validation")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy")
    if len(epochs) or len(val):
        ax2.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
