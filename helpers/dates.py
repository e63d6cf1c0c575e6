"""The date-translation task of notebook 18: human-readable dates -> ISO ``YYYY-MM-DD``.

Made entirely with Python's ``datetime`` and ``random`` (no extra package, no locale):

    train_dates, test_dates = split_dates(seed=0)                  # disjoint sets of dates
    pairs = make_examples(train_dates, 20000, seed=1)              # [("3 march 2021", "2021-03-03"), ...]
    X = encode_inputs([h for h, _ in pairs])                       # (N, T_IN) int64
    Y = encode_targets([iso for _, iso in pairs])                  # (N, 10) int64
    decode_targets(Y[:2])                                          # ["2021-03-03", ...]

Numeric formats are day first (day/month/year, as in most of the world), so no input is
ambiguous. The held-out dates never appear in training, in any format.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

__all__ = ["FORMATS", "INPUT_VOCAB", "OUTPUT_CHARS", "T_IN", "T_OUT", "decode_inputs",
           "decode_targets", "encode_inputs", "encode_targets", "format_date", "make_examples",
           "split_dates"]

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _cap(s: str) -> str:
    return s.capitalize()


# One function per format: date -> text. Names say what they produce for 2021-03-04.
FORMATS = {
    "4 march 2021": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "4 March 2021": lambda d: f"{d.day} {_cap(MONTHS[d.month - 1])} {d.year}",
    "04 Mar 2021": lambda d: f"{d.day:02d} {_cap(MONTHS[d.month - 1][:3])} {d.year}",
    "4 MAR 2021": lambda d: f"{d.day} {MONTHS[d.month - 1][:3].upper()} {d.year}",
    "March 4, 2021": lambda d: f"{_cap(MONTHS[d.month - 1])} {d.day}, {d.year}",
    "mar 4 2021": lambda d: f"{MONTHS[d.month - 1][:3]} {d.day} {d.year}",
    "March 4th, 2021": lambda d: f"{_cap(MONTHS[d.month - 1])} {_ordinal(d.day)}, {d.year}",
    "the 4th of march 2021": lambda d: f"the {_ordinal(d.day)} of {MONTHS[d.month - 1]} {d.year}",
    "Thursday, 4 March 2021": lambda d: (f"{_cap(DAYS[d.weekday()])}, {d.day} "
                                         f"{_cap(MONTHS[d.month - 1])} {d.year}"),
    "thu 4 mar 2021": lambda d: f"{DAYS[d.weekday()][:3]} {d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    "Thursday March 4 2021": lambda d: (f"{_cap(DAYS[d.weekday()])} {_cap(MONTHS[d.month - 1])} "
                                        f"{d.day} {d.year}"),
    "04/03/2021": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "4/3/2021": lambda d: f"{d.day}/{d.month}/{d.year}",
    "04.03.2021": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "4-3-2021": lambda d: f"{d.day}-{d.month}-{d.year}",
    "2021/03/04": lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
}

_IN_VOCAB = ["<pad>"] + list(" 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,./-")
OUTPUT_CHARS = "0123456789-"
T_IN = 32    # the longest format ("Wednesday, 27 September 2021") is 29 characters
T_OUT = 10   # YYYY-MM-DD
_IN_INDEX = {c: i for i, c in enumerate(_IN_VOCAB)}
_OUT_INDEX = {c: i for i, c in enumerate(OUTPUT_CHARS)}
INPUT_VOCAB = _IN_VOCAB  # index -> character ("<pad>" at 0)


def format_date(date: dt.date, fmt: str) -> str:
    """The text of ``date`` in one of ``FORMATS`` (named by its example, e.g. "4 March 2021")."""
    if not isinstance(date, dt.date):
        raise TypeError(f"date must be a datetime.date, got {type(date).__name__}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; valid: {list(FORMATS)}")
    return FORMATS[fmt](date)


def split_dates(start: dt.date = dt.date(1950, 1, 1), end: dt.date = dt.date(2049, 12, 31),
                test_fraction: float = 0.1, seed: int = 0):
    """Every date from ``start`` to ``end`` (inclusive), shuffled and split into disjoint
    ``(train_dates, test_dates)`` lists; the test part is ``test_fraction`` of the dates."""
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise TypeError("start and end must be datetime.date objects")
    if end < start:
        raise ValueError(f"end must not be before start, got start={start}, end={end}")
    if not isinstance(test_fraction, float) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a float in (0, 1), got {test_fraction!r}")
    days = (end - start).days + 1
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    random.Random(seed).shuffle(dates)
    n_test = max(1, int(round(test_fraction * days)))
    if n_test >= days:
        raise ValueError(f"test_fraction={test_fraction} leaves no training date out of {days}")
    return sorted(dates[n_test:]), sorted(dates[:n_test])


def make_examples(dates, n: int, seed: int = 0, formats=None) -> list[tuple[str, str]]:
    """``n`` pairs (human-readable text, ISO date): dates drawn from ``dates`` with
    replacement, each in a format drawn uniformly from ``formats`` (default: all)."""
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    dates = list(dates)
    if not dates or not all(isinstance(d, dt.date) for d in dates):
        raise ValueError("dates must be a non-empty list of datetime.date objects")
    formats = list(FORMATS) if formats is None else list(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"unknown formats {unknown}; valid: {list(FORMATS)}")
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        d = rng.choice(dates)
        out.append((FORMATS[rng.choice(formats)](d), d.isoformat()))
    return out


def encode_inputs(texts, T: int = T_IN) -> np.ndarray:
    """Character indices of each text, padded with 0 (``<pad>``) to length T: (N, T) int64."""
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, got one str (wrap it in a list)")
    X = np.zeros((len(texts), T), dtype=np.int64)
    for n, s in enumerate(texts):
        if len(s) > T:
            raise ValueError(f"texts[{n}] has {len(s)} characters, more than T={T}: {s!r}")
        bad = [c for c in s if c not in _IN_INDEX]
        if bad:
            raise ValueError(f"texts[{n}] = {s!r} has characters outside the input vocabulary: "
                             f"{sorted(set(bad))}")
        X[n, :len(s)] = [_IN_INDEX[c] for c in s]
    return X


def decode_inputs(X) -> list[str]:
    """Inverse of ``encode_inputs``: (N, T) indices -> texts (padding dropped)."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, T), got {X.shape}")
    return ["".join(_IN_VOCAB[i] for i in row if i != 0) for row in X]


def encode_targets(isos) -> np.ndarray:
    """ISO dates -> (N, 10) int64 indices into ``OUTPUT_CHARS``."""
    if isinstance(isos, str):
        raise TypeError("isos must be a list of strings, got one str (wrap it in a list)")
    Y = np.zeros((len(isos), T_OUT), dtype=np.int64)
    for n, s in enumerate(isos):
        if len(s) != T_OUT or any(c not in _OUT_INDEX for c in s):
            raise ValueError(f"isos[{n}] must be a YYYY-MM-DD date, got {s!r}")
        Y[n] = [_OUT_INDEX[c] for c in s]
    return Y


def decode_targets(Y) -> list[str]:
    """(N, 10) indices (or (N, 10, C) scores, decoded by argmax) -> strings."""
    Y = np.asarray(Y)
    if Y.ndim == 3:
        Y = Y.argmax(-1)
    if Y.ndim != 2:
        raise ValueError(f"Y must have shape (N, 10) or (N, 10, C), got {Y.shape}")
    return ["".join(OUTPUT_CHARS[i] for i in row) for row in Y]


def _reference_exact_match(predicted, expected) -> float:
    """Share of predictions equal to the expected string (used by notebook 18's checks)."""
    return float(np.mean([p == e for p, e in zip(predicted, expected, strict=True)]))


def _character_accuracy(predicted, expected) -> float:
    """The natural mistake: the share of correct characters instead of correct dates."""
    return float(np.mean([a == b for p, e in zip(predicted, expected, strict=True)
                          for a, b in zip(p, e, strict=False)]))
