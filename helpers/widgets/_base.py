"""Pieces every course widget shares: a figure shown as a PNG image and a text readout.

Widget logic lives in plain classes (testable without a browser); the ipywidgets layer only
wires controls to them. The image and readout carry CSS classes (``nn-figure``,
``nn-readout``) so the real-browser tests can find them.
"""

import io

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def new_figure(figsize=(5.0, 4.0)) -> Figure:
    """A figure outside pyplot: widgets draw off-screen without touching the notebook's
    backend, and the figure is never displayed twice."""
    return Figure(figsize=figsize, facecolor="white", layout="constrained")


def fig_to_png(fig, dpi: int = 90) -> bytes:
    """Render a matplotlib figure to PNG bytes (and close it if pyplot manages it)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def figure_image():
    """An empty ``ipywidgets.Image`` for a figure, tagged ``nn-figure``."""
    import ipywidgets as W

    img = W.Image(format="png", layout=W.Layout(max_width="100%"))
    img.add_class("nn-figure")
    return img


def readout():
    """An ``ipywidgets.HTML`` line for the numbers a widget shows, tagged ``nn-readout``."""
    import ipywidgets as W

    out = W.HTML(value="")
    out.add_class("nn-readout")
    return out
