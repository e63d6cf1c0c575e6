"""Real datasets through a verified download cache (built on ``pooch``).

Every file the course downloads is listed in ``REGISTRY`` with its official source, mirrors,
size and sha256. ``fetch(name)`` returns the path of a verified local copy:

1. a cached copy whose sha256 matches is used as is (the cache may be read-only);
2. otherwise the file is downloaded (official source first, then mirrors) by pooch, which
   shows a progress bar, verifies the hash and moves the file into place only when it is
   complete, so the cache never holds a half-written file;
3. a cached copy with the wrong hash is reported and replaced by a fresh download;
4. if no source can be reached, ``DataUnavailableError`` says which file is missing, where
   to get it and where to put it.

The cache is ``$NN_COURSE_DATA`` when set, else ``data/`` in the repository.
"""

import gzip
import json
import logging
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pooch
import requests

from helpers.config import DATA_DIR_ENV, data_dir

# pooch logs every download at INFO; its progress bar already says what is happening.
pooch.get_logger().setLevel(logging.WARNING)


class DataUnavailableError(RuntimeError):
    """A dataset file is not in the cache and could not be downloaded."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset.

    ``name`` is its path inside the cache (``mnist/train-images-idx3-ubyte.gz``); ``urls``
    lists the official source first, then mirrors serving the same bytes.
    """

    name: str
    sha256: str
    size: int
    urls: tuple[str, ...]
    derived_from: str | None = None  # set when the file is made from a larger download


_LECUN = "https://yann.lecun.com/exdb/mnist/"
_MNIST_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_FASHION = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_FASHION_GH = (
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/"
    "b2617bb6d3ffa2e429640350f613e3291e10b141/"
)
_CHAR_RNN = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/"
    "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/"
)
_GUTENBERG = (
    "https://raw.githubusercontent.com/juletx/corpus-linguistics/"
    "40911b40bb70ea1403dda57156204689b7eaf98c/data/gutenberg/"
)
_DEBIASWE = (
    "https://raw.githubusercontent.com/tolga-b/debiaswe/6bb03ee2a0d7214339e513ca71cd0a99069dc29c/"
)
_WORD2VEC = (
    "https://raw.githubusercontent.com/tmikolov/word2vec/20c129af10659f7c50e86e3be406df663beff438/"
)
GLOVE_ZIP_URL = "https://nlp.stanford.edu/data/glove.6B.zip"
GLOVE_TOP_N = 50_000


def _idx(folder, fname, sha, size, urls):
    return RemoteFile(f"{folder}/{fname}", sha, size, tuple(u + fname for u in urls))


_FILES = [
    # MNIST (LeCun, Cortes, Burges): the official site, then the mirror torchvision uses.
    _idx("mnist", "train-images-idx3-ubyte.gz",
         "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422,
         [_LECUN, _MNIST_MIRROR]),
    _idx("mnist", "train-labels-idx1-ubyte.gz",
         "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881,
         [_LECUN, _MNIST_MIRROR]),
    _idx("mnist", "t10k-images-idx3-ubyte.gz",
         "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877,
         [_LECUN, _MNIST_MIRROR]),
    _idx("mnist", "t10k-labels-idx1-ubyte.gz",
         "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542,
         [_LECUN, _MNIST_MIRROR]),
    # Fashion-MNIST (Zalando Research, MIT): the official S3 bucket, then the GitHub repo.
    _idx("fashion-mnist", "train-images-idx3-ubyte.gz",
         "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880,
         [_FASHION, _FASHION_GH + "data/fashion/"]),
    _idx("fashion-mnist", "train-labels-idx1-ubyte.gz",
         "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515,
         [_FASHION, _FASHION_GH + "data/fashion/"]),
    _idx("fashion-mnist", "t10k-images-idx3-ubyte.gz",
         "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102,
         [_FASHION, _FASHION_GH + "data/fashion/"]),
    _idx("fashion-mnist", "t10k-labels-idx1-ubyte.gz",
         "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148,
         [_FASHION, _FASHION_GH + "data/fashion/"]),
    _idx("fashion-mnist", "LICENSE",
         "13ef4788476d292858fa60eb9a5f74aeca5c65770bc885ccaa05823a17ef7be1", 1109,
         [_FASHION_GH]),
    # Tiny Shakespeare, char-rnn's file (public-domain text).
    _idx("tinyshakespeare", "input.txt",
         "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed", 1115394,
         [_CHAR_RNN]),
    # Bolukbasi et al. (2016) word lists (MIT).
    _idx("debiaswe", "LICENSE",
         "be45f9c3b9b5e15dd1798b50c6ac9e1dcbdbde107ac3cb51f7b23ebb3c1eaf5d", 1062, [_DEBIASWE]),
    _idx("debiaswe", "definitional_pairs.json",
         "f2387fdd4ae4d956083ee7594f1401b1ba112914d40a99bb61d481de73db9614", 187,
         [_DEBIASWE + "data/"]),
    _idx("debiaswe", "equalize_pairs.json",
         "b6e7dda64461e7828f8d184a51216a87aefcfc2b726d3691aa15b7acc2a1994c", 1247,
         [_DEBIASWE + "data/"]),
    _idx("debiaswe", "gender_specific_full.json",
         "300068da1885e9dc8bf2235d987fd0cf5d0b08a6877a0a639ee0060a989bac1f", 19668,
         [_DEBIASWE + "data/"]),
    _idx("debiaswe", "gender_specific_seed.json",
         "9802a524c932d9f0b9b4ecd7ffc429a42d7f8dbe9cbe2020741f984255138958", 2417,
         [_DEBIASWE + "data/"]),
    _idx("debiaswe", "professions.json",
         "32cc82c7761e7cfb14e37e06dc1aa9f758bc8441f79ca7288996d3fc7c24639a", 8143,
         [_DEBIASWE + "data/"]),
    # The Google word-analogy test set (Mikolov et al., 2013; Apache 2.0), the file of the
    # original word2vec release.
    _idx("analogy", "questions-words.txt",
         "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36", 603955, [_WORD2VEC]),
    _idx("analogy", "LICENSE",
         "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30", 11358, [_WORD2VEC]),
    # Pretrained GloVe 50-d (Pennington, Socher, Manning; PDDL), the 50,000 most frequent
    # words: the first 50,000 lines of glove.6B.50d.txt inside Stanford's glove.6B.zip.
    RemoteFile(
        "glove/glove.6B.50d.top50k.txt",
        "b961b7b88bb09d21275c5ca3b1b686eeb629631c74e2e5c64e22ea30f255fd4e", 21357789,
        (GLOVE_ZIP_URL,), derived_from="first 50,000 lines of glove.6B.50d.txt in glove.6B.zip (an 822 MB "
        "download, fetched once; only the 21 MB file is kept)",
    ),
]

GUTENBERG_BOOKS = {
    "austen-emma.txt": ("76a28c636265905bcf72712d80d1c6e773e55279b919b843825cb2770b99e59e", 920017),
    "austen-persuasion.txt": ("8e3cd75843eae6578c0b8f48350615ed653910b3f645e514391e07ba5eb2e40c", 479538),
    "austen-sense.txt": ("22327c09d537811b7f15006aaad69ad25d98b8c5f2a6fb0203ec13e9f3982d84", 694241),
    "blake-poems.txt": ("160dc526b20d661fa5b86b31dda98b1e869e6a6eadf258b99108d43ed09c961d", 37615),
    "bryant-stories.txt": ("957ece2242697855a68d6a0216a0c6443dab7ed2d17da3f86e379035b849fca2", 252045),
    "burgess-busterbrown.txt": ("4e4242a7c5c7e0703ea9b9daa1b6b61e7cafca902748a4be64d9ec9b55b09c6a", 85640),
    "carroll-alice.txt": ("b430be55ff4362199591ff6958afbcd0dc4e1a28d0d9c6796b780c207d7c8760", 150526),
    "chesterton-ball.txt": ("e21f058f0cbf7c14189c973006ba214b90c733d581ca0fc69b99e3d75b068445", 470295),
    "chesterton-brown.txt": ("db337dcffb50771b2415b69a2775d372578804e65f8fdec6e53c096b95d95e99", 414568),
    "chesterton-thursday.txt": ("10e1acb6c64ba4d2ca89697c7bf923798797f5c24f139b6e451b5b7d6d7482d0", 333374),
    "edgeworth-parents.txt": ("bd9bc2cfaadf7acbffa8dd63569041624a659cf753e5d8d31c7300c1c004f297", 956476),
    "melville-moby_dick.txt": ("07fb87e563dbbe9523179e9ba2ec00dcd0e293641dbfd3db25d2f915430d3d8b", 1257667),
    "milton-paradise.txt": ("85c5b1cfe49474f4c19c54b8f997b839f16253ed282a86c93d56542e196ece05", 472323),
    "shakespeare-caesar.txt": ("36b5d937cbfe110de7720277d819e1cc41cf9ddb053b97a26d9df67f31c94200", 114399),
    "shakespeare-hamlet.txt": ("6d06298ee6448bd48a2250ee00a4a2d9a9e4487a46c75ee22271ccfc0cf3d6ef", 166144),
    "shakespeare-macbeth.txt": ("444ea649552ad86fbb74b0926f8a3f888264a04e30308191afa544f51e607976", 102744),
    "whitman-leaves.txt": ("802545502fcc24ef7ad48ec1e61db70fd7b4002662cf6d0a05a4619052cae83d", 722146),
}
# NLTK's "Project Gutenberg Selections" without the KJV Bible, already tokenised.
_FILES += [_idx("gutenberg", b, sha, size, [_GUTENBERG]) for b, (sha, size) in GUTENBERG_BOOKS.items()]

REGISTRY: dict[str, RemoteFile] = {f.name: f for f in _FILES}


def _describe(entry: RemoteFile) -> str:
    size = f"{entry.size / 1e6:.1f} MB" if entry.size >= 100_000 else f"{entry.size / 1e3:.1f} kB"
    return f"{entry.name!r} ({size})"


def _first_line(err: Exception, limit: int = 200) -> str:
    """An exception's first line, cut at a word boundary."""
    text = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _unavailable(entry: RemoteFile, path: Path, tried: list[str], corrupted: bool,
                 cause: str | None = None) -> str:
    lines = [f"{cause} So dataset file {_describe(entry)} cannot be stored there."] if cause \
        else [f"Could not get dataset file {_describe(entry)}."]
    if corrupted:
        lines.append(f"The cached copy at {path} is corrupted (sha256 mismatch) and could not "
                     "be replaced.")
    if tried:
        lines.append("Tried:")
        lines += [f"  - {t}" for t in tried]
    source = entry.urls[0]
    if entry.derived_from:
        how = f"It is the {entry.derived_from} (download {source})."
    else:
        how = f"Download it from {source}"
    lines += [
        ("Fix that and run the cell again, or get the file on another machine:" if cause else
         "If you are offline, connect to the internet and run the cell again, or get the file "
         "on another machine:"),
        f"  {how}",
        f"  and put it at {path}",
        f"  (or set {DATA_DIR_ENV} to a folder that holds {entry.name}).",
        f"Its sha256 must be {entry.sha256}.",
    ]
    return "\n".join(lines)


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _cache_problem(root: Path, path: Path) -> str | None:
    """What is wrong with the cache location itself (before any download is tried), or None."""
    if path.is_dir():
        return (f"{path} is a folder, but the dataset file should be a file at that path: "
                "remove or rename the folder.")
    for folder in [*reversed(path.parents)]:
        if folder.exists() and not folder.is_dir():
            return (f"The data cache path {folder} is a file, not a folder (is {DATA_DIR_ENV} "
                    "or the cache argument pointing at a file?).")
    if not path.exists():
        existing = next(p for p in path.parents if p.exists())
        if not _writable(existing):
            return (f"The data cache folder {existing} is read-only (no permission to write "
                    f"there), so nothing can be downloaded into it; set {DATA_DIR_ENV} to a "
                    "writable folder.")
    return None


def fetch(name: str | RemoteFile, cache: str | Path | None = None, progress: bool = True) -> Path:
    """Return the path of a verified local copy of a registry file, downloading if needed."""
    if isinstance(name, RemoteFile):
        entry = name
    elif name in REGISTRY:
        entry = REGISTRY[name]
    else:
        raise KeyError(f"{name!r} is not in the data registry; known files: {sorted(REGISTRY)}")
    root = Path(cache) if cache is not None else data_dir()
    path = root / entry.name
    corrupted = False
    problem = _cache_problem(root, path)
    if problem:
        raise DataUnavailableError(_unavailable(entry, path, [], False, cause=problem))
    if path.exists():
        # Checked without pooch's storage set-up so a read-only cache works.
        if pooch.file_hash(str(path)) == entry.sha256:
            return path
        corrupted = True
        if not _writable(path.parent):
            raise DataUnavailableError(_unavailable(
                entry, path, [], True, cause=f"The data cache folder {path.parent} is read-only."))
        warnings.warn(f"Cached {entry.name} at {path} has the wrong sha256 (corrupted or "
                      "truncated); downloading a fresh copy.", stacklevel=2)
    if entry.derived_from:
        return _derive_glove(entry, path, corrupted)
    tried = []
    for url in entry.urls:
        try:
            fname = pooch.retrieve(url, known_hash=f"sha256:{entry.sha256}", fname=path.name,
                                   path=path.parent, progressbar=progress)
            return Path(fname)
        except (requests.RequestException, OSError, ValueError) as err:
            # ValueError is pooch's hash mismatch: a mirror served other bytes.
            tried.append(f"{url}: {_first_line(err)}")
    raise DataUnavailableError(_unavailable(entry, path, tried, corrupted))


def _derive_glove(entry: RemoteFile, path: Path, corrupted: bool) -> Path:
    """Make the top-50k GloVe file from Stanford's glove.6B.zip (822 MB download)."""
    try:
        members = pooch.retrieve(GLOVE_ZIP_URL, known_hash=None, path=path.parent,
                                 fname="glove.6B.zip", progressbar=True,
                                 processor=pooch.Unzip(members=["glove.6B.50d.txt"]))
    except (requests.RequestException, OSError, ValueError) as err:
        tried = [f"{GLOVE_ZIP_URL}: {_first_line(err)}"]
        raise DataUnavailableError(_unavailable(entry, path, tried, corrupted)) from err
    tmp = path.with_suffix(".partial")
    try:
        with open(members[0], encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i == GLOVE_TOP_N:
                    break
                dst.write(line)
        if pooch.file_hash(str(tmp)) != entry.sha256:
            raise DataUnavailableError(
                f"The first {GLOVE_TOP_N} lines of glove.6B.50d.txt do not have the expected "
                f"sha256 {entry.sha256}; the course's copy of {entry.name} may differ from "
                "this release of GloVe.")
        os.replace(tmp, path)
    finally:
        # Keep only the 21 MB the course uses, not the 822 MB zip and its 1 GB of text files.
        tmp.unlink(missing_ok=True)
        shutil.rmtree(Path(members[0]).parent, ignore_errors=True)
        (path.parent / "glove.6B.zip").unlink(missing_ok=True)
    return path


# ----------------------------------------------------------------------------- images

MNIST_CLASSES = [str(d) for d in range(10)]
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _read_idx(path: Path, magic: int, ndim: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    header = np.frombuffer(raw, dtype=">i4", count=1 + ndim)
    if header[0] != magic:
        raise ValueError(f"{path} is not an IDX file with magic {magic} (got {header[0]})")
    shape = tuple(int(d) for d in header[1:])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 * (1 + ndim)).reshape(shape)


def _load_idx_pair(folder: str, split: str, cache=None):
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    prefix = "train" if split == "train" else "t10k"
    images = _read_idx(fetch(f"{folder}/{prefix}-images-idx3-ubyte.gz", cache), 2051, 3)
    labels = _read_idx(fetch(f"{folder}/{prefix}-labels-idx1-ubyte.gz", cache), 2049, 1)
    return images.copy(), labels.astype(np.int64)


def load_mnist(split: str = "train", cache=None):
    """MNIST digits: ``images uint8 (N, 28, 28)``, ``labels int64 (N,)``; N = 60000 or 10000."""
    return _load_idx_pair("mnist", split, cache)


def load_fashion_mnist(split: str = "train", cache=None):
    """Fashion-MNIST: same shapes as ``load_mnist``; class names in ``FASHION_CLASSES``."""
    return _load_idx_pair("fashion-mnist", split, cache)


def scale(images: np.ndarray, dtype=np.float32) -> np.ndarray:
    """Map uint8 pixels 0..255 to floats in [0, 1]."""
    return images.astype(dtype) / 255.0


def flatten(images: np.ndarray) -> np.ndarray:
    """``(N, H, W)`` or ``(N, C, H, W)`` → ``(N, D)``: one row per sample."""
    if images.ndim < 2:
        raise ValueError(f"images must have shape (N, H, W) or (N, C, H, W), got {images.shape}")
    return images.reshape(len(images), -1)


def subsample(X, y, n: int, seed: int = 0):
    """A random subset of ``n`` samples (all of them if ``n >= len(y)``)."""
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length N, got {len(X)} and {len(y)}")
    if n >= len(y):
        return X, y
    idx = np.random.default_rng(seed).choice(len(y), size=n, replace=False)
    return X[idx], y[idx]


def train_val_split(X, y, val_size: int | float = 0.1, seed: int = 0):
    """Shuffle and split into ``(X_train, y_train, X_val, y_val)``.

    ``val_size`` is a count (int) or a fraction (float in (0, 1)).
    """
    n = len(y)
    if len(X) != n:
        raise ValueError(f"X and y must have the same length N, got {len(X)} and {n}")
    n_val = int(round(val_size * n)) if isinstance(val_size, float) else int(val_size)
    if not 0 < n_val < n:
        raise ValueError(f"val_size must leave both parts non-empty; got {val_size!r} for N={n}")
    idx = np.random.default_rng(seed).permutation(n)
    val, train = idx[:n_val], idx[n_val:]
    return X[train], y[train], X[val], y[val]


def to_dataset(X, y):
    """Wrap arrays as a ``torch.utils.data.TensorDataset`` (float32 inputs, int64 labels)."""
    import torch
    from torch.utils.data import TensorDataset

    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length N, got {len(X)} and {len(y)}")
    return TensorDataset(torch.as_tensor(np.asarray(X, dtype=np.float32)),
                         torch.as_tensor(np.asarray(y, dtype=np.int64)))


def make_loader(X, y, batch_size: int = 128, shuffle: bool = True, seed: int = 0):
    """A ``DataLoader`` over ``to_dataset(X, y)``; shuffling is seeded for reproducibility."""
    import torch
    from torch.utils.data import DataLoader

    gen = torch.Generator().manual_seed(seed)
    return DataLoader(to_dataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=gen)


# ----------------------------------------------------------------------------- text

def load_tiny_shakespeare(cache=None) -> str:
    """The 1,115,394-character Tiny Shakespeare text of char-rnn."""
    return fetch("tinyshakespeare/input.txt", cache).read_text(encoding="utf-8")


def load_gutenberg(books=None, cache=None) -> dict[str, str]:
    """Tokenised Gutenberg books (``{file name: text}``); ``text.lower().split()`` tokenises."""
    books = list(GUTENBERG_BOOKS) if books is None else list(books)
    unknown = [b for b in books if b not in GUTENBERG_BOOKS]
    if unknown:
        raise ValueError(f"unknown books {unknown}; choose from {sorted(GUTENBERG_BOOKS)}")
    return {b: fetch(f"gutenberg/{b}", cache).read_text(encoding="ascii") for b in books}


def load_glove(cache=None):
    """GloVe 6B 50-d, top 50,000 words: ``(words list[str], vectors float32 (50000, 50))``."""
    path = fetch("glove/glove.6B.50d.top50k.txt", cache)
    words, rows = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ")
            words.append(parts[0])
            rows.append(parts[1:])
    return words, np.asarray(rows, dtype=np.float32)


def load_debiaswe(name: str, cache=None):
    """One of Bolukbasi et al.'s word lists, e.g. ``"definitional_pairs"``."""
    return json.loads(fetch(f"debiaswe/{name}.json", cache).read_text(encoding="utf-8"))


def load_analogy_questions(cache=None) -> dict[str, list[tuple[str, str, str, str]]]:
    """The Google word-analogy test set: ``{section: [(a, b, c, d), ...]}``, lower-cased.

    "a is to b as c is to d"; 14 sections in file order (5 semantic, then 9 syntactic
    ``gram*``), 19,544 questions in all.
    """
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current = None
    path = fetch("analogy/questions-words.txt", cache)
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith(":"):
            current = line[1:].strip()
            sections[current] = []
            continue
        words = line.lower().split()
        if current is None or len(words) != 4:
            raise ValueError(f"{path}:{lineno}: expected 4 words after a ': section' line, "
                             f"got {line!r}")
        sections[current].append(tuple(words))
    return sections
