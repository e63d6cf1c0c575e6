"""The student bundle's precomputed test values (tools/grading/replay.py), without a release:
rewriting a module into stubs, encoding cases (predicates folded to values), matching
arguments. The whole mechanism on the real notebooks is tested by test_nbgrader_hostile's
bundle tests and ``make check-bundle``."""

import pickle
import textwrap

import numpy as np
import pytest

from helpers.checks import Case, check_function
from tools.grading import replay

MODULE = textwrap.dedent('''\
    """Cases."""

    import numpy as np


    def _right(x):
        return 2 * x + 1


    def _used_by_kept(x):
        return x


    def cases_double():
        x = np.arange(3.0)
        return [Case(args=(x,), expected=_right(x))]


    def curve(fn, n):
        return [_used_by_kept(fn(i)) for i in range(n)]
    ''')


def test_rewrite_module_stubs_and_prunes():
    out = replay.rewrite_module(MODULE, {"cases_double"}, set(), exported=set())
    assert 'cases_double = _replay_stub(__name__, "cases_double")' in out
    assert "def _right" not in out and "2 * x + 1" not in out  # only the stub used it
    assert "def curve" in out and "def _used_by_kept" in out  # code that stays, and its helper
    assert out.count("from helpers._replay import stub") == 1
    compile(out, "<rewritten>", "exec")


def test_rewrite_module_keeps_what_others_import():
    out = replay.rewrite_module(MODULE, {"cases_double"}, set(), exported={"_right"})
    assert "def _right" in out


def _encode_decode(value):
    rt = replay._runtime()
    enc = replay.Encoder({"tests.test_nbgrader_replay": set()})(value)
    return rt.decode(pickle.loads(pickle.dumps(enc))), pickle.dumps(enc)


def _case():
    x = np.array([1.0, -2.0, 3.0])
    gamma, beta = 1.5, 0.25
    return Case(args=(x,), expected=gamma * (x - x.mean()) / x.std() + beta, label="bn",
                mistakes=[(lambda got: np.allclose(got, gamma * (x - x.mean()) + beta),
                           "forgot to divide by the std"),
                          (x - x.mean(), "gamma and beta left out")])


def test_a_case_round_trips_with_its_predicate_folded_to_a_value():
    case = _case()
    dec, raw = _encode_decode([case])
    (got,) = dec
    assert got.label == "bn" and np.allclose(got.expected, case.expected)
    assert np.allclose(got.mistakes[1][0], case.mistakes[1][0])
    pred = got.mistakes[0][0]
    wrong = 1.5 * (case.args[0] - case.args[0].mean()) + 0.25
    assert pred(wrong) and not pred(case.expected)
    assert b"gamma *" not in raw and b"x.mean()" not in raw  # the formula is not shipped
    assert replay._predicates_differ([case], dec) is None


def test_check_function_says_the_same_with_decoded_cases():
    def wrong(x):
        return 1.5 * (x - x.mean()) + 0.25

    messages = []
    for cases in ([_case()], _encode_decode([_case()])[0]):
        with pytest.raises(AssertionError) as err:
            check_function(wrong, cases)
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "forgot to divide by the std" in messages[0]


def test_arguments_match_up_to_another_machines_last_bits():
    rt = replay._runtime()
    a = rt.plain_args(((np.array([1.0, 2.0]), {"k": 3}), {}))
    assert rt.same(a, rt.plain_args(((np.array([1.0, 2.0 + 1e-13]), {"k": 3}), {})))
    assert not rt.same(a, rt.plain_args(((np.array([1.0, 2.1]), {"k": 3}), {})))
    assert not rt.same(a, rt.plain_args(((np.array([1.0, 2.0]), {"k": 4}), {})))
    f32 = np.array([0.1, 0.2], dtype=np.float32)
    assert rt.same(rt.plain_args(f32), rt.plain_args(f32 * np.float32(1 + 2e-7)))
    assert rt.same(rt.plain_args(np.sin), rt.plain_args(np.sin))
    assert not rt.same(rt.plain_args(np.sin), rt.plain_args(np.cos))


def test_a_stub_without_a_recording_raises():
    rt = replay._runtime()
    stub = rt.stub("helpers._no_such_module", "cases_x")
    with pytest.raises(rt.NotPrecomputed, match="only for the course's own test cases"):
        stub()
