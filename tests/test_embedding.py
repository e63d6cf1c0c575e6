"""Word embeddings: the lookup layer and SGNS against torch and gradient checks; the
word2vec trainer, evaluation and debiasing helpers of notebook 17."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.numpy_nn.embedding import (
    keep_probabilities,
    log_sigmoid,
    noise_distribution,
    sgns_loss,
    word_embedding_backward,
    word_embedding_forward,
)
from helpers.numpy_nn.gradcheck import check_layer_grad, grad_check, rel_error
from helpers.word2vec import (
    SkipGram,
    Vocab,
    analogy_accuracy,
    equalize,
    gender_direction,
    nearest_neighbours,
    neutralize,
    normalize_rows,
    tokenize,
)


def test_word_embedding_matches_torch_and_gradchecks():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((7, 4))
    x = np.array([[0, 3, 3], [6, 0, 1]])
    out, cache = word_embedding_forward(x, W)
    dout = rng.standard_normal(out.shape)
    dW = word_embedding_backward(dout, cache)
    Wt = torch.tensor(W, requires_grad=True)
    ot = F.embedding(torch.tensor(x), Wt)
    ot.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dW, Wt.grad.numpy(), rtol=1e-12)
    res = check_layer_grad(lambda W_: word_embedding_forward(x, W_),
                           word_embedding_backward, {"W": W}, verbose=False)
    assert res["W"].passed
    out32, c32 = word_embedding_forward(x, W.astype(np.float32))
    assert out32.dtype == np.float32 and word_embedding_backward(dout.astype(np.float32),
                                                                 c32).dtype == np.float32


def test_word_embedding_bad_inputs():
    W = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"x must have shape \(N, T\).*batch axis"):
        word_embedding_forward(np.array([1, 2]), W)
    with pytest.raises(ValueError, match=r"indices in \[0, V\) with V=5"):
        word_embedding_forward(np.array([[1, 5]]), W)
    with pytest.raises(TypeError, match="integer word indices"):
        word_embedding_forward(np.array([[1.0]]), W)
    _, cache = word_embedding_forward(np.array([[1, 2]]), W)
    with pytest.raises(ValueError, match=r"dout must have shape \(N, T, D\)"):
        word_embedding_backward(np.zeros((1, 2, 4)), cache)


def _torch_sgns(c, o, n):
    c, o, n = (torch.tensor(a, requires_grad=True) for a in (c, o, n))
    pos = (c * o).sum(-1)
    neg = torch.einsum("nkd,nd->nk", n, c)
    loss = -(F.logsigmoid(pos).sum() + F.logsigmoid(-neg).sum()) / len(c)
    loss.backward()
    return float(loss.detach()), {"center": c.grad.numpy(), "context": o.grad.numpy(),
                         "negative": n.grad.numpy()}


@pytest.mark.parametrize("seed", [0, 1])
def test_sgns_loss_matches_torch_and_gradchecks(seed):
    rng = np.random.default_rng(seed)
    c, o, n = rng.standard_normal((6, 5)), rng.standard_normal((6, 5)), rng.standard_normal((6, 3, 5))
    loss, grads = sgns_loss(c, o, n)
    tl, tg = _torch_sgns(c, o, n)
    assert abs(loss - tl) < 1e-12
    for k in grads:
        assert rel_error(grads[k], tg[k]) < 1e-10, k
    params = {"center": c, "context": o, "negative": n}
    res = grad_check(lambda: sgns_loss(c, o, n)[0], params, grads, verbose=False)
    assert all(r.passed for r in res.values())


def test_sgns_loss_is_stable_and_keeps_dtype():
    big = np.full((2, 3), 100.0)
    loss, grads = sgns_loss(big, big, -big[:, None, :].repeat(2, 1))
    assert np.isfinite(loss) and loss < 1e-6
    loss, grads = sgns_loss(big, -big, big[:, None, :])
    assert np.isfinite(loss) and loss > 1e4
    f32 = np.ones((2, 3), dtype=np.float32)
    _, g = sgns_loss(f32, f32, f32[:, None, :])
    assert all(v.dtype == np.float32 for v in g.values())
    np.testing.assert_allclose(log_sigmoid(np.array([-800.0, 0.0, 800.0])), [-800, -np.log(2), 0])


def test_sgns_loss_bad_inputs():
    with pytest.raises(ValueError, match=r"context_vecs must have shape \(N, D\)"):
        sgns_loss(np.zeros((4, 3)), np.zeros((4, 2)), np.zeros((4, 5, 3)))
    with pytest.raises(ValueError, match=r"negative_vecs must have shape \(N, K, D\)"):
        sgns_loss(np.zeros((4, 3)), np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="z must|N >= 1"):
        sgns_loss(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 2, 3)))
    with pytest.raises(TypeError, match="z must be a NumPy array"):
        log_sigmoid([1.0])


def test_noise_distribution_and_subsampling():
    counts = np.array([1000, 100, 10, 0])
    p = noise_distribution(counts)
    np.testing.assert_allclose(p.sum(), 1.0)
    np.testing.assert_allclose(p[:3], counts[:3] ** 0.75 / (counts[:3] ** 0.75).sum())
    assert p[3] == 0
    np.testing.assert_allclose(noise_distribution(counts[:3], power=1.0), counts[:3] / 1110)
    keep = keep_probabilities(np.array([1_000_000, 100, 1]), sample=1e-3)
    f = 1_000_000 / 1_000_101
    assert abs(keep[0] - (np.sqrt(f / 1e-3) + 1) * 1e-3 / f) < 1e-12
    assert keep[1] == keep[2] == 1.0
    np.testing.assert_array_equal(keep_probabilities(np.array([5, 5]), sample=0), [1, 1])
    with pytest.raises(ValueError, match=r"counts must have shape \(V,\)"):
        noise_distribution(np.ones((2, 2), dtype=int))
    with pytest.raises(ValueError, match="power must be a number in"):
        noise_distribution(counts, power=2)
    with pytest.raises(ValueError, match="non-negative word counts"):
        keep_probabilities(np.array([-1, 3]))
    with pytest.raises(ValueError, match="sample must be a number >= 0"):
        keep_probabilities(counts, sample=-1)


TOY = [("the king rules the land and the queen rules the land " * 3).split(),
       ("a man and a woman walk to the land of the king " * 3).split()] * 20


def test_vocab_corpus_and_trainer():
    vocab = Vocab.build(TOY, min_count=5)
    assert vocab.words[0] == "the" and vocab.counts[0] == max(vocab.counts)
    ids, sent = vocab.encode(TOY)
    assert ids.shape == sent.shape and ids.max() < len(vocab)
    model = SkipGram(len(vocab), dim=8, seed=0)
    hist = model.train((ids, sent), vocab.counts, epochs=3, window=2, negatives=3,
                       batch_size=64, progress=False, sample=0)
    assert hist["epoch_loss"][-1] < hist["epoch_loss"][0] and hist["pairs"] > 0
    assert model.vectors.shape == (len(vocab), 8) and model.vectors.dtype == np.float32
    with pytest.raises(ValueError, match="min_count must be an integer"):
        Vocab.build(TOY, min_count=0)
    with pytest.raises(TypeError, match="list of lists of words"):
        Vocab.build(["a sentence"])
    with pytest.raises(ValueError, match=r"counts must have shape \(V,\)"):
        model.train((ids, sent), vocab.counts[:-1], progress=False)
    with pytest.raises(ValueError, match="window must be a positive integer"):
        model.train((ids, sent), vocab.counts, window=0, progress=False)
    with pytest.raises(ValueError, match="dim must be a positive integer"):
        SkipGram(5, dim=0)
    assert tokenize("Emma Woodhouse , handsome ; 1816") == ["emma", "woodhouse", "handsome"]
    with pytest.raises(TypeError, match="line must be a str"):
        tokenize(["a"])


def test_pairs_respect_sentences_and_window():
    from helpers.word2vec import _pairs

    ids = np.arange(6, dtype=np.int32)
    sent = np.array([0, 0, 0, 1, 1, 1], dtype=np.int32)
    c, o = _pairs(ids, sent, 5, np.random.default_rng(0))
    assert all(sent[a] == sent[b] for a, b in zip(c, o, strict=True))
    assert set(zip(c.tolist(), o.tolist(), strict=True)) <= {(a, b) for a in range(6) for b in range(6)
                                                 if a != b and sent[a] == sent[b]}


def test_analogy_and_neighbours_on_a_constructed_space():
    words = ["man", "woman", "king", "queen", "apple"]
    vec = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1], [-1, 0, 0]], dtype=float)
    sections = {"family": [("man", "woman", "king", "queen"), ("man", "king", "woman", "queen"),
                           ("man", "woman", "prince", "princess")],
                "gram1-x": [("king", "queen", "man", "woman")]}
    rep = analogy_accuracy(words, vec, sections)
    assert rep["sections"]["family"] == {"correct": 2, "covered": 2, "total": 3,
                                         "accuracy": 1.0, "coverage": 2 / 3}
    assert rep["overall"]["correct"] == 3 and rep["syntactic"]["covered"] == 1
    nn = nearest_neighbours(words, vec, "queen", k=2)
    assert [w for w, _ in nn] == ["woman", "king"] and nn[0][1] == pytest.approx(2 / np.sqrt(6))
    with pytest.raises(KeyError, match="not in the vocabulary"):
        nearest_neighbours(words, vec, "pear")
    with pytest.raises(ValueError, match=r"vectors must have shape \(V, D\) with V=len"):
        analogy_accuracy(words[:2], vec, sections)
    with pytest.raises(TypeError, match="sections must be a dict"):
        analogy_accuracy(words, vec, [])
    with pytest.raises(ValueError, match=r"vectors must have shape \(V, D\)"):
        normalize_rows(np.ones(3))


def test_debiasing_geometry():
    rng = np.random.default_rng(0)
    g_true = np.eye(6)[0]
    base = normalize_rows(rng.standard_normal((4, 6)) * [0.1, 1, 1, 1, 1, 1])
    table = {}
    for i, (a, b) in enumerate([("she", "he"), ("woman", "man"), ("her", "his"), ("gal", "guy")]):
        table[a] = normalize_rows((base[i] + 0.8 * g_true)[None])[0]
        table[b] = normalize_rows((base[i] - 0.8 * g_true)[None])[0]
    g, explained = gender_direction([("she", "he"), ("woman", "man"), ("her", "his"),
                                     ("gal", "guy"), ("x", "y")], table.__getitem__)
    assert abs(g @ g_true) > 0.99 and g @ g_true > 0 and explained[0] > 0.9
    e = normalize_rows(rng.standard_normal((1, 6)))[0]
    n = neutralize(e, g)
    assert abs(n @ g) < 1e-12 and abs(np.linalg.norm(n) - 1) < 1e-12
    e1, e2 = equalize(table["she"], table["he"], g)
    assert abs(e1 @ g + e2 @ g) < 1e-12 and e1 @ g > 0
    assert abs(np.linalg.norm(e1) - 1) < 1e-12 and abs(np.linalg.norm(e2) - 1) < 1e-12
    np.testing.assert_allclose(e1 - (e1 @ g) * g, e2 - (e2 @ g) * g, atol=1e-12)
    assert abs(n @ e1 - n @ e2) < 1e-12          # a neutral word is equally far from both
    with pytest.raises(ValueError, match=r"e and g must both have shape \(D,\)"):
        neutralize(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"must all have shape \(D,\)"):
        equalize(np.ones(3), np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="at least one pair"):
        gender_direction([("x", "y")], table.__getitem__)
    with pytest.raises(ValueError, match="pairs must hold 2 words"):
        gender_direction([("x", "y", "z")], table.__getitem__)


def test_gutenberg_sentences():
    from helpers.word2vec import gutenberg_sentences

    sentences = gutenberg_sentences(["carroll-alice.txt"])
    assert len(sentences) > 1000 and all(s and all(w.isalpha() for w in s) for s in sentences)
    assert "alice" in {w for s in sentences for w in s}
    with pytest.raises(ValueError, match="unknown books"):
        gutenberg_sentences(["nope.txt"])
