"""The word2vec reference of notebook 17: gensim's Word2Vec (skip-gram, negative sampling)
on the same Gutenberg corpus with the same hyper-parameters as the course's NumPy trainer,
scored on the same analogy benchmark with the same code (``helpers.word2vec``).

gensim 4.3.3 needs NumPy < 2, so it runs in its own environment: ``make bench-word2vec``
builds ``.venv-gensim`` and runs this script, which writes ``results/word2vec_reference.json``
(committed; notebook 17 reads it). Under the course's own environment (``make bench``) it
only says so and exits.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "results" / "word2vec_reference.json"


def _no_nan(x):
    """JSON has no NaN: an accuracy over zero covered questions is written as null."""
    if isinstance(x, dict):
        return {k: _no_nan(v) for k, v in x.items()}
    return None if isinstance(x, float) and x != x else x


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1,
                        help="gensim worker threads (1: the same single core as the NumPy trainer)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    try:
        import gensim
        from gensim.models import Word2Vec
    except ImportError:
        print("gensim is not installed here; run `make bench-word2vec` (it builds .venv-gensim).")
        return 0
    shared = ROOT.parent / "shared" / "data"   # the course's offline copy, when there is one
    if shared.exists():
        os.environ.setdefault("NN_COURSE_DATA", str(shared))
    import numpy as np

    from helpers.data import load_analogy_questions
    from helpers.results import machine_description
    from helpers.word2vec import W2V_SETTINGS, analogy_accuracy, gutenberg_sentences

    s = W2V_SETTINGS
    sentences = gutenberg_sentences()
    start, cpu_start = time.perf_counter(), time.process_time()
    model = Word2Vec(sentences, vector_size=s["dim"], window=s["window"], negative=s["negatives"],
                     epochs=s["epochs"], min_count=s["min_count"], sample=s["sample"],
                     alpha=s["lr"], min_alpha=s["min_lr"], sg=1, hs=0, ns_exponent=0.75,
                     workers=args.workers, seed=args.seed)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start   # all threads of this process
    words = list(model.wv.index_to_key)
    report = analogy_accuracy(words, model.wv.vectors, load_analogy_questions())
    result = {
        "what": "gensim Word2Vec (sg=1, hs=0, ns_exponent=0.75) on the Gutenberg corpus of "
                "helpers.data, scored by helpers.word2vec.analogy_accuracy",
        "regenerate": "make bench-word2vec",
        "gensim": gensim.__version__, "numpy": np.__version__,
        "python": platform.python_version(), "machine": machine_description(),
        "settings": s, "workers": args.workers, "seed": args.seed,
        "corpus_words": sum(len(x) for x in sentences), "vocab_size": len(words),
        "train_seconds": round(seconds, 2), "train_cpu_seconds": round(cpu_seconds, 2),
        "analogy": report,
        "date": time.strftime("%Y-%m-%d"),
    }
    Path(args.out).write_text(json.dumps(_no_nan(result), indent=1) + "\n", encoding="utf-8")
    o = report["overall"]
    print(f"gensim {gensim.__version__}: {len(words)} words, {seconds:.1f} s ({cpu_seconds:.1f} s CPU); analogy accuracy "
          f"{o['accuracy']:.3f} on {o['covered']}/{o['total']} covered questions -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
