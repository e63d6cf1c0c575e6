"""The analogy explorer of notebook 17, without a browser."""

import numpy as np
import pytest

from helpers.widgets.analogy_explorer import EXAMPLES, AnalogyExplorer, show_analogy_explorer

WORDS = ["man", "woman", "king", "queen", "apple", "pear"]
VEC = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1], [-1, 0, 0.2], [-1, 0.1, 0]],
               dtype=float)


def test_analogy_and_neighbours():
    ex = AnalogyExplorer(WORDS, VEC, a="man", b="king", c="woman", k=2)
    r = ex.compute()
    assert r["mode"] == "analogy" and r["candidates"][0][0] == "queen"
    assert all(w not in ("man", "king", "woman") for w, _ in r["candidates"])
    assert "'queen'" in ex.readout()
    ex.set(a="Apple ", b="", c="")
    assert ex.mode == "neighbours" and ex.compute()["candidates"][0][0] == "pear"
    assert "neighbours of 'apple'" in ex.readout()
    ex.set(a="plum")
    assert ex.compute()["candidates"] == [] and "not in the vocabulary: plum" in ex.readout()
    ex.set(a="man", b="king", c="")
    assert "type the words" in ex.readout()
    assert ex.png()[:4] == b"\x89PNG"


def test_readout_and_figure_change_with_settings():
    ex = AnalogyExplorer(WORDS, VEC, k=3)
    before = (ex.readout(), ex.png())
    ex.set(a="queen", b="", c="", k=2)
    after = (ex.readout(), ex.png())
    assert before[0] != after[0] and before[1] != after[1]


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"vectors must have shape \(V, D\) with V=len"):
        AnalogyExplorer(WORDS[:3], VEC)
    ex = AnalogyExplorer(WORDS, VEC)
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 20\]"):
        ex.set(k=0)
    with pytest.raises(TypeError, match="a must be a str"):
        ex.set(a=3)


def test_show_builds_the_widget():
    box = show_analogy_explorer(WORDS, VEC, k=2)
    assert box is not None and len(EXAMPLES) >= 4
