"""Public cases and named mistakes for notebook 08's exercises (kept out of the test cells).

Each exercise's function maps a step ``t`` to a learning rate; the checks evaluate it at every
step of a short run (``curve``) and compare the whole curve with the private reference in
``helpers.numpy_nn.schedules``. Each ``cases_*`` returns ``helpers.checks.Case`` objects whose
``mistakes`` name the natural wrong answers, so no visible test cell spells out a formula.
"""

from __future__ import annotations

import math

import numpy as np

from helpers.checks import Case
from helpers.numpy_nn.schedules import _reference_schedule_variants


def curve(fn, n):
    """``fn(t)`` for t = 0 ... n-1 as a float array; a division by zero at some step (Python
    floats raise instead of returning inf) becomes inf there, so that the check can say which
    step and why. The test cells pass a lambda that calls the student's function, so that the
    call comes from the cell itself."""
    out = np.empty(n)
    for t in range(n):
        try:
            out[t] = float(fn(t))
        except ZeroDivisionError:
            out[t] = np.inf
    return out


def _steps(n):
    return np.arange(n, dtype=float)


# ----------------------------------------------------------------------------- exercise 1
def _step_case(n, lr0, size, gamma):
    ref = _reference_schedule_variants("step_decay", n, lr=lr0, step_size=size, gamma=gamma)
    t = _steps(n)
    rounded = lr0 * gamma ** np.array([round(x) for x in t / size])
    return Case(args=(n, lr0, size, gamma), expected=ref["right"], mistakes=[
        (ref["no_floor"], "the rate decays smoothly: the exponent must be a whole number of "
                          "periods (integer division), so the rate is flat within a period"),
        (ref["every_step"], "gamma is applied at every step, not once per step_size steps"),
        (ref["one_early"], "the first decay comes one step early: steps 0 ... step_size - 1 "
                           "use lr0"),
        (lambda got: np.any(np.asarray(got) <= 0), "the rate reached 0 or below: step decay "
                                                    "multiplies lr0 by gamma once per period, "
                                                    "it never subtracts"),
        (rounded, "the number of periods was rounded: it must be rounded DOWN (integer "
                  "division //), so that steps 0 ... step_size - 1 all use lr0"),
        (lr0 * gamma ** np.ceil(t / size), "the number of periods was rounded up: it must be "
                                           "rounded down (integer division //)"),
        (lr0 * gamma ** (t // size + 1), "one decay too many: steps 0 ... step_size - 1 use lr0 "
                                         "itself (no period has passed yet)"),
    ])


def _inv_case(n, lr0, k):
    ref = _reference_schedule_variants("inverse_time", n, lr=lr0, decay_rate=k)
    t = _steps(n)
    return Case(args=(n, lr0, k), expected=ref["right"], mistakes=[
        (lambda got: not np.isfinite(got[0]),
         "the rate at t = 0 is not finite (a division by zero): the denominator must be 1 at "
         "t = 0, so that the rate starts at lr0"),
        (ref["times"], "the rate grows: lr0 must be divided, not multiplied"),
        (lr0 + k * t, "the rate grows by decay_rate every step: check the brackets, the whole "
                      "1 + decay_rate * t is the denominator"),
        (ref["sqrt"], "this is 1/sqrt(t) decay: no square root"),
        (lr0 / (1 + k) ** t, "this decays exponentially (a power of t): 1/t decay divides by "
                             "something that grows linearly in t"),
        (lr0 / (1 + k * (t + 1)), "the decay starts one step early: at t = 0 the rate is lr0"),
    ])


def cases_step_decay():
    return [_step_case(35, 0.1, 10, 0.5), _step_case(12, 1.0, 3, 0.1)]


def cases_inverse_time():
    return [_inv_case(30, 0.5, 0.1), _inv_case(10, 1.0, 1.0)]


# ----------------------------------------------------------------------------- exercise 2
def _cos_case(lr0, total, lr_min):
    n = total + 1
    ref = _reference_schedule_variants("cosine", n, lr=lr0, steps=total, lr_min=lr_min)
    t = _steps(n)
    return Case(args=(n, lr0, total, lr_min), expected=ref["right"], mistakes=[
        (ref["no_one_half"], "the curve goes below lr_min: a cosine runs from 1 to -1; "
                             "shift and scale it to run from 1 to 0"),
        (lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * t / total)),
         "the rate starts at twice lr0: 1 + cos runs from 2 to 0, so it needs halving"),
        (ref["quarter"], "only a quarter of a cosine: at t = total_steps the angle must be pi"),
        (lr_min + (lr0 - lr_min) * (1 - np.cos(np.pi * t / total)) / 2,
         "the rate rises from lr_min to lr0: annealing starts at lr0 and falls (1 - cos is the "
         "mirror image)"),
        (lr_min + (lr0 - lr_min) * (1 + np.cos(t / total)) / 2,
         "the angle runs from 0 to 1 radian only: at t = total_steps it must be pi"),
        (lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * (t // total))) / 2,
         "integer division in the angle: t / total_steps must be a fraction between 0 and 1"),
        (lr_min + (lr0 - lr_min) * (1 + np.sin(np.pi * t / total)) / 2,
         "a sine, not a cosine: the curve must start at its top (lr0) at t = 0"),
        (ref["min_not_subtracted"], "the rate starts above lr0: the cosine part spans "
                                    "lr0 - lr_min, not lr0"),
        (ref["no_min"], "lr_min is missing: the rate must end at lr_min"),
    ])


def cases_cosine():
    return [_cos_case(0.1, 20, 0.0), _cos_case(0.1, 20, 0.01), _cos_case(1.0, 7, 0.2)]


# ----------------------------------------------------------------------------- exercise 3
def _sgdr_variant(t, lr0, period, t_mult, kind):
    if kind == "late":                  # `>` where `>=` belongs
        p = period
        while t > p:
            t -= p
            p *= t_mult
    elif kind == "grow_first":          # the period grows before it is subtracted
        p = period
        while t >= p:
            p *= t_mult
            t -= p
    else:                               # "mod": the period length guessed from t // period
        p = period * t_mult ** (t // period)
        t = t % p
    return lr0 * (1 + math.cos(math.pi * t / p)) / 2


def _sgdr_case(n, lr0, period, t_mult):
    ref = _reference_schedule_variants("sgdr", n, lr=lr0, period=period, t_mult=t_mult)

    def variant(kind):
        return np.array([_sgdr_variant(t, lr0, period, t_mult, kind) for t in range(n)])

    return Case(args=(n, lr0, period, t_mult), expected=ref["right"], mistakes=[
        (ref["no_restart"], "no restart: after one period the rate climbs back up along the "
                            "cosine instead of jumping back to lr0"),
        (ref["no_mult"], "t_mult is ignored: every period has the same length"),
        (ref["late"], "the restart comes one step late: at step `period` the rate must already "
                      "be lr0 again"),
        (variant("late"), "the restart comes one step late (> where >= belongs): at step "
                          "`period` the rate must already be lr0 again, not 0"),
        (variant("grow_first"), "the period grew before the finished one was subtracted: "
                                "subtract the current period's length, then make the next one "
                                "t_mult times longer"),
        (variant("mod"), "the current period's length cannot be found from t // period when "
                         "periods grow: walk through the periods one by one, subtracting each "
                         "length"),
    ])


def cases_sgdr():
    return [_sgdr_case(25, 0.1, 5, 1), _sgdr_case(40, 0.1, 4, 2), _sgdr_case(30, 1.0, 10, 1)]


# ----------------------------------------------------------------------------- exercise 4
def _tri_case(n, lo, hi, size):
    ref = _reference_schedule_variants("triangular", n, base_lr=lo, max_lr=hi, step_size=size)
    t = _steps(n)
    pos = t % (2 * size)
    frac = np.where(pos <= size, pos / size, 2 - pos / size)
    frac_int = np.where(pos <= size, pos // size, 2 - pos // size)
    no_repeat = np.where(t <= size, t / size, np.maximum(0.0, 2 - t / size))
    return Case(args=(n, lo, hi, size), expected=ref["right"], mistakes=[
        (ref["half_period"], "the cycle is too short: step_size steps up AND step_size steps "
                             "down, a full cycle is 2 * step_size"),
        (lo + (hi - lo) * (t % size) / size,
         "the rate only rises and then jumps back (a saw-tooth of period step_size): it must "
         "rise for step_size steps and fall for step_size more"),
        (lo + (hi - lo) * pos / (2 * size),
         "the rate only rises over the whole cycle and then jumps back: it must peak at "
         "t = step_size and come back down"),
        (ref["starts_high"], "the cycle starts at max_lr: it must start at base_lr and rise"),
        (ref["no_base"], "base_lr is missing: the triangle runs from base_lr to max_lr"),
        (hi * frac, "the triangle starts at 0: it must run from base_lr to max_lr"),
        (ref["peak_too_high"], "the peak is base_lr + max_lr: the triangle's height is "
                               "max_lr - base_lr, so that it peaks at max_lr"),
        (lo + (hi - lo) * frac_int, "integer division (//) made the position within the cycle "
                                    "jump: use / so that the rate changes a little every step"),
        (lo + (hi - lo) * no_repeat, "the triangle does not repeat: take t modulo the cycle "
                                     "length 2 * step_size first"),
    ])


def cases_triangular():
    return [_tri_case(21, 0.01, 0.1, 5), _tri_case(50, 0.001, 0.006, 8)]
