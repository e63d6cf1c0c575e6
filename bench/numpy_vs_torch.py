"""Forward + backward of a 784-500-150-10 ReLU MLP with softmax cross-entropy, batch 128, float32:
the NumPy library (``MLP.loss``) against the same network in PyTorch on the CPU.

Both run in the same process with the same number of threads (``--threads``, default 1; the
BLAS thread count is set through the environment before NumPy is imported). Each side is warmed
up, then timed as the median of ``--iters`` iterations, the two taking turns in blocks.

    python bench/numpy_vs_torch.py [--threads 1] [--iters 100]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--threads", type=int, default=1)
ARGS.add_argument("--iters", type=int, default=100)
ARGS.add_argument("--batch", type=int, default=128)
args = ARGS.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.numpy_nn.model import MLP, MNIST_ARCHITECTURE  # noqa: E402
from helpers.timing import median_ms  # noqa: E402


def blas_threads():
    """NumPy's BLAS thread count, asked from OpenBLAS itself when it can be found."""
    try:
        import ctypes

        libs = Path(np.__file__).parents[1] / "numpy.libs"
        for lib in libs.glob("*openblas*"):
            dll = ctypes.CDLL(str(lib))
            for sym in (
                "scipy_openblas_get_num_threads64_",
                "openblas_get_num_threads64_",
                "openblas_get_num_threads",
            ):
                if hasattr(dll, sym):
                    return getattr(dll, sym)()
    except OSError:
        pass
    return f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}"


def main():
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, args.batch)

    model = MLP(MNIST_ARCHITECTURE, init="he", seed=0, dtype=np.float32)

    def numpy_step():
        model.loss(X, y)

    net = torch.nn.Sequential(
        torch.nn.Linear(784, 500),
        torch.nn.ReLU(),
        torch.nn.Linear(500, 150),
        torch.nn.ReLU(),
        torch.nn.Linear(150, 10),
    )
    with torch.no_grad():  # same weights, so both compute the same thing
        for i, layer in enumerate(net[::2], start=1):
            layer.weight.copy_(torch.from_numpy(model.params[f"W{i}"].T))
            layer.bias.copy_(torch.from_numpy(model.params[f"b{i}"]))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def torch_step():
        net.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(net(Xt), yt).backward()

    loss_np = model.loss(X, y)[0]
    loss_t = torch.nn.functional.cross_entropy(net(Xt), yt).item()
    print(
        f"numpy {np.__version__} (BLAS threads: {blas_threads()}), "
        f"torch {torch.__version__} (threads: {torch.get_num_threads()})"
    )
    print(f"same loss: numpy {loss_np:.6f}, torch {loss_t:.6f}; dtype {model.params['W1'].dtype}")
    t_np, t_torch = median_ms([numpy_step, torch_step], args.iters)
    print(f"784-500-150-10, batch {args.batch}, forward+backward, median of {args.iters}:")
    print(f"  numpy library: {t_np:7.3f} ms")
    print(f"  torch (CPU):   {t_torch:7.3f} ms")
    print(f"  ratio numpy/torch: {t_np / t_torch:.2f}x")


if __name__ == "__main__":
    main()
