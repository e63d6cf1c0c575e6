"""Full-setting timing of notebook 13's recipe: the PyTorch-examples CNN on MNIST.

conv32-conv64-pool-dropout-fc128-dropout-fc10 (``MnistCNN``), trained with ``fit`` on 55,000
images (5,000 held out for validation), AdamW + one-cycle learning rate, batch 128, random
shifts of up to 2 px, bfloat16 autocast and channels-last memory (``--fp32`` turns both off).
Prints validation accuracy, the time per epoch and the total; ``--test`` also evaluates the
untouched test set once at the end (what the notebook reports).

    python bench/cnn_mnist.py [--epochs 4] [--lr 3e-3] [--threads 0 (= torch default)] [--test]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--epochs", type=int, default=6)
ARGS.add_argument("--lr", type=float, default=3e-3)
ARGS.add_argument("--batch", type=int, default=128)
ARGS.add_argument("--weight-decay", type=float, default=1e-2)
ARGS.add_argument("--shift", type=int, default=2, help="random-crop padding (0: no augmentation)")
ARGS.add_argument("--rotate", type=float, default=0.0, help="random rotation, degrees")
ARGS.add_argument("--label-smoothing", type=float, default=0.0)
ARGS.add_argument("--fp32", action="store_true", help="no bfloat16 autocast, no channels-last")
ARGS.add_argument("--threads", type=int, default=0)
ARGS.add_argument("--n-train", type=int, default=55000)
ARGS.add_argument("--seed", type=int, default=0)
ARGS.add_argument("--test", action="store_true", help="evaluate the test set at the end")
args = ARGS.parse_args()

import torch  # noqa: E402
from torch import nn  # noqa: E402

from helpers.config import seed_everything  # noqa: E402
from helpers.data import load_mnist, scale, train_val_split  # noqa: E402
from helpers.torch_nn.architectures import MixedPrecision, MnistCNN  # noqa: E402
from helpers.torch_nn.augment import Compose, TensorLoader, random_crop, random_rotate  # noqa: E402
from helpers.torch_nn.train import evaluate, fit  # noqa: E402

MEAN, STD = 0.1307, 0.3081

if args.threads:
    torch.set_num_threads(args.threads)
seed_everything(args.seed)
t_start = time.perf_counter()
cpu_start = time.process_time()
X, y = load_mnist("train")
X = (scale(X) - MEAN) / STD
X_tr, y_tr, X_val, y_val = train_val_split(X, y, val_size=5000, seed=0)
X_tr, y_tr = X_tr[:args.n_train], y_tr[:args.n_train]
steps = [random_crop(args.shift, seed=args.seed, fill=-MEAN / STD)] if args.shift else []
if args.rotate:
    steps.append(random_rotate(args.rotate, seed=args.seed + 1, fill=-MEAN / STD))
train_loader = TensorLoader(X_tr, y_tr, batch_size=args.batch,
                            transform=Compose(*steps) if steps else None, seed=args.seed)
val_loader = TensorLoader(X_val, y_val, batch_size=1000, shuffle=False)

net = MnistCNN()
model = net if args.fp32 else MixedPrecision(net.to(memory_format=torch.channels_last))
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                steps_per_epoch=len(train_loader))
history = fit(model, train_loader, loss_fn=nn.CrossEntropyLoss(label_smoothing=args.label_smoothing),
              optimizer=optimizer, epochs=args.epochs, val_loader=val_loader, device="cpu",
              scheduler=scheduler, scheduler_per_step=True, progress=False,
              callback=lambda e, h: print(f"epoch {e + 1}: train loss {h['train_loss'][-1]:.4f} "
                                          f"val acc {h['val_acc'][-1]:.4f} "
                                          f"({h['epoch_time'][-1]:.1f} s)", flush=True))
total = time.perf_counter() - t_start
cpu = time.process_time() - cpu_start
print(f"threads {torch.get_num_threads()}, {'fp32' if args.fp32 else 'bf16 + channels-last'}, "
      f"epochs {args.epochs}, lr {args.lr}, shift {args.shift}, rotate {args.rotate}")
print(f"val acc {history['val_acc'][-1]:.4f}; mean epoch {sum(history['epoch_time']) / args.epochs:.1f} s; "
      f"total (load + train) {total:.1f} s = {total / 60:.2f} min wall")
print(f"process CPU time {cpu:.1f} s = {cpu / 60:.2f} min (summed over threads: with --threads 1 this is "
      "what the run takes on an idle core, whatever else the machine is doing)")
if args.test:
    X_te, y_te = load_mnist("test")
    test = evaluate(model, TensorLoader((scale(X_te) - MEAN) / STD, y_te, 1000, shuffle=False),
                    nn.CrossEntropyLoss())
    print(f"test acc {test['acc']:.4f}")
