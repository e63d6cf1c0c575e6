"""Notebook 02's exercise cases: expected values agree with torch; the checks name mistakes."""

import numpy as np
import pytest

from helpers import _answers_02 as a
from helpers.checks import CheckFailed, check_function


def test_step_cases_match_torch_autograd():
    for case in a.step_cases() + [a.step_hidden_case()]:
        W_ref, b_ref = a.reference_step_by_autograd(*case.args)
        np.testing.assert_allclose(case.expected[0], W_ref, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(case.expected[1], b_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("builder", [a.softmax_cases, a.ce_cases, a.svm_cases, a.grad_cases,
                                     a.step_cases])
def test_no_mistake_predicate_accepts_the_expected_answer(builder):
    # (a listed wrong value may equal the answer on one case, e.g. "no penalty" when l2 = 0;
    # it is only consulted for answers that already failed)
    for case in builder():
        for wrong, message in case.mistakes:
            if callable(wrong):
                assert not wrong(case.expected), (case.label, message)


def test_reference_answers_pass_and_a_mistake_is_named():
    def stable_softmax(s):
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    check_function(stable_softmax, a.softmax_cases())

    def global_sum(s):
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum()

    with pytest.raises(CheckFailed, match="sum of the whole array"):
        check_function(global_sum, a.softmax_cases())


def test_source_scans_find_library_calls_and_loops():
    from helpers.numpy_nn import softmax

    def shortcut(s):
        return softmax(s)

    def looped(s, y, delta=1.0):
        return sum(float(v) for v in s[0])

    assert a.uses_library(shortcut, {"softmax", "torch"}) == ["softmax"]
    assert a.uses_python_loops(looped)
    assert not a.uses_python_loops(shortcut)
    assert a.grad_check_error(lambda s, y: a.softmax_cross_entropy(s, y)[1]) < 1e-7


def _log_softmax(s):  # a student's own helper, defined next to the answer (same module)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


log_softmax = _log_softmax


def test_library_scan_ignores_comments_local_names_and_own_functions():
    def with_local_name(s):
        softmax = np.exp(s - s.max(axis=1, keepdims=True))  # not scipy's softmax
        return softmax / softmax.sum(axis=1, keepdims=True)

    def with_own_function(s, y):
        return -log_softmax(s)[np.arange(len(y)), y].mean()

    def with_torch(s):
        import torch
        return torch.softmax(torch.as_tensor(s), dim=1).numpy()

    assert a.uses_library(with_local_name, {"softmax", "torch"}) == []
    assert a.uses_library(with_own_function, {"log_softmax", "softmax"}) == []
    assert a.uses_library(with_torch, {"softmax", "torch"}) == ["softmax", "torch"]
