"""The Playground's logic: data, model, training and rendering, with no widgets."""

from __future__ import annotations

import dataclasses
import itertools
import secrets
from base64 import b64encode
from functools import lru_cache

import numpy as np

from helpers.numpy_nn.activations import sigmoid_forward
from helpers.widgets.playground.data import (
    DATASET_LABELS,
    DATASETS_FOR,
    DOMAIN,
    FEATURES,
    feature_matrix,
    make_playground_data,
    split_train_test,
)
from helpers.widgets.playground.model import (
    MAX_LAYERS,
    MAX_NEURONS,
    accuracy,
    build_model,
    data_loss,
    make_solver,
)
from helpers.widgets.playground.network import PICK_JS, network_svg, node_name
from helpers.widgets.playground.raster import (
    _LUT_STRONG,
    LUT,
    _frame,
    colour,
    draw_points,
    draw_value_points,
    encode_png,
    encode_png_palette,
    resize,
)
from helpers.widgets.playground.state import PlaygroundState


class Playground:
    """The Playground's logic: data, model, training and rendering, with no widgets.

    >>> pg = Playground(PlaygroundState(dataset="xor", hidden=[]))
    >>> pg.step(10)            # ten epochs
    >>> pg.state.epoch
    10
    """

    #: settings that change the data (and therefore restart training)
    DATA_KEYS = ("problem", "dataset", "noise", "train_ratio", "n_points", "data_seed")
    #: settings that change the network's shape (restart training)
    MODEL_KEYS = ("features", "hidden", "activation", "init_seed")

    _ids = itertools.count(1)

    def __init__(self, state: PlaygroundState | None = None, grid: int = 50, size_px: int = 340,
                 thumb_px: int = 44):
        self.state = (state or PlaygroundState()).validate()
        self.grid, self.size_px, self.thumb_px = grid, size_px, thumb_px
        # Prefix of the picture's element ids and CSS rules: unique on the page, also when
        # several notebooks (several kernels) show a Playground in one JupyterLab window.
        self.uid = f"nnpg{next(Playground._ids)}{secrets.token_hex(3)}"
        self.selected: str | None = None  # the parameter in the weight editor ("w:l:i:j")
        self._make_data()
        self._make_model(self.state.params)
        if not self.state.train_loss:
            self._log_losses()

    # ----- construction
    def _make_data(self):
        s = self.state
        X, y = make_playground_data(s.dataset, s.n_points, s.noise, s.data_seed)
        self.X_train, self.y_train, self.X_test, self.y_test = split_train_test(
            X, y, s.train_ratio, seed=s.data_seed)
        self._features_cache = None

    def _make_model(self, params=None):
        s = self.state
        self.model = build_model(len(s.features), s.hidden, s.activation, seed=s.init_seed,
                                 problem=s.problem)
        if params is not None:
            for k, v in params.items():
                if k not in self.model.params or np.shape(v) != self.model.params[k].shape:
                    raise ValueError(f"saved weight {k!r} with shape {np.shape(v)} does not fit "
                                     f"the network {s.hidden} on {len(s.features)} features")
                self.model.params[k][...] = np.asarray(v, dtype=np.float64)
        self._features_cache = None

    def _inputs(self):
        if self._features_cache is None:
            f = self.state.features
            self._features_cache = (feature_matrix(self.X_train, f), feature_matrix(self.X_test, f))
        return self._features_cache

    def _log_losses(self):
        Ftr, Fte = self._inputs()
        self.state.train_loss.append(data_loss(self.model, Ftr, self.y_train))
        self.state.test_loss.append(data_loss(self.model, Fte, self.y_test))

    # ----- actions
    def step(self, epochs: int = 1) -> None:
        """Train ``epochs`` passes over the training set (mini-batches of ``batch_size``).

        Each pass shuffles with the seed ``[init_seed, epoch]`` (the same order after a save
        and load) and splits into near-equal batches; every update is one ``Solver.step``.
        A run that diverges stops updating (its loss is no longer finite).
        """
        s = self.state
        Ftr, _ = self._inputs()
        solver = make_solver(self.model, Ftr, self.y_train, s.lr, s.regularization,
                             s.reg_strength, s.batch_size)
        n = len(self.y_train)
        for _ in range(epochs):
            order = np.random.default_rng([s.init_seed, s.epoch]).permutation(n)
            try:
                for idx in np.array_split(order, max(1, -(-n // s.batch_size))):
                    solver.step(Ftr[idx], self.y_train[idx])
            except FloatingPointError:
                pass  # diverged: the logged loss says so
            s.epoch += 1
            self._log_losses()

    def reset(self) -> None:
        """Back to epoch 0 with the initial weights drawn from ``init_seed``."""
        self.state.epoch = 0
        self.state.train_loss, self.state.test_loss = [], []
        self.state.params = None
        self._make_model()
        self._log_losses()

    def regenerate(self, seed: int | None = None) -> None:
        """New data (``seed``, or the next one) and a reset network."""
        self.state.data_seed = self.state.data_seed + 1 if seed is None else int(seed)
        self._make_data()
        self.reset()

    def update(self, **changes) -> None:
        """Change settings. Data or network-shape changes reset training (as in the
        TensorFlow Playground); learning rate, regularisation and batch size apply at once.

        Switching ``problem`` without naming a ``dataset`` picks the first data set of the
        new kind (circle for classification, plane for regression)."""
        s = self.state
        old = dataclasses.replace(s, features=list(s.features), hidden=list(s.hidden))
        if ("problem" in changes and "dataset" not in changes
                and s.dataset not in DATASETS_FOR.get(changes["problem"], (s.dataset,))):
            changes = {**changes, "dataset": DATASETS_FOR[changes["problem"]][0]}
        for k, v in changes.items():
            if k not in {f.name for f in dataclasses.fields(s)} or k in (
                    "epoch", "train_loss", "test_loss", "params"):
                raise ValueError(f"unknown or read-only Playground setting {k!r}")
            setattr(s, k, list(v) if isinstance(v, tuple) else v)
        try:
            s.validate()
        except ValueError:
            self.state = old
            raise
        if any(getattr(old, k) != getattr(s, k) for k in self.DATA_KEYS):
            self._make_data()
            self.reset()
        elif any(getattr(old, k) != getattr(s, k) for k in self.MODEL_KEYS):
            self.reset()
        if self.selected is not None and not self._param_exists(self.selected):
            self.selected = None

    # ----- the network's shape (each change starts again from epoch 0)
    def add_layer(self) -> None:
        """One more hidden layer (of 2 neurons) after the last, up to ``MAX_LAYERS``."""
        if len(self.state.hidden) >= MAX_LAYERS:
            raise ValueError(f"at most {MAX_LAYERS} hidden layers")
        self.update(hidden=[*self.state.hidden, 2])

    def remove_layer(self) -> None:
        """Remove the last hidden layer (none left is logistic regression)."""
        if not self.state.hidden:
            raise ValueError("there is no hidden layer to remove")
        self.update(hidden=self.state.hidden[:-1])

    def add_neuron(self, layer: int) -> None:
        """One more neuron in hidden layer ``layer`` (1-based), up to ``MAX_NEURONS``."""
        hidden = self._check_layer(layer)
        if hidden[layer - 1] >= MAX_NEURONS:
            raise ValueError(f"layer {layer} already has the most neurons ({MAX_NEURONS})")
        hidden[layer - 1] += 1
        self.update(hidden=hidden)

    def remove_neuron(self, layer: int) -> None:
        """One neuron fewer in hidden layer ``layer`` (1-based); at least one stays."""
        hidden = self._check_layer(layer)
        if hidden[layer - 1] <= 1:
            raise ValueError(f"layer {layer} keeps at least one neuron")
        hidden[layer - 1] -= 1
        self.update(hidden=hidden)

    def toggle_feature(self, feature: str) -> None:
        """Switch an input feature on or off (at least one stays on)."""
        if feature not in FEATURES:
            raise ValueError(f"unknown feature {feature!r}; choose from {FEATURES}")
        f = list(self.state.features)
        if feature in f:
            if len(f) == 1:
                raise ValueError("at least one input feature must stay on")
            f.remove(feature)
        else:
            f = [g for g in FEATURES if g in f or g == feature]
        self.update(features=f)

    def _check_layer(self, layer) -> list[int]:
        hidden = list(self.state.hidden)
        if not 1 <= int(layer) <= len(hidden):
            raise ValueError(f"layer must be in 1-{len(hidden)}, got {layer!r}")
        return hidden

    # ----- single weights: ids "w:l:i:j" (W_l[i, j]) and "b:l:j" (b_l[j])
    def _parse_param(self, pid: str):
        try:
            kind, *idx = str(pid).split(":")
            idx = [int(v) for v in idx]
            name = {"w": "W", "b": "b"}[kind] + str(idx[0])
            where = tuple(idx[1:])
            if len(where) != (2 if kind == "w" else 1):
                raise ValueError
            self.model.params[name][where]  # noqa: B018 (raises for a bad index)
        except (ValueError, KeyError, IndexError):
            raise ValueError(f"no parameter {pid!r} in this network: write 'w:l:i:j' for the "
                             f"weight W_l[i, j] or 'b:l:j' for the bias b_l[j] (l from 1 to "
                             f"{len(self.state.hidden) + 1}, indices from 0)") from None
        if any(v < 0 for v in where):
            raise ValueError(f"no parameter {pid!r}: indices count from 0")
        return name, where

    def _param_exists(self, pid: str) -> bool:
        try:
            self._parse_param(pid)
            return True
        except ValueError:
            return False

    def get_param(self, pid: str) -> float:
        """The value of one weight or bias."""
        name, where = self._parse_param(pid)
        return float(self.model.params[name][where])

    def set_param(self, pid: str, value: float) -> None:
        """Set one weight or bias by hand (as clicking a link in the TensorFlow Playground);
        the losses of the current epoch are recomputed."""
        name, where = self._parse_param(pid)
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(f"a weight must be a finite number, got {value!r}")
        self.model.params[name][where] = value
        Ftr, Fte = self._inputs()
        self.state.train_loss[-1] = data_loss(self.model, Ftr, self.y_train)
        self.state.test_loss[-1] = data_loss(self.model, Fte, self.y_test)

    def param_label(self, pid: str) -> str:
        """A parameter's name in words, e.g. 'weight x₁ → layer 1 neuron 2'."""
        name, where = self._parse_param(pid)
        layer, n_hidden = int(name[1:]), len(self.state.hidden)
        if name[0] == "b":
            return f"bias of {node_name(layer, where[0], n_hidden)}"
        return (f"weight {node_name(layer - 1, where[0], n_hidden, self.state.features)} → "
                f"{node_name(layer, where[1], n_hidden)}")

    def param_ids(self) -> list[str]:
        """Every weight and bias id, layer by layer (weights first, then the biases)."""
        ids = []
        for layer in range(1, len(self.state.hidden) + 2):
            W = self.model.params[f"W{layer}"]
            ids += [f"w:{layer}:{i}:{j}" for i in range(W.shape[0]) for j in range(W.shape[1])]
            ids += [f"b:{layer}:{j}" for j in range(W.shape[1])]
        return ids

    def snapshot(self, weights: bool = True) -> PlaygroundState:
        """A copy of the state, with the current weights as lists when ``weights``."""
        s = dataclasses.replace(self.state, features=list(self.state.features),
                                hidden=list(self.state.hidden),
                                train_loss=list(self.state.train_loss),
                                test_loss=list(self.state.test_loss))
        s.params = ({k: v.tolist() for k, v in self.model.params.items()} if weights else None)
        if not weights:
            s.epoch, s.train_loss, s.test_loss = 0, [], []
        return s

    def to_json(self, weights: bool = True, indent: int | None = None) -> str:
        """The whole state as JSON; ``weights=False`` gives just the configuration."""
        return self.snapshot(weights).to_json(indent)

    @classmethod
    def from_json(cls, text: str, **kwargs) -> Playground:
        return cls(PlaygroundState.from_json(text), **kwargs)

    # ----- numbers
    def metrics(self) -> dict:
        """Epoch, train and test loss, and (classification only; else None) accuracy."""
        Ftr, Fte = self._inputs()
        return {"epoch": self.state.epoch,
                "train_loss": self.state.train_loss[-1], "test_loss": self.state.test_loss[-1],
                "train_acc": accuracy(self.model, Ftr, self.y_train),
                "test_acc": accuracy(self.model, Fte, self.y_test)}

    def readout_html(self) -> str:
        m = self.metrics()
        def part(text):
            return f'<span style="white-space:nowrap">{text}</span>'

        if self.state.problem == "regression":
            return (f"<b>Epoch {m['epoch']:,}</b> &nbsp; "
                    + part(f"train loss <b>{m['train_loss']:.3f}</b>") + " &nbsp; "
                    + part(f"test loss <b>{m['test_loss']:.3f}</b>") + " (mean squared error)")
        return (f"<b>Epoch {m['epoch']:,}</b> &nbsp; "
                + part(f"train loss <b>{m['train_loss']:.3f}</b> (accuracy "
                       f"{m['train_acc']:.0%})") + " &nbsp; "
                + part(f"test loss <b>{m['test_loss']:.3f}</b> (accuracy {m['test_acc']:.0%})"))

    # ----- rendering
    def _grid_points(self, n: int):
        t = np.linspace(-DOMAIN, DOMAIN, n)
        xx, yy = np.meshgrid(t, t[::-1])  # row 0 is the top of the picture (largest x2)
        return np.column_stack([xx.ravel(), yy.ravel()])

    def grid_activations(self, n: int | None = None):
        """The output (n, n) and every hidden layer's activations (n, n, units) on an n×n
        grid over the plane (row 0 = top). The output is P(class 1) for classification and
        the predicted value for regression."""
        n = n or self.grid
        F = feature_matrix(self._grid_points(n), self.state.features)
        with np.errstate(over="ignore", invalid="ignore"):
            scores, caches = self.model.forward(F)
            if self.state.problem == "regression":
                p = np.nan_to_num(scores[:, 0].reshape(n, n), nan=0.0, posinf=1e3, neginf=-1e3)
            else:
                p = np.nan_to_num(sigmoid_forward(scores[:, 0])[0].reshape(n, n), nan=0.5)
        hidden = [caches[i][0][0].reshape(n, n, -1) for i in range(1, len(caches))]
        return p, hidden

    def _output_colours(self, out):
        """The output grid as values in [0, 1] for the colour map (0.5 = boundary or 0)."""
        s = self.state
        if s.problem == "regression":
            v = out > 0 if s.discretize else (np.clip(out, -1.0, 1.0) + 1.0) / 2
        else:
            v = out > 0.5 if s.discretize else out
        return np.asarray(v, dtype=np.float64)

    def render_boundary(self, prob=None) -> bytes:
        """PNG of the decision heat-map (P(class 1)) with training and, optionally, test points."""
        if prob is None:
            prob = self.grid_activations()[0]
        frame, (r0, r1, c0, c1) = _frame(self.size_px)
        img = frame.copy()
        h, w = r1 - r0, c1 - c0
        v = self._output_colours(prob)
        # a two-colour map is resized by nearest neighbour, so it keeps a sharp edge
        area = colour(resize(v, h, w) if not self.state.discretize
                      else np.round(resize(v, h, w)), LUT)

        def to_px(X):
            cols = np.round((X[:, 0] + DOMAIN) / (2 * DOMAIN) * (w - 1)).astype(np.int64)
            rows = np.round((DOMAIN - X[:, 1]) / (2 * DOMAIN) * (h - 1)).astype(np.int64)
            return rows, cols

        if self.state.problem == "regression":
            for X, y, hollow in ((self.X_train, self.y_train, False),
                                 (self.X_test, self.y_test, True)):
                if hollow and not self.state.show_test:
                    continue
                rgb = colour((np.clip(y, -1.0, 1.0) + 1.0) / 2, _LUT_STRONG)
                draw_value_points(area, *to_px(X), rgb, hollow=hollow)
        else:
            draw_points(area, *to_px(self.X_train), self.y_train)
            if self.state.show_test:
                draw_points(area, *to_px(self.X_test), self.y_test, hollow=True)
        img[r0:r1, c0:c1] = area
        return encode_png(img)

    @staticmethod
    def _thumb(values, lut=_LUT_STRONG, lo=None, hi=None) -> str:
        """A PNG data URI of one neuron's values over the plane (one pixel per grid point),
        scaled to its own range unless ``lo``/``hi`` are given."""
        lo = values.min() if lo is None else lo
        hi = values.max() if hi is None else hi
        v = np.full(values.shape, 0.5) if not hi - lo > 1e-12 else (values - lo) / (hi - lo)
        idx = (np.clip(v, 0.0, 1.0) * 63 + 0.5).astype(np.uint8)  # 64 colour levels
        png = encode_png_palette(idx, lut[np.round(np.linspace(0, 255, 64)).astype(int)])
        return "data:image/png;base64," + b64encode(png).decode("ascii")

    def _feature_thumbs(self, n: int) -> dict:
        """Heat-maps of all seven input features (they never change: computed once)."""
        cache = Playground.__dict__.get("_feature_thumb_cache")
        if cache is None or cache[0] != n:
            t = np.linspace(-DOMAIN, DOMAIN, n)
            xx, yy = np.meshgrid(t, t[::-1])
            F = feature_matrix(np.column_stack([xx.ravel(), yy.ravel()]), FEATURES)
            thumbs = {f: self._thumb(F[:, k].reshape(n, n)) for k, f in enumerate(FEATURES)}
            Playground._feature_thumb_cache = cache = (n, thumbs)
        return cache[1]

    def network_svg(self, out=None, hidden=None) -> str:
        """The network picture (see :mod:`helpers.widgets.playground.network`): features,
        hidden neurons and the output as heat-maps, every weight as a link whose colour is
        its sign and whose thickness is its size."""
        if out is None:
            out, hidden = self.grid_activations()
        step = max(1, out.shape[0] // 25)  # ~25 x 25 pixels per neuron
        thumbs = [[self._thumb(A[::step, ::step, u]) for u in range(A.shape[2])]
                  for A in hidden]
        out_thumb = self._thumb(self._output_colours(out[::step, ::step]), LUT, 0.0, 1.0)
        return network_svg(self.uid, self.state.features, self.state.hidden, self.model.params,
                           thumbs, self._feature_thumbs(len(out[::step])), out_thumb,
                           selected=self.selected, problem=self.state.problem)

    def dataset_picker_svg(self, size: int = 44) -> str:
        """The data sets of the current problem type as small pictures of their points (as
        the original shows them); the current one is framed. A click on one picks it
        (``data-id="d:<name>"``, through the same text box as the network picture)."""
        items = []
        for k, name in enumerate(DATASETS_FOR[self.state.problem]):
            x = 4 + k * (size + 8)
            frame = ('stroke="#000" stroke-width="2.5"' if name == self.state.dataset
                     else 'stroke="#bbb" stroke-width="1"')
            label = DATASET_LABELS[name]
            items.append(
                f'<g data-id="d:{name}" style="cursor:pointer"><title>data set: {label}</title>'
                f'<image x="{x}" y="4" width="{size}" height="{size}" '
                f'href="{_dataset_thumb(self.state.problem, name, size)}"/>'
                f'<rect x="{x}" y="4" width="{size}" height="{size}" fill="none" {frame}/></g>')
        width = 8 + len(items) * (size + 8)
        return (f'<svg class="nn-datasets" width="{width}" height="{size + 8}" '
                f'xmlns="http://www.w3.org/2000/svg" style="font-family:sans-serif" '
                f'onclick="{PICK_JS}">' + "".join(items) + "</svg>")

    def colour_scale_svg(self, width: int = 230) -> str:
        """The heat-map's colour scale with its values (P(class 1), or the prediction)."""
        stops = "".join(f'<stop offset="{t:.2f}" stop-color="rgb{tuple(int(c) for c in LUT[round(255 * t)])}"/>'
                        for t in np.linspace(0, 1, 9))
        lo, mid, hi = ("0", "0.5", "1") if self.state.problem == "classification" else (
            "−1", "0", "1")
        what = "P(class 1)" if self.state.problem == "classification" else "prediction ŷ"
        return (f'<svg width="{width + 80}" height="28" xmlns="http://www.w3.org/2000/svg" '
                f'style="font-family:sans-serif;font-size:10px"><defs>'
                f'<linearGradient id="{self.uid}g">{stops}</linearGradient></defs>'
                f'<text x="0" y="12">{what}</text>'
                f'<rect x="72" y="2" width="{width - 10}" height="12" fill="url(#{self.uid}g)" '
                f'stroke="#999"/>'
                f'<text x="72" y="25">{lo}</text>'
                f'<text x="{72 + (width - 10) / 2}" y="25" text-anchor="middle">{mid}</text>'
                f'<text x="{62 + width}" y="25" text-anchor="end">{hi}</text></svg>')

    def loss_svg(self, width: int = 310, height: int = 120) -> str:
        """Inline SVG of the train and test loss per epoch (labelled axes, legend)."""
        tr = np.asarray(self.state.train_loss, dtype=float)
        te = np.asarray(self.state.test_loss, dtype=float)
        left, right, top, bottom = 44, 10, 10, 30
        pw, ph = width - left - right, height - top - bottom
        finite = np.concatenate([tr[np.isfinite(tr)], te[np.isfinite(te)], [0.0]])
        ymax = max(float(np.max(finite)), 1e-3)
        ymax = min(ymax, 10 * max(float(np.median(finite)), 0.1))  # one huge step stays legible
        n = max(len(tr) - 1, 1)
        keep = np.unique(np.linspace(0, len(tr) - 1, min(len(tr), 300)).astype(int))

        def path(v):  # at most 300 vertices, however long the training ran
            v = v[keep[keep < len(v)]]
            x = left + pw * keep[: len(v)] / n
            y = top + ph * (1 - np.clip(np.nan_to_num(v, nan=ymax, posinf=ymax) / ymax, 0, 1))
            return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True))

        blue, orange = "#0072B2", "#E69F00"
        what = "loss (cross-entropy)" if self.state.problem == "classification" else "loss (MSE)"
        ticks = "".join(
            f'<text x="{left - 4}" y="{top + ph * (1 - f) + 4:.1f}" text-anchor="end" '
            f'font-size="10">{f * ymax:.2f}</text>' for f in (0, 0.5, 1))
        return (
            f'<svg class="nn-loss" width="{width}" height="{height}" '
            f'xmlns="http://www.w3.org/2000/svg" style="background:white;font-family:sans-serif">'
            f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>'
            f'{ticks}<text x="{left}" y="{height - 16}" font-size="10">0</text>'
            f'<text x="{left + pw}" y="{height - 16}" font-size="10" text-anchor="end">'
            f'{len(tr) - 1}</text>'
            f'<text x="{left + pw / 2}" y="{height - 4}" font-size="11" text-anchor="middle">'
            f'epoch</text>'
            f'<text x="12" y="{top + ph / 2}" font-size="11" text-anchor="middle" '
            f'transform="rotate(-90 12 {top + ph / 2})">{what}</text>'
            f'<polyline fill="none" stroke="{blue}" stroke-width="2" points="{path(tr)}"/>'
            f'<polyline fill="none" stroke="{orange}" stroke-width="2" stroke-dasharray="5,3" '
            f'points="{path(te)}"/>'
            f'<text x="{left + pw - 4}" y="{top + 14}" font-size="10" text-anchor="end" '
            f'fill="{blue}">— train</text>'
            f'<text x="{left + pw - 4}" y="{top + 27}" font-size="10" text-anchor="end" '
            f'fill="{orange}">- - test</text></svg>')

    def render(self) -> dict:
        """Every view at once (one forward pass on the grid): png (the output heat-map),
        readout, network (the SVG picture), loss (SVG curves)."""
        out, hidden = self.grid_activations()
        return {"png": self.render_boundary(out), "readout": self.readout_html(),
                "network": self.network_svg(out, hidden), "loss": self.loss_svg()}


@lru_cache(maxsize=16)
def _dataset_thumb(problem: str, name: str, size: int) -> str:
    """A PNG data URI of a data set's points (200 of them, no noise) on a white square."""
    X, y = make_playground_data(name, n=200, noise=0.0, seed=0)
    img = np.full((size, size, 3), 255, dtype=np.uint8)
    cols = np.clip(np.round((X[:, 0] + DOMAIN) / (2 * DOMAIN) * (size - 1)), 0, size - 1)
    rows = np.clip(np.round((DOMAIN - X[:, 1]) / (2 * DOMAIN) * (size - 1)), 0, size - 1)
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    if problem == "regression":
        rgb = colour((np.clip(y, -1.0, 1.0) + 1.0) / 2, _LUT_STRONG)
    else:
        rgb = colour(np.asarray(y, dtype=np.float64), _LUT_STRONG)
    for dr in (0, 1):
        for dc in (0, 1):
            img[np.minimum(rows + dr, size - 1), np.minimum(cols + dc, size - 1)] = rgb
    return "data:image/png;base64," + b64encode(encode_png(img)).decode("ascii")


def run_headless(state: PlaygroundState | str, epochs: int) -> Playground:
    """Train a configuration (a state or its JSON) for ``epochs`` epochs without drawing."""
    pg = Playground(PlaygroundState.from_json(state) if isinstance(state, str) else state)
    pg.step(epochs)
    return pg
