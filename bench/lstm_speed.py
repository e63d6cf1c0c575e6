"""Forward + backward of one LSTM layer, (N, T, D, H) = (64, 50, 64, 128), float32: the NumPy
library (``lstm_forward``/``lstm_backward``) against ``torch.nn.LSTM`` on the CPU, same weights.

Both run in the same process with the same number of threads (``--threads``, default 1; the
BLAS thread count is set through the environment before NumPy is imported). Each side is warmed
up, then timed as the median of ``--iters`` iterations, the two taking turns in blocks, so that
load from other processes hits both alike. Target: the NumPy side within 3x of PyTorch's.

    python bench/lstm_speed.py [--threads 1] [--iters 40]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--threads", type=int, default=1)
ARGS.add_argument("--iters", type=int, default=40)
ARGS.add_argument("--shape", type=int, nargs=4, default=(64, 50, 64, 128),
                  metavar=("N", "T", "D", "H"))
args = ARGS.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.numpy_nn.rnn import lstm_backward, lstm_forward, lstm_to_torch  # noqa: E402
from helpers.timing import median_ms  # noqa: E402


def main():
    torch.set_num_threads(args.threads)
    n, t, d, hd = args.shape
    rng = np.random.default_rng(0)
    f = np.float32
    x = rng.standard_normal((n, t, d)).astype(f)
    h0 = np.zeros((n, hd), dtype=f)
    Wx = (rng.standard_normal((d, 4 * hd)) / np.sqrt(d)).astype(f)
    Wh = (rng.standard_normal((hd, 4 * hd)) / np.sqrt(hd)).astype(f)
    b = np.zeros(4 * hd, dtype=f)
    dh = rng.standard_normal((n, t, hd)).astype(f)

    def numpy_step():
        h, cache = lstm_forward(x, h0, Wx, Wh, b)
        return lstm_backward(dh, cache)

    lstm = torch.nn.LSTM(d, hd, batch_first=True)
    with torch.no_grad():
        for k, v in lstm_to_torch(Wx, Wh, b).items():
            getattr(lstm, k).copy_(torch.from_numpy(v))
    xt = torch.from_numpy(x).requires_grad_(True)
    dht = torch.from_numpy(dh)

    def torch_step():
        lstm.zero_grad(set_to_none=True)
        xt.grad = None
        out, _ = lstm(xt)
        out.backward(dht)

    h_np = lstm_forward(x, h0, Wx, Wh, b)[0]
    h_t = lstm(xt)[0].detach().numpy()
    print(f"numpy {np.__version__}, torch {torch.__version__} (threads: "
          f"{torch.get_num_threads()}, BLAS/OMP threads: {args.threads})")
    print(f"same output: max |h_numpy - h_torch| = {np.abs(h_np - h_t).max():.2e} (float32)")
    t_np, t_torch = median_ms([numpy_step, torch_step], args.iters)
    print(f"LSTM (N, T, D, H) = {(n, t, d, hd)}, forward+backward, median of {args.iters}:")
    print(f"  numpy library: {t_np:8.2f} ms")
    print(f"  torch (CPU):   {t_torch:8.2f} ms")
    print(f"  ratio numpy/torch: {t_np / t_torch:.2f}x  (target <= 3x)")


if __name__ == "__main__":
    main()
