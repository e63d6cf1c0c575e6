"""word2vec in NumPy (notebook 17): a vocabulary, a corpus of word indices, a skip-gram
negative-sampling trainer, and the tools to look at word vectors (neighbours, analogies,
debiasing).

    sentences = gutenberg_sentences()                       # list of lists of words
    vocab = Vocab.build(sentences, min_count=5)
    model = SkipGram(len(vocab), dim=100, seed=0)
    history = model.train(vocab.encode(sentences), vocab.counts, epochs=5, window=5,
                          negatives=5, sample=1e-3)
    report = analogy_accuracy(vocab.words, model.vectors, load_analogy_questions())

The trainer follows word2vec's recipe (the C code and gensim share it): frequent words are
subsampled, each centre word uses a window of random size 1..window, K noise words are drawn
from the unigram distribution raised to 3/4, and the learning rate decays linearly to about
0. The difference: it updates on mini-batches of (centre, context) pairs with NumPy, where
the C code updates one pair at a time.

This module needs only NumPy (tqdm for the progress bar), so the gensim reference
(``bench/word2vec_gensim.py``, its own environment) uses the same corpus and evaluation.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from helpers.numpy_nn.embedding import keep_probabilities, noise_distribution, sgns_loss

__all__ = ["W2V_SETTINGS", "SkipGram", "Vocab", "analogy_accuracy", "equalize", "gender_direction",
           "gutenberg_sentences", "nearest_neighbours", "neutralize", "normalize_rows",
           "tokenize"]


# The full setting of notebook 17, shared with the gensim reference (bench/word2vec_gensim.py).
W2V_SETTINGS = {"dim": 100, "window": 5, "negatives": 5, "epochs": 5, "min_count": 5,
                "sample": 1e-3, "lr": 0.025, "min_lr": 1e-4}


def tokenize(line: str) -> list[str]:
    """Lower-cased words of one line: tokens made of letters only (punctuation and
    numbers dropped; the Gutenberg files are already split on spaces)."""
    if not isinstance(line, str):
        raise TypeError(f"line must be a str, got {type(line).__name__}")
    return [w for w in line.lower().split() if w.isalpha()]


def gutenberg_sentences(books=None, cache=None) -> list[list[str]]:
    """The Gutenberg corpus of ``helpers.data`` as sentences: one list of words per
    non-empty line (about 1.4 million words in 60,000 lines for all 17 books)."""
    from helpers.data import load_gutenberg

    sentences = []
    for text in load_gutenberg(books, cache).values():
        for line in text.splitlines():
            words = tokenize(line)
            if words:
                sentences.append(words)
    return sentences


@dataclass
class Vocab:
    """Words kept for training (count >= min_count), most frequent first.

    words: list of V words; counts: (V,) int64 counts; index: word -> row.
    """

    words: list[str]
    counts: np.ndarray

    def __post_init__(self):
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def build(cls, sentences, min_count: int = 5) -> Vocab:
        if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
            raise ValueError(f"min_count must be an integer >= 1, got {min_count!r}")
        if isinstance(sentences, str) or not hasattr(sentences, "__iter__"):
            raise TypeError("sentences must be a list of lists of words, got "
                            f"{type(sentences).__name__}")
        counter = Counter()
        for s in sentences:
            if isinstance(s, str):
                raise TypeError("sentences must be a list of lists of words, got a list of str "
                                "(split each sentence into words first)")
            counter.update(s)
        kept = sorted(((c, w) for w, c in counter.items() if c >= min_count),
                      key=lambda cw: (-cw[0], cw[1]))
        if not kept:
            raise ValueError(f"no word occurs at least min_count={min_count} times")
        return cls([w for _, w in kept], np.array([c for c, _ in kept], dtype=np.int64))

    def encode(self, sentences) -> tuple[np.ndarray, np.ndarray]:
        """Word indices of the corpus with out-of-vocabulary words removed.

        Returns ``(ids, sentence)``: (L,) int32 word indices and (L,) int32 sentence
        numbers, so windows never cross a sentence boundary.
        """
        ids, sent = [], []
        for k, s in enumerate(sentences):
            row = [self.index[w] for w in s if w in self.index]
            ids += row
            sent += [k] * len(row)
        return np.array(ids, dtype=np.int32), np.array(sent, dtype=np.int32)


def _pairs(ids, sent, window: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """All (centre, context) pairs of one pass with word2vec's random window sizes."""
    span = rng.integers(1, window + 1, size=len(ids))   # the reduced window of each centre
    centres, contexts = [], []
    for o in range(1, window + 1):
        same = sent[:-o] == sent[o:]
        fwd = same & (span[:-o] >= o)                    # centre i, context i + o
        bwd = same & (span[o:] >= o)                     # centre i + o, context i
        centres += [ids[:-o][fwd], ids[o:][bwd]]
        contexts += [ids[o:][fwd], ids[:-o][bwd]]
    return np.concatenate(centres), np.concatenate(contexts)


class SkipGram:
    """Skip-gram with negative sampling: input vectors ``W_in`` (V, D), output ``W_out`` (V, D).

    Initialised like word2vec: W_in uniform in [-0.5/D, 0.5/D], W_out zeros.
    ``vectors`` (the word vectors people use) is W_in.
    """

    def __init__(self, vocab_size: int, dim: int = 100, seed: int = 0, dtype=np.float32):
        for name, v in (("vocab_size", vocab_size), ("dim", dim)):
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        self.rng = np.random.default_rng(seed)
        self.W_in = ((self.rng.random((vocab_size, dim)) - 0.5) / dim).astype(dtype)
        self.W_out = np.zeros((vocab_size, dim), dtype=dtype)

    @property
    def vectors(self) -> np.ndarray:
        return self.W_in

    def step(self, centres, contexts, negatives, lr: float) -> float:
        """One SGD step on a batch: centres, contexts (B,) ints, negatives (B, K) ints.

        The gradient of the batch's mean loss is multiplied by B, so every pair moves the
        vectors by lr times its own gradient, as in word2vec's one-pair-at-a-time updates.
        Returns the batch's mean loss.
        """
        v = self.W_in[centres]
        u = self.W_out[contexts]
        un = self.W_out[negatives]
        loss, g = sgns_loss(v, u, un)
        scale = -lr * len(centres)
        np.add.at(self.W_in, centres, scale * g["center"])
        np.add.at(self.W_out, contexts, scale * g["context"])
        np.add.at(self.W_out, negatives.ravel(), scale * g["negative"].reshape(-1, v.shape[1]))
        return loss

    def train(self, corpus, counts, *, epochs: int = 5, window: int = 5, negatives: int = 5,
              sample: float = 1e-3, lr: float = 0.025, min_lr: float = 1e-4,
              batch_size: int = 1024, progress: bool = True, max_seconds: float | None = None):
        """Train on ``corpus = (ids, sentence)`` from ``Vocab.encode``; counts: (V,) from the Vocab.

        Each epoch: subsample (``keep_probabilities(counts, sample)``), make all pairs with
        random windows, shuffle them, and update on mini-batches of ``batch_size`` pairs with
        ``negatives`` noise words each from ``noise_distribution(counts)``; lr decays linearly
        from ``lr`` to ``min_lr`` over all batches (estimated from the first epoch).
        Returns the history ``{"loss": per-batch mean losses, "epoch_loss", "pairs", "seconds"}``.
        ``max_seconds`` stops early (the history says how many pairs were used).
        """
        ids, sent = corpus
        counts = np.asarray(counts)
        if ids.shape != sent.shape or ids.ndim != 1:
            raise ValueError(f"corpus must be (ids (L,), sentence (L,)), got shapes {ids.shape} "
                             f"and {sent.shape}")
        if counts.shape != (self.W_in.shape[0],):
            raise ValueError(f"counts must have shape (V,) with V={self.W_in.shape[0]} "
                             f"(from W_in), got {counts.shape}")
        for name, v in (("epochs", epochs), ("window", window), ("negatives", negatives),
                        ("batch_size", batch_size)):
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        from tqdm.auto import tqdm

        keep = keep_probabilities(counts, sample)
        cdf = np.cumsum(noise_distribution(counts))
        cdf[-1] = 1.0
        history = {"loss": [], "epoch_loss": [], "pairs": 0, "seconds": 0.0}
        start = time.perf_counter()
        total_batches = None
        done = 0
        bar = tqdm(total=None, desc="skip-gram", unit="batch", disable=not progress, leave=False)
        try:
            for epoch in range(epochs):
                kept = self.rng.random(len(ids)) < keep[ids]
                c, o = _pairs(ids[kept], sent[kept], window, self.rng)
                order = self.rng.permutation(len(c))
                c, o = c[order], o[order]
                n_batches = -(-len(c) // batch_size)
                if total_batches is None:
                    total_batches = n_batches * epochs
                    bar.reset(total=total_batches)
                losses = []
                for b in range(n_batches):
                    sl = slice(b * batch_size, (b + 1) * batch_size)
                    neg = np.searchsorted(cdf, self.rng.random((len(c[sl]), negatives)))
                    rate = max(min_lr, lr - (lr - min_lr) * done / total_batches)
                    losses.append(self.step(c[sl], o[sl], neg, rate))
                    done += 1
                    history["pairs"] += len(c[sl])
                    if b % 50 == 0:
                        bar.set_postfix(epoch=epoch + 1, loss=f"{losses[-1]:.3f}", refresh=False)
                    bar.update(1)
                    if max_seconds is not None and time.perf_counter() - start > max_seconds:
                        break
                history["loss"] += losses
                history["epoch_loss"].append(float(np.mean(losses)))
                if max_seconds is not None and time.perf_counter() - start > max_seconds:
                    break
        finally:
            bar.close()
        history["seconds"] = time.perf_counter() - start
        return history


# ----------------------------------------------------------------------------- using vectors

def normalize_rows(vectors) -> np.ndarray:
    """Each row divided by its Euclidean length (rows of zeros stay zero). (V, D) -> (V, D)."""
    vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must have shape (V, D), got {vectors.shape}")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _check_vocab(words, vectors):
    if np.ndim(vectors) != 2 or len(words) != len(vectors):
        raise ValueError(f"vectors must have shape (V, D) with V=len(words)={len(words)}, got "
                         f"{np.shape(vectors)}")


def nearest_neighbours(words, vectors, query, k: int = 10, exclude=()):
    """The k words with the largest cosine similarity to ``query`` (a word or a (D,) vector).

    Returns a list of (word, similarity); the query word itself and ``exclude`` are left out.
    """
    _check_vocab(words, vectors)
    if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    index = {w: i for i, w in enumerate(words)}
    skip = set(exclude)
    if isinstance(query, str):
        if query not in index:
            raise KeyError(f"{query!r} is not in the vocabulary")
        skip.add(query)
        q = np.asarray(vectors[index[query]], dtype=np.float64)
    else:
        q = np.asarray(query, dtype=np.float64)
        if q.shape != (np.shape(vectors)[1],):
            raise ValueError(f"query must be a word or a vector of shape (D,) with "
                             f"D={np.shape(vectors)[1]}, got {q.shape}")
    sims = normalize_rows(vectors) @ (q / max(np.linalg.norm(q), 1e-12))
    out = []
    for i in np.argsort(-sims):
        if words[i] in skip:
            continue
        out.append((words[i], float(sims[i])))
        if len(out) == k:
            break
    return out


def analogy_accuracy(words, vectors, sections, batch_size: int = 512) -> dict:
    """The word-analogy benchmark with 3CosAdd: for "a : b :: c : d", answer the word
    (other than a, b, c) with the largest cosine similarity to b - a + c (unit vectors).

    words: V words; vectors: (V, D); sections: {name: [(a, b, c, d), ...]} as returned by
    ``helpers.data.load_analogy_questions``. Only questions whose four words are all in the
    vocabulary are asked ("covered"). Returns ``{"sections": {name: {"correct", "covered",
    "total", "accuracy"}}, "overall": {...}, "semantic": {...}, "syntactic": {...}}``;
    accuracy = correct / covered (nan when nothing is covered); coverage = covered / total.
    """
    _check_vocab(words, vectors)
    if not isinstance(sections, dict):
        raise TypeError(f"sections must be a dict name -> list of 4-tuples, got "
                        f"{type(sections).__name__}")
    index = {w: i for i, w in enumerate(words)}
    unit = normalize_rows(np.asarray(vectors, dtype=np.float32))
    report = {"sections": {}}
    for name, questions in sections.items():
        rows = [[index[w] for w in q] for q in questions if all(w in index for w in q)]
        correct = 0
        if rows:
            q = np.array(rows)
            for s in range(0, len(q), batch_size):
                a, b, c, d = q[s:s + batch_size].T
                sims = (unit[b] - unit[a] + unit[c]) @ unit.T
                r = np.arange(len(a))
                sims[r, a] = sims[r, b] = sims[r, c] = -np.inf
                correct += int((sims.argmax(1) == d).sum())
        report["sections"][name] = _score(correct, len(rows), len(questions))
    groups = {"overall": list(sections),
              "semantic": [s for s in sections if not s.startswith("gram")],
              "syntactic": [s for s in sections if s.startswith("gram")]}
    for group, names in groups.items():
        parts = [report["sections"][s] for s in names]
        report[group] = _score(sum(p["correct"] for p in parts), sum(p["covered"] for p in parts),
                               sum(p["total"] for p in parts))
    return report


def _score(correct, covered, total):
    return {"correct": correct, "covered": covered, "total": total,
            "accuracy": correct / covered if covered else float("nan"),
            "coverage": covered / total if total else float("nan")}


# ----------------------------------------------------------------------------- debiasing

def _unit(v):
    v = np.asarray(v, dtype=np.float64)
    n = np.linalg.norm(v)
    if n == 0:
        raise ValueError("cannot normalise a zero vector")
    return v / n


def gender_direction(pairs, lookup) -> tuple[np.ndarray, np.ndarray]:
    """Bolukbasi et al.'s bias direction: the first principal component of the pairs'
    differences from their own centres.

    pairs: [(w1, w2), ...] e.g. ("woman", "man"); lookup: word -> (D,) unit vector (pairs
    with a missing word are skipped). Returns ``(g, explained)``: g (D,) a unit vector,
    oriented so that the first word of the first pair projects positively, and the ratios of
    variance explained by the first 10 components.
    """
    diffs = []
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"pairs must hold 2 words each, got {pair!r}")
        try:
            a, b = (np.asarray(lookup(w), dtype=np.float64) for w in pair)
        except KeyError:
            continue
        centre = (a + b) / 2
        diffs += [a - centre, b - centre]
    if len(diffs) < 2:
        raise ValueError("need at least one pair with both words in the vocabulary")
    X = np.array(diffs)
    _, s, vt = np.linalg.svd(X, full_matrices=False)   # rows of vt: principal directions
    g = vt[0]
    if X[0] @ g < 0:
        g = -g
    var = s**2
    return g, (var / var.sum())[:10]


def neutralize(e, g) -> np.ndarray:
    """Remove the component of the unit vector e along the unit direction g, then
    re-normalise: (e - (e.g) g) / ||e - (e.g) g||. e, g: (D,). Returns (D,)."""
    e, g = np.asarray(e, dtype=np.float64), _unit(g)
    if e.shape != g.shape or e.ndim != 1:
        raise ValueError(f"e and g must both have shape (D,), got {e.shape} and {g.shape}")
    return _unit(e - (e @ g) * g)


def equalize(e1, e2, g) -> tuple[np.ndarray, np.ndarray]:
    """Make two unit vectors differ only along g, at equal distance from the neutral part.

    mu = (e1 + e2) / 2, nu = mu - (mu.g) g; each output is nu +/- sqrt(1 - |nu|^2) g, with
    the sign of each word's own side of g. Both outputs are unit vectors with opposite
    projections on g and the same projection on everything orthogonal to g.
    """
    e1, e2, g = np.asarray(e1, dtype=np.float64), np.asarray(e2, dtype=np.float64), _unit(g)
    if not e1.shape == e2.shape == g.shape or e1.ndim != 1:
        raise ValueError(f"e1, e2 and g must all have shape (D,), got {e1.shape}, {e2.shape}, "
                         f"{g.shape}")
    mu = (e1 + e2) / 2
    nu = mu - (mu @ g) * g
    z = np.sqrt(max(1.0 - nu @ nu, 0.0))
    if (e1 - e2) @ g < 0:
        z = -z
    return nu + z * g, nu - z * g


# ----------------------------------------------------------------------------- exercise references
# Used by notebook 17's graded cells to compute expected values (not part of the lesson).

def _reference_cosine(u, v) -> float:
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def _reference_sgns_pair(v_c, u_o, U_neg):
    """Loss and d loss / d v_c of one (centre, context) pair with K noise rows U_neg (K, D)."""
    loss, g = sgns_loss(np.asarray(v_c, float)[None], np.asarray(u_o, float)[None],
                        np.asarray(U_neg, float)[None])
    return loss, g["center"][0]


def _sgns_pair_mistakes(v_c, u_o, U_neg) -> dict:
    """What the natural mistakes of the SGNS exercises return on one pair."""
    from helpers.numpy_nn.embedding import _sigmoid, log_sigmoid

    v_c, u_o, U_neg = (np.asarray(a, dtype=np.float64) for a in (v_c, u_o, U_neg))
    pos, neg = np.array([u_o @ v_c]), U_neg @ v_c
    s_pos, s_neg = _sigmoid(pos)[0], _sigmoid(neg)
    return {
        "loss_sign": float(log_sigmoid(pos).sum() + log_sigmoid(-neg).sum()),
        "loss_no_negatives": float(-log_sigmoid(pos).sum()),
        "loss_negative_sign": float(-log_sigmoid(pos).sum() - log_sigmoid(neg).sum()),
        "loss_mean_negatives": float(-log_sigmoid(pos).sum() - log_sigmoid(-neg).mean()),
        "grad_no_negatives": (s_pos - 1) * u_o,
        "grad_sign": -((s_pos - 1) * u_o + s_neg @ U_neg),
        "grad_negative_sign": (s_pos - 1) * u_o - (1 - s_neg) @ U_neg,
        # log sigma(z) written as -logaddexp(0, z) (the sign inside flipped): -log sigma(-z)
        "loss_logaddexp_sign": float(np.logaddexp(0, pos).sum() + np.logaddexp(0, -neg).sum()),
        "grad_positive_sign": (1 - s_pos) * u_o + s_neg @ U_neg,
        "grad_negative_minus": (s_pos - 1) * u_o - s_neg @ U_neg,
        "grad_negative_sigma_minus": (s_pos - 1) * u_o + _sigmoid(-neg) @ U_neg,
        "grad_mean_negatives": (s_pos - 1) * u_o + s_neg @ U_neg / len(U_neg),
    }
