"""One timer for the whole course: the fastest of a few runs, per call.

    from helpers.timing import best_time
    seconds = best_time(np.sort, x)                    # fastest of 7 single calls
    seconds = best_time(f, x, min_duration=0.005)      # tiny calls batched to >= 5 ms
    ms_a, ms_b = median_ms([step_a, step_b], iters=200) # two steps timed in turns (benchmarks)

The fastest run is the one least disturbed by whatever else the machine is doing, so it is
the best estimate of what the code itself costs (Python's ``timeit`` makes the same choice).
"""

from __future__ import annotations

import time


def best_time(fn, *args, repeats: int = 7, min_duration: float = 0.0, **kwargs) -> float:
    """Seconds per call of ``fn(*args, **kwargs)``: the fastest of ``repeats`` timings.

    Calls that are faster than ``min_duration`` seconds are timed in batches of ``number``
    calls (1, 10, 100, ...: the first batch size that lasts ``min_duration``), and the batch
    time is divided by ``number``; with the default 0 every timing is one call.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    if not min_duration >= 0:
        raise ValueError(f"min_duration must be >= 0 seconds, got {min_duration!r}")
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn(*args, **kwargs)
        elapsed = time.perf_counter() - start
        if elapsed >= min_duration:
            break
        number *= 10
    best = elapsed
    for _ in range(repeats - 1):
        start = time.perf_counter()
        for _ in range(number):
            fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best / number


def median_ms(steps, iters: int, block: int = 10) -> list[float]:
    """Median time of each step (a callable with no arguments) in milliseconds.

    The steps take turns in blocks of ``block`` iterations, so that load from other processes
    hits all of them alike; the first call of each block is a warm-up (thread pools of another
    library may still be spinning) and is not timed. For comparisons such as NumPy vs PyTorch.
    """
    import numpy as np

    if isinstance(iters, bool) or not isinstance(iters, int) or iters < 1:
        raise ValueError(f"iters must be a positive integer, got {iters!r}")
    times = [[] for _ in steps]
    for _ in range(0, iters, block):
        for step, t in zip(steps, times, strict=True):
            step()
            for _ in range(block):
                t0 = time.perf_counter()
                step()
                t.append(time.perf_counter() - t0)
    return [1e3 * float(np.median(t)) for t in times]
