"""The network picture: neurons as small heat-maps, links coloured by sign, sized by |weight|.

:func:`network_svg` writes one inline SVG (no JavaScript library, no extension):

- a column of input features (all seven; those switched off are faded and have no links),
  one column per hidden layer, and the output unit, each neuron a small PNG heat-map;
- every weight as a curve from its input neuron to its unit: orange for a positive weight,
  blue for a negative one, thickness and opacity growing with |w|, a thin dashed grey line
  for a weight that is exactly 0;
- hover: a neuron's heat-map is shown four times larger and a link's weight is written at
  its middle (pure CSS); a tooltip (an SVG ``<title>``) names the neuron or link and its value;
- click: every neuron and link carries ``data-id`` (``"w:l:i:j"`` for ``W_l[i, j]``,
  ``"b:l:j"`` for the bias ``b_l[j]``, ``"f:<feature>"`` for an input feature). One
  ``onclick`` attribute on the ``<svg>`` writes the id into the text box with the CSS class
  ``nn-pick`` inside the enclosing ``.nn-playground`` (the ipywidgets ``Text`` sends it to
  Python), so a click selects that weight in the editor, or switches a feature on or off.

Coordinates come from :func:`node_xy`, so the +/- buttons above the picture line up with
its columns (:data:`COL_W` pixels per column).
"""

from __future__ import annotations

import html

import numpy as np

from helpers.widgets.playground.data import FEATURE_LABELS, FEATURES
from helpers.widgets.playground.model import MAX_LAYERS, MAX_NEURONS

NODE = 30  # neuron heat-map side (px)
PITCH = 40  # vertical distance between neurons
COL_W = 68  # the least horizontal distance between columns (six hidden layers)
MAX_COL_W = 150  # the most (few layers spread over the width, as in the original)
X0 = 40  # centre of the feature column
TOP = 30  # room for the column titles
ZOOM = 4  # hover enlargement
WIDTH = X0 + (MAX_LAYERS + 1) * COL_W + NODE // 2 + 12
HEIGHT = TOP + max(MAX_NEURONS, len(FEATURES)) * PITCH + 6
POSITIVE, NEGATIVE = "#E69F00", "#0072B2"  # orange: w > 0, blue: w < 0 (as the heat-maps)

#: the click handler: writes the clicked element's ``data-id`` into the ``.nn-pick`` text box
PICK_JS = ("var t=event.target.closest('[data-id]');if(!t)return;"
            "var r=this.closest('.nn-playground');var i=r&&r.querySelector('.nn-pick input');"
            "if(!i)return;i.value=t.getAttribute('data-id')+'@'+Date.now();"
            "i.dispatchEvent(new Event('input',{bubbles:true}));")


def column_width(n_hidden: int) -> int:
    """Distance between columns for ``n_hidden`` hidden layers: the columns fill the width."""
    return int(min(MAX_COL_W, (WIDTH - X0 - NODE // 2 - 12) // (n_hidden + 1)))


def node_xy(column: int, row: int, col_w: int = COL_W) -> tuple[float, float]:
    """Centre of neuron ``row`` in ``column`` (0 = features, l = hidden layer l, L+1 = output)."""
    return X0 + column * col_w, TOP + row * PITCH + NODE / 2


_node_xy = node_xy


def link_style(w: float) -> tuple[str, float, float, str]:
    """(colour, stroke width, opacity, dash pattern) of a link of weight ``w``."""
    a = abs(float(w))
    if not np.isfinite(a):
        return "#D55E00", 3.0, 1.0, "2,2"
    if a == 0.0:
        return "#999999", 0.8, 0.8, "3,3"
    return (POSITIVE if w > 0 else NEGATIVE, 0.6 + 7.4 * min(a / 4.0, 1.0),
            0.35 + 0.65 * min(a, 1.0), "")


def _curve(x0, y0, x1, y1) -> str:
    xm = (x0 + x1) / 2
    return f"M{x0:.0f} {y0:.0f}C{xm:.0f} {y0:.0f} {xm:.0f} {y1:.0f} {x1:.0f} {y1:.0f}"


def node_name(column: int, row: int, n_hidden: int, features=None) -> str:
    """A neuron's name as the picture and the editor write it."""
    if column == 0:
        return FEATURE_LABELS[features[row]] if features else f"input {row + 1}"
    if column == n_hidden + 1:
        return "output"
    return f"layer {column} neuron {row + 1}"


def network_svg(uid: str, features, hidden, params, thumbs, feature_thumbs, output_thumb,
                selected: str | None = None, problem: str = "classification") -> str:
    """The network picture as an SVG string.

    uid: a prefix unique to one Playground on the page (ids and CSS rules);
    features: the selected feature names (their order is the rows of ``W1``);
    hidden: hidden-layer sizes; params: ``{"W1": (F, H1), "b1": (H1,), ...}``;
    thumbs: per hidden layer, a list of PNG data URIs (one per neuron);
    feature_thumbs: ``{feature: data URI}`` for all seven features; output_thumb: a data URI;
    selected: the id of the parameter in the editor (drawn highlighted), or None.
    """
    L = len(hidden)
    out_col = L + 1
    cw = column_width(L)

    def node_xy(c, r):
        return _node_xy(c, r, cw)

    height = TOP + max([len(FEATURES), *hidden]) * PITCH + 6
    feat_row = {f: FEATURES.index(f) for f in features}
    parts = [f'<svg class="nn-network {uid}" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg" '
             f'style="font-family:sans-serif;background:white;cursor:default" '
             f'onclick="{PICK_JS}">']
    rules = [f".{uid} .nn-hit{{cursor:pointer;fill:none;stroke:transparent;stroke-width:7px;"
             "pointer-events:stroke}",
             f".{uid} .nn-hit:hover{{stroke:rgba(0,0,0,0.28)}}",
             # a hovered link shows its weight at its middle (the text right after it)
             f".{uid} .nn-wv{{display:none;pointer-events:none;font-size:12px;font-weight:bold;"
             "text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3px}",
             f".{uid} .nn-hit:hover+.nn-wv{{display:inline}}",
             f".{uid} .nn-node{{cursor:pointer}}",
             f".{uid} .nn-node:hover rect{{stroke:#000;stroke-width:2}}"]
    # column titles
    titles = [(0, "features")] + [(c, f"layer {c}") for c in range(1, L + 1)] + [(out_col,
                                                                                   "output")]
    for c, t in titles:
        parts.append(f'<text x="{node_xy(c, 0)[0]:.0f}" y="12" font-size="10" '
                     f'font-weight="bold" text-anchor="middle" fill="#333">{t}</text>')
        if 1 <= c <= L:
            parts.append(f'<text x="{node_xy(c, 0)[0]:.0f}" y="23" font-size="9" '
                         f'text-anchor="middle" fill="#666">{hidden[c - 1]} neurons</text>')

    # links (visible curves), then wide transparent hit targets with tooltips on top
    sources = [node_xy(0, feat_row[f]) for f in features]
    src_names = [html.escape(FEATURE_LABELS[f]) for f in features]
    visible, hits = [], []
    sel_path = None
    for layer in range(1, L + 2):
        W = np.asarray(params[f"W{layer}"])
        dests = [node_xy(layer, j) for j in range(W.shape[1])]
        dst_names = [node_name(layer, j, L) for j in range(W.shape[1])]
        for i, (x0, y0) in enumerate(sources):
            for j, (x1, y1) in enumerate(dests):
                w = float(W[i, j])
                d = _curve(x0 + NODE / 2, y0, x1 - NODE / 2, y1)
                col, width, alpha, dash = link_style(w)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                visible.append(f'<path d="{d}" stroke="{col}" stroke-width="{width:.2f}" '
                               f'stroke-opacity="{alpha:.2f}"{dash_attr}/>')
                pid = f"w:{layer}:{i}:{j}"
                hits.append(f'<path class="nn-hit" data-id="{pid}" d="{d}"><title>'
                            f'weight {src_names[i]} → {dst_names[j]}: {w:.3f}</title></path>'
                            f'<text class="nn-wv" x="{(x0 + x1) / 2:.0f}" '
                            f'y="{(y0 + y1) / 2 - 5:.0f}">{w:.3f}</text>')
                if pid == selected:
                    sel_path = d
        sources, src_names = dests, dst_names
    parts.append('<g fill="none">' + "".join(visible))
    if sel_path:
        parts.append(f'<path d="{sel_path}" stroke="#000" stroke-width="1.5" '
                     f'stroke-dasharray="4,3"/>')
    parts.append("</g>" + "".join(hits))

    # neurons: features, hidden units, output
    nodes = []  # (key, column, row, uri, data-id, tooltip, faded)
    for k, f in enumerate(FEATURES):
        on = f in feat_row
        tip = (f"feature {FEATURE_LABELS[f]} (on; click to switch off)" if on
               else f"feature {FEATURE_LABELS[f]} (off; click to switch on)")
        nodes.append((f"f{k}", 0, k, feature_thumbs[f], f"f:{f}", tip, not on))
    for c in range(1, L + 1):
        b = np.asarray(params[f"b{c}"])
        for j, uri in enumerate(thumbs[c - 1]):
            nodes.append((f"h{c}_{j}", c, j, uri, f"b:{c}:{j}",
                          f"{node_name(c, j, L)}, bias {float(b[j]):.3f}", False))
    b_out = float(np.asarray(params[f"b{out_col}"])[0])
    what = "P(class 1)" if problem == "classification" else "predicted value"
    nodes.append(("o", out_col, 0, output_thumb, f"b:{out_col}:0",
                  f"output ({what}), bias {b_out:.3f}", False))
    zooms = []
    for key, c, r, uri, pid, tip, faded in nodes:
        x, y = node_xy(c, r)
        x0, y0 = x - NODE / 2, y - NODE / 2
        border = "#000" if pid == selected else "#888"
        bw = 2.5 if pid == selected else 1
        opacity = ' opacity="0.3"' if faded else ""
        parts.append(
            f'<g id="{uid}n{key}" class="nn-node" data-id="{pid}"{opacity}>'
            f'<title>{html.escape(tip)}</title>'
            f'<image id="{uid}i{key}" x="{x0:.1f}" y="{y0:.1f}" width="{NODE}" height="{NODE}" '
            f'href="{uri}" preserveAspectRatio="none"/>'
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{NODE}" height="{NODE}" fill="none" '
            f'stroke="{border}" stroke-width="{bw}"/></g>')
        # the enlarged copy, shown while the neuron is hovered (a <use>: no second image)
        big = NODE * ZOOM
        zx = x + NODE / 2 + 6 if x + NODE + big < WIDTH else x - NODE / 2 - 6 - big
        zy = min(max(y - big / 2, 2), height - big - 16)
        tx, ty = zx - ZOOM * x0, zy - ZOOM * y0
        zooms.append(
            f'<g class="{uid}z{key}" display="none">'
            f'<rect x="{zx - 3:.1f}" y="{zy - 3:.1f}" width="{big + 6}" height="{big + 18}" '
            f'fill="white" stroke="#333"/>'
            f'<use href="#{uid}i{key}" transform="translate({tx:.1f} {ty:.1f}) scale({ZOOM})"/>'
            f'<text x="{zx + big / 2:.1f}" y="{zy + big + 11:.1f}" font-size="10" '
            f'text-anchor="middle">{html.escape(tip.split(" (")[0].split(",")[0])}</text></g>')
        rules.append(f"#{uid}n{key}:hover~.{uid}zl .{uid}z{key}{{display:inline}}")
    parts.append(f'<g class="{uid}zl" pointer-events="none">{"".join(zooms)}</g>')
    parts.insert(1, "<style>" + "".join(rules) + "</style>")
    parts.append("</svg>")
    return "".join(parts)
