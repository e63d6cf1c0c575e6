"""Learning-rate schedules against ``torch.optim.lr_scheduler``, value by value, and the
learning-rate range test."""

import math
import warnings

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as S

from helpers.numpy_nn.model import MLP
from helpers.numpy_nn.schedules import (
    Schedule,
    constant,
    cosine,
    cyclic,
    exponential,
    exponential_ramp,
    inverse_time,
    linear,
    lr_range_test,
    restarts,
    sequential,
    sgdr,
    step_decay,
    warmup,
)
from helpers.numpy_nn.solver import Solver

TOL = 1e-12


def torch_lrs(make_scheduler, n, lr=0.1, momentum=0.0):
    """The lr torch.optim uses at each of n steps: read, optimizer.step(), scheduler.step()."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum)
    sched = make_scheduler(opt)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            p.grad = torch.zeros(1)
            opt.step()
            sched.step()
    return np.array(out)


def assert_same(ours, theirs, what):
    diff = np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300))
    assert diff <= TOL, f"{what}: max relative difference {diff:.2e}"


CASES = {
    "step": (step_decay(0.1, step_size=30, gamma=0.5),
             lambda o: S.StepLR(o, step_size=30, gamma=0.5), 200, 0.1),
    "step gamma .1": (step_decay(0.3, step_size=7),
                      lambda o: S.StepLR(o, step_size=7, gamma=0.1), 50, 0.3),
    "exponential": (exponential(0.1, gamma=0.97),
                    lambda o: S.ExponentialLR(o, gamma=0.97), 300, 0.1),
    "1/t": (inverse_time(0.5, decay_rate=0.1),
            lambda o: S.LambdaLR(o, lambda t: 1 / (1 + 0.1 * t)), 300, 0.5),
    "1/t decay_steps": (inverse_time(0.5, decay_rate=1.0, decay_steps=20),
                        lambda o: S.LambdaLR(o, lambda t: 1 / (1 + t / 20)), 300, 0.5),
    "1/t staircase": (inverse_time(0.5, decay_rate=0.5, decay_steps=20, staircase=True),
                      lambda o: S.LambdaLR(o, lambda t: 1 / (1 + 0.5 * (t // 20))), 300, 0.5),
    "cosine": (cosine(0.1, steps=100), lambda o: S.CosineAnnealingLR(o, T_max=100), 100, 0.1),
    "cosine lr_min, past T": (cosine(0.2, steps=50, lr_min=0.01),
                              lambda o: S.CosineAnnealingLR(o, T_max=50, eta_min=0.01), 160, 0.2),
    "cyclic": (cyclic(0.01, 0.1, step_size_up=25),
               lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=25, cycle_momentum=False),
               240, 0.01),
    "cyclic asymmetric": (cyclic(0.001, 0.05, step_size_up=10, step_size_down=30),
                          lambda o: S.CyclicLR(o, 0.001, 0.05, step_size_up=10,
                                               step_size_down=30, cycle_momentum=False),
                          200, 0.001),
    "cyclic triangular2": (cyclic(0.01, 0.1, step_size_up=20, mode="triangular2"),
                           lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=20,
                                                mode="triangular2", cycle_momentum=False),
                           200, 0.01),
    "sgdr": (sgdr(0.1, period=40), lambda o: S.CosineAnnealingWarmRestarts(o, T_0=40), 200, 0.1),
    "sgdr t_mult 2 lr_min": (sgdr(0.1, period=10, t_mult=2, lr_min=1e-3),
                             lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2,
                                                                     eta_min=1e-3), 310, 0.1),
    "linear": (linear(0.1, steps=20, start_factor=0.25),
               lambda o: S.LinearLR(o, start_factor=0.25, total_iters=20), 60, 0.1),
    "linear down": (linear(0.1, steps=30, start_factor=1.0, end_factor=0.1),
                    lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=30),
                    60, 0.1),
    "warmup + cosine": (warmup(cosine(0.1, steps=180), steps=20, start_factor=0.1),
                        lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=20),
                                                     S.CosineAnnealingLR(o, T_max=180)],
                                                 milestones=[20]), 200, 0.1),
    "warmup + step": (warmup(step_decay(0.05, 40, 0.5), steps=10, start_factor=0.2),
                      lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.2, total_iters=10),
                                                   S.StepLR(o, 40, 0.5)], milestones=[10]),
                      150, 0.05),
    "sequential exp then sgdr": (
        sequential([exponential(0.1, 0.99), sgdr(0.1, 25)], [50]),
        lambda o: S.SequentialLR(o, [S.ExponentialLR(o, 0.99),
                                     S.CosineAnnealingWarmRestarts(o, T_0=25)], milestones=[50]),
        150, 0.1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_equals_torch_lr_scheduler_value_by_value(case):
    ours, make, n, lr = CASES[case]
    theirs = torch_lrs(make, n, lr=lr)
    assert_same(ours.values(n), theirs, case)
    assert_same(np.array([ours(t) for t in range(n)]), theirs, case)


def test_shapes_of_the_schedules():
    s = step_decay(1.0, 10, 0.5)
    assert s(0) == 1.0 and s(9) == 1.0 and s(10) == 0.5 and s(25) == 0.25
    c = cosine(1.0, 100, lr_min=0.1)
    assert c(0) == pytest.approx(1.0) and c(50) == pytest.approx(0.55) and c(100) == pytest.approx(0.1)
    tri = cyclic(0.1, 1.0, 10)
    assert tri(0) == pytest.approx(0.1) and tri(10) == pytest.approx(1.0) and tri(20) == pytest.approx(0.1)
    r = sgdr(1.0, 10, t_mult=2)
    assert r(10) == pytest.approx(1.0) and r(30) == pytest.approx(1.0) and r(29) < 0.01
    assert restarts(10, 2, steps=100) == [10, 30, 70]
    assert restarts(25, 1, steps=100) == [25, 50, 75]
    w = warmup(constant(0.4), steps=4, start_factor=0.5)
    np.testing.assert_allclose(w.values(6), [0.2, 0.25, 0.3, 0.35, 0.4, 0.4])
    assert inverse_time(1.0, 1.0)(1) == 0.5
    ramp = exponential_ramp(1e-4, 1.0, 5)
    np.testing.assert_allclose(ramp.values(5), [1e-4, 1e-3, 1e-2, 1e-1, 1.0])


def test_schedules_are_usable_by_solver():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    model = MLP([{"input_dim": 2, "output_dim": 4, "activation": "relu"},
                 {"input_dim": 4, "output_dim": 2, "activation": "softmax"}])
    sched = warmup(cosine(0.1, 12), steps=4)
    solver = Solver(model, {"X_train": X, "y_train": y}, update_rule="sgd_momentum",
                    optim_config={"lr": 0.1, "momentum": 0.9}, batch_size=16, epochs=4,
                    schedule=sched, progress=False)
    solver.train()
    np.testing.assert_allclose(solver.history["lr"], sched.values(16))


def test_repr_and_values():
    s = cyclic(0.01, 0.1, 5)
    assert "cyclic" in repr(s) and isinstance(s, Schedule)
    assert s.values(3).shape == (3,)


# ------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("step", [-1, 1.5, "3", True])
def test_bad_step_is_rejected(step):
    with pytest.raises(ValueError, match="step must be an integer >= 0"):
        exponential(0.1, 0.9)(step)


def test_numpy_integer_step_is_accepted():
    assert exponential(0.1, 0.5)(np.int64(2)) == pytest.approx(0.025)


@pytest.mark.parametrize("make, match", [
    (lambda: step_decay(-0.1, 10), "lr must be > 0"),
    (lambda: step_decay(0.1, 0), "step_size must be an integer >= 1"),
    (lambda: step_decay(0.1, 2.5), "step_size must be an integer >= 1"),
    (lambda: exponential(0.1, 0.0), "gamma must be > 0"),
    (lambda: exponential(float("nan"), 0.9), "lr must be a finite number"),
    (lambda: inverse_time(0.1, -1.0), "decay_rate must be >= 0"),
    (lambda: cosine(0.1, 0), "steps must be an integer >= 1"),
    (lambda: cosine(0.1, 10, lr_min=-1), "lr_min must be >= 0"),
    (lambda: cyclic(0.1, 1.0, 0), "step_size_up must be an integer >= 1"),
    (lambda: cyclic(0.1, 1.0, 5, mode="exp_range"), "mode must be 'triangular'"),
    (lambda: sgdr(0.1, 10, t_mult=0), "t_mult must be an integer >= 1"),
    (lambda: linear(0.1, 10, start_factor=2.0), "start_factor and end_factor must be in"),
    (lambda: sequential([constant(0.1), constant(0.2)], []), "need len\\(schedules\\) - 1 = 1"),
    (lambda: sequential([constant(0.1), constant(0.2), constant(0.3)], [10, 5]),
     "milestones must increase"),
    (lambda: exponential_ramp(1.0, 0.1, 10), "lr_max must be larger than lr_min"),
])
def test_bad_arguments_are_rejected(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_bad_schedule_objects_are_rejected():
    with pytest.raises(TypeError, match="after must be a schedule"):
        warmup(0.1, 10)
    with pytest.raises(TypeError, match="schedules must be a non-empty list"):
        sequential([0.1], [])
    with pytest.raises(TypeError, match="gamma must be a finite number"):
        exponential(0.1, "0.9")


# ------------------------------------------------------------------------- range test
def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 10))
    w = rng.standard_normal((10, 3))
    y = np.argmax(X @ w, axis=1).astype(np.int64)
    return {"X_train": X, "y_train": y}


def _factory():
    return MLP([{"input_dim": 10, "output_dim": 32, "activation": "relu"},
                {"input_dim": 32, "output_dim": 3, "activation": "softmax"}], seed=1)


def test_lr_range_test_finds_a_sensible_lr_and_stops_on_divergence():
    r = lr_range_test(_factory, _data(), lr_min=1e-4, lr_max=100.0, steps=150, batch_size=32)
    n = r.info["steps_run"]
    assert r.lrs.shape == r.losses.shape == r.smoothed.shape == (n,)
    assert np.all(np.diff(r.lrs) > 0)
    np.testing.assert_allclose(r.lrs[1] / r.lrs[0], (100.0 / 1e-4) ** (1 / 149))
    assert r.diverged_at is not None and n < 150  # sgd at lr ~ 100 blows up
    assert 1e-3 < r.suggested_lr <= r.min_loss_lr < 100
    assert r.smoothed.min() < 0.8 * r.smoothed[0]
    # the first smoothed value is bias-corrected: equal to the first loss, not 0.1 of it
    assert r.smoothed[0] == pytest.approx(r.losses[0])


def test_lr_range_test_result_plots():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = lr_range_test(_factory, _data(), lr_min=1e-3, lr_max=1.0, steps=30, update_rule="adam")
    ax = r.plot()
    assert ax.get_xscale() == "log"
    plt.close("all")


def test_lr_range_test_bad_inputs():
    with pytest.raises(TypeError, match="model_factory must be a callable"):
        lr_range_test(_factory(), _data())
    with pytest.raises(ValueError, match="steps must be an integer >= 10"):
        lr_range_test(_factory, _data(), steps=3)
    with pytest.raises(ValueError, match="beta must be in"):
        lr_range_test(_factory, _data(), beta=1.0)
    with pytest.raises(ValueError, match="lr_max must be larger"):
        lr_range_test(_factory, _data(), lr_min=1.0, lr_max=0.1)


def test_math_import_used():
    assert math.isclose(cosine(1.0, 2)(1), 0.5)


# ------------------------------------------------------------------------- snapshot ensembles
def test_snapshot_ensemble_collects_at_cycle_ends_and_averages():
    from helpers.numpy_nn.solver import SnapshotEnsemble

    data = _data(400)
    data["X_val"], data["y_val"] = data["X_train"][:100], data["y_train"][:100]
    model = _factory()
    ens = SnapshotEnsemble(every=2)
    iters = -(-400 // 50)
    solver = Solver(model, data, update_rule="sgd_momentum", optim_config={"lr": 0.1},
                    batch_size=50, epochs=6, schedule=sgdr(0.2, period=2 * iters),
                    callbacks=[ens], progress=False, restore_best=False)
    solver.train()
    assert ens.epochs == [2, 4, 6] and len(ens.snapshots) == 3
    # a restart falls right after every snapshot
    assert restarts(2 * iters, steps=6 * iters) == [2 * iters, 4 * iters]
    # the last snapshot is the trained model
    for k, v in model.params.items():
        np.testing.assert_array_equal(ens.snapshots[-1][k], v)
    X = data["X_train"][:50]
    before = {k: v.copy() for k, v in model.params.items()}
    p = ens.predict_proba(model, X)
    manual = np.mean([_with(model, s).predict_proba(X) for s in ens.snapshots], axis=0)
    model.params = before
    np.testing.assert_allclose(p, manual)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    for k in before:  # the model's own parameters are back
        np.testing.assert_array_equal(model.params[k], before[k])
    assert ens.predict(model, X).shape == (50,)
    np.testing.assert_allclose(ens.predict_proba(model, X, last=1), model.predict_proba(X))
    # snapshots are copies: training on does not change them
    snap = {k: v.copy() for k, v in ens.snapshots[0].items()}
    solver.train(epochs=1)
    for k in snap:
        np.testing.assert_array_equal(ens.snapshots[0][k], snap[k])


def _with(model, params):
    model.params = params
    return model


def test_snapshot_ensemble_options_and_bad_inputs():
    from helpers.numpy_nn.solver import SnapshotEnsemble

    ens = SnapshotEnsemble(every=1, start=3, max_snapshots=2)
    for e in range(1, 7):
        ens.add({"W": np.full(1, float(e))}, e) if e >= 3 else None
    assert ens.epochs == [5, 6]
    with pytest.raises(ValueError, match="every must be a positive integer"):
        SnapshotEnsemble(every=0)
    with pytest.raises(ValueError, match="no snapshots yet"):
        SnapshotEnsemble().predict(_factory(), np.zeros((2, 10)))
    e2 = SnapshotEnsemble()
    e2.add({"W": np.ones(1)})
    with pytest.raises(TypeError, match="must have predict_proba"):
        e2.predict_proba(object(), np.zeros((2, 10)))


def test_plot_history_draws_loss_and_accuracy():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.plotting import plot_history

    data = _data(200)
    data["X_val"], data["y_val"] = data["X_train"][:50], data["y_train"][:50]
    solver = Solver(_factory(), data, update_rule="adam", optim_config={"lr": 1e-2},
                    batch_size=50, epochs=3, progress=False)
    solver.train()
    fig = solver.plot_history(title="adam")
    ax1, ax2 = fig.axes[:2]
    assert len(ax1.lines) == 2 and len(ax1.lines[0].get_xdata()) == 12
    assert len(ax2.lines) == 2  # training and validation accuracy
    fig2 = plot_history(solver.history, axes=fig.axes[:2], label="again", color="#000000")
    assert fig2 is fig and len(ax1.lines) == 4
    with pytest.raises(ValueError, match="no 'loss'"):
        plot_history({"loss": []})
    with pytest.raises(ValueError, match="smooth must be in"):
        plot_history(solver.history, smooth=1.0)
    plt.close("all")
