import numpy as np
import pytest

from helpers.synthetic import DATASETS, make_dataset


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_shapes_dtypes_and_labels(name):
    X, y = make_dataset(name, n=101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) <= set(range(10)) and len(np.unique(y)) >= 2


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_deterministic_by_seed(name):
    X1, y1 = make_dataset(name, n=60, noise=0.2, seed=7)
    X2, y2 = make_dataset(name, n=60, noise=0.2, seed=7)
    X3, _ = make_dataset(name, n=60, noise=0.2, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_noise_moves_the_points(name):
    X0, y0 = make_dataset(name, n=200, noise=0.0, seed=1)
    X1, y1 = make_dataset(name, n=200, noise=0.3, seed=1)
    np.testing.assert_array_equal(y0, y1)  # noise jitters the points, not the labels
    assert np.linalg.norm(X1 - X0, axis=1).mean() > 0.05


def test_moons_geometry_without_noise():
    X, y = make_dataset("moons", n=200, noise=0.0, seed=0)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)  # the upper half circle
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    assert len(outer) == len(inner) == 100


def test_xor_labels_follow_quadrants_without_noise():
    X, y = make_dataset("xor", n=300, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))


def test_spiral_and_blobs_class_counts():
    _, y = make_dataset("spiral", n=300, noise=0.1, seed=0, n_classes=3)
    assert np.bincount(y).tolist() == [100, 100, 100]
    _, y = make_dataset("blobs", n=40, noise=0.1, seed=0, n_classes=4)
    assert np.bincount(y).tolist() == [10, 10, 10, 10]


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="nope"), "unknown dataset 'nope'"),
    (dict(name="moons", n=1), "n must be an integer >= 2"),
    (dict(name="moons", noise=-1.0), "noise must be >= 0"),
    (dict(name="circles", factor=1.5), "factor must be in (0, 1)"),
])
def test_bad_arguments_say_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError) as err:
        make_dataset(**kwargs)
    assert message in str(err.value)
