"""The text sampler of notebooks 15 and 16: a character model, a sampling temperature and a
seed text -> sampled text.

A *character model* is anything with

- ``chars``: the vocabulary, a string (character id = position),
- ``init_state()``: the state before any character (e.g. a zero hidden state),
- ``step(char_id, state) -> (scores, state)``: feed one character, get the scores (logits)
  of the next one, shape (V,), and the new state.

``helpers.numpy_nn.rnn.CharRNN`` is one; ``helpers.torch_nn.char_lm.TorchCharModel`` wraps a
PyTorch model as one. ``TextSampler`` is plain Python (testable without a browser):
``compute()`` gives the sampled text and the next-character distribution after the seed,
``readout()`` a text line, ``figure()`` the distribution and the sample.
``show_text_sampler(model)`` wires a temperature slider, a seed-text box, a random-seed
box and a length slider to it.

Temperature tau divides the scores before the softmax: p_k = exp(s_k / tau) / sum_j exp(s_j /
tau). tau -> 0 always picks the most likely character (greedy); tau = 1 samples the model's
own distribution; tau > 1 flattens it towards uniform.
"""

from __future__ import annotations

import html

import numpy as np

from helpers.widgets._base import fig_to_png

MIN_TEMPERATURE, MAX_TEMPERATURE = 0.05, 3.0
MAX_LENGTH = 2000


def softmax_with_temperature(scores, temperature: float) -> np.ndarray:
    """p = softmax(scores / temperature). scores: (V,) (or (..., V)); temperature > 0."""
    scores = np.asarray(scores, dtype=np.float64)
    if isinstance(temperature, bool) or not isinstance(temperature, int | float | np.floating):
        raise TypeError(f"temperature must be a number, got {type(temperature).__name__}")
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    z = scores / temperature
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def _reference_temperature_probs(scores, temperature, mistake=None):
    """The expected answer of the temperature exercise (and its natural mistakes)."""
    s = np.asarray(scores, dtype=np.float64)
    if mistake == "after_softmax":
        e = np.exp(s - s.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True) / temperature
    z = s * temperature if mistake == "multiply" else s if mistake == "no_temperature" else s / temperature
    if mistake != "no_shift":
        z = z - z.max(axis=-1, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.exp(z)
        return p / p.sum(axis=-1, keepdims=True)


def _check_model(model) -> None:
    missing = [a for a in ("chars", "init_state", "step") if not hasattr(model, a)]
    if missing:
        raise TypeError(f"model must be a character model with chars, init_state() and "
                        f"step(char_id, state); {type(model).__name__} lacks {missing}")
    if not isinstance(model.chars, str) or not model.chars:
        raise TypeError("model.chars must be a non-empty string (the vocabulary)")


def _check_seed_text(seed_text: str, chars: str) -> None:
    if not isinstance(seed_text, str):
        raise TypeError(f"seed_text must be a string, got {type(seed_text).__name__}")
    unknown = sorted(set(seed_text) - set(chars))
    if unknown:
        raise ValueError(f"seed_text holds characters the model does not know: {unknown[:10]}")


def sample_text(model, seed_text: str = "", length: int = 200, temperature: float = 1.0,
                rng=None) -> tuple[str, np.ndarray]:
    """Feed ``seed_text`` to the model, then sample ``length`` characters one at a time.

    Returns (the sampled characters without the seed, the next-character distribution the
    model gave right after the seed at this temperature: (V,)). An empty seed starts from a
    newline when the vocabulary has one, else from its first character.
    """
    _check_model(model)
    _check_seed_text(seed_text, model.chars)
    if isinstance(length, bool) or not isinstance(length, int | np.integer) or not (
            0 <= length <= MAX_LENGTH):
        raise ValueError(f"length must be an integer in [0, {MAX_LENGTH}], got {length!r}")
    rng = np.random.default_rng(rng)
    index = {ch: i for i, ch in enumerate(model.chars)}
    prime = seed_text or ("\n" if "\n" in index else model.chars[0])
    state = model.init_state()
    for ch in prime:
        scores, state = model.step(index[ch], state)
    probs = softmax_with_temperature(scores, temperature)
    first = probs
    out = []
    for _ in range(int(length)):
        k = int(rng.choice(len(probs), p=probs))
        out.append(model.chars[k])
        scores, state = model.step(k, state)
        probs = softmax_with_temperature(scores, temperature)
    return "".join(out), first


class TextSampler:
    """State of the sampler: ``temperature``, ``seed_text``, ``length``, ``seed`` (the random
    seed, so the same settings give the same text)."""

    def __init__(self, model, temperature: float = 1.0, seed_text: str = "", length: int = 200,
                 seed: int = 0):
        _check_model(model)
        self.model = model
        self.temperature, self.seed_text, self.length, self.seed = 1.0, "", 200, 0
        self.set(temperature=temperature, seed_text=seed_text, length=length, seed=seed)

    def set(self, temperature=None, seed_text=None, length=None, seed=None) -> TextSampler:
        """Change any setting (validated); returns self."""
        if temperature is not None:
            if isinstance(temperature, bool) or not isinstance(
                    temperature, int | float | np.floating) or not (
                    MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE):
                raise ValueError(f"temperature must be a number in [{MIN_TEMPERATURE}, "
                                 f"{MAX_TEMPERATURE}], got {temperature!r}")
            self.temperature = float(temperature)
        if seed_text is not None:
            _check_seed_text(seed_text, self.model.chars)
            self.seed_text = seed_text
        if length is not None:
            if isinstance(length, bool) or not isinstance(length, int | np.integer) or not (
                    1 <= length <= MAX_LENGTH):
                raise ValueError(f"length must be an integer in [1, {MAX_LENGTH}], got {length!r}")
            self.length = int(length)
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
                raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
            self.seed = int(seed)
        return self

    def compute(self) -> dict:
        """``text`` (sampled, without the seed), ``probs`` (V,) the next-character
        distribution after the seed, ``entropy`` of it in nats, ``top`` the five most likely
        next characters with their probabilities."""
        text, probs = sample_text(self.model, self.seed_text, self.length, self.temperature,
                                  np.random.default_rng(self.seed))
        p = probs[probs > 0]
        order = np.argsort(-probs)[:5]
        return {"text": text, "probs": probs, "entropy": float(-(p * np.log(p)).sum()),
                "top": [(self.model.chars[k], float(probs[k])) for k in order]}

    def readout(self) -> str:
        r = self.compute()
        top = ", ".join(f"{_show(ch)} {p:.2f}" for ch, p in r["top"][:3])
        return (f"temperature {self.temperature:.2f}, random seed {self.seed}: next character "
                f"after the seed text: {top} (entropy {r['entropy']:.2f} nats)")

    def figure(self, top_k: int = 20):
        """Left: the top-k next-character probabilities after the seed. Right: the text."""
        from matplotlib.figure import Figure

        r = self.compute()
        fig = Figure(figsize=(11, 3.6), layout="constrained")
        ax1, ax2 = fig.subplots(1, 2, width_ratios=(1, 1.6))
        order = np.argsort(-r["probs"])[:top_k]
        ax1.bar(range(len(order)), r["probs"][order], color="#0072B2")
        ax1.set_xticks(range(len(order)), [_show(self.model.chars[k]) for k in order],
                       fontsize=8)
        ax1.set_ylim(0, 1)
        ax1.set_ylabel("probability")
        ax1.set_title(f"next character after the seed, T = {self.temperature:.2f}")
        ax2.axis("off")
        shown = (self.seed_text + r["text"])[-700:]
        lines = []
        for para in shown.split("\n"):
            while len(para) > 80:
                lines.append(para[:80])
                para = para[80:]
            lines.append(para)
        ax2.text(0, 1, "\n".join(lines[-16:]), va="top", ha="left", family="monospace",
                 fontsize=8, transform=ax2.transAxes)
        ax2.set_title("seed text + sample")
        return fig

    def png(self) -> bytes:
        return fig_to_png(self.figure())


def _show(ch: str) -> str:
    return {"\n": "\\n", " ": "␣", "\t": "\\t"}.get(ch, ch)


def show_text_sampler(model, temperature: float = 1.0, seed_text: str = "", length: int = 300):
    """Display the sampler: a temperature slider, a seed-text box, a random seed and a length
    (each resamples when changed; the sliders on release)."""
    import ipywidgets as W
    from IPython.display import display

    from helpers.widgets._base import figure_image, readout

    sampler = TextSampler(model, temperature=temperature, seed_text=seed_text, length=length)
    temp = W.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.1, description="temperature",
                         continuous_update=False)
    seed_box = W.Text(value=seed_text, description="seed text", continuous_update=False)
    rseed = W.BoundedIntText(value=0, min=0, max=10_000, description="random seed")
    length_slider = W.IntSlider(value=length, min=50, max=1000, step=50, description="length",
                                continuous_update=False)
    text, image, error = readout(), figure_image(), W.HTML()

    def update(_=None):
        try:
            sampler.set(temperature=temp.value, seed_text=seed_box.value, seed=rseed.value,
                        length=length_slider.value)
        except ValueError as err:
            error.value = f"<span style='color:#D55E00'>{html.escape(str(err))}</span>"
            return
        error.value = ""
        text.value = html.escape(sampler.readout())
        image.value = sampler.png()

    for control in (temp, seed_box, rseed, length_slider):
        control.observe(update, names="value")
    update()
    box = W.VBox([W.HBox([temp, length_slider]), W.HBox([seed_box, rseed]), error, text, image])
    display(box)
    return box
