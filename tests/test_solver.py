"""The one NumPy training loop (helpers.numpy_nn.solver.Solver): batches, history, best
parameters on validation, early stopping, schedules, bad inputs, and equality with a loop
written by hand."""

import numpy as np
import pytest

from helpers.numpy_nn import optim
from helpers.numpy_nn.model import MLP
from helpers.numpy_nn.solver import Solver

ARCH = [{"input_dim": 2, "output_dim": 8, "activation": "tanh"},
        {"input_dim": 8, "output_dim": 3, "activation": "softmax"}]


def toy(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 1).astype(np.int64)
    return X, y


class Spy:
    """A model that records the batch sizes it sees; its one parameter climbs by lr per step."""

    def __init__(self, good_at=None):
        self.params = {"w": np.zeros(1)}
        self.batches = []
        self.good_at = good_at

    def loss(self, X, y):
        self.batches.append(len(X))
        return float(len(X)), {"w": -np.ones(1)}  # sgd: w - lr * (-1) = w + lr

    def predict(self, X):
        # all right exactly when w (rounded) is good_at, else all wrong
        right = self.good_at is not None and round(float(self.params["w"][0])) == self.good_at
        return np.zeros(len(X), dtype=np.int64) if right else np.ones(len(X), dtype=np.int64)


def data(n=10):
    X = np.arange(2.0 * n).reshape(n, 2)
    y = np.zeros(n, dtype=np.int64)
    return {"X_train": X, "y_train": y, "X_val": X[:4], "y_val": y[:4]}


def test_mini_batches_cover_the_epoch_with_a_short_last_batch():
    spy = Spy()
    d = data(10)
    del d["X_val"], d["y_val"]
    s = Solver(spy, d, optim_config={"lr": 1.0}, batch_size=4, epochs=3, progress=False)
    s.train()
    assert spy.batches[:3] == [4, 4, 2] and len(spy.batches) == 9
    assert s.iterations_per_epoch == 3 and s.step_count == 9 and s.epoch == 3


def test_history_lengths_and_contents():
    X, y = toy()
    model = MLP(ARCH, seed=0)
    s = Solver(model, {"X_train": X[:40], "y_train": y[:40], "X_val": X[40:], "y_val": y[40:]},
               update_rule="adam", optim_config={"lr": 1e-2}, batch_size=16, epochs=4,
               progress=False)
    h = s.train()
    assert len(h["loss"]) == len(h["lr"]) == 4 * 3
    assert h["epoch"] == [1, 2, 3, 4]
    assert len(h["train_acc"]) == len(h["val_loss"]) == len(h["val_acc"]) == 4
    assert all(v == 1e-2 for v in h["lr"])
    assert h["loss"][-1] < h["loss"][0]
    assert all(0.0 <= a <= 1.0 for a in h["train_acc"] + h["val_acc"])


def test_best_parameters_on_validation_are_restored():
    spy = Spy(good_at=2)  # w = epoch (one step of lr 1 per epoch): best at epoch 2
    s = Solver(spy, data(4), optim_config={"lr": 1.0}, batch_size=4, epochs=5, progress=False)
    s.train()
    assert s.history["val_acc"] == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert s.best_epoch == 2 and s.best_val_acc == 1.0
    assert spy.params["w"][0] == 2.0  # restored at the end of train()


def test_restore_best_can_be_switched_off():
    spy = Spy(good_at=2)
    s = Solver(spy, data(4), optim_config={"lr": 1.0}, batch_size=4, epochs=5, progress=False,
               restore_best=False)
    s.train()
    assert spy.params["w"][0] == 5.0 and s.best_params["w"][0] == 2.0
    s.restore_best()
    assert spy.params["w"][0] == 2.0


def test_early_stopping_after_patience_epochs_without_improvement():
    spy = Spy(good_at=2)
    s = Solver(spy, data(4), optim_config={"lr": 1.0}, batch_size=4, epochs=20, patience=2,
               progress=False)
    s.train()
    assert s.stopped_early and s.history["epoch"] == [1, 2, 3, 4]
    assert spy.params["w"][0] == 2.0


def test_schedule_sets_the_learning_rate_of_every_step():
    spy = Spy()
    d = data(4)
    del d["X_val"], d["y_val"]
    s = Solver(spy, d, optim_config={"lr": 99.0}, batch_size=2, epochs=2, progress=False,
               schedule=lambda step: 0.5 ** step)
    s.train()
    assert s.history["lr"] == [1.0, 0.5, 0.25, 0.125]
    assert spy.params["w"][0] == pytest.approx(1.875)  # the sum of the four steps


def test_callbacks_run_at_the_end_of_every_epoch():
    seen = []
    d = data(4)
    s = Solver(Spy(), d, optim_config={"lr": 1.0}, batch_size=4, epochs=3, progress=False,
               callbacks=[lambda solver: seen.append(solver.epoch)])
    s.train()
    assert seen == [1, 2, 3]


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "adam"])
def test_a_run_equals_a_loop_written_by_hand(rule):
    X, y = toy(50)
    config = {"lr": 0.05}
    a, b = MLP(ARCH, seed=3), MLP(ARCH, seed=3)
    Solver(a, {"X_train": X, "y_train": y}, update_rule=rule, optim_config=config,
           batch_size=16, epochs=3, seed=7, progress=False).train()
    update = optim.get_update_rule(rule)
    rng = np.random.default_rng(7)
    configs = {name: dict(config) for name in b.params}
    for _ in range(3):
        order = rng.permutation(len(X))
        for start in range(0, len(X), 16):
            idx = order[start:start + 16]
            _, grads = b.loss(X[idx], y[idx])
            for name in b.params:
                b.params[name], configs[name] = update(b.params[name], grads[name], configs[name])
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])


def test_step_is_one_update():
    X, y = toy(20)
    model = MLP(ARCH, seed=0)
    before = {k: v.copy() for k, v in model.params.items()}
    s = Solver(model, {"X_train": X, "y_train": y}, optim_config={"lr": 0.1}, progress=False)
    loss = s.step(X[:5], y[:5])
    ref_loss, grads = MLP(ARCH, seed=0).loss(X[:5], y[:5])
    assert loss == pytest.approx(float(ref_loss)) and s.step_count == 1
    for k in before:
        np.testing.assert_allclose(model.params[k], before[k] - 0.1 * grads[k])


def test_divergence_is_an_error_not_a_nan():
    X, y = toy(20)
    model = MLP(ARCH, seed=0)
    model.params["W2"][:] = 1e308
    s = Solver(model, {"X_train": X * 1e10, "y_train": y}, optim_config={"lr": 0.1},
               progress=False)
    with pytest.raises(FloatingPointError), np.errstate(over="ignore", invalid="ignore"):
        s.train()


def test_bad_inputs():
    X, y = toy(20)
    model = MLP(ARCH)
    ok = {"X_train": X, "y_train": y}
    with pytest.raises(TypeError, match="params"):
        Solver(object(), ok)
    with pytest.raises(ValueError, match="X_train, y_train"):
        Solver(model, {"X": X})
    with pytest.raises(TypeError, match="NumPy arrays"):
        Solver(model, {"X_train": X.tolist(), "y_train": y})
    with pytest.raises(ValueError, match="empty"):
        Solver(model, {"X_train": X[:0], "y_train": y[:0]})
    with pytest.raises(ValueError, match="same number of samples"):
        Solver(model, {"X_train": X, "y_train": y, "X_val": X[:3], "y_val": y[:2]})
    with pytest.raises(ValueError, match="batch_size"):
        Solver(model, ok, batch_size=0)
    with pytest.raises(ValueError, match="epochs"):
        Solver(model, ok, epochs=1.5)
    with pytest.raises(ValueError, match="patience"):
        Solver(model, ok, patience=0)
    with pytest.raises(TypeError, match="schedule"):
        Solver(model, ok, schedule=0.1)
    with pytest.raises(ValueError, match="unknown update rule"):
        Solver(model, ok, update_rule="adamm")
    with pytest.raises(ValueError, match="unknown keys"):
        Solver(model, ok, optim_config={"learning_rate": 0.1}, progress=False).step(X, y)


def test_best_parameters_follow_validation_loss_when_there_is_no_accuracy():
    """A classifier without ``predict`` has no accuracy: the best epoch is the lowest loss."""
    import numpy as np

    from helpers.numpy_nn.model import MLP
    from helpers.numpy_nn.solver import Solver

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    model = MLP([{"input_dim": 2, "output_dim": 2, "activation": "softmax"}], seed=0)

    class NoPredict:
        params = model.params

        def loss(self, X, y):
            return model.loss(X, y)

    start = {k: v.copy() for k, v in model.params.items()}
    solver = Solver(NoPredict(), {"X_train": X[:150], "y_train": y[:150], "X_val": X[150:],
                                  "y_val": y[150:]},
                    update_rule="sgd", optim_config={"lr": 0.5}, epochs=5, progress=False)
    solver.train()
    assert np.isnan(solver.history["val_acc"]).all()
    assert solver.best_epoch == int(np.argmin(solver.history["val_loss"])) + 1
    assert not np.array_equal(model.params["W1"], start["W1"])  # not the initial weights
