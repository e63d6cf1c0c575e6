"""Playground updates per second: one training epoch plus one full redraw, default network.

The default configuration is the TensorFlow Playground's: circle data, 500 points (250 for
training), features x1 and x2, hidden layers [4, 2] of tanh units, batch size 10 (25 SGD steps
per epoch). One *update* is what one tick of the Play button costs the kernel: ``step(1)``
then ``render()`` (output heat-map PNG, the network picture as SVG with every neuron's
heat-map and every weight's link, loss-curve SVG, readout). The goal is at least 20 updates
per second on the course's 2-core machine; the largest network (6 hidden layers of 8 on all
7 features: 56 neuron heat-maps, 384 links) is measured and reported too.

For comparison it also times the same heat-map drawn the usual way, with matplotlib
(``imshow`` + ``scatter`` into a figure that is reused, ``savefig`` to PNG), and the cost of
each part of an update.

    python bench/playground_speed.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--seconds", type=float, default=3.0, help="time budget per measurement")
args = ARGS.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # tiny matrices: threads only add overhead

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from helpers.results import machine_description  # noqa: E402
from helpers.widgets.playground import DOMAIN, Playground, PlaygroundState  # noqa: E402


def rate(fn, seconds=args.seconds):
    """Calls per second of ``fn`` (after two warm-up calls), over about ``seconds``."""
    fn()
    fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - t0)


def matplotlib_renderer(pg):
    """The straightforward alternative: one reused figure, update data, savefig to PNG."""
    import matplotlib.pyplot as plt

    from helpers.plotting import CLASS_COLORS

    fig, ax = plt.subplots(figsize=(3.4, 3.4), dpi=100)
    prob = pg.grid_activations()[0]
    im = ax.imshow(prob, extent=(-DOMAIN, DOMAIN, -DOMAIN, DOMAIN), cmap="PuOr_r", vmin=0,
                   vmax=1, interpolation="bilinear")
    colors = np.array(CLASS_COLORS)[pg.y_train]
    ax.scatter(pg.X_train[:, 0], pg.X_train[:, 1], c=colors, s=12, edgecolors="k",
               linewidths=0.4)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")

    def render():
        im.set_data(pg.grid_activations()[0])
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        return buf.getvalue()

    return render


def main():
    # the default: circle, [4, 2] tanh, 500 points; the heat-map at the widget's size
    pg = Playground(PlaygroundState(), size_px=280)
    print(f"machine: {machine_description()}")
    print(f"network {pg.state.hidden} {pg.state.activation}, {pg.state.n_points} points "
          f"({len(pg.y_train)} for training, batch {pg.state.batch_size}), heat-map grid "
          f"{pg.grid}x{pg.grid} drawn at {pg.size_px}x{pg.size_px} px")

    def update():
        pg.step(1)
        pg.render()

    parts = {
        "train one epoch (25 SGD steps)": lambda: pg.step(1),
        "forward pass on the grid": lambda: pg.grid_activations(),
        "heat-map + points -> PNG (NumPy)": lambda: pg.render_boundary(),
        "network picture (SVG, neuron heat-maps)": lambda: pg.network_svg(),
        "loss curves (SVG)": lambda: pg.loss_svg(),
        "heat-map -> PNG (matplotlib, reused figure)": matplotlib_renderer(pg),
    }
    for name, fn in parts.items():
        r = rate(fn, seconds=min(args.seconds, 1.5))
        print(f"  {name:<46s} {1000 / r:7.2f} ms")
        if len(pg.state.train_loss) > 400:
            pg.reset()
    pg.reset()
    ups = rate(update)
    print(f"Playground updates per second (train 1 epoch + full redraw): {ups:.1f} "
          f"(goal >= 20: {'met' if ups >= 20 else 'NOT met'})")
    big = Playground(PlaygroundState(hidden=[8] * 6, features=["x1", "x2", "x1^2", "x2^2",
                                                                "x1*x2", "sin_x1", "sin_x2"]),
                     size_px=280)

    def update_big():
        big.step(1)
        big.render()

    print(f"largest network (6 layers of 8, 7 features): {rate(update_big):.1f} updates per second"
          f" (its picture: {len(big.network_svg()) / 1000:.0f} kB of SVG per redraw)")
    return 0 if ups >= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
