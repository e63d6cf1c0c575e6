"""The analogy and neighbour explorer of notebook 17: "a is to b as c is to ?" with word vectors.

``AnalogyExplorer`` is plain Python (testable without a browser): give it the words and their
vectors, set three words ``a, b, c`` (answer: the words nearest to b - a + c, leaving a, b and
c out) or only ``a`` (its nearest neighbours), and call ``compute()``, ``readout()`` and
``figure()``. ``show_analogy_explorer()`` wires ipywidgets controls to it: three text boxes
(updated on Enter), a dropdown of example analogies, and a slider for how many candidates.
"""

from __future__ import annotations

import html

import numpy as np

from helpers.plotting import CLASS_COLORS
from helpers.widgets._base import fig_to_png, new_figure
from helpers.word2vec import normalize_rows

EXAMPLES = {
    "man : king :: woman : ?": ("man", "king", "woman"),
    "paris : france :: tokyo : ?": ("paris", "france", "tokyo"),
    "good : better :: bad : ?": ("good", "better", "bad"),
    "walk : walked :: swim : ?": ("walk", "walked", "swim"),
    "neighbours of frog": ("frog", "", ""),
    "man : doctor :: woman : ?": ("man", "doctor", "woman"),
}
MIN_K, MAX_K = 1, 20


class AnalogyExplorer:
    """State and computations of the explorer.

    words: V words; vectors: (V, D). ``a, b, c``: words (``b`` and ``c`` empty = neighbours
    of ``a``); k: how many candidates to show.
    """

    def __init__(self, words, vectors, a: str = "man", b: str = "king", c: str = "woman",
                 k: int = 8):
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or len(words) != len(vectors):
            raise ValueError(f"vectors must have shape (V, D) with V=len(words)={len(words)}, "
                             f"got {vectors.shape}")
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.unit = normalize_rows(vectors.astype(np.float32))
        self.a, self.b, self.c, self.k = "", "", "", 8
        self.set(a=a, b=b, c=c, k=k)

    def set(self, a=None, b=None, c=None, k=None) -> AnalogyExplorer:
        """Change any of the settings; words are lower-cased and stripped. Returns self."""
        for name, value in (("a", a), ("b", b), ("c", c)):
            if value is None:
                continue
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, got {type(value).__name__}")
            setattr(self, name, value.strip().lower())
        if k is not None:
            if isinstance(k, bool) or not isinstance(k, int | np.integer) or not MIN_K <= k <= MAX_K:
                raise ValueError(f"k must be an integer in [{MIN_K}, {MAX_K}], got {k!r}")
            self.k = int(k)
        return self

    @property
    def mode(self) -> str:
        """"neighbours" when only ``a`` is given, else "analogy"."""
        return "neighbours" if not self.b and not self.c else "analogy"

    def compute(self) -> dict:
        """``{"mode", "query", "missing", "candidates": [(word, cosine), ...]}``.

        ``missing`` lists the words not in the vocabulary (then there are no candidates).
        """
        given = [self.a] if self.mode == "neighbours" else [self.a, self.b, self.c]
        missing = [w for w in given if w and w not in self.index]
        if self.mode == "neighbours":
            query = f"neighbours of {self.a!r}"
        else:
            query = f"{self.a} : {self.b} :: {self.c} : ?"
        result = {"mode": self.mode, "query": query, "missing": missing, "candidates": []}
        if missing or not all(given):
            return result
        idx = [self.index[w] for w in given]
        if self.mode == "neighbours":
            q = self.unit[idx[0]]
        else:
            q = self.unit[idx[1]] - self.unit[idx[0]] + self.unit[idx[2]]
        sims = self.unit @ (q / max(float(np.linalg.norm(q)), 1e-12))
        sims[idx] = -np.inf
        top = np.argpartition(-sims, self.k)[:self.k]
        top = top[np.argsort(-sims[top])]
        result["candidates"] = [(self.words[i], float(sims[i])) for i in top]
        return result

    def readout(self) -> str:
        r = self.compute()
        if r["missing"]:
            return f"{r['query']}: not in the vocabulary: {', '.join(r['missing'])}"
        if not r["candidates"]:
            return f"{r['query']}: type the words a, b and c (or only a for its neighbours)"
        best, cos = r["candidates"][0]
        if r["mode"] == "neighbours":
            return f"{r['query']}: nearest is {best!r} (cosine {cos:.3f})"
        return (f"{self.b} - {self.a} + {self.c} ≈ {best!r} (cosine {cos:.3f}); "
                f"{self.k} candidates shown")

    def figure(self):
        """Horizontal bars: the cosine similarity of each candidate, best on top."""
        r = self.compute()
        fig = new_figure(figsize=(5.5, 0.3 * max(self.k, 4) + 1.2))
        ax = fig.add_subplot()
        if r["candidates"]:
            names = [w for w, _ in r["candidates"]][::-1]
            sims = [s for _, s in r["candidates"]][::-1]
            colours = [CLASS_COLORS[0]] * (len(names) - 1) + [CLASS_COLORS[1]]
            ax.barh(names, sims, color=colours)
            ax.set_xlim(min(0.0, min(sims)), 1.0)
        else:
            ax.text(0.5, 0.5, "no candidates", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlabel("cosine similarity")
        ax.set_title(r["query"])
        return fig

    def png(self) -> bytes:
        return fig_to_png(self.figure())


def show_analogy_explorer(words, vectors, a: str = "man", b: str = "king", c: str = "woman",
                          k: int = 8):
    """Display the explorer: three word boxes (press Enter), an example menu, a k slider."""
    import ipywidgets as W
    from IPython.display import display

    from helpers.widgets._base import figure_image, readout

    explorer = AnalogyExplorer(words, vectors, a=a, b=b, c=c, k=k)
    boxes = [W.Text(value=v, description=n, continuous_update=False,
                    layout=W.Layout(width="180px")) for n, v in (("a", a), ("b", b), ("c", c))]
    example = W.Dropdown(options=["(type your own)", *EXAMPLES], value="(type your own)",
                         description="example")
    k_slider = W.IntSlider(value=k, min=MIN_K, max=MAX_K, description="k",
                           continuous_update=False)
    text, image = readout(), figure_image()

    def update(_=None):
        explorer.set(a=boxes[0].value, b=boxes[1].value, c=boxes[2].value, k=k_slider.value)
        text.value = html.escape(explorer.readout())
        image.value = explorer.png()

    def pick(change):
        if change["new"] in EXAMPLES:
            for box, word in zip(boxes, EXAMPLES[change["new"]], strict=True):
                box.unobserve(update, names="value")
                box.value = word
                box.observe(update, names="value")
            update()

    for control in (*boxes, k_slider):
        control.observe(update, names="value")
    example.observe(pick, names="value")
    update()
    box = W.VBox([W.HBox(boxes), W.HBox([example, k_slider]), text, image])
    display(box)
    return box
