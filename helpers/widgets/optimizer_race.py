"""The optimiser race of notebook 07: several update rules start from the same point of a
2-D loss surface and race to the minimum.

``OptimizerRace`` is plain Python (testable without a browser): choose a surface
(``SURFACES``), the racers (``RACERS``) and the hyper-parameters, call ``run()`` for the
paths and losses, ``figure()`` for the plot (the paths on the contour plot, and the loss
above the minimum against the step) and ``readout()`` for the text line.
``show_optimizer_race()`` wires ipywidgets controls to it; ``animate_race()`` turns a race
into a matplotlib animation (``HTML(anim.to_jshtml())`` shows it in a notebook).

Every racer is one of the course's update rules (``helpers.numpy_nn.optim``) applied to the
point ``w = (x, y)`` with the surface's exact gradient. There are two learning rates: one
for the plain-gradient family (SGD, momentum, Nesterov), whose step is lr times the
gradient, and one for the adaptive rules (AdaGrad, RMSprop, Adam), whose step is about lr
whatever the gradient's size, so that the two families can each be tuned.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

from helpers.numpy_nn.optim import adagrad, adam, rmsprop, sgd, sgd_momentum
from helpers.plotting import CLASS_COLORS
from helpers.widgets._base import fig_to_png, new_figure


@dataclass(frozen=True)
class Surface:
    """A 2-D loss f(x, y) with its gradient, a start point, the minimum and a view box."""

    name: str
    formula: str
    f: object
    grad: object
    start: tuple
    minimum: tuple
    f_min: float
    xlim: tuple
    ylim: tuple
    log_levels: bool
    lr_sgd: float
    lr_adaptive: float

    def __call__(self, x, y):
        return self.f(x, y)


def _quad_f(x, y):
    return x**2 / 50 + y**2


def _quad_g(x, y):
    return np.array([x / 25, 2 * y])


def _rosen_f(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosen_g(x, y):
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def _saddle_f(x, y):
    return x**2 + y**4 / 4 - y**2 / 2


def _saddle_g(x, y):
    return np.array([2 * x, y**3 - y])


SURFACES = {
    "elongated quadratic": Surface(
        "elongated quadratic", r"$f(x, y) = x^2/50 + y^2$ (curvatures 0.04 and 2: condition 50)",
        _quad_f, _quad_g, (-7.0, 2.0), (0.0, 0.0), 0.0, (-8.0, 8.0), (-3.0, 3.0), False,
        0.5, 0.3),
    "rosenbrock": Surface(
        "rosenbrock", r"$f(x, y) = (1 - x)^2 + 100 (y - x^2)^2$ (a curved, flat valley)",
        _rosen_f, _rosen_g, (-1.2, 1.0), (1.0, 1.0), 0.0, (-2.0, 2.0), (-1.0, 3.0), True,
        2e-3, 0.05),
    "saddle": Surface(
        "saddle", r"$f(x, y) = x^2 + y^4/4 - y^2/2$ (a saddle at 0, minima at $y = \pm 1$)",
        _saddle_f, _saddle_g, (-1.5, 1e-6), (0.0, 1.0), -0.25, (-2.0, 2.0), (-1.6, 1.6), False,
        0.1, 0.05),
}

RACERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
ADAPTIVE = ("adagrad", "rmsprop", "adam")
COLORS = dict(zip(RACERS, [CLASS_COLORS[i] for i in (7, 0, 4, 2, 3, 5)], strict=True))
STYLES = dict(zip(RACERS, ["-", "-", "--", "-.", ":", "-"], strict=True))
MAX_STEPS = 1000
BLOW_UP = 1e6  # |w| beyond this counts as diverged


def _rule_and_config(name, lr, momentum, beta1, beta2):
    if name == "sgd":
        return sgd, {"lr": lr}
    if name == "momentum":
        return sgd_momentum, {"lr": lr, "momentum": momentum}
    if name == "nesterov":
        return sgd_momentum, {"lr": lr, "momentum": momentum, "nesterov": momentum > 0}
    if name == "adagrad":
        return adagrad, {"lr": lr}
    if name == "rmsprop":
        return rmsprop, {"lr": lr, "alpha": beta2}
    return adam, {"lr": lr, "betas": (beta1, beta2)}


def race_path(surface: Surface, name: str, steps: int, lr: float, momentum: float = 0.9,
              beta1: float = 0.9, beta2: float = 0.999) -> dict:
    """Run one racer for ``steps`` updates from the surface's start point.

    Returns ``path`` (steps + 1, 2), ``loss`` (steps + 1,) (f along the path; the path stays
    where it was once it diverges), ``diverged_at`` (the step, or None).
    """
    rule, config = _rule_and_config(name, lr, momentum, beta1, beta2)
    w = np.array(surface.start, dtype=np.float64)
    path = np.empty((steps + 1, 2))
    path[0] = w
    diverged = None
    for t in range(1, steps + 1):
        if diverged is None:
            with np.errstate(over="ignore", invalid="ignore"):
                g = surface.grad(*w)
            if not np.all(np.isfinite(g)):
                diverged = t
            else:
                nxt, config = rule(w, g, config)
                if not np.all(np.isfinite(nxt)) or np.abs(nxt).max() > BLOW_UP:
                    diverged = t
                else:
                    w = nxt
        path[t] = w
    with np.errstate(over="ignore", invalid="ignore"):
        loss = surface.f(path[:, 0], path[:, 1])
    return {"path": path, "loss": loss, "diverged_at": diverged}


class OptimizerRace:
    """State and computations of the optimiser race.

    surface: a key of ``SURFACES``; racers: names from ``RACERS``; lr_sgd: the learning
    rate of SGD, momentum and Nesterov (None: the surface's default); lr_adaptive: that of
    AdaGrad, RMSprop and Adam; momentum (momentum and Nesterov); beta1 (Adam); beta2 (Adam,
    and RMSprop's average of squared gradients); steps (1 ... 1000).
    """

    def __init__(self, surface="elongated quadratic", racers=("sgd", "momentum", "adam"),
                 lr_sgd=None, lr_adaptive=None, momentum=0.9, beta1=0.9, beta2=0.999,
                 steps=100):
        self._cache = {}
        self.surface_name = "elongated quadratic"
        self.racers = ("sgd",)
        self.lr_sgd = self.lr_adaptive = None
        self.momentum, self.beta1, self.beta2, self.steps = 0.9, 0.9, 0.999, 100
        self.set(surface=surface, racers=racers, lr_sgd=lr_sgd, lr_adaptive=lr_adaptive,
                 momentum=momentum, beta1=beta1, beta2=beta2, steps=steps)

    @property
    def surface(self) -> Surface:
        return SURFACES[self.surface_name]

    def set(self, surface=None, racers=None, lr_sgd=None, lr_adaptive=None, momentum=None,
            beta1=None, beta2=None, steps=None) -> OptimizerRace:
        """Change any of the settings (validated); returns self. Changing the surface resets
        the learning rates to that surface's defaults unless new ones are given."""
        if surface is not None:
            if surface not in SURFACES:
                raise ValueError(f"surface must be one of {sorted(SURFACES)}, got {surface!r}")
            if surface != self.surface_name:
                self.lr_sgd = self.lr_adaptive = None
            self.surface_name = surface
        if racers is not None:
            racers = tuple(racers)
            bad = [r for r in racers if r not in RACERS]
            if bad or not racers:
                raise ValueError(f"racers must be a non-empty selection of {RACERS}, "
                                 f"got {racers!r}")
            self.racers = tuple(r for r in RACERS if r in racers)
        for key, value in (("lr_sgd", lr_sgd), ("lr_adaptive", lr_adaptive)):
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int | float) \
                        or not math.isfinite(value) or value <= 0:
                    raise ValueError(f"{key} must be a number > 0, got {value!r}")
                setattr(self, key, float(value))
        for key, value in (("momentum", momentum), ("beta1", beta1), ("beta2", beta2)):
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int | float) \
                        or not 0 <= value < 1:
                    raise ValueError(f"{key} must be a number in [0, 1), got {value!r}")
                setattr(self, key, float(value))
        if steps is not None:
            if isinstance(steps, bool) or not isinstance(steps, int | np.integer) \
                    or not 1 <= steps <= MAX_STEPS:
                raise ValueError(f"steps must be an integer in [1, {MAX_STEPS}], got {steps!r}")
            self.steps = int(steps)
        return self

    def lr_of(self, name) -> float:
        """The learning rate racer ``name`` uses."""
        s = self.surface
        if name in ADAPTIVE:
            return self.lr_adaptive if self.lr_adaptive is not None else s.lr_adaptive
        return self.lr_sgd if self.lr_sgd is not None else s.lr_sgd

    def run(self) -> dict:
        """``{racer: {"path": (steps + 1, 2), "loss": (steps + 1,), "diverged_at"}}``."""
        out = {}
        for name in self.racers:
            used = {"momentum": (self.momentum,), "nesterov": (self.momentum,),
                    "rmsprop": (self.beta2,), "adam": (self.beta1, self.beta2)}.get(name, ())
            key = (self.surface_name, name, self.steps, self.lr_of(name), *used)
            if key not in self._cache:
                self._cache[key] = race_path(self.surface, name, self.steps, self.lr_of(name),
                                             self.momentum, self.beta1, self.beta2)
            out[name] = self._cache[key]
        return out

    def final_gaps(self) -> dict:
        """f(final point) - f_min for every racer (inf if it diverged)."""
        return {name: (float(r["loss"][-1] - self.surface.f_min) if r["diverged_at"] is None
                       else math.inf) for name, r in self.run().items()}

    def readout(self) -> str:
        """One line: the surface, the steps and each racer's final loss above the minimum."""
        parts = []
        for name, gap in self.final_gaps().items():
            parts.append(f"{name} (lr {self.lr_of(name):.2g}) "
                         + ("diverged" if not math.isfinite(gap) else f"{gap:.2e}"))
        return (f"{self.surface_name}, {self.steps} steps, f - f_min at the end: "
                + "; ".join(parts))

    def figure(self, figsize=(11.0, 4.2)):
        """Left: the paths on the contour plot. Right: f - f_min against the step (log)."""
        fig = new_figure(figsize)
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        draw_contours(ax1, self.surface)
        runs = self.run()
        for name, r in runs.items():
            p = r["path"]
            ax1.plot(p[:, 0], p[:, 1], color=COLORS[name], ls=STYLES[name], lw=1.6,
                     marker="o", ms=2, label=name)
            gap = np.maximum(r["loss"] - self.surface.f_min, 1e-16)
            if r["diverged_at"] is not None:
                gap = gap[: r["diverged_at"]]
            ax2.semilogy(np.arange(len(gap)), gap, color=COLORS[name], ls=STYLES[name],
                         lw=1.6, label=name + (" (diverged)" if r["diverged_at"] else ""))
        ax1.legend(loc="lower right", fontsize=8)
        ax2.set_xlabel("step")
        ax2.set_ylabel(r"$f - f_{\min}$ (log scale)")
        ax2.set_title("loss above the minimum")
        ax2.legend(fontsize=8)
        return fig

    def png(self) -> bytes:
        return fig_to_png(self.figure())


def draw_contours(ax, surface: Surface, resolution: int = 200):
    """The contour plot of ``surface`` with its start (×) and minimum (★)."""
    xs = np.linspace(*surface.xlim, resolution)
    ys = np.linspace(*surface.ylim, resolution)
    X, Y = np.meshgrid(xs, ys)
    Z = surface.f(X, Y) - surface.f_min
    if surface.log_levels:
        levels = np.logspace(-2, np.log10(Z.max()), 18)
    else:
        levels = np.linspace(0, np.percentile(Z, 95), 18)[1:]
        levels = np.concatenate([[levels[0] / 8, levels[0] / 3], levels])
    ax.contour(X, Y, Z, levels=levels, cmap="cividis", linewidths=0.8)
    ax.plot(*surface.start, "x", color="#000000", ms=9, mew=2)
    ax.plot(*surface.minimum, "*", color="#D55E00", ms=14, mec="white")
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(surface.name)


def animate_race(surfaces=("elongated quadratic", "rosenbrock", "saddle"),
                 racers=("sgd", "momentum", "rmsprop", "adam"), steps=60, frames=30,
                 interval=120, lrs=None):
    """A matplotlib animation: one panel per surface, every racer drawn step by step.

    ``lrs``: optional ``{surface: (lr_sgd, lr_adaptive)}``. Returns the ``FuncAnimation``
    (``IPython.display.HTML(anim.to_jshtml())`` embeds it; the figure is closed here).
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    if not 1 <= frames <= steps + 1:
        raise ValueError(f"frames must be in [1, steps + 1] = [1, {steps + 1}], got {frames!r}")
    races = []
    for s in surfaces:
        lr_sgd, lr_ad = (lrs or {}).get(s, (None, None))
        races.append(OptimizerRace(surface=s, racers=racers, steps=steps, lr_sgd=lr_sgd,
                                   lr_adaptive=lr_ad).run())
    fig, axes = plt.subplots(1, len(surfaces), figsize=(4.3 * len(surfaces), 3.9), dpi=72)
    axes = np.atleast_1d(axes)
    lines = []
    for ax, s, runs in zip(axes, surfaces, races, strict=True):
        draw_contours(ax, SURFACES[s], resolution=120)
        for name in runs:
            (line,) = ax.plot([], [], color=COLORS[name], ls=STYLES[name], lw=1.8, marker="o",
                              ms=2.5, label=name)
            lines.append((line, runs[name]["path"]))
        ax.legend(loc="lower right", fontsize=7)
    title = fig.suptitle("")
    at = np.unique(np.linspace(0, steps, frames).round().astype(int))

    def draw(k):
        t = at[k]
        for line, path in lines:
            line.set_data(path[: t + 1, 0], path[: t + 1, 1])
        title.set_text(f"step {t} of {steps}")
        return [line for line, _ in lines] + [title]

    anim = FuncAnimation(fig, draw, frames=len(at), interval=interval, blit=False)
    plt.close(fig)
    return anim


def show_optimizer_race(surface="elongated quadratic", racers=("sgd", "momentum", "adam"),
                        steps=100):
    """Display the race: surface dropdown, racers checkboxes, two learning rates (log
    sliders), momentum, beta1, beta2 and the number of steps."""
    import ipywidgets as W
    from IPython.display import display

    from helpers.widgets._base import figure_image, readout

    race = OptimizerRace(surface=surface, racers=racers, steps=steps)
    surf = W.Dropdown(options=list(SURFACES), value=surface, description="surface")
    boxes = {name: W.Checkbox(value=name in race.racers, description=name, indent=False,
                              layout=W.Layout(width="95px")) for name in RACERS}
    lr1 = W.FloatLogSlider(value=race.lr_of("sgd"), base=10, min=-4, max=0.5, step=0.05,
                           description="lr (SGD family)", continuous_update=False,
                           style={"description_width": "110px"}, readout_format=".2g")
    lr2 = W.FloatLogSlider(value=race.lr_of("adam"), base=10, min=-4, max=0.5, step=0.05,
                           description="lr (adaptive)", continuous_update=False,
                           style={"description_width": "110px"}, readout_format=".2g")
    mom = W.FloatSlider(value=race.momentum, min=0.0, max=0.99, step=0.01,
                        description="momentum", continuous_update=False)
    b1 = W.FloatSlider(value=race.beta1, min=0.0, max=0.99, step=0.01, description="β1",
                       continuous_update=False)
    b2 = W.FloatSlider(value=race.beta2, min=0.5, max=0.9999, step=0.0001, description="β2",
                       continuous_update=False, readout_format=".4f")
    nsteps = W.IntSlider(value=steps, min=10, max=500, step=10, description="steps",
                         continuous_update=False)
    text, image = readout(), figure_image()
    busy = {"on": False}

    def update(_=None):
        if busy["on"]:
            return
        chosen = [n for n, b in boxes.items() if b.value] or ["sgd"]
        race.set(surface=surf.value, racers=chosen, lr_sgd=lr1.value, lr_adaptive=lr2.value,
                 momentum=mom.value, beta1=b1.value, beta2=b2.value, steps=nsteps.value)
        text.value = html.escape(race.readout())
        image.value = race.png()

    def new_surface(_=None):
        busy["on"] = True  # move the lr sliders to the new surface's defaults, then redraw once
        race.set(surface=surf.value)
        lr1.value, lr2.value = race.lr_of("sgd"), race.lr_of("adam")
        busy["on"] = False
        update()

    surf.observe(new_surface, names="value")
    for control in (lr1, lr2, mom, b1, b2, nsteps, *boxes.values()):
        control.observe(update, names="value")
    update()
    box = W.VBox([W.HBox([surf, nsteps]), W.HBox(list(boxes.values())),
                  W.HBox([lr1, lr2]), W.HBox([mom, b1, b2]), text, image])
    display(box)
    return box


def animation_html(anim) -> str:
    """The animation as self-contained HTML (``FuncAnimation.to_jshtml``) with JPEG frames,
    about 4 times smaller than the default PNG frames for these contour plots."""
    import matplotlib as mpl

    with mpl.rc_context({"animation.frame_format": "jpeg"}):
        return anim.to_jshtml()
