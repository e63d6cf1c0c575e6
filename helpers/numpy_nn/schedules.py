"""Learning-rate schedules: callables ``schedule(step) -> lr``, and the learning-rate range test.

Every schedule is an object you call with the number of updates done so far (``step`` = 0,
1, 2, ...; an integer >= 0) and that returns the learning rate for the next update. That is
exactly what ``Solver(..., schedule=...)`` expects:

    from helpers.numpy_nn.schedules import cosine, warmup
    schedule = warmup(cosine(lr=0.1, steps=1000), steps=100, start_factor=0.1)
    Solver(model, data, update_rule="sgd_momentum", schedule=schedule)

Each one gives, value by value, what the matching ``torch.optim.lr_scheduler`` class sets
after ``step`` calls of ``scheduler.step()`` (tests/test_schedules.py checks it):

==================  ====================================================================
ours                torch.optim.lr_scheduler
==================  ====================================================================
``constant``        (no scheduler)
``step_decay``      ``StepLR(step_size, gamma)``
``exponential``     ``ExponentialLR(gamma)``
``inverse_time``    ``LambdaLR(lambda t: 1 / (1 + decay_rate * t / decay_steps))``
``cosine``          ``CosineAnnealingLR(T_max=steps, eta_min=lr_min)``
``cyclic``          ``CyclicLR(base_lr, max_lr, step_size_up, mode="triangular")``
``sgdr``            ``CosineAnnealingWarmRestarts(T_0=period, T_mult, eta_min=lr_min)``
``linear``          ``LinearLR(start_factor, end_factor, total_iters=steps)``
``sequential``      ``SequentialLR(schedulers, milestones)``
``warmup``          ``SequentialLR([LinearLR(start_factor, 1, steps), after], [steps])``
==================  ====================================================================

Formulas (lr_0 is the initial learning rate ``lr``, t the step):

- step decay: lr_0 * gamma^floor(t / step_size);  exponential: lr_0 * gamma^t;
- 1/t: lr_0 / (1 + decay_rate * t / decay_steps);
- cosine: lr_min + (lr_0 - lr_min) (1 + cos(pi t / T)) / 2;
- triangular cyclic: a triangle between ``base_lr`` and ``max_lr``, up in ``step_size_up``
  steps, down in ``step_size_down``;
- SGDR: the cosine restarted every period (the period multiplied by ``t_mult`` each time);
- linear warm-up: lr_0 * (s + (1 - s) t / W) for t < W, then the next schedule from its step 0.

``lr_range_test`` raises the learning rate exponentially over a few hundred mini-batch
steps, records the loss and suggests a learning rate (where the smoothed loss falls
fastest).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LRRangeTestResult", "Schedule", "constant", "cosine", "cyclic", "exponential",
           "exponential_ramp", "inverse_time", "linear", "lr_range_test", "restarts", "sequential",
           "sgdr",
           "step_decay", "warmup"]


# ---------------------------------------------------------------------------- validation
def _number(name, value, *, positive=True, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating) \
            or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    if positive and (value < 0 or (value == 0 and not allow_zero)):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def _count(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _step(step):
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0:
        raise ValueError(f"step must be an integer >= 0 (the number of updates done so far), "
                         f"got {step!r}")
    return int(step)


class Schedule:
    """A learning-rate schedule: ``schedule(step) -> lr`` for ``step`` = 0, 1, 2, ...

    ``values(n)`` returns the first ``n`` learning rates as an array ``(n,)``.
    Sub-classes implement ``_lr(t)``; ``name`` says what the schedule is.
    """

    name = "schedule"

    def __call__(self, step) -> float:
        return float(self._lr(_step(step)))

    def _lr(self, t: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def values(self, n) -> np.ndarray:
        """The learning rates of steps 0 ... n - 1, shape (n,)."""
        n = _count("n", n)
        return np.array([self(t) for t in range(n)])

    def __repr__(self) -> str:
        return self.name


class _Fn(Schedule):
    def __init__(self, name, fn):
        self.name, self._fn = name, fn

    def _lr(self, t):
        return self._fn(t)


# ---------------------------------------------------------------------------- schedules
def constant(lr) -> Schedule:
    """The same ``lr`` at every step."""
    lr = _number("lr", lr)
    return _Fn(f"constant(lr={lr:g})", lambda t: lr)


def step_decay(lr, step_size, gamma=0.1) -> Schedule:
    """lr * gamma ** (step // step_size): multiply by ``gamma`` every ``step_size`` steps
    (``torch.optim.lr_scheduler.StepLR``)."""
    lr, gamma = _number("lr", lr), _number("gamma", gamma)
    step_size = _count("step_size", step_size)
    return _Fn(f"step_decay(lr={lr:g}, step_size={step_size}, gamma={gamma:g})",
               lambda t: lr * gamma ** (t // step_size))


def exponential(lr, gamma) -> Schedule:
    """lr * gamma ** step (``torch.optim.lr_scheduler.ExponentialLR``)."""
    lr, gamma = _number("lr", lr), _number("gamma", gamma)
    return _Fn(f"exponential(lr={lr:g}, gamma={gamma:g})", lambda t: lr * gamma**t)


def inverse_time(lr, decay_rate, decay_steps=1, staircase=False) -> Schedule:
    """1/t decay: lr / (1 + decay_rate * step / decay_steps) (``LambdaLR`` with that factor).

    ``staircase=True`` uses floor(step / decay_steps), so the rate changes every
    ``decay_steps`` steps.
    """
    lr = _number("lr", lr)
    decay_rate = _number("decay_rate", decay_rate, allow_zero=True)
    decay_steps = _count("decay_steps", decay_steps)

    def f(t):
        k = t // decay_steps if staircase else t / decay_steps
        return lr / (1 + decay_rate * k)

    return _Fn(f"inverse_time(lr={lr:g}, decay_rate={decay_rate:g}, decay_steps={decay_steps})",
               f)


def cosine(lr, steps, lr_min=0.0) -> Schedule:
    """Cosine annealing from ``lr`` to ``lr_min`` over ``steps`` steps:
    lr_min + (lr - lr_min) * (1 + cos(pi * step / steps)) / 2
    (``CosineAnnealingLR(T_max=steps, eta_min=lr_min)``; like torch, it rises again after
    ``steps``)."""
    lr, lr_min = _number("lr", lr), _number("lr_min", lr_min, allow_zero=True)
    steps = _count("steps", steps)
    return _Fn(f"cosine(lr={lr:g}, steps={steps}, lr_min={lr_min:g})",
               lambda t: lr_min + (lr - lr_min) * (1 + math.cos(math.pi * t / steps)) / 2)


def cyclic(base_lr, max_lr, step_size_up, step_size_down=None, mode="triangular") -> Schedule:
    """Cyclical learning rate (``CyclicLR``): a triangle from ``base_lr`` up to ``max_lr`` in
    ``step_size_up`` steps and back down in ``step_size_down`` (default: the same).

    ``mode="triangular2"`` halves the height of every new cycle.
    """
    base_lr, max_lr = _number("base_lr", base_lr), _number("max_lr", max_lr)
    up = _count("step_size_up", step_size_up)
    down = up if step_size_down is None else _count("step_size_down", step_size_down)
    if mode not in ("triangular", "triangular2"):
        raise ValueError(f"mode must be 'triangular' or 'triangular2', got {mode!r}")
    total = up + down
    ratio = up / total

    def f(t):
        cycle = math.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        height = 1.0 if mode == "triangular" else 1 / 2.0 ** (cycle - 1)
        return base_lr + (max_lr - base_lr) * scale * height

    return _Fn(f"cyclic(base_lr={base_lr:g}, max_lr={max_lr:g}, step_size_up={up}, "
               f"step_size_down={down}, mode={mode!r})", f)


def sgdr(lr, period, t_mult=1, lr_min=0.0) -> Schedule:
    """SGDR, cosine annealing with warm restarts (``CosineAnnealingWarmRestarts``): a cosine
    from ``lr`` to ``lr_min`` over ``period`` steps, then back to ``lr``; each new period is
    ``t_mult`` times longer than the last."""
    lr, lr_min = _number("lr", lr), _number("lr_min", lr_min, allow_zero=True)
    period, t_mult = _count("period", period), _count("t_mult", t_mult)

    def f(t):
        t_cur, t_i = t, period
        while t_cur >= t_i:  # integer arithmetic: no log() rounding at the restarts
            t_cur -= t_i
            t_i *= t_mult
        return lr_min + (lr - lr_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2

    return _Fn(f"sgdr(lr={lr:g}, period={period}, t_mult={t_mult}, lr_min={lr_min:g})", f)


def restarts(period, t_mult=1, steps=None) -> list[int]:
    """The steps at which ``sgdr(period=..., t_mult=...)`` restarts, below ``steps``."""
    period, t_mult = _count("period", period), _count("t_mult", t_mult)
    out, t, t_i = [], 0, period
    while steps is None or t + t_i < steps:
        t += t_i
        t_i *= t_mult
        out.append(t)
        if steps is None and len(out) >= 100:
            break
    return out


def linear(lr, steps, start_factor=1 / 3, end_factor=1.0) -> Schedule:
    """lr * (start_factor + (end_factor - start_factor) * min(step, steps) / steps)
    (``LinearLR(start_factor, end_factor, total_iters=steps)``)."""
    lr = _number("lr", lr)
    steps = _count("steps", steps)
    s = _number("start_factor", start_factor)
    e = _number("end_factor", end_factor, allow_zero=True)
    if s > 1 or e > 1:
        raise ValueError(f"start_factor and end_factor must be in (0, 1] (as torch's LinearLR), "
                         f"got {start_factor!r} and {end_factor!r}")
    return _Fn(f"linear(lr={lr:g}, steps={steps}, start_factor={s:g}, end_factor={e:g})",
               lambda t: lr * (s + (e - s) * min(t, steps) / steps))


def sequential(schedules, milestones) -> Schedule:
    """One schedule after another (``SequentialLR``): ``schedules[i]`` runs from
    ``milestones[i - 1]`` (its own step 0 there) until ``milestones[i]``."""
    schedules = list(schedules)
    milestones = [_count("milestones[i]", m) for m in milestones]
    if len(schedules) < 1 or not all(callable(s) for s in schedules):
        raise TypeError("schedules must be a non-empty list of schedule(step) -> lr callables")
    if len(milestones) != len(schedules) - 1:
        raise ValueError(f"need len(schedules) - 1 = {len(schedules) - 1} milestones, "
                         f"got {len(milestones)}")
    if any(b <= a for a, b in zip(milestones, milestones[1:], strict=False)):
        raise ValueError(f"milestones must increase, got {milestones}")

    def f(t):
        start, k = 0, 0
        while k < len(milestones) and t >= milestones[k]:
            start, k = milestones[k], k + 1
        return float(schedules[k](t - start))

    names = ", ".join(repr(s) for s in schedules)
    return _Fn(f"sequential([{names}], milestones={milestones})", f)


def warmup(after, steps, start_factor=0.1) -> Schedule:
    """Linear warm-up for ``steps`` steps, from ``start_factor * lr`` towards ``lr``, then
    ``after`` from its step 0; ``lr`` is ``after(0)``. Composes with any schedule."""
    if not callable(after):
        raise TypeError(f"after must be a schedule(step) -> lr, got {type(after).__name__}")
    steps = _count("steps", steps)
    lr = float(after(0))
    return sequential([linear(lr, steps, start_factor=start_factor), after], [steps])


def exponential_ramp(lr_min, lr_max, steps) -> Schedule:
    """lr_min * (lr_max / lr_min) ** (step / (steps - 1)): from ``lr_min`` at step 0 to
    ``lr_max`` at step ``steps - 1``, evenly spaced on a log scale (the range test's ramp)."""
    lo, hi = _number("lr_min", lr_min), _number("lr_max", lr_max)
    steps = _count("steps", steps, minimum=2)
    if hi <= lo:
        raise ValueError(f"lr_max must be larger than lr_min, got {lr_min!r} and {lr_max!r}")
    return _Fn(f"exponential_ramp({lo:g} -> {hi:g} in {steps} steps)",
               lambda t: lo * (hi / lo) ** (t / (steps - 1)))


# ---------------------------------------------------------------------------- range test
@dataclass
class LRRangeTestResult:
    """What ``lr_range_test`` measured.

    ``lrs``, ``losses`` (raw mini-batch losses) and ``smoothed`` (bias-corrected exponentially
    weighted average) are arrays (steps_run,); ``suggested_lr``: where the smoothed loss falls
    fastest per unit of log(lr); ``min_loss_lr``: where it is lowest; ``diverged_at``: the lr
    at which the test stopped because the loss exploded (None if it ran to the end).
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float
    min_loss_lr: float
    diverged_at: float | None = None
    info: dict = field(default_factory=dict)

    def plot(self, ax=None, title="learning-rate range test"):
        """Loss against lr (log axis) with the suggestion marked."""
        import matplotlib.pyplot as plt

        from helpers.plotting import CLASS_COLORS

        ax = ax or plt.gca()
        ax.semilogx(self.lrs, self.losses, color=CLASS_COLORS[4], alpha=0.5, lw=0.8,
                    label="mini-batch loss")
        ax.semilogx(self.lrs, self.smoothed, color=CLASS_COLORS[0], lw=2,
                    label="smoothed (bias-corrected EWA)")
        ax.axvline(self.suggested_lr, color=CLASS_COLORS[5], ls="--",
                   label=f"loss falls fastest: lr = {self.suggested_lr:.2g}")
        ax.axvline(self.min_loss_lr, color=CLASS_COLORS[2], ls=":",
                   label=f"lowest loss: lr = {self.min_loss_lr:.2g}")
        lo = np.nanmin(self.smoothed)
        ax.set_ylim(lo - 0.1 * abs(lo), min(np.nanmax(self.losses), 4 * self.smoothed[0]) * 1.05)
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("training loss")
        ax.set_title(title)
        ax.legend(fontsize=8)
        return ax


def lr_range_test(model_factory, data, *, update_rule="sgd", optim_config=None, lr_min=1e-5,
                  lr_max=10.0, steps=200, batch_size=64, beta=0.9, diverge_factor=4.0, seed=0,
                  progress=False) -> LRRangeTestResult:
    """The learning-rate range test: train a fresh model for ``steps`` mini-batch updates
    while the lr grows exponentially from ``lr_min`` to ``lr_max``, and record the loss.

    ``model_factory()`` returns a new model (``params`` + ``loss(X, y)``); ``data`` has
    ``X_train`` (N, ...) and ``y_train`` (N,). The loss curve is smoothed with a
    bias-corrected exponentially weighted average (``beta``); the test stops early once the
    smoothed loss exceeds ``diverge_factor`` times its minimum (or is not finite).
    ``suggested_lr`` is the lr where the smoothed loss decreases fastest against log(lr)
    (a conservative choice: training at the lowest-loss lr is usually too aggressive).
    """
    from helpers.numpy_nn.solver import Solver

    if not callable(model_factory):
        raise TypeError("model_factory must be a callable returning a new model, got "
                        f"{type(model_factory).__name__}")
    steps = _count("steps", steps, minimum=10)
    beta = _number("beta", beta, allow_zero=True)
    if not beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
    ramp = exponential_ramp(lr_min, lr_max, steps)
    model = model_factory()
    solver = Solver(model, {"X_train": data["X_train"], "y_train": data["y_train"]},
                    update_rule=update_rule, optim_config=copy.deepcopy(optim_config or {}),
                    batch_size=batch_size, epochs=1, schedule=ramp, seed=seed, progress=False)
    X, y = data["X_train"], data["y_train"]
    rng = np.random.default_rng(seed)
    order, pos = rng.permutation(len(X)), 0
    lrs, losses, smoothed = [], [], []
    avg, best, diverged = 0.0, np.inf, None
    from tqdm.auto import tqdm

    for t in tqdm(range(steps), desc="range test", disable=not progress, leave=False):
        if pos + batch_size > len(X):
            order, pos = rng.permutation(len(X)), 0
        idx = order[pos:pos + batch_size]
        pos += batch_size
        lr = ramp(t)
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss = solver.step(X[idx], y[idx])
        except (FloatingPointError, ValueError):  # the loss or the gradient overflowed
            diverged = lr
            break
        avg = beta * avg + (1 - beta) * loss
        s = avg / (1 - beta ** (t + 1))
        lrs.append(lr)
        losses.append(loss)
        smoothed.append(s)
        best = min(best, s)
        if not np.isfinite(s) or (t > 10 and s > diverge_factor * best):
            diverged = lr
            break
    lrs, losses, smoothed = np.array(lrs), np.array(losses), np.array(smoothed)
    if len(lrs) < 5:
        raise RuntimeError(f"the range test diverged after {len(lrs)} steps: lower lr_min "
                           f"(got {lr_min!r})")
    i_min = int(np.argmin(smoothed))
    # The slope d(smoothed loss)/d(log lr) up to the minimum, over a window of a few steps
    # (one-step differences are noise), skipping the first steps where the average is young.
    skip, k = min(10, i_min // 2), max(2, len(lrs) // 40)
    log_lr = np.log(lrs)
    i_steep, best_slope = min(skip, i_min), np.inf
    for i in range(skip, i_min - k + 1):
        slope = (smoothed[i + k] - smoothed[i]) / (log_lr[i + k] - log_lr[i]) \
            if i + k < len(lrs) else np.inf
        if slope < best_slope:
            i_steep, best_slope = i + k // 2, slope
    return LRRangeTestResult(lrs=lrs, losses=losses, smoothed=smoothed,
                             suggested_lr=float(lrs[i_steep]), min_loss_lr=float(lrs[i_min]),
                             diverged_at=diverged,
                             info={"steps_run": len(lrs), "update_rule": update_rule})


# ---------------------------------------------------------------------------------------
# References for the exercises of notebook 08 (private: the graded cells compare against
# them, so the expected curves never appear in readable form in a notebook).
def _reference_schedule_variants(kind, n, **kw):
    """The first ``n`` values of a schedule and of its natural wrong versions: a dict
    name -> array (n,); ``"right"`` is the schedule itself."""
    t = np.arange(n, dtype=float)
    if kind == "step_decay":
        lr, size, gamma = kw["lr"], kw["step_size"], kw["gamma"]
        return {"right": step_decay(lr, size, gamma).values(n),
                "no_floor": lr * gamma ** (t / size),
                "every_step": lr * gamma**t,
                "one_early": lr * gamma ** ((t + 1) // size)}
    if kind == "inverse_time":
        lr, k = kw["lr"], kw["decay_rate"]
        with np.errstate(divide="ignore"):
            return {"right": inverse_time(lr, k).values(n),
                    "no_one": lr / (k * t),
                    "times": lr * (1 + k * t),
                    "sqrt": lr / np.sqrt(1 + k * t)}
    if kind == "cosine":
        lr, T, lo = kw["lr"], kw["steps"], kw.get("lr_min", 0.0)
        return {"right": cosine(lr, T, lo).values(n),
                "no_one_half": lo + (lr - lo) * np.cos(np.pi * t / T),
                "quarter": lo + (lr - lo) * np.cos(np.pi * t / (2 * T)),
                "min_not_subtracted": lo + lr * (1 + np.cos(np.pi * t / T)) / 2,
                "no_min": lr * (1 + np.cos(np.pi * t / T)) / 2}
    if kind == "sgdr":
        lr, P, m = kw["lr"], kw["period"], kw.get("t_mult", 1)
        return {"right": sgdr(lr, P, m).values(n),
                "no_restart": cosine(lr, P).values(n),
                "no_mult": sgdr(lr, P, 1).values(n),
                "late": np.array([_sgdr_late(i, lr, P, m) for i in range(n)])}
    if kind == "triangular":
        lo, hi, size = kw["base_lr"], kw["max_lr"], kw["step_size"]
        h_short = 1 - np.abs(2 * (t % size) / size - 1)
        h = cyclic(0.0, 1.0, size).values(n) if lo == 0 else (cyclic(lo, hi, size).values(n)
                                                              - lo) / (hi - lo)
        return {"right": cyclic(lo, hi, size).values(n),
                "half_period": lo + (hi - lo) * h_short,
                "peak_too_high": lo + hi * h,
                "starts_high": hi - (cyclic(lo, hi, size).values(n) - lo),
                "no_base": cyclic(1e-300, hi - lo, size).values(n)}
    raise ValueError(f"unknown kind {kind!r}")


def _sgdr_late(t, lr, period, t_mult):
    """SGDR restarting one step late (``>`` where ``>=`` belongs): lr_min at the restart."""
    t_cur, t_i = t, period
    while t_cur > t_i:
        t_cur -= t_i + 1
        t_i *= t_mult
    return lr * (1 + math.cos(math.pi * t_cur / t_i)) / 2
