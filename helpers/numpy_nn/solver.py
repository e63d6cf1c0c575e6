"""The one training loop of the NumPy library (CS231n's ``Solver``, with PyTorch's names).

A model is anything with

- ``params``: a dict name -> floating-point array, and
- ``loss(X, y) -> (loss, grads)`` with ``grads`` keyed like ``params`` (training mode),
- optionally ``predict(X) -> labels`` (evaluation mode), used for accuracies.

``data`` is a dict with ``X_train``, ``y_train`` and optionally ``X_val``, ``y_val``.

    from helpers.numpy_nn.solver import Solver
    solver = Solver(model, data, update_rule="adam", optim_config={"lr": 1e-3},
                    batch_size=128, epochs=10)
    solver.train()
    solver.history["val_acc"], solver.best_params

Each epoch shuffles the training set (seeded), takes mini-batches, calls the update rule on
every parameter (each keeps its own optimiser state) and records the loss of every step.
After each epoch it records the training accuracy (on at most ``num_train_eval`` samples)
and the validation loss/accuracy, keeps the parameters that were best on validation and
stops early after ``patience`` epochs without improvement. ``schedule(step) -> lr`` sets
the learning rate before every update (``step`` counts updates from 0). ``callbacks`` are
called as ``cb(solver)`` at the end of every epoch (a snapshot ensemble collects there).
``step(X_batch, y_batch)`` does one update on its own, for widgets that train step by step.
"""

from __future__ import annotations

import copy

import numpy as np

from helpers.numpy_nn._shapes import check_positive_int
from helpers.numpy_nn.optim import get_update_rule


def _check_xy(name_x, X, name_y, y):
    if not isinstance(X, np.ndarray) or not isinstance(y, np.ndarray):
        raise TypeError(f"{name_x} and {name_y} must be NumPy arrays, got "
                        f"{type(X).__name__} and {type(y).__name__}")
    if len(X) == 0:
        raise ValueError(f"{name_x} is empty: there is nothing to train or evaluate on")
    if len(X) != len(y):
        raise ValueError(f"{name_x} and {name_y} must have the same number of samples N, "
                         f"got {len(X)} and {len(y)}")


class Solver:
    """Mini-batch training of a NumPy model with any ``update(w, dw, config)`` rule.

    Arguments: ``model``, ``data`` (above); ``update_rule`` a name of
    ``helpers.numpy_nn.optim.OPTIMIZERS`` or a callable; ``optim_config`` the rule's
    hyper-parameters (``{"lr": 1e-3}``), copied for every parameter; ``batch_size``;
    ``epochs``; ``schedule`` an optional ``schedule(step) -> lr``; ``patience`` epochs
    without a better validation accuracy before stopping (None: never stop early);
    ``num_train_eval`` samples used for the training accuracy; ``seed`` for shuffling;
    ``progress`` a ``tqdm.auto`` bar over the updates; ``callbacks`` (above).

    ``history``: ``loss`` (every step), ``lr`` (every step), ``epoch``, ``train_acc``,
    ``val_loss``, ``val_acc`` (every epoch). ``best_params``/``best_val_acc``/``best_epoch``:
    the parameters best on validation (the last ones when there is no validation set);
    ``restore_best()`` puts them back into the model (``train`` does so at the end when
    there is a validation set and ``restore_best=True``).
    """

    def __init__(self, model, data, *, update_rule="sgd", optim_config=None, batch_size=100,
                 epochs=10, schedule=None, patience=None, num_train_eval=1000, seed=0,
                 progress=True, callbacks=(), restore_best=True):
        if not isinstance(getattr(model, "params", None), dict) or not callable(
                getattr(model, "loss", None)):
            raise TypeError("model must have a `params` dict and a `loss(X, y) -> (loss, grads)` "
                            f"method, got {type(model).__name__}")
        if not isinstance(data, dict) or not {"X_train", "y_train"} <= set(data):
            raise ValueError("data must be a dict with X_train, y_train (and optionally X_val, "
                             f"y_val), got {sorted(data) if isinstance(data, dict) else type(data)}")
        _check_xy("X_train", data["X_train"], "y_train", data["y_train"])
        self.has_val = "X_val" in data and data["X_val"] is not None
        if self.has_val:
            _check_xy("X_val", data["X_val"], "y_val", data["y_val"])
        check_positive_int("batch_size", batch_size)
        if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 0:
            raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
        if patience is not None:
            check_positive_int("patience", patience)
        if schedule is not None and not callable(schedule):
            raise TypeError(f"schedule must be a callable step -> lr, got {type(schedule).__name__}")
        self.model, self.data = model, data
        self.update_rule = get_update_rule(update_rule)
        self.optim_config = dict(optim_config or {})
        self.batch_size, self.epochs, self.schedule = int(batch_size), int(epochs), schedule
        self.patience, self.num_train_eval = patience, num_train_eval
        self.progress, self.callbacks, self.restore = progress, list(callbacks), restore_best
        self.rng = np.random.default_rng(seed)
        self.reset()

    def reset(self):
        """Forget the optimiser state and the history (the model's parameters stay)."""
        self.configs = {name: copy.deepcopy(self.optim_config) for name in self.model.params}
        self.step_count = 0
        self.epoch = 0
        self.history = {"loss": [], "lr": [], "epoch": [], "train_acc": [], "val_loss": [],
                        "val_acc": []}
        self.best_val_acc = -np.inf
        self.best_score = -np.inf
        self.best_epoch = 0
        self.best_params = copy.deepcopy(self.model.params)
        self.stopped_early = False

    @property
    def iterations_per_epoch(self) -> int:
        return max(1, -(-len(self.data["X_train"]) // self.batch_size))

    def step(self, X_batch, y_batch) -> float:
        """One update on one mini-batch; returns the batch's loss (before the update)."""
        loss, grads = self.model.loss(X_batch, y_batch)
        if not np.isfinite(loss):
            raise FloatingPointError(
                f"the loss became {loss} at step {self.step_count}: training diverged "
                "(try a smaller lr)")
        lr = None
        if self.schedule is not None:
            lr = float(self.schedule(self.step_count))
        for name, w in self.model.params.items():
            config = self.configs[name]
            if lr is not None:
                config["lr"] = lr
            self.model.params[name], self.configs[name] = self.update_rule(w, grads[name], config)
        first = next(iter(self.configs.values()))
        self.history["loss"].append(float(loss))
        self.history["lr"].append(float(first.get("lr", np.nan)))
        self.step_count += 1
        return float(loss)

    def check_accuracy(self, X, y, num_samples=None, batch_size=1000) -> float:
        """Accuracy of ``model.predict`` on (X, y), on a random subset of ``num_samples``."""
        if not hasattr(self.model, "predict"):
            return float("nan")
        if num_samples is not None and len(X) > num_samples:
            idx = self.rng.choice(len(X), num_samples, replace=False)
            X, y = X[idx], y[idx]
        pred = np.concatenate([np.asarray(self.model.predict(X[i:i + batch_size]))
                               for i in range(0, len(X), batch_size)])
        return float(np.mean(pred == y))

    def _val_loss(self, batch_size=1000) -> float:
        X, y = self.data["X_val"], self.data["y_val"]
        total = 0.0
        for i in range(0, len(X), batch_size):
            loss, _ = self.model.loss(X[i:i + batch_size], y[i:i + batch_size])
            total += float(loss) * len(X[i:i + batch_size])
        return total / len(X)

    def _end_epoch(self):
        d = self.data
        self.history["epoch"].append(self.epoch)
        classify = np.issubdtype(np.asarray(d["y_train"]).dtype, np.integer)
        self.history["train_acc"].append(
            self.check_accuracy(d["X_train"], d["y_train"], self.num_train_eval)
            if classify else float("nan"))
        if self.has_val:
            self.history["val_loss"].append(self._val_loss())
            acc = self.check_accuracy(d["X_val"], d["y_val"]) if classify else float("nan")
            self.history["val_acc"].append(acc)
            # Best on validation accuracy; on validation loss when there is no accuracy
            # (regression targets, or a model without ``predict``).
            score = acc if np.isfinite(acc) else -self.history["val_loss"][-1]
            if score > self.best_score:
                self.best_score, self.best_val_acc, self.best_epoch = score, acc, self.epoch
                self.best_params = copy.deepcopy(self.model.params)
            elif self.patience is not None and self.epoch - self.best_epoch >= self.patience:
                self.stopped_early = True
        else:
            self.best_epoch = self.epoch
            self.best_params = copy.deepcopy(self.model.params)
        for cb in self.callbacks:
            cb(self)

    def train(self, epochs=None):
        """Run ``epochs`` more epochs (default: the constructor's); returns ``history``."""
        from tqdm.auto import tqdm

        epochs = self.epochs if epochs is None else epochs
        X, y = self.data["X_train"], self.data["y_train"]
        n = len(X)
        bar = tqdm(total=epochs * self.iterations_per_epoch, desc="training", unit="step",
                   disable=not self.progress, leave=False)
        try:
            for _ in range(epochs):
                order = self.rng.permutation(n)
                for start in range(0, n, self.batch_size):
                    idx = order[start:start + self.batch_size]
                    loss = self.step(X[idx], y[idx])
                    bar.update(1)
                    bar.set_postfix(epoch=self.epoch + 1, loss=f"{loss:.4f}", refresh=False)
                self.epoch += 1
                self._end_epoch()
                if self.stopped_early:
                    break
        finally:
            bar.close()
        if self.has_val and self.restore:
            self.restore_best()
        return self.history

    def restore_best(self):
        """Put the parameters that were best on validation back into the model."""
        self.model.params.update(copy.deepcopy(self.best_params))

    def plot_history(self, **kwargs):
        """The training curves of ``history`` (``helpers.plotting.plot_history``)."""
        from helpers.plotting import plot_history

        return plot_history(self.history, **kwargs)


class SnapshotEnsemble:
    """A ``Solver`` callback that keeps copies of the parameters (snapshots) and averages
    the predictions of all of them (a snapshot ensemble: one training run, many models).

    ``every``: take a snapshot at the end of epochs every, 2 every, 3 every ... (counting
    from 1), e.g. where SGDR cycles end; ``start``: no snapshot before this epoch;
    ``max_snapshots``: keep only the most recent ones.

        ens = SnapshotEnsemble(every=5)
        Solver(model, data, schedule=sgdr(0.1, period=5 * iters_per_epoch), callbacks=[ens],
               epochs=20).train()
        ens.predict(model, X_test)        # (N,) labels, averaged over 4 snapshots

    ``snapshots``: list of parameter dicts; ``epochs``: the epoch of each.
    """

    def __init__(self, every=1, start=1, max_snapshots=None):
        check_positive_int("every", every)
        check_positive_int("start", start)
        if max_snapshots is not None:
            check_positive_int("max_snapshots", max_snapshots)
        self.every, self.start, self.max_snapshots = int(every), int(start), max_snapshots
        self.snapshots, self.epochs = [], []

    def __call__(self, solver):
        e = solver.epoch
        if e >= self.start and e % self.every == 0:
            self.add(solver.model.params, e)

    def add(self, params, epoch=None):
        """Store a copy of ``params`` (a dict name -> array)."""
        self.snapshots.append(copy.deepcopy(params))
        self.epochs.append(epoch)
        if self.max_snapshots is not None and len(self.snapshots) > self.max_snapshots:
            self.snapshots.pop(0)
            self.epochs.pop(0)

    def predict_proba(self, model, X, last=None):
        """Class probabilities averaged over the snapshots (the ``last`` ones if given):
        (N, C). ``model`` must have ``predict_proba``; its parameters are restored after."""
        if not self.snapshots:
            raise ValueError("the ensemble has no snapshots yet: train with it as a callback")
        if not hasattr(model, "predict_proba"):
            raise TypeError(f"model must have predict_proba(X), got {type(model).__name__}")
        chosen = self.snapshots if last is None else self.snapshots[-int(last):]
        saved = model.params
        try:
            total = None
            for snap in chosen:
                model.params = snap
                p = np.asarray(model.predict_proba(X), dtype=float)
                total = p if total is None else total + p
        finally:
            model.params = saved
        return total / len(chosen)

    def predict(self, model, X, last=None):
        """(N,) labels: argmax of the averaged probabilities (a 0/1 threshold for a
        sigmoid output)."""
        p = self.predict_proba(model, X, last)
        return p.argmax(axis=1) if p.ndim == 2 else (p > 0.5).astype(np.int64)
