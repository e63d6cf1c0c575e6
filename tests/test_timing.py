"""helpers.timing: the one timer of the course."""

import time

import pytest

from helpers.timing import best_time, median_ms


def test_best_time_is_the_fastest_run_per_call():
    calls = []
    t = best_time(lambda x: calls.append(x), 3, repeats=4)
    assert t >= 0 and calls == [3] * 4


def test_best_time_batches_tiny_calls():
    calls = []
    t = best_time(calls.append, 1, repeats=2, min_duration=0.002)
    assert len(calls) >= 20 and t < 0.002  # many calls per timing, each far below 2 ms


def test_best_time_measures_a_sleep():
    assert best_time(time.sleep, 0.01, repeats=2) >= 0.009


def test_median_ms_times_every_step():
    a, b = median_ms([lambda: None, lambda: time.sleep(0.001)], iters=10, block=5)
    assert 0 <= a < b


@pytest.mark.parametrize("kwargs", [{"repeats": 0}, {"min_duration": -1.0}])
def test_best_time_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        best_time(lambda: None, **kwargs)
    with pytest.raises(TypeError):
        best_time(3)
