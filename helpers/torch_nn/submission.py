"""Kaggle "Digit Recognizer" files: read its ``test.csv``, write and validate a submission.

The competition's ``test.csv`` has a header ``pixel0,...,pixel783`` and 28,000 rows of 784
integers 0..255; a submission is ``ImageId,Label`` with one row per test image, ImageId counting
from 1:

    ImageId,Label
    1,2
    2,0
    ...

    from helpers.torch_nn.submission import read_kaggle_images, write_submission, validate_submission
    images = read_kaggle_images("test.csv")                 # (28000, 28, 28) uint8
    write_submission(predicted_labels, "submission.csv")    # predicted_labels: (28000,) ints
    validate_submission("submission.csv", n_rows=28000)
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

__all__ = ["HEADER", "KAGGLE_TEST_ROWS", "read_kaggle_images", "read_submission",
           "validate_submission", "write_submission"]

HEADER = ("ImageId", "Label")
KAGGLE_TEST_ROWS = 28000


def _labels_array(labels) -> np.ndarray:
    if hasattr(labels, "detach"):
        labels = labels.detach().cpu().numpy()
    arr = np.asarray(labels)
    if arr.ndim == 2 and arr.shape[1] == 10:
        raise ValueError(f"labels must be class indices of shape (N,), got scores of shape {arr.shape}"
                         " (take the argmax over the classes first)")
    if arr.ndim != 1:
        raise ValueError(f"labels must have shape (N,), got {arr.shape}")
    if len(arr) == 0:
        raise ValueError("labels is empty: nothing to write")
    if arr.dtype.kind == "f":
        if not np.all(arr == np.round(arr)):
            raise ValueError("labels must be integers 0..9, got non-integer floats")
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {arr.dtype}")
    if arr.min() < 0 or arr.max() > 9:
        raise ValueError(f"labels must be digits 0..9, got values from {arr.min()} to {arr.max()}")
    return arr


def write_submission(labels, path) -> Path:
    """Write ``ImageId,Label`` (header, then ``i,label`` for i = 1..N) to ``path``; returns it.

    ``labels``: (N,) integer class indices 0..9 (NumPy array, list or tensor), one per test
    image in the order of the test file.
    """
    arr = _labels_array(labels)
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows((i, int(label)) for i, label in enumerate(arr, start=1))
    return path


def read_submission(path) -> np.ndarray:
    """The labels of a submission file (after checking its format), as an int64 array (N,)."""
    return validate_submission(path)


def validate_submission(path, n_rows: int | None = None) -> np.ndarray:
    """Check a submission's format; return its labels (N,). Raises ValueError saying what is wrong.

    Checked: the header is exactly ``ImageId,Label``; every row has two integer fields;
    ImageId runs 1, 2, ..., N in order; labels are digits 0..9; N == ``n_rows`` when given
    (28,000 for the competition).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no submission file at {path}")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ValueError(f"{path} is empty: expected the header ImageId,Label")
    if tuple(rows[0]) != HEADER:
        raise ValueError(f"the header must be exactly 'ImageId,Label', got {','.join(rows[0])!r}")
    body = rows[1:]
    if n_rows is not None and len(body) != n_rows:
        raise ValueError(f"expected {n_rows} rows after the header, got {len(body)}")
    labels = np.empty(len(body), dtype=np.int64)
    for i, row in enumerate(body, start=1):
        if len(row) != 2:
            raise ValueError(f"row {i} must have 2 fields (ImageId,Label), got {row}")
        try:
            image_id, label = int(row[0]), int(row[1])
        except ValueError:
            raise ValueError(f"row {i} must hold two integers, got {row}") from None
        if image_id != i:
            raise ValueError(f"row {i} has ImageId {image_id}: ImageId must count 1, 2, 3, ... "
                             "(starting at 1, not 0)")
        if not 0 <= label <= 9:
            raise ValueError(f"row {i} has Label {label}: labels are digits 0..9")
        labels[i - 1] = label
    return labels


def read_kaggle_images(path) -> np.ndarray:
    """The competition's ``test.csv`` (header pixel0..pixel783, then rows of 784 pixels 0..255)
    as uint8 images (N, 28, 28). (Its ``train.csv`` has a ``label`` column first: drop it.)"""
    path = Path(path)
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    if header[0] == "label":
        raise ValueError("this looks like train.csv (first column 'label'); pass test.csv, or "
                         "drop the label column")
    if len(header) != 784 or header[0] != "pixel0":
        raise ValueError(f"expected a header pixel0..pixel783 (784 columns), got {len(header)} "
                         f"columns starting {header[:2]}")
    pixels = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    if pixels.shape[1] != 784:
        raise ValueError(f"expected 784 pixel columns, got {pixels.shape[1]}")
    if pixels.min() < 0 or pixels.max() > 255:
        raise ValueError("pixels must be integers 0..255")
    return pixels.astype(np.uint8).reshape(-1, 28, 28)


def _reference_submission_text(labels) -> str:
    arr = _labels_array(labels)
    return "ImageId,Label\n" + "".join(f"{i},{int(v)}\n" for i, v in enumerate(arr, start=1))
