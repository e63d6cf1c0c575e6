"""Convolution speed: naive loops vs im2col (pure NumPy) vs PyTorch, forward + backward.

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python bench/conv_speed.py [--threads 1]

Prints a table of milliseconds per forward+backward at a few sizes, and the headline ratio
im2col / PyTorch (CPU, same thread count, float32) at N = 64, 1 -> 32 channels, 28 x 28,
3 x 3, pad 1 (the first layer of notebook 13's network). Target: <= 3x. Timings are the
median of several repeats; on a shared machine they vary from run to run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# NumPy's BLAS reads its thread count when NumPy loads: one thread unless told otherwise, the
# same as PyTorch below (--threads). Several BLAS threads on a busy machine only slow down.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from helpers.numpy_nn.conv import conv_backward_naive, conv_forward_naive  # noqa: E402
from helpers.numpy_nn.im2col import conv_backward_im2col, conv_forward_im2col  # noqa: E402

# (label, N, C, F, H=W, kernel, pad)
SIZES = [
    ("tiny   N=8  1->8   28x28 3x3", 8, 1, 8, 28, 3, 1),
    ("mnist1 N=64 1->32  28x28 3x3", 64, 1, 32, 28, 3, 1),
    ("mnist2 N=64 32->64 26x26 3x3", 64, 32, 64, 26, 3, 0),
]
HEADLINE = "mnist1 N=64 1->32  28x28 3x3"


def median_time(fn, repeats: int, budget_s: float = 5.0) -> float:
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget_s and len(times) >= 3:
            break
    return float(np.median(times))


def numpy_fb(fwd, bwd, x, w, b, cp):
    def run():
        out, cache = fwd(x, w, b, cp)
        bwd(np.ones_like(out), cache)
    return run


def torch_fb(x, w, b, pad):
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))

    def run():
        for t in (xt, wt, bt):
            t.grad = None
        out = F.conv2d(xt, wt, bt, padding=pad)
        out.backward(torch.ones_like(out))
    return run


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=int(os.environ["OMP_NUM_THREADS"]),
                        help="torch threads (default: $OMP_NUM_THREADS, which NumPy's BLAS uses)")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    blas = os.environ["OPENBLAS_NUM_THREADS"]
    print(f"torch threads {torch.get_num_threads()}, NumPy BLAS threads {blas}, float32, "
          f"forward + backward, median ms")
    print(f"{'size':32s} {'naive':>9s} {'im2col':>9s} {'torch':>9s} {'im2col/torch':>13s}")
    rng = np.random.default_rng(0)
    ratios = {}
    for label, N, C, Fn, H, k, pad in SIZES:
        x = rng.standard_normal((N, C, H, H)).astype(np.float32)
        w = (rng.standard_normal((Fn, C, k, k)) * 0.1).astype(np.float32)
        b = np.zeros(Fn, dtype=np.float32)
        cp = {"stride": 1, "pad": pad}
        naive = (float("nan") if args.skip_naive else
                 median_time(numpy_fb(conv_forward_naive, conv_backward_naive, x, w, b, cp), 3))
        fast = median_time(numpy_fb(conv_forward_im2col, conv_backward_im2col, x, w, b, cp),
                           args.repeats)
        ref = median_time(torch_fb(x, w, b, pad), args.repeats)
        ratios[label] = fast / ref
        print(f"{label:32s} {naive * 1e3:9.1f} {fast * 1e3:9.1f} {ref * 1e3:9.1f} "
              f"{fast / ref:12.2f}x")
    r = ratios[HEADLINE]
    print(f"\nheadline: im2col forward+backward / PyTorch CPU at {HEADLINE.split(maxsplit=1)[1]}"
          f" = {r:.2f}x (target <= 3x: {'met' if r <= 3 else 'NOT met'})")
    return ratios


if __name__ == "__main__":
    main()
