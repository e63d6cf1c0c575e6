"""The text sampler's logic (no browser): temperature, seed text, reproducibility, errors."""

import numpy as np
import pytest

from helpers.numpy_nn.rnn import CharRNN
from helpers.widgets.text_sampler import TextSampler, sample_text, softmax_with_temperature


class Bigram:
    """A character model whose next-character scores depend on the last character only."""

    chars = "ab\n"

    def __init__(self):
        self.scores = np.array([[0.0, 2.0, -1.0], [2.0, 0.0, -1.0], [1.0, 1.0, -5.0]])

    def init_state(self):
        return None

    def step(self, char_id, state):
        return self.scores[char_id].copy(), char_id


def test_softmax_with_temperature():
    s = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax_with_temperature(s, 1.0), np.exp(s) / np.exp(s).sum())
    p = softmax_with_temperature(s, 0.5)
    np.testing.assert_allclose(p, np.exp(2 * s) / np.exp(2 * s).sum())
    assert softmax_with_temperature(s, 0.01)[2] > 0.999  # nearly greedy
    np.testing.assert_allclose(softmax_with_temperature(s, 1e6), np.full(3, 1 / 3), atol=1e-5)
    assert np.isfinite(softmax_with_temperature(np.array([1000.0, 0.0]), 0.1)).all()
    with pytest.raises(ValueError, match="temperature must be > 0"):
        softmax_with_temperature(s, 0.0)
    with pytest.raises(TypeError, match="temperature must be a number"):
        softmax_with_temperature(s, "hot")


def test_sample_text_is_reproducible_and_follows_the_model():
    m = Bigram()
    a, p = sample_text(m, "a", 50, 1.0, rng=0)
    b, _ = sample_text(m, "a", 50, 1.0, rng=0)
    assert a == b and len(a) == 50 and set(a) <= set(m.chars)
    np.testing.assert_allclose(p, softmax_with_temperature(m.scores[0], 1.0))
    greedy, _ = sample_text(m, "a", 10, 0.01, rng=1)
    assert greedy == "baba" * 2 + "ba"  # a -> b -> a -> ...
    _, p_empty = sample_text(m, "", 1, 1.0, rng=0)  # an empty seed starts from "\n"
    np.testing.assert_allclose(p_empty, softmax_with_temperature(m.scores[2], 1.0))


def test_sampler_readout_and_figure_change_with_temperature():
    s = TextSampler(Bigram(), temperature=1.0, seed_text="ab", length=40)
    r1, png1 = s.readout(), s.png()
    s.set(temperature=0.3)
    r2, png2 = s.readout(), s.png()
    assert r1 != r2 and png1 != png2 and png1[:4] == b"\x89PNG"
    assert "temperature 0.30" in r2
    # lower temperature, lower entropy
    assert s.compute()["entropy"] < s.set(temperature=2.0).compute()["entropy"]
    # the seed text changes the next-character distribution
    p_b = s.set(seed_text="ab").compute()["probs"]
    p_a = s.set(seed_text="ba").compute()["probs"]
    assert not np.allclose(p_a, p_b)


def test_sampler_works_with_the_numpy_char_rnn():
    model = CharRNN("abc \n", hidden_size=8, seed=0)
    s = TextSampler(model, temperature=0.8, seed_text="ab", length=30, seed=3)
    out = s.compute()
    assert len(out["text"]) == 30 and abs(out["probs"].sum() - 1) < 1e-12
    assert out["text"] == s.compute()["text"]  # same settings, same text
    assert out["text"] != s.set(seed=4).compute()["text"]


def test_sampler_bad_inputs():
    with pytest.raises(TypeError, match="character model"):
        TextSampler(object())
    s = TextSampler(Bigram())
    with pytest.raises(ValueError, match="temperature must be a number in"):
        s.set(temperature=0)
    with pytest.raises(ValueError, match="does not know"):
        s.set(seed_text="xyz")
    with pytest.raises(ValueError, match="length must be an integer"):
        s.set(length=0)
    with pytest.raises(ValueError, match="seed must be an integer"):
        s.set(seed=-1)
    with pytest.raises(ValueError, match="length must be an integer"):
        sample_text(Bigram(), "a", -1)
