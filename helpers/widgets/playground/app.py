"""The Playground's logic: data, model, training and rendering, with no widgets."""

from __future__ import annotations

import dataclasses
from base64 import b64encode

import numpy as np

from helpers.numpy_nn.activations import sigmoid_forward
from helpers.widgets.playground.data import (
    DOMAIN,
    FEATURE_LABELS,
    feature_matrix,
    make_playground_data,
    split_train_test,
)
from helpers.widgets.playground.model import accuracy, build_model, data_loss, make_solver
from helpers.widgets.playground.raster import (
    _LUT_STRONG,
    LUT,
    _frame,
    colour,
    draw_points,
    encode_png,
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
    DATA_KEYS = ("dataset", "noise", "train_ratio", "n_points", "data_seed")
    #: settings that change the network's shape (restart training)
    MODEL_KEYS = ("features", "hidden", "activation", "init_seed")

    def __init__(self, state: PlaygroundState | None = None, grid: int = 50, size_px: int = 340,
                 thumb_px: int = 44):
        self.state = (state or PlaygroundState()).validate()
        self.grid, self.size_px, self.thumb_px = grid, size_px, thumb_px
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
        self.model = build_model(len(s.features), s.hidden, s.activation, seed=s.init_seed)
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
        TensorFlow Playground); learning rate, regularisation and batch size apply at once."""
        s = self.state
        old = dataclasses.replace(s, features=list(s.features), hidden=list(s.hidden))
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
        Ftr, Fte = self._inputs()
        return {"epoch": self.state.epoch,
                "train_loss": self.state.train_loss[-1], "test_loss": self.state.test_loss[-1],
                "train_acc": accuracy(self.model, Ftr, self.y_train),
                "test_acc": accuracy(self.model, Fte, self.y_test)}

    def readout_html(self) -> str:
        m = self.metrics()
        return (f"<b>Epoch {m['epoch']:,}</b> &nbsp; train loss <b>{m['train_loss']:.3f}</b> "
                f"(accuracy {m['train_acc']:.0%}) &nbsp; test loss <b>{m['test_loss']:.3f}</b> "
                f"(accuracy {m['test_acc']:.0%})")

    # ----- rendering
    def _grid_points(self, n: int):
        t = np.linspace(-DOMAIN, DOMAIN, n)
        xx, yy = np.meshgrid(t, t[::-1])  # row 0 is the top of the picture (largest x2)
        return np.column_stack([xx.ravel(), yy.ravel()])

    def grid_activations(self, n: int | None = None):
        """Output probability (n, n) and every hidden layer's activations (n, n, units) on an
        n×n grid over the plane (row 0 = top)."""
        n = n or self.grid
        F = feature_matrix(self._grid_points(n), self.state.features)
        with np.errstate(over="ignore", invalid="ignore"):
            scores, caches = self.model.forward(F)
            p = sigmoid_forward(scores[:, 0])[0].reshape(n, n)
        hidden = [caches[i][0][0].reshape(n, n, -1) for i in range(1, len(caches))]
        return np.nan_to_num(p, nan=0.5), hidden

    def render_boundary(self, prob=None) -> bytes:
        """PNG of the decision heat-map (P(class 1)) with training and, optionally, test points."""
        if prob is None:
            prob = self.grid_activations()[0]
        frame, (r0, r1, c0, c1) = _frame(self.size_px)
        img = frame.copy()
        h, w = r1 - r0, c1 - c0
        area = colour(resize(prob, h, w), LUT)

        def to_px(X):
            cols = np.round((X[:, 0] + DOMAIN) / (2 * DOMAIN) * (w - 1)).astype(np.int64)
            rows = np.round((DOMAIN - X[:, 1]) / (2 * DOMAIN) * (h - 1)).astype(np.int64)
            return rows, cols

        draw_points(area, *to_px(self.X_train), self.y_train)
        if self.state.show_test:
            draw_points(area, *to_px(self.X_test), self.y_test, hollow=True)
        img[r0:r1, c0:c1] = area
        return encode_png(img)

    def _thumb(self, values, lo=None, hi=None) -> str:
        """A small PNG (data URI) of one unit's values over the plane, range-normalised."""
        lo = values.min() if lo is None else lo
        hi = values.max() if hi is None else hi
        v = np.full(values.shape, 0.5) if hi - lo < 1e-12 else (values - lo) / (hi - lo)
        rgb = colour(resize(v, self.thumb_px, self.thumb_px), _LUT_STRONG)
        return "data:image/png;base64," + b64encode(encode_png(rgb)).decode("ascii")

    def neurons_html(self, hidden=None) -> str:
        """HTML: a column of thumbnails per layer (input features, then each hidden layer)."""
        if hidden is None:
            hidden = self.grid_activations(20)[1]
        small = 20
        t = np.linspace(-DOMAIN, DOMAIN, small)
        xx, yy = np.meshgrid(t, t[::-1])
        pts = np.column_stack([xx.ravel(), yy.ravel()])
        cols = []
        feats = feature_matrix(pts, self.state.features)
        items = [(FEATURE_LABELS[f], self._thumb(feats[:, j].reshape(small, small)))
                 for j, f in enumerate(self.state.features)]
        cols.append(("inputs", items))
        for li, A in enumerate(hidden, start=1):
            A = A[:: max(1, A.shape[0] // small)][:, :: max(1, A.shape[1] // small)]
            items = [(f"layer {li} unit {u + 1}", self._thumb(A[:, :, u]))
                     for u in range(A.shape[2])]
            cols.append((f"layer {li}", items))
        cols.append(("output", []))
        parts = []
        for title, items in cols:
            imgs = "".join(
                f'<img src="{src}" title="{label}" alt="{label}" width="{self.thumb_px}" '
                f'height="{self.thumb_px}" style="display:block;margin:3px auto;'
                f'border:1px solid #999;image-rendering:auto">' for label, src in items)
            if title == "output":
                imgs = '<div style="font-size:11px;color:#555;margin-top:6px">P(class 1)<br>→ heat-map</div>'
            parts.append(f'<div style="text-align:center;min-width:{self.thumb_px + 12}px">'
                         f'<div style="font-size:11px;font-weight:bold">{title}</div>{imgs}</div>')
        return ('<div class="nn-neurons" style="display:flex;gap:10px;align-items:flex-start">'
                + "".join(parts) + "</div>")

    def loss_svg(self, width: int = 300, height: int = 170) -> str:
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
            f'transform="rotate(-90 12 {top + ph / 2})">loss (cross-entropy)</text>'
            f'<polyline fill="none" stroke="{blue}" stroke-width="2" points="{path(tr)}"/>'
            f'<polyline fill="none" stroke="{orange}" stroke-width="2" stroke-dasharray="5,3" '
            f'points="{path(te)}"/>'
            f'<text x="{left + pw - 4}" y="{top + 14}" font-size="10" text-anchor="end" '
            f'fill="{blue}">— train</text>'
            f'<text x="{left + pw - 4}" y="{top + 27}" font-size="10" text-anchor="end" '
            f'fill="{orange}">- - test</text></svg>')

    def render(self) -> dict:
        """Every view at once (one forward pass on the grid): png, readout, neurons, loss."""
        prob, hidden = self.grid_activations()
        return {"png": self.render_boundary(prob), "readout": self.readout_html(),
                "neurons": self.neurons_html(hidden), "loss": self.loss_svg()}


def run_headless(state: PlaygroundState | str, epochs: int) -> Playground:
    """Train a configuration (a state or its JSON) for ``epochs`` epochs without drawing."""
    pg = Playground(PlaygroundState.from_json(state) if isinstance(state, str) else state)
    pg.step(epochs)
    return pg
