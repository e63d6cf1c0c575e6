"""Public cases and named mistakes for notebook 07's exercises (kept out of the test cells).

Each ``cases_*`` returns a list of ``helpers.checks.Case`` for ``check_function``: expected
values from the private references in ``helpers.numpy_nn.optim``, and the natural wrong
answers a student makes, each with a message naming the mistake. Keeping the wrong versions
here means no visible test cell spells out a formula of the answer.
"""

from __future__ import annotations

import numpy as np

from helpers.checks import Case
from helpers.numpy_nn.optim import (
    _reference_adam_variants,
    _reference_ewa_variants,
    _reference_gd_lr_limits,
    _reference_momentum_variants,
)


# ----------------------------------------------------------------------------- exercise 1
def _ewa_extra(values, beta):
    """Wrong versions not in the library's reference: beta swapped in the recursion only,
    and the recursion started at the first value instead of 0."""
    values = np.asarray(values, dtype=float)
    swap, first = np.empty_like(values), np.empty_like(values)
    V_swap, V_first = 0.0, values[0]
    for i, a in enumerate(values):
        t = i + 1
        V_swap = (1 - beta) * V_swap + beta * a
        swap[i] = V_swap / (1 - beta**t)
        V_first = beta * V_first + (1 - beta) * a
        first[i] = V_first / (1 - beta**t)
    return {"swapped_recursion": swap, "started_at_first": first}


def _ewa_case(values, beta, label):
    ref = _reference_ewa_variants(values, beta)
    extra = _ewa_extra(values, beta)
    return Case(args=(values, beta), expected=ref["right"], label=label, mistakes=[
        (lambda got: not np.all(np.isfinite(got)),
         "the first value is not finite (or a ZeroDivisionError): the bias correction divided "
         "by 1 - beta^0 = 0 "
         "(t counts steps from 1, not 0)"),
        (ref["no_correction"], "no bias correction: the early averages are too small "
                               "(the average starts at 0; section 3 shows how to undo that)"),
        (ref["t_from_0_shifted"], "bias correction with the wrong t: 1 - beta^(t+1) instead of "
                                  "1 - beta^t (t = 1 at the first value)"),
        (ref["corrected_state"], "the corrected value was fed back into the recursion: keep "
                                 "running V_t uncorrected and correct only the output"),
        (ref["swapped_beta"], "beta and 1 - beta are swapped: beta weighs the old average"),
        (extra["swapped_recursion"], "beta and 1 - beta are swapped in the recursion: beta "
                                     "weighs the old average V_(t-1), 1 - beta the new value"),
        (extra["started_at_first"], "the recursion started at the first value: it starts at "
                                    "V_0 = 0 (that is what the bias correction corrects)"),
    ])


def cases_ewa():
    return [
        _ewa_case(np.full(4, 20.0), 0.9, "a constant series: the corrected average is the constant"),
        _ewa_case(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 0.5, "a ramp"),
        _ewa_case(np.array([3.0, -1.0, 2.0, 0.5, 4.0, -2.0]), 0.9, "a noisy series, beta 0.9"),
    ]


# ----------------------------------------------------------------------------- exercise 2
def _momentum_case(w, dw, v, lr, mu, label):
    ref = _reference_momentum_variants(w, dw, v, lr, mu)
    right_w, right_v = ref["right"]
    cs231n_v = mu * v - lr * dw
    nesterov_w = w - lr * (dw + mu * right_v)
    return Case(args=(w, dw, v, lr, mu), expected=ref["right"], label=label, mistakes=[
        (ref["ascent"], "the step goes up the gradient: the velocity sign is flipped "
                        "(the weights must move against the velocity)"),
        (ref["old_velocity"], "the step used the old velocity: update v first, then step with it"),
        (ref["ewa_form"], "this is the EWA form (1 - mu) * dw; torch.optim's velocity adds the "
                          "full gradient"),
        (ref["no_momentum"], "the velocity is not used: this is plain gradient descent"),
        (ref["negated_velocity"], "the returned velocity has the opposite sign: keep torch.optim's "
                                  "convention (v accumulates +dw, and the step subtracts lr * v)"),
        ((w + cs231n_v, cs231n_v),
         "this is the other common form, where the velocity already holds -lr * dw and the step "
         "adds it; torch.optim's velocity accumulates the gradient itself and lr multiplies it "
         "only in the step"),
        ((nesterov_w, right_v), "this is Nesterov's look-ahead step: plain momentum steps along "
                                "the new velocity alone"),
        ((right_v, right_w), "the two results are swapped: return (next_w, next_v)"),
    ])


def cases_momentum():
    w = np.array([1.0, -2.0, 0.5])
    dw = np.array([0.5, 1.0, -4.0])
    return [
        _momentum_case(w, dw, np.zeros(3), 0.1, 0.9, "first step, v = 0"),
        _momentum_case(w, dw, np.array([1.0, -1.0, 2.0]), 0.1, 0.9, "a later step, v != 0"),
        _momentum_case(w.reshape(3, 1), dw.reshape(3, 1), np.ones((3, 1)), 0.05, 0.5,
                       "a column of weights"),
    ]


# ----------------------------------------------------------------------------- exercise 3
def _adam_case(w, dw, m, s, t, label, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    ref = _reference_adam_variants(w, dw, m, s, t, lr, beta1, beta2, eps)
    right_w, m1, s1 = ref["right"]
    m_hat, s_hat = m1 / (1 - beta1**t), s1 / (1 - beta2**t)
    precedence_w = w - lr * m_hat / np.sqrt(s_hat) + eps
    m_swapped = beta2 * m + (1 - beta2) * dw
    s_unsquared = beta2 * s + (1 - beta2) * dw
    s_abs = beta2 * s + (1 - beta2) * np.abs(dw)
    return Case(args=(w, dw, m, s, t), kwargs={"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps},
                expected=ref["right"], label=label, mistakes=[
        (ref["no_correction"], "no bias correction: both moments start at 0 and are too small "
                               "early on; correct each with its own beta, as for the EWA"),
        (ref["t_plus_1"], "bias correction with the wrong t: this step's number is t (1 at the "
                          "first step), not t + 1"),
        (ref["eps_inside"], "eps is inside the square root: torch.optim.Adam adds it to "
                            "sqrt(s_hat)"),
        (lambda got: np.allclose(got[1], m_swapped),
         "m was averaged with beta2: the first moment uses beta1, the second beta2"),
        (lambda got: np.allclose(got[2], s_unsquared) or np.allclose(got[2], s_abs),
         "s must average the SQUARED gradient (element-wise dw * dw), not dw or |dw|"),
        (lambda got: not np.allclose(got[0], right_w) and np.allclose(got[0], precedence_w),
         "eps was added to the weights, not to the denominator: put brackets around "
         "sqrt(s_hat) + eps"),
        (lambda got: np.allclose(got[0], 2 * w - right_w),
         "the step goes up the gradient: Adam subtracts lr * m_hat / (...) from w"),
        (lambda got: not np.all(np.isfinite(got[0])),
         "the new weights are not finite: at the first step (t = 1) the bias correction must "
         "divide by 1 - beta^1, not by 1 - beta^0 = 0"),
        (ref["corrected_state"], "the returned moments are bias-corrected: return m and s "
                                 "uncorrected (the correction is only for the step)"),
    ])


def cases_adam():
    w = np.array([0.5, -1.0, 2.0])
    dw = np.array([0.1, -3.0, 1e-4])
    m = np.array([0.05, -0.2, 0.0])
    s = np.array([1e-3, 0.5, 1e-6])
    return [
        _adam_case(w, dw, np.zeros(3), np.zeros(3), 1, "the first step (about lr x sign(dw))",
                   lr=0.1),
        _adam_case(w, dw, m, s, 3, "step 3, large eps", lr=0.01, eps=1e-3),
        _adam_case(w, dw, m, s, 2, "step 2, beta1 0.5, beta2 0.9", lr=0.01, beta1=0.5, beta2=0.9),
    ]


# ----------------------------------------------------------------------------- exercise 4
def _limits_case(H, label):
    lam = np.linalg.eigvalsh(H)
    lo, hi = lam[0], lam[-1]
    right = _reference_gd_lr_limits(H)
    d = np.diag(H)
    kappa = hi / lo
    return Case(args=(H,), expected=right, label=label, mistakes=[
        (lambda got: np.isclose(got[0], right[1]) and np.isclose(got[1], right[0]),
         "the two values are swapped: return (lr_max, lr_best); the best lr is the smaller one"),
        (lambda got: np.isclose(got[0], 2 / lo),
         "lr_max used the smallest eigenvalue: the steepest direction (largest curvature) "
         "limits the step (np.linalg.eigvals does not sort; eigvalsh sorts increasingly)"),
        (lambda got: np.isclose(got[0], right[0] / 2),
         "lr_max is off by a factor 2: |1 - lr * lambda| < 1 allows a larger step than "
         "1 / lambda_max"),
        (lambda got: np.isclose(got[0], 2 / d.max()) and not np.isclose(d.max(), hi),
         "the diagonal of H is not its eigenvalues when H is not diagonal"),
        (lambda got: np.isclose(got[1], right[1] / 2),
         "lr_best is off by a factor 2"),
        (lambda got: np.isclose(got[1], (kappa - 1) / (kappa + 1)),
         "that is the factor by which the error shrinks per step at the best lr, not the best "
         "lr itself"),
        (lambda got: got[1] >= got[0],
         "lr_best is not below lr_max: at lr_max gradient descent already diverges, so the "
         "best constant lr must be smaller"),
        (lambda got: np.isclose(got[1], 1 / hi) or np.isclose(got[1], 1 / lo),
         "lr_best uses only one eigenvalue: the best constant lr balances the flattest and the "
         "steepest directions, so both enter"),
    ])


def cases_lr_limits():
    return [
        _limits_case(np.diag([0.04, 2.0]), "the elongated quadratic of section 2"),
        _limits_case(np.array([[3.0, 1.0], [1.0, 3.0]]), "a non-diagonal Hessian"),
        _limits_case(np.diag([1.0, 4.0, 9.0]), "three dimensions"),
    ]
