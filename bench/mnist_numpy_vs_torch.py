"""Train the 784-500-150-10 MNIST network end to end: our NumPy library vs PyTorch on the CPU.

Same recipe on both sides: He init, Adam (lr 1e-3), mini-batch 128, dropout p (drop
probability) after each hidden ReLU, or batch norm (``--norm batchnorm``), a cosine schedule
over all updates, random shifts of up to ``--shift`` pixels (augmentation), float32, 54 000 training images (6 000 held out for validation; the test
set is scored once at the end). Both run in one process with the same thread count
(``--threads``; BLAS/OpenMP threads set before NumPy and torch are imported). Prints the
wall time of each and their ratio, measured in this one run.

    python bench/mnist_numpy_vs_torch.py [--threads 2] [--epochs 12] [--dropout 0.2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--threads", type=int, default=2)
ARGS.add_argument("--epochs", type=int, default=12)
ARGS.add_argument("--dropout", type=float, default=0.2)
ARGS.add_argument("--norm", choices=["none", "batchnorm"], default="none")
ARGS.add_argument("--lr", type=float, default=1e-3)
ARGS.add_argument("--batch", type=int, default=128)
ARGS.add_argument("--shift", type=int, default=2, help="random shifts of up to this many "
                  "pixels in each direction (augmentation; 0: none)")
ARGS.add_argument("--skip-torch", action="store_true")
args = ARGS.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.data import flatten, load_mnist, scale, train_val_split  # noqa: E402
from helpers.metrics import format_accuracy  # noqa: E402
from helpers.numpy_nn.fc_net import Augmented, FullyConnectedNet  # noqa: E402
from helpers.numpy_nn.regularization import random_shifts  # noqa: E402
from helpers.numpy_nn.solver import Solver  # noqa: E402


def cosine(lr0, total):
    return lambda step: 0.5 * lr0 * (1 + np.cos(np.pi * min(step, total) / total))


def data():
    X, y = load_mnist("train")
    Xte, yte = load_mnist("test")
    X, Xte = flatten(scale(X)), flatten(scale(Xte))
    Xtr, ytr, Xva, yva = train_val_split(X, y, val_size=6000, seed=0)
    return Xtr, ytr, Xva, yva, Xte, yte


def run_numpy(Xtr, ytr, Xva, yva):
    norm = None if args.norm == "none" else args.norm
    net = FullyConnectedNet([500, 150], dropout=args.dropout, normalization=norm, seed=0)
    model = net
    if args.shift:
        model = Augmented(net, lambda X, rng: random_shifts(X, args.shift, rng))
    steps = args.epochs * -(-len(Xtr) // args.batch)
    solver = Solver(model, {"X_train": Xtr, "y_train": ytr, "X_val": Xva, "y_val": yva},
                    update_rule="adam", optim_config={"lr": args.lr}, batch_size=args.batch,
                    epochs=args.epochs, schedule=cosine(args.lr, steps), progress=False,
                    callbacks=[lambda s: print(f"  epoch {s.epoch}: validation "
                                               f"{s.history['val_acc'][-1]:.4f}", flush=True)])
    t0 = time.perf_counter()
    solver.train()
    return net, time.perf_counter() - t0, solver


def run_torch(Xtr, ytr, Xva, yva):
    torch.manual_seed(0)
    layers, d = [], 784
    for h in (500, 150):
        lin = torch.nn.Linear(d, h)
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        layers += [lin] + ([torch.nn.BatchNorm1d(h)] if args.norm == "batchnorm" else [])
        layers += [torch.nn.ReLU()] + ([torch.nn.Dropout(args.dropout)] if args.dropout else [])
        d = h
    layers.append(torch.nn.Linear(d, 10))
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    steps = args.epochs * -(-len(Xtr) // args.batch)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    Xt, yt = torch.from_numpy(Xtr), torch.from_numpy(ytr)
    Xv, yv = torch.from_numpy(Xva), torch.from_numpy(yva)
    g = torch.Generator().manual_seed(0)
    t0 = time.perf_counter()
    best, best_state = -1.0, None
    for _ in range(args.epochs):  # the same work as the Solver: train, then score validation
        net.train()
        for idx in torch.randperm(len(Xt), generator=g).split(args.batch):
            opt.zero_grad(set_to_none=True)
            xb = Xt[idx]
            if args.shift:  # the same augmentation, in torch: pad and crop a random window
                xb = _torch_shifts(xb, args.shift, g)
            torch.nn.functional.cross_entropy(net(xb), yt[idx]).backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.no_grad():
            acc = (net(Xv).argmax(1) == yv).float().mean().item()
        if acc > best:
            best, best_state = acc, {k: v.clone() for k, v in net.state_dict().items()}
    net.load_state_dict(best_state)
    return net, time.perf_counter() - t0


def _torch_shifts(xb, m, g):
    n = len(xb)
    padded = torch.nn.functional.pad(xb.view(n, 28, 28), (m, m, m, m))
    off = torch.randint(0, 2 * m + 1, (n, 2), generator=g)
    rows = (off[:, :1] + torch.arange(28))[:, :, None]
    cols = (off[:, 1:] + torch.arange(28))[:, None, :]
    return padded[torch.arange(n)[:, None, None], rows, cols].reshape(n, 784)


def main():
    torch.set_num_threads(args.threads)
    Xtr, ytr, Xva, yva, Xte, yte = data()
    print(f"threads {args.threads}; epochs {args.epochs}; dropout p={args.dropout}; "
          f"norm {args.norm}; shifts ±{args.shift} px; train {len(Xtr)}, validation {len(Xva)}, test {len(Xte)}")
    net, t_np, solver = run_numpy(Xtr, ytr, Xva, yva)
    print(f"numpy library: {t_np:6.1f} s, best validation {solver.best_val_acc:.4f} "
          f"(epoch {solver.best_epoch}), test {format_accuracy(yte, net.predict(Xte))}")
    if args.skip_torch:
        return
    tnet, t_torch = run_torch(Xtr, ytr, Xva, yva)
    with torch.no_grad():
        pred = tnet(torch.from_numpy(Xte)).argmax(1).numpy()
    print(f"torch (CPU):   {t_torch:6.1f} s, test {format_accuracy(yte, pred)}")
    print(f"ratio numpy/torch wall time: {t_np / t_torch:.2f}x (measured in this run)")


if __name__ == "__main__":
    main()
