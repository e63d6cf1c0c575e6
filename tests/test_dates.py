"""The date-translation task of notebook 18: formats, disjoint splits, encoding."""

import datetime as dt

import numpy as np
import pytest

from helpers.dates import (
    FORMATS,
    INPUT_VOCAB,
    OUTPUT_CHARS,
    T_IN,
    T_OUT,
    decode_inputs,
    decode_targets,
    encode_inputs,
    encode_targets,
    format_date,
    make_examples,
    split_dates,
)


def test_every_format_fits_and_is_encodable():
    longest = max(len(f(d)) for f in FORMATS.values()
                  for d in (dt.date(2021, 9, 22), dt.date(1999, 12, 29)))
    assert longest <= T_IN
    d = dt.date(2021, 3, 4)
    for name in FORMATS:                       # each format's name is its own example
        assert format_date(d, name) == name
    assert format_date(dt.date(2012, 11, 22), "March 4th, 2021") == "November 22nd, 2012"
    assert format_date(dt.date(2012, 11, 12), "the 4th of march 2021") == "the 12th of november 2012"


def test_split_is_disjoint_and_complete():
    train, test = split_dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31), 0.1, seed=0)
    assert len(train) + len(test) == 366 and not set(train) & set(test)
    assert len(test) == 37
    assert split_dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31), 0.1, seed=0) == (train, test)
    examples = make_examples(test, 200, seed=1)
    assert {iso for _, iso in examples} <= {d.isoformat() for d in test}


def test_examples_and_round_trips():
    pairs = make_examples([dt.date(1987, 6, 5)], 50, seed=0)
    assert {iso for _, iso in pairs} == {"1987-06-05"}
    assert len({h for h, _ in pairs}) > 8             # many formats
    X = encode_inputs([h for h, _ in pairs])
    assert X.shape == (50, T_IN) and X.dtype == np.int64 and INPUT_VOCAB[0] == "<pad>"
    assert decode_inputs(X) == [h for h, _ in pairs]
    Y = encode_targets([iso for _, iso in pairs])
    assert Y.shape == (50, T_OUT) and decode_targets(Y)[0] == "1987-06-05"
    scores = np.eye(len(OUTPUT_CHARS))[Y]
    assert decode_targets(scores) == ["1987-06-05"] * 50


def test_bad_inputs():
    with pytest.raises(TypeError, match="date must be a datetime.date"):
        format_date("2021-03-04", "4 march 2021")
    with pytest.raises(ValueError, match="unknown format"):
        format_date(dt.date(2021, 3, 4), "%d %B")
    with pytest.raises(ValueError, match="end must not be before start"):
        split_dates(dt.date(2001, 1, 1), dt.date(2000, 1, 1))
    with pytest.raises(ValueError, match=r"test_fraction must be a float in \(0, 1\)"):
        split_dates(test_fraction=1)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        make_examples([dt.date(2000, 1, 1)], 0)
    with pytest.raises(ValueError, match="non-empty list of datetime.date"):
        make_examples([], 5)
    with pytest.raises(ValueError, match="unknown formats"):
        make_examples([dt.date(2000, 1, 1)], 5, formats=["nope"])
    with pytest.raises(TypeError, match="wrap it in a list"):
        encode_inputs("4 march 2021")
    with pytest.raises(ValueError, match="more than T=4"):
        encode_inputs(["4 march 2021"], T=4)
    with pytest.raises(ValueError, match="outside the input vocabulary"):
        encode_inputs(["4 märz 2021"])
    with pytest.raises(ValueError, match=r"X must have shape \(N, T\)"):
        decode_inputs(np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="must be a YYYY-MM-DD date"):
        encode_targets(["2021/03/04"])
    with pytest.raises(TypeError, match="wrap it in a list"):
        encode_targets("2021-03-04")
    with pytest.raises(ValueError, match=r"Y must have shape \(N, 10\)"):
        decode_targets(np.zeros(3, dtype=int))
