"""The Playground: a TensorFlow-Playground-style widget on the course's own NumPy network.

Three layers, kept apart so that everything but the last one is tested without a browser:

1. **Model step** (plain functions): :func:`make_playground_data` (the five toy sets, scaled
   to the plane [-6, 6]²), :func:`feature_matrix` (x1, x2, x1², x2², x1·x2, sin x1, sin x2),
   :func:`build_model` (a :class:`helpers.numpy_nn.MLP` with a sigmoid output unit) and
   :func:`train_step`, the one function that updates the weights: a mini-batch gradient of the
   binary cross-entropy from ``MLP.loss`` plus an L1 or L2 penalty, then an SGD update.
2. **State and logic**: :class:`PlaygroundState` is the whole state (settings, epoch, loss
   history and, optionally, the weights) as one dataclass that round-trips through JSON;
   :class:`Playground` holds the data and the model and renders PNG/SVG/HTML views.
3. **ipywidgets layer**: :func:`playground_widget` only wires controls to a ``Playground``.

Drawing is done in NumPy (heat-map, points, thumbnails) into an RGB array pasted into a frame
that matplotlib draws once (axes, ticks, labels), then encoded as PNG; ``bench/playground_speed.py``
measures it against a matplotlib redraw.
"""

from __future__ import annotations

import dataclasses
import json
import time
import zlib
from base64 import b64encode
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from helpers.numpy_nn import MLP, sigmoid_forward
from helpers.synthetic import make_dataset

# --------------------------------------------------------------------------- choices
DATASETS = ("circle", "xor", "gaussian", "spiral", "moons")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2")
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
                  "sin_x1": "sin x₁", "sin_x2": "sin x₂"}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = ("none", "L1", "L2")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MAX_LAYERS, MAX_NEURONS = 6, 8
DOMAIN = 6.0  # the input plane is [-DOMAIN, DOMAIN]^2, as in the TensorFlow Playground

# Okabe-Ito blue (class 0) and orange (class 1), as in helpers.plotting.CLASS_COLORS.
CLASS_RGB = np.array([[0x00, 0x72, 0xB2], [0xE6, 0x9F, 0x00]], dtype=np.float64)


# --------------------------------------------------------------------------- data
def make_playground_data(dataset: str, n: int = 500, noise: float = 0.0, seed: int = 0):
    """One of the five toy sets with labels in {0, 1}, scaled to fit the plane [-6, 6]².

    ``noise`` runs from 0 to 0.5 (the Playground's 0-50 %) and is mapped to each generator's
    own noise parameter. Returns ``X: (n, 2) float64`` and ``y: (n,) int64``.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    if not 0.0 <= noise <= 0.5:
        raise ValueError(f"noise must be in [0, 0.5] (0-50 %), got {noise!r}")
    if dataset == "circle":
        X, y = make_dataset("circles", n=n, noise=0.4 * noise, seed=seed, factor=0.5)
        X = 5.0 * X
    elif dataset == "xor":
        X, y = make_dataset("xor", n=n, noise=0.4 * noise, seed=seed)
        X = 4.5 * X
    elif dataset == "gaussian":
        X, y = make_dataset("blobs", n=n, noise=0.4 + 1.4 * noise, seed=seed, n_classes=2)
        X = 1.5 * X
    elif dataset == "spiral":
        X, y = _two_spirals(n, noise=0.6 * noise, seed=seed)
        X = 5.5 * X
    else:  # moons: centre the two half circles on the origin
        X, y = make_dataset("moons", n=n, noise=0.4 * noise, seed=seed)
        X = 2.5 * (X - np.array([0.5, 0.25]))
    return X.astype(np.float64), y.astype(np.int64)


def _two_spirals(n: int, noise: float, seed: int, turns: float = 1.75):
    """Two interleaved spiral arms of ``turns`` turns (the TensorFlow Playground's 1.75).

    The same construction as ``helpers.synthetic.make_spiral`` (radius r in [0, 1), angle
    k·π + 2π·turns·r + noise for class k), whose arms make only 4 radians (0.64 turns): a
    spiral that short is solved by any small network, so it could not show why depth helps.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    r = np.empty(n)
    for k in range(2):
        idx = np.flatnonzero(y == k)
        r[idx] = np.linspace(0.0, 1.0, len(idx), endpoint=False)
    theta = y * np.pi + 2 * np.pi * turns * r + rng.normal(0.0, noise, size=n)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    order = rng.permutation(n)
    return X[order], y[order].astype(np.int64)


def split_train_test(X, y, train_ratio: float, seed: int = 0):
    """Shuffle with ``seed`` and put the first ``round(train_ratio * n)`` points in training."""
    if not 0.0 < train_ratio < 1.0:
        raise ValueError(f"train_ratio must be in (0, 1), got {train_ratio!r}")
    order = np.random.default_rng(seed).permutation(len(y))
    k = min(max(int(round(train_ratio * len(y))), 1), len(y) - 1)
    tr, te = order[:k], order[k:]
    return X[tr], y[tr], X[te], y[te]


_FEATURE_FUNCS = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin_x1": lambda X: np.sin(X[:, 0]),
    "sin_x2": lambda X: np.sin(X[:, 1]),
}


def feature_matrix(X, features) -> np.ndarray:
    """The network's input: one column per selected feature of the points ``X: (N, 2)``.

    Columns follow the order of ``features`` (names from ``FEATURES``). Returns ``(N, F)``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        hint = " (it looks transposed)" if X.ndim == 2 and X.shape[0] == 2 else ""
        raise ValueError(f"X must have shape (N, 2), got {X.shape}{hint}")
    if not features:
        raise ValueError("features must name at least one input feature")
    bad = [f for f in features if f not in _FEATURE_FUNCS]
    if bad:
        raise ValueError(f"unknown features {bad}; choose from {FEATURES}")
    return np.column_stack([_FEATURE_FUNCS[f](X) for f in features])


# --------------------------------------------------------------------------- model step
def architecture(n_inputs: int, hidden, activation: str) -> list[dict]:
    """The ``MLP`` architecture list: hidden layers of ``activation``, one sigmoid output unit.

    ``hidden=[]`` is logistic regression (the output unit sees the features directly).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if len(hidden) > MAX_LAYERS or any(not 1 <= h <= MAX_NEURONS for h in hidden):
        raise ValueError(f"hidden must list 0-{MAX_LAYERS} layer sizes in 1-{MAX_NEURONS}, "
                         f"got {list(hidden)}")
    dims = [n_inputs, *hidden]
    arch = [{"input_dim": d, "output_dim": m, "activation": activation}
            for d, m in zip(dims[:-1], dims[1:], strict=True)]
    arch.append({"input_dim": dims[-1], "output_dim": 1, "activation": "sigmoid"})
    return arch


def build_model(n_inputs: int, hidden, activation: str, seed: int = 0) -> MLP:
    """A fresh network (Xavier/Glorot init, which suits tanh and sigmoid) seeded by ``seed``."""
    return MLP(architecture(n_inputs, hidden, activation), init="xavier", l2=0.0, seed=seed)


def penalty(params, regularization: str, reg_rate: float) -> float:
    """The regularisation term over the weights (not biases): L1 = r·Σ|W|, L2 = r/2·Σ W²."""
    Ws = [p for k, p in params.items() if k.startswith("W")]
    if regularization == "L1":
        return reg_rate * sum(float(np.abs(W).sum()) for W in Ws)
    if regularization == "L2":
        return 0.5 * reg_rate * sum(float((W * W).sum()) for W in Ws)
    return 0.0


def train_step(model: MLP, Xb, yb, lr: float, regularization: str = "none",
               reg_rate: float = 0.0) -> float:
    """One SGD update of ``model`` on the mini-batch ``Xb: (B, F)``, ``yb: (B,)``, in place.

    Gradient = d(mean binary cross-entropy)/dθ from ``MLP.loss`` plus, for every weight
    matrix W, the penalty's gradient: L2 adds ``reg_rate * W``, L1 adds ``reg_rate * sign(W)``.
    For L1 a weight that the update would carry across zero is set to exactly 0 (as the
    TensorFlow Playground does), which is why L1 makes weights sparse. Returns the batch's
    data loss before the update.
    """
    if regularization not in REGULARIZATIONS:
        raise ValueError(f"regularization must be one of {REGULARIZATIONS}, got {regularization!r}")
    loss, grads = model.loss(Xb, yb)
    for name, p in model.params.items():
        g = grads[name]
        if name.startswith("W") and regularization == "L2" and reg_rate:
            g = g + reg_rate * p
        if name.startswith("W") and regularization == "L1" and reg_rate:
            new = p - lr * (g + reg_rate * np.sign(p))
            new[np.sign(new) * np.sign(p) < 0] = 0.0  # crossed zero: clip to exactly 0
            p[...] = new
        else:
            p -= lr * g
    return float(loss)


def train_epoch(model: MLP, X, y, batch_size: int, lr: float, regularization: str = "none",
                reg_rate: float = 0.0, rng: np.random.Generator | None = None) -> float:
    """One pass over ``X: (N, F)`` in shuffled mini-batches of ``batch_size``; mean batch loss."""
    n = len(y)
    order = rng.permutation(n) if rng is not None else np.arange(n)
    losses = [train_step(model, X[idx], y[idx], lr, regularization, reg_rate)
              for idx in np.array_split(order, max(1, -(-n // batch_size)))]
    return float(np.mean(losses))


def data_loss(model: MLP, X, y) -> float:
    """Mean binary cross-entropy of ``model`` on ``X: (N, F)``, ``y: (N,)`` (no penalty)."""
    z = model.forward(X)[0][:, 0]
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def accuracy(model: MLP, X, y) -> float:
    return float(np.mean(model.predict(X) == y))


# --------------------------------------------------------------------------- state
@dataclass
class PlaygroundState:
    """Everything the Playground shows, as plain JSON-friendly values.

    ``params`` (weights as nested lists) is ``None`` for a fresh network drawn from
    ``init_seed``: a configuration an instructor hands out usually leaves it out.
    """

    dataset: str = "circle"
    noise: float = 0.0  # 0 to 0.5
    train_ratio: float = 0.5
    n_points: int = 500
    data_seed: int = 0
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    hidden: list[int] = field(default_factory=lambda: [4, 2])
    activation: str = "tanh"
    learning_rate: float = 0.03
    regularization: str = "none"
    reg_rate: float = 0.0
    batch_size: int = 10
    init_seed: int = 0
    show_test: bool = False
    epoch: int = 0
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    params: dict[str, list] | None = None

    def validate(self) -> PlaygroundState:
        """Raise ``ValueError`` naming the first setting that is out of range."""
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}, got {self.dataset!r}")
        if not 0.0 <= self.noise <= 0.5:
            raise ValueError(f"noise must be in [0, 0.5], got {self.noise!r}")
        if not 0.0 < self.train_ratio < 1.0:
            raise ValueError(f"train_ratio must be in (0, 1), got {self.train_ratio!r}")
        if self.n_points < 4:
            raise ValueError(f"n_points must be >= 4, got {self.n_points!r}")
        feature_matrix(np.zeros((1, 2)), self.features)
        architecture(len(self.features), self.hidden, self.activation)
        if self.regularization not in REGULARIZATIONS:
            raise ValueError(f"regularization must be one of {REGULARIZATIONS}, "
                             f"got {self.regularization!r}")
        if self.learning_rate <= 0 or self.reg_rate < 0:
            raise ValueError("learning_rate must be > 0 and reg_rate >= 0")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size!r}")
        return self

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(dataclasses.asdict(self), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> PlaygroundState:
        """Build a state from JSON; unknown keys are an error, missing keys take defaults."""
        data = json.loads(text)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown Playground settings {unknown}; known: {sorted(names)}")
        return cls(**data).validate()


def _diverging_lut(lighten: float, n: int = 256) -> np.ndarray:
    """(n, 3) uint8 colours: blue (class 0) at 0 -> white at 0.5 -> orange (class 1) at 1.

    ``lighten`` blends the class colours with white (0 = full strength)."""
    ends = (1 - lighten) * CLASS_RGB + lighten * 255.0
    t = np.linspace(0.0, 1.0, n)[:, None]
    lo = ends[0] + (255.0 - ends[0]) * np.clip(2 * t, 0, 1)
    hi = 255.0 + (ends[1] - 255.0) * np.clip(2 * t - 1, 0, 1)
    return np.round(np.where(t < 0.5, lo, hi)).astype(np.uint8)


LUT = _diverging_lut(0.55)  # heat-map: light, so the points stay visible on top
_LUT_STRONG = _diverging_lut(0.0)  # thumbnails: full strength, so small images stay readable


def encode_png(rgb: np.ndarray, level: int = 1) -> bytes:
    """PNG bytes of an ``(H, W, 3) uint8`` image with the standard library only (zlib)."""
    h, w, _ = rgb.shape
    raw = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    raw[:, 0] = 0  # filter type "None" on every row
    raw[:, 1:] = rgb.reshape(h, 3 * w)

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + chunk(b"IEND", b""))


@lru_cache(maxsize=16)
def _interp_index(n_out: int, n_in: int):
    """Linear interpolation from n_in samples to n_out pixels: (lo indices, weights of lo+1)."""
    pos = np.linspace(0, n_in - 1, n_out)
    lo = np.clip(np.floor(pos).astype(np.intp), 0, n_in - 2)
    return lo, (pos - lo)[:, None]


def resize(v: np.ndarray, h: int, w: int) -> np.ndarray:
    """Bilinear resize of a 2-D grid ``v`` to ``(h, w)`` (separable, no BLAS call)."""
    lo, f = _interp_index(h, v.shape[0])
    rows = v[lo] * (1 - f) + v[lo + 1] * f  # (h, n)
    lo, f = _interp_index(w, v.shape[1])
    return rows[:, lo] * (1 - f.T) + rows[:, lo + 1] * f.T


def colour(v: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to RGB through a 256-entry lookup table: (H, W) -> (H, W, 3)."""
    idx = (np.clip(v, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    return np.take(lut, idx, axis=0)


@lru_cache(maxsize=4)
def _frame(size_px: int):
    """The static frame (axes, ticks, labels) drawn once by matplotlib; returns
    (rgb array, (row0, row1, col0, col1) of the plot area)."""
    # A bare Figure on an Agg canvas: no pyplot, so the notebook's backend is left alone.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dpi = 100
    fig = Figure(figsize=(size_px / dpi, size_px / dpi), dpi=dpi, facecolor="white", layout="none")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.14, 0.12, 0.82, 0.82))
    ax.set_xlim(-DOMAIN, DOMAIN)
    ax.set_ylim(-DOMAIN, DOMAIN)
    ax.set_xticks(range(-6, 7, 2))
    ax.set_yticks(range(-6, 7, 2))
    ax.set_xlabel("x₁", fontsize=10)
    ax.set_ylabel("x₂", fontsize=10)
    ax.tick_params(labelsize=8)
    ax.grid(False)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
    bb = ax.get_window_extent()
    h = rgb.shape[0]
    # Pixel rows count from the top; keep the axes' spines (1 px) outside the pasted area.
    r0, r1 = int(round(h - bb.y1)) + 1, int(round(h - bb.y0)) - 1
    c0, c1 = int(round(bb.x0)) + 1, int(round(bb.x1)) - 1
    return rgb, (r0, r1, c0, c1)


@lru_cache(maxsize=8)
def _marker_offsets(shape: str, radius: int):
    """Pixel offsets (dr, dc) of a filled marker and of its outline ring."""
    r = np.arange(-radius - 1, radius + 2)
    dr, dc = np.meshgrid(r, r, indexing="ij")
    if shape == "disc":
        d = np.hypot(dr, dc)
        inner, outer = d <= radius - 0.5, d <= radius + 0.6
    else:  # square
        m = np.maximum(abs(dr), abs(dc))
        inner, outer = m <= radius - 1, m <= radius
    ring = outer & ~inner
    return (dr[inner], dc[inner]), (dr[ring], dc[ring])


def draw_points(img, rows, cols, labels, hollow: bool = False, radius: int = 3) -> None:
    """Stamp class-coloured markers (class 0 disc, class 1 square) into ``img`` in place.

    ``hollow`` markers (test points) are white inside with a class-coloured ring.
    """
    h, w, _ = img.shape
    for k, shape in ((0, "disc"), (1, "square")):
        sel = labels == k
        if not sel.any():
            continue
        (ir, ic), (rr, rc) = _marker_offsets(shape, radius)
        fill = np.array([255, 255, 255]) if hollow else CLASS_RGB[k]
        ring = CLASS_RGB[k] * 0.6 if not hollow else CLASS_RGB[k] * 0.85
        for (dr, dc), colour in (((rr, rc), ring), ((ir, ic), fill)):
            R = (rows[sel][:, None] + dr[None, :]).ravel()
            C = (cols[sel][:, None] + dc[None, :]).ravel()
            ok = (R >= 0) & (R < h) & (C >= 0) & (C < w)
            img[R[ok], C[ok]] = colour.astype(np.uint8)


# --------------------------------------------------------------------------- logic
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
        """Train ``epochs`` passes over the training set (mini-batches of ``batch_size``)."""
        s = self.state
        Ftr, _ = self._inputs()
        for _ in range(epochs):
            rng = np.random.default_rng([s.init_seed, s.epoch])  # same order after save/load
            with np.errstate(over="ignore", invalid="ignore"):
                train_epoch(self.model, Ftr, self.y_train, s.batch_size, s.learning_rate,
                            s.regularization, s.reg_rate, rng)
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


# --------------------------------------------------------------------------- widgets
def playground_widget(state: PlaygroundState | None = None, interval_ms: int = 60):
    """The ipywidgets Playground. Returns ``(widget, playground)``; display the widget.

    Play/Pause is an ``ipywidgets.Play``: the browser ticks its value every ``interval_ms``
    and each tick trains one epoch and redraws, so the kernel is never blocked and Pause
    (or any other control) answers at once.
    """
    import ipywidgets as W

    from helpers.widgets._base import figure_image, readout

    pg = Playground(state)
    s = pg.state
    lay = W.Layout
    style = {"description_width": "100px"}

    # --- controls
    names = {"circle": "circle", "xor": "XOR", "gaussian": "Gauss", "spiral": "spiral",
             "moons": "moons"}
    dataset = W.Dropdown(options=[(names[d], d) for d in DATASETS], value=s.dataset,
                         description="Data set", style=style)
    noise = W.IntSlider(value=int(round(100 * s.noise)), min=0, max=50, step=5,
                        description="Noise (%)", continuous_update=False, style=style)
    ratio = W.IntSlider(value=int(round(100 * s.train_ratio)), min=10, max=90, step=10,
                        description="Train data (%)", continuous_update=False, style=style)
    regen = W.Button(description="Regenerate", icon="refresh", tooltip="new random data",
                     layout=lay(width="125px"))
    show_test = W.Checkbox(value=s.show_test, description="Show test data", indent=False,
                           layout=lay(width="150px", margin="0 0 0 10px"))
    feats = {f: W.ToggleButton(value=f in s.features, description=FEATURE_LABELS[f],
                               layout=lay(width="62px")) for f in FEATURES}
    n_layers = W.IntSlider(value=len(s.hidden), min=0, max=MAX_LAYERS, description="Hidden layers",
                           continuous_update=False, style=style)
    widths = [W.IntSlider(value=(s.hidden[i] if i < len(s.hidden) else 4), min=1,
                          max=MAX_NEURONS, description=f"Neurons in {i + 1}",
                          continuous_update=False, style=style,
                          layout=lay(display="" if i < len(s.hidden) else "none"))
              for i in range(MAX_LAYERS)]
    activation = W.Dropdown(options=ACTIVATIONS, value=s.activation, description="Activation",
                            style=style)
    lr = W.Dropdown(options=LEARNING_RATES, value=s.learning_rate, description="Learning rate",
                    style=style)
    reg = W.Dropdown(options=REGULARIZATIONS, value=s.regularization,
                     description="Regularisation", style=style)
    reg_rate = W.Dropdown(options=REG_RATES, value=s.reg_rate, description="Reg. rate",
                          style=style)
    batch = W.IntSlider(value=s.batch_size, min=1, max=30, description="Batch size",
                        continuous_update=False, style=style)
    init_seed = W.BoundedIntText(value=s.init_seed, min=0, max=10**6, description="Weights seed",
                                 tooltip="a different seed draws different initial weights",
                                 style=style)
    for wdg in (dataset, noise, ratio, n_layers, *widths, activation, lr, reg, reg_rate, batch,
                init_seed):
        wdg.layout.width = "315px"
    play = W.Play(value=0, min=0, max=10**9, step=1, interval=interval_ms, show_repeat=False,
                  description="Play")
    step_btn = W.Button(description="Step", icon="step-forward", tooltip="train one epoch")
    reset_btn = W.Button(description="Reset", icon="undo", tooltip="back to epoch 0")
    out_readout = readout()
    img = figure_image()
    img.layout = lay(width=f"{pg.size_px}px", height=f"{pg.size_px}px")
    loss_html = W.HTML()
    neurons = W.HTML()
    cfg_text = W.Textarea(placeholder="Playground configuration (JSON)",
                          layout=lay(width="100%", height="90px"))
    save_btn = W.Button(description="Save → JSON", tooltip="write the configuration below")
    load_btn = W.Button(description="Load JSON", tooltip="apply the configuration below")
    message = W.HTML()
    syncing = {"on": False}  # True while controls are set from the state (no feedback loop)
    last_draw = {"t": 0.0}

    def redraw():
        views = pg.render()
        img.value = views["png"]
        out_readout.value = views["readout"]
        neurons.value = views["neurons"]
        loss_html.value = views["loss"]
        last_draw["t"] = time.perf_counter()

    def sync_controls():
        syncing["on"] = True
        try:
            st = pg.state
            dataset.value, noise.value = st.dataset, int(round(100 * st.noise))
            ratio.value, show_test.value = int(round(100 * st.train_ratio)), st.show_test
            for f, b in feats.items():
                b.value = f in st.features
            n_layers.value = len(st.hidden)
            for i, wdg in enumerate(widths):
                if i < len(st.hidden):
                    wdg.value = st.hidden[i]
                wdg.layout.display = "" if i < len(st.hidden) else "none"
            activation.value, lr.value, reg.value = st.activation, st.learning_rate, st.regularization
            reg_rate.value, batch.value, init_seed.value = st.reg_rate, st.batch_size, st.init_seed
        finally:
            syncing["on"] = False

    def apply(**changes):
        if syncing["on"]:
            return
        try:
            pg.update(**changes)
            message.value = ""
        except ValueError as err:
            message.value = f'<span style="color:#D55E00">{err}</span>'
            sync_controls()
        redraw()

    def on_features(_):
        chosen = [f for f in FEATURES if feats[f].value]
        if not chosen:  # the network needs at least one input
            syncing["on"] = True
            feats[pg.state.features[0]].value = True
            syncing["on"] = False
            message.value = "At least one input feature must stay on."
            return
        apply(features=chosen)

    def on_layers(_):
        for i, wdg in enumerate(widths):
            wdg.layout.display = "" if i < n_layers.value else "none"
        apply(hidden=[w.value for w in widths[: n_layers.value]])

    def on_tick(change):
        if change["new"] <= change["old"]:
            return  # Play's stop button or a reset moved the counter back
        pg.step(1)
        # Catch up without drawing when ticks queue up faster than the kernel draws.
        if time.perf_counter() - last_draw["t"] >= 0.5 * interval_ms / 1000:
            redraw()

    def on_playing(change):
        if not change["new"]:
            redraw()  # the last tick may have skipped its drawing

    dataset.observe(lambda c: apply(dataset=c["new"]), "value")
    noise.observe(lambda c: apply(noise=c["new"] / 100), "value")
    ratio.observe(lambda c: apply(train_ratio=c["new"] / 100), "value")
    show_test.observe(lambda c: apply(show_test=c["new"]), "value")
    for b in feats.values():
        b.observe(on_features, "value")
    n_layers.observe(on_layers, "value")
    for wdg in widths:
        wdg.observe(on_layers, "value")
    activation.observe(lambda c: apply(activation=c["new"]), "value")
    lr.observe(lambda c: apply(learning_rate=c["new"]), "value")
    reg.observe(lambda c: apply(regularization=c["new"]), "value")
    reg_rate.observe(lambda c: apply(reg_rate=c["new"]), "value")
    batch.observe(lambda c: apply(batch_size=c["new"]), "value")
    init_seed.observe(lambda c: apply(init_seed=int(c["new"])), "value")
    play.observe(on_tick, "value")
    play.observe(on_playing, "playing")

    def on_step(_):
        pg.step(1)
        redraw()

    def on_reset(_):
        play.playing = False
        pg.reset()
        redraw()

    def on_regen(_):
        pg.regenerate()
        redraw()

    def on_save(_):
        cfg_text.value = pg.to_json(weights=False, indent=1)
        message.value = "Configuration written below (copy it to hand it out)."

    def on_load(_):
        try:
            new = Playground.from_json(cfg_text.value, grid=pg.grid, size_px=pg.size_px,
                                       thumb_px=pg.thumb_px)
        except (ValueError, TypeError) as err:
            message.value = f'<span style="color:#D55E00">Could not load: {err}</span>'
            return
        play.playing = False
        pg.state, pg.X_train, pg.y_train = new.state, new.X_train, new.y_train
        pg.X_test, pg.y_test, pg.model = new.X_test, new.y_test, new.model
        pg._features_cache = None
        sync_controls()
        message.value = "Configuration loaded."
        redraw()

    step_btn.on_click(on_step)
    reset_btn.on_click(on_reset)
    regen.on_click(on_regen)
    save_btn.on_click(on_save)
    load_btn.on_click(on_load)

    def box(title, *children):
        return W.VBox([W.HTML(f"<b>{title}</b>"), *children],
                      layout=lay(border="1px solid #ddd", padding="4px", margin="2px"))

    controls = W.VBox([
        box("Data", dataset, noise, ratio, W.HBox([regen, show_test])),
        box("Features (inputs)", W.HBox(list(feats.values()), layout=lay(flex_flow="row wrap"))),
        box("Network", n_layers, *widths, activation, init_seed),
        box("Training", lr, reg, reg_rate, batch),
    ], layout=lay(width="330px", min_width="330px"))
    legend = W.HTML(
        "<div style='font-size:12px;line-height:1.35;margin-top:6px'>Heat-map: the network's "
        "P(class 1) over the plane; white is the decision boundary.<br>"
        "<span style='color:#0072B2'>●</span> class 0 &nbsp; "
        "<span style='color:#E69F00'>■</span> class 1 &nbsp; hollow markers: test points."
        "</div>")
    ui = W.VBox([
        W.HBox([play, step_btn, reset_btn, out_readout],
               layout=lay(align_items="center", flex_flow="row wrap")),
        W.HBox([controls, img, W.VBox([loss_html, legend], layout=lay(width="310px"))],
               layout=lay(flex_flow="row wrap", align_items="flex-start")),
        W.HTML("<b>What each unit computes</b>: its activation over the plane, scaled to its "
               "own range (blue = low, orange = high); hover for the unit's name."),
        neurons,
        W.HBox([save_btn, load_btn, message], layout=lay(align_items="center")), cfg_text,
    ])
    redraw()
    ui.add_class("nn-playground")
    return ui, pg
