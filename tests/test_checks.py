"""The exercise-check API: what a student sees for each kind of mistake."""

import numpy as np
import pytest

from helpers.checks import Case, CheckFailed, check_function, check_true, check_value


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


CASES = [Case(args=(np.array([0.0, 2.0]),), expected=np.array([0.5, 0.8807970779778823])),
         Case(args=(np.zeros((2, 3)),), expected=np.full((2, 3), 0.5))]


def test_success_prints_one_line(capsys):
    assert check_function(sigmoid, CASES) is None
    assert capsys.readouterr().out == "✓ sigmoid: 2/2 cases passed\n"


def test_wrong_value_names_case_inputs_expected_got_and_hint():
    def wrong(z):
        return 1.0 / (1.0 + np.exp(z))

    cases = [Case(args=(np.array([0.0, 2.0]),), expected=np.array([0.5, 0.8807970779778823]),
                  hint="check the sign of the exponent")]
    with pytest.raises(CheckFailed) as err:
        check_function(wrong, cases)
    msg = str(err.value)
    assert "✗ wrong: case 1 of 1 failed" in msg
    assert "inputs:   z=array shape (2,) dtype float64" in msg
    assert "values differ at index (1,): expected 0.8807970779778823, got 0.11920292202211755" in msg
    assert "1 of 2 entries wrong" in msg
    assert "hint:     check the sign of the exponent" in msg


def test_first_failing_case_is_reported():
    def ok_then_bad(z):
        return sigmoid(z) if z.ndim == 1 else z

    with pytest.raises(CheckFailed) as err:
        check_function(ok_then_bad, CASES)
    assert "case 2 of 2 failed" in str(err.value)


def test_wrong_shape_and_transpose_hint():
    with pytest.raises(CheckFailed) as err:
        check_function(lambda z: sigmoid(z).T, [CASES[1]], name="sig")
    msg = str(err.value)
    assert "shape differs: expected (2, 3), got (3, 2) (looks transposed)" in msg
    assert "got:      array shape (3, 2) dtype float64" in msg


def test_same_size_other_shape_suggests_reshape_or_keepdims():
    with pytest.raises(CheckFailed) as err:
        check_value(np.ones(3), np.ones((3, 1)), name="column")
    assert "shape differs: expected (3, 1), got (3,)" in str(err.value)
    assert "keepdims" in str(err.value)


def test_wrong_dtype_kind():
    with pytest.raises(CheckFailed, match=r"expected integers \(dtype int64\), got floats"):
        check_value(np.array([1.0, 2.0]), np.array([1, 2]), name="labels")


def test_missing_return_is_named():
    with pytest.raises(CheckFailed, match="did you forget to `return`"):
        check_function(lambda z: None, [CASES[0]], name="f")


def test_non_finite_output_is_explained():
    with pytest.raises(CheckFailed, match="not finite"):
        check_value(np.array([np.nan]), np.array([1.0]), name="loss")


def test_exception_keeps_its_real_traceback_with_a_note():
    def broken(z):
        return z @ np.ones((5, 5))  # shape error inside the student's code

    case = Case(args=(np.zeros(2),), expected=np.zeros(5), hint="z @ W needs W of shape (D, M)")
    with pytest.raises(ValueError) as err:
        check_function(broken, [case])
    assert err.traceback[-1].name == "broken"  # the student's own frame is on top
    assert err.value.__notes__ == ["(raised by broken while checking case 1 of 1 with "
                                   "z=array shape (2,) dtype float64: [0., 0.])",
                                   "hint: z @ W needs W of shape (D, M)"]


def test_values_and_numpy_scalars_are_described_plainly():
    with pytest.raises(CheckFailed) as err:
        check_value(np.float64(0.25), np.float64(0.5), name="loss")
    assert "expected: float64 0.5" in str(err.value) and "np.float64" not in str(err.value)
    with pytest.raises(CheckFailed, match="got None: did you assign most_influential?"):
        check_value(None, 3, name="most_influential")


def test_hidden_cases_hide_inputs_and_expected_values():
    secret = Case(args=(np.array([123.456]),), expected=np.array([0.25]))
    with pytest.raises(CheckFailed) as err:
        check_function(sigmoid, [secret], hidden=True)
    msg = str(err.value)
    assert "hidden case 1 of 1 failed" in msg
    assert "123.456" not in msg and "0.25" not in msg and "expected" not in msg.split("problem")[0]


def test_input_mutation_is_reported():
    def in_place(z):
        z *= 0
        return z

    with pytest.raises(CheckFailed, match="changed its input `z` in place"):
        check_function(in_place, [Case(args=(np.ones(2),), expected=np.zeros(2))])


def test_tuples_dicts_and_custom_checks():
    check_value((np.ones(2), 3.0), (np.ones(2), 3.0), name="pair")
    with pytest.raises(CheckFailed, match="item 1: values differ"):
        check_value((np.ones(2), 3.5), (np.ones(2), 3.0), name="pair")
    with pytest.raises(CheckFailed, match=r"\['dW'\]: shape differs"):
        check_value({"dW": np.ones((2, 2)), "db": 0.0}, {"dW": np.ones((2, 3)), "db": 0.0})
    unit = Case(args=(np.array([3.0, 4.0]),),
                check=lambda got: None if np.isclose(np.linalg.norm(got), 1) else "not a unit vector")
    check_function(lambda v: v / np.linalg.norm(v), [unit], name="normalise")
    with pytest.raises(CheckFailed, match="problem:  not a unit vector"):
        check_function(lambda v: v, [unit], name="normalise")


def test_torch_tensors_are_compared_with_torch_expectations():
    torch = pytest.importorskip("torch")
    check_value(torch.tensor([1.0, 2.0], dtype=torch.float64),
                torch.tensor([1.0, 2.0], dtype=torch.float64))
    with pytest.raises(CheckFailed, match="shape differs"):
        check_value(torch.ones(2, 1), torch.ones(2))


def test_tensor_where_a_numpy_array_is_asked_fails_clearly():
    torch = pytest.importorskip("torch")
    with pytest.raises(CheckFailed, match="expected a NumPy array, got a torch tensor"):
        check_value(torch.tensor([1.0, 2.0], dtype=torch.float64), np.array([1.0, 2.0]))
    with pytest.raises(CheckFailed, match="expected a torch tensor, got ndarray"):
        check_value(np.array([1.0, 2.0]), torch.tensor([1.0, 2.0]))


def test_list_where_a_numpy_array_is_asked_fails_clearly():
    with pytest.raises(CheckFailed, match=r"expected a NumPy array, got a list.*np\.array"):
        check_function(lambda z: [0.5, 0.5], [CASES[0]], name="sig")
    with pytest.raises(CheckFailed, match="expected a NumPy array, got a tuple"):
        check_value((1.0, 2.0), np.array([1.0, 2.0]), name="v")


def test_list_where_a_tuple_is_asked_fails_clearly():
    with pytest.raises(CheckFailed, match="expected a tuple of 2 values, got a list"):
        check_value([np.ones(2), 3.0], (np.ones(2), 3.0), name="pair")
    check_value((np.ones(2), 3.0), (np.ones(2), 3.0), name="pair")


def test_check_true_with_an_array_condition_says_how_many_entries_fail(capsys):
    check_true(np.array([1.0, 2.0]) > 0, "must be positive", name="pos")
    assert "✓ pos" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=r"must be positive \(1 of 3 entries of the condition "
                       r"are false\)"):
        check_true(np.array([1.0, -2.0, 3.0]) > 0, "must be positive", name="pos")
    with pytest.raises(CheckFailed, match="empty array"):
        check_true(np.array([]) > 0, "must be positive", name="pos")
    check_true(np.array([True]), "one entry is fine", name="one")


def test_check_value_array_where_a_bool_is_asked_is_a_message_not_numpy_ambiguity():
    with pytest.raises(CheckFailed, match=r"expected True, got an array of shape \(2,\)"):
        check_value(np.array([True, False]), True, name="flag")


def test_check_true(capsys):
    check_true(True, "never shown", name="positive")
    assert "✓ positive" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="✗ positive: loss must be > 0"):
        check_true(False, "loss must be > 0", name="positive")


def test_array_where_a_number_is_expected():
    with pytest.raises(CheckFailed, match=r"expected a single number, got an array of shape \(4,\)"):
        check_value(np.ones(4), 1.0, name="loss")


def test_tiny_values_are_not_printed_as_zero():
    with pytest.raises(CheckFailed) as err:
        check_value(np.array([9.36e-14]), np.array([1.93e-22]), name="sigmoid(-50)", atol=0)
    assert "expected: array shape (1,) dtype float64: [1.93e-22]" in str(err.value)


def test_objects_without_value_equality_are_not_reported_as_mutated():
    def draw(rng, n):
        return rng.standard_normal(n).shape

    check_function(draw, [Case(args=(np.random.default_rng(0), 3), expected=(3,))])


def test_changing_a_dict_of_arrays_in_place_is_reported():
    import numpy as np
    import pytest

    from helpers.checks import Case, CheckFailed, check_function

    def step(params):
        params["w"] += 1.0  # changes the caller's array
        return {"w": params["w"]}

    with pytest.raises(CheckFailed, match="changed its input `params` in place"):
        check_function(step, [Case(args=({"w": np.zeros(3)},), expected={"w": np.ones(3)})])


# --------------------------------------------------------------- the library is not an answer
def _student(source, name):
    """A function compiled as a notebook cell would be (its own file name), not in this file."""
    namespace = {}
    exec(compile(source, "<student cell>", "exec"), namespace)
    return namespace[name]


ADAM_CASES = [Case(args=(np.ones(3), np.full(3, 0.5)), expected=np.full(3, 0.999))]


def test_calling_the_library_version_fails_naming_it():
    cheat = _student("from helpers.numpy_nn.optim import adam\n"
                     "def adam_update(w, dw):\n    return adam(w, dw, {'lr': 1e-3})[0]\n",
                     "adam_update")
    with pytest.raises(CheckFailed, match=r"calls `helpers\.numpy_nn\.optim\.adam` from the course"):
        check_function(cheat, ADAM_CASES, no_helpers=True)


def test_the_library_function_itself_or_wrapped_fails():
    import functools

    from helpers.numpy_nn.optim import adam

    for fn in (adam, functools.partial(adam, config={"lr": 1e-3})):
        with pytest.raises(CheckFailed, match=r"helpers\.numpy_nn\.optim\.adam"):
            check_function(fn, [Case(args=(np.ones(3), np.full(3, 0.5)), check=lambda got: None)],
                           name="adam_update")  # whatever no_helpers says


def test_a_call_through_the_students_own_helper_is_found():
    cheat = _student("from helpers.numpy_nn import sigmoid_forward\n"
                     "def mine(x):\n    return sigmoid_forward(x)[0]\n"
                     "def swish(x):\n    return x * mine(x)\n", "swish")
    with pytest.raises(CheckFailed, match="sigmoid_forward"):
        check_function(cheat, [Case(args=(np.zeros(2),), expected=np.zeros(2))], no_helpers=True)


def test_numpy_torch_and_a_helpers_module_called_by_torch_are_fine(capsys):
    import torch

    from helpers.torch_nn.architectures import LeNet5

    honest = _student("import numpy as np\ndef adam_update(w, dw):\n"
                      "    return w - 1e-3 * np.sign(dw)\n", "adam_update")
    check_function(honest, ADAM_CASES, no_helpers=True)
    forward = _student("import torch\ndef logits(model, x):\n"
                       "    with torch.no_grad():\n        return model(x).shape\n", "logits")
    check_function(forward, [Case(args=(LeNet5(), torch.zeros(2, 1, 28, 28)), expected=(2, 10))],
                   no_helpers=True)
    assert capsys.readouterr().out.count("✓") == 2


def test_a_wrapper_in_the_test_cell_may_build_with_helpers():
    from helpers.numpy_nn.optim import adam

    def wrapper(w):  # this file is the "test cell": its own calls into helpers are the test's
        return adam(w, np.full(3, 0.5), {"lr": 1e-3})[0]

    check_function(wrapper, [Case(args=(np.ones(3),), expected=np.full(3, 0.999))], no_helpers=True)


def test_without_the_flag_building_on_helpers_is_fine_and_tracing_cannot_be_switched_off():
    build_on = _student("from helpers.numpy_nn import sigmoid_forward\n"
                        "def swish(x):\n    return x * sigmoid_forward(x)[0]\n", "swish")
    check_function(build_on, [Case(args=(np.zeros(2),), expected=np.zeros(2))])
    sneaky = _student("import sys\nimport numpy as np\n"
                      "def swish(x):\n    sys.setprofile(None)\n    return x * 0.0\n", "swish")
    with pytest.raises(CheckFailed, match="switched off the call tracing"):
        check_function(sneaky, [Case(args=(np.zeros(2),), expected=np.zeros(2))], no_helpers=True)


def test_what_the_case_passes_in_and_what_allow_names_may_be_called():
    from helpers.numpy_nn.optim import adam

    apply = _student("def step(rule, w):\n    return rule(w, w * 0.5, {'lr': 1e-3})[0]\n", "step")
    check_function(apply, [Case(args=(adam, np.ones(3)), expected=np.full(3, 0.999))],
                   no_helpers=True)
    build_on = _student("from helpers.numpy_nn import sigmoid_forward\n"
                        "def swish(x):\n    return x * sigmoid_forward(x)[0]\n", "swish")
    allowed = "helpers.numpy_nn.activations.sigmoid_forward"
    check_function(build_on, [Case(args=(np.zeros(2),), expected=np.zeros(2))], no_helpers=True,
                   allow=(allowed,))


def test_a_wrapper_a_test_builds_in_helpers_is_not_the_library_answer():
    from helpers._answers_06 import seeded

    mine = _student("import numpy as np\ndef init_layer(n_in, n_out, method, rng):\n"
                    "    return rng.normal(0, 1, (n_in, n_out))\n", "init_layer")
    wrapped = seeded(mine)
    assert "<locals>" in wrapped.__qualname__
    got = wrapped(2, 3, "he", 0)
    check_function(wrapped, [Case(args=(2, 3, "he", 0), expected=got)], name="init_layer",
                   no_helpers=True)


def test_no_torch_finds_torch_called_from_the_students_code(capsys):
    import torch

    x = np.array([1.0, 2.0])
    want = np.exp(x - 2.0) / np.exp(x - 2.0).sum()
    for body in ("torch.softmax(torch.tensor(x), 0).numpy()",
                 "F.softmax(torch.from_numpy(x), dim=0).numpy()"):
        fn = _student(f"import torch\nimport torch.nn.functional as F\n"
                      f"def softmax(x):\n    return {body}\n", "softmax")
        with pytest.raises(CheckFailed, match=r"it calls PyTorch \(`torch\.\w+`\): this exercise is NumPy"):
            check_function(fn, [Case(args=(x,), expected=want)], no_torch=True)
    honest = _student("import numpy as np\ndef softmax(x):\n"
                      "    e = np.exp(x - x.max())\n    return e / e.sum()\n", "softmax")
    check_function(honest, [Case(args=(x,), expected=want)], no_torch=True)
    # a torch model the case passes in may still be run through torch (no_torch not set)
    check_function(lambda m: m(torch.zeros(1, 2)).shape[1], [Case(args=(torch.nn.Linear(2, 3),),
                                                                  expected=3)])
    assert capsys.readouterr().out.count("✓") == 2


def test_an_error_after_a_library_call_names_the_call():
    cheat = _student("from helpers.numpy_nn.optim import adam\n"
                     "def adam_update(w, dw):\n    return adam(w, dw, {'nope': 1})[0]\n",
                     "adam_update")
    with pytest.raises(ValueError) as info:
        check_function(cheat, ADAM_CASES, no_helpers=True)
    assert any("called `helpers.numpy_nn.optim.adam`" in n for n in info.value.__notes__)


def test_parts_name_the_items_of_a_tuple_answer():
    case = Case(args=(1.0,), expected=(np.zeros(2), np.ones(2)), parts=("dx", "dw"))
    with pytest.raises(CheckFailed, match=r"item 1 \(dw\): "):
        check_function(lambda x: (np.zeros(2), np.zeros(2)), [case], name="grads")


def test_a_library_closure_bound_to_the_exercise_name_fails():
    from helpers.numpy_nn import ACTIVATIONS

    swish, swish_grad = ACTIVATIONS["swish"]
    for fn in (swish, swish_grad):
        with pytest.raises(CheckFailed, match=r"from the course's helpers library, not a function"):
            check_function(fn, [Case(args=(np.zeros(2),), check=lambda got: None)], name="swish")


def test_silenced_overflow_is_found_by_name_not_by_text():
    from helpers.checks import reject_silenced_overflow

    def commented(z):
        # only exponentiate -|z|: no np.errstate needed
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))

    def silenced(z):
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-z))

    reject_silenced_overflow(commented)
    with pytest.raises(CheckFailed, match="silences NumPy's warnings"):
        reject_silenced_overflow(silenced)


def _rows_by_loop(A, B):  # a student's helper, next to the answer (same module)
    rows = []
    for a in A:
        rows.append(((a - B) ** 2).sum(axis=1))
    return np.array(rows)


def test_a_loop_moved_into_a_helper_is_still_a_loop_and_a_lambda_is_not():
    from helpers.checks import uses_python_loops

    def through_helper(A, B):
        return _rows_by_loop(A, B)

    def with_lambda(A, B):
        sq = lambda v: (v ** 2).sum(-1)  # noqa: E731
        return sq(A[:, None] - B[None])

    assert uses_python_loops(through_helper)
    assert not uses_python_loops(with_lambda)
