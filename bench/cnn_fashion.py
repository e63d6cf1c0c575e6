"""Full-setting timing of notebook 14's best model: the VGG-style network on Fashion-MNIST.

Three VGG blocks of 32-64-128 channels with batch normalisation (``VGGSmall(width=32)``), trained
with ``fit`` on 55,000 images (5,000 held out for validation), AdamW + one-cycle, label
smoothing 0.1, random flips and 2-px shifts, bfloat16 autocast and channels-last. Prints the
validation accuracy, wall and process CPU time; ``--test`` evaluates the test set once at the end.

    python bench/cnn_fashion.py [--epochs 8] [--lr 3e-3] [--threads 0 (= torch default)] [--test]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--epochs", type=int, default=8)
ARGS.add_argument("--lr", type=float, default=3e-3)
ARGS.add_argument("--width", type=int, default=32)
ARGS.add_argument("--threads", type=int, default=0)
ARGS.add_argument("--seed", type=int, default=0)
ARGS.add_argument("--test", action="store_true", help="evaluate the test set at the end")
args = ARGS.parse_args()

import torch  # noqa: E402
from torch import nn  # noqa: E402

from helpers.config import seed_everything  # noqa: E402
from helpers.data import load_fashion_mnist, scale, train_val_split  # noqa: E402
from helpers.torch_nn.architectures import MixedPrecision, VGGSmall  # noqa: E402
from helpers.torch_nn.augment import Compose, TensorLoader, random_crop, random_flip  # noqa: E402
from helpers.torch_nn.train import evaluate, fit  # noqa: E402

MEAN, STD = 0.2860, 0.3530

if args.threads:
    torch.set_num_threads(args.threads)
seed_everything(args.seed)
t_start, cpu_start = time.perf_counter(), time.process_time()
X, y = load_fashion_mnist("train")
X = ((scale(X) - MEAN) / STD)[:, None]
X_tr, y_tr, X_val, y_val = train_val_split(X, y, val_size=5000, seed=0)
train_loader = TensorLoader(X_tr, y_tr, batch_size=128, seed=args.seed,
                            transform=Compose(random_flip(seed=args.seed),
                                              random_crop(padding=2, seed=args.seed + 1, fill=-MEAN / STD)))
val_loader = TensorLoader(X_val, y_val, batch_size=1000, shuffle=False)
net = VGGSmall(width=args.width)
model = MixedPrecision(net.to(memory_format=torch.channels_last))
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=5e-2)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                steps_per_epoch=len(train_loader))
history = fit(model, train_loader, loss_fn=nn.CrossEntropyLoss(label_smoothing=0.1),
              optimizer=optimizer, epochs=args.epochs, val_loader=val_loader, device="cpu",
              scheduler=scheduler, scheduler_per_step=True, progress=False,
              callback=lambda e, h: print(f"epoch {e + 1}: train loss {h['train_loss'][-1]:.4f} "
                                          f"val acc {h['val_acc'][-1]:.4f} "
                                          f"({h['epoch_time'][-1]:.1f} s)", flush=True))
total, cpu = time.perf_counter() - t_start, time.process_time() - cpu_start
print(f"threads {torch.get_num_threads()}, epochs {args.epochs}, lr {args.lr}, width {args.width}")
print(f"val acc {history['val_acc'][-1]:.4f}; total (load + train) {total / 60:.2f} min wall; "
      f"process CPU time {cpu / 60:.2f} min (with --threads 1: the time on an idle core)")
if args.test:
    X_te, y_te = load_fashion_mnist("test")
    test = evaluate(model, TensorLoader(((scale(X_te) - MEAN) / STD)[:, None], y_te, 1000,
                                        shuffle=False), nn.CrossEntropyLoss())
    print(f"test acc {test['acc']:.4f}")
