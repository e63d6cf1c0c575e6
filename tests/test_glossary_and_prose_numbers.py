"""The glossary is complete, and measured numbers in the prose agree with results/.

Both checks also run on small invented inputs to show that they fail when they should.
"""

import importlib.util
import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name):
    spec = importlib.util.spec_from_file_location(f"course_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


glossary = _tool("glossary")
prose = _tool("prose_numbers")


def test_every_introduced_term_is_in_the_glossary_and_every_entry_is_introduced():
    problems = glossary.problems()
    assert not problems, "\n".join(problems)


def test_every_prose_number_agrees_with_the_results_table():
    results = prose.load_results()
    problems = [p for m in prose.notebook_markers() if (p := prose.problem(m, results))]
    assert not problems, "\n".join(problems)


def _notebook(tmp_path, name, *markdown):
    path = tmp_path / name
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(t)
                                                   for t in markdown]), path)
    return path


def test_glossary_check_fails_on_a_missing_term_a_wrong_notebook_and_a_wrong_chinese(tmp_path):
    nb = _notebook(tmp_path, "03_x.ipynb", "The **chain rule** (链式法则) and **dropout** (随机失活).")
    found = glossary.terms([nb])
    table = {"chain rule": {"en": "chain rule", "zh": "链式法则", "nb": "01",
                            "link": "notebooks/03_x.ipynb", "definition": "d(f∘g) = ..."},
             "momentum": {"en": "momentum", "zh": "动量", "nb": "03",
                          "link": "notebooks/03_x.ipynb", "definition": "a running average"}}
    text = "\n".join(glossary.problems(found, table))
    assert "'dropout' (随机失活) is introduced in 03 but missing" in text
    assert "'chain rule' points at 01, but it is first introduced in 03" in text
    assert "'momentum' is introduced by no notebook" in text
    table["chain rule"].update(nb="03", zh="连锁法则")
    assert "introduces it as 链式法则" in "\n".join(glossary.problems(found, table))


def test_prose_number_check_reads_rounding_percentages_and_tolerances():
    results = {"01/acc": 0.96214, "00/speedup": 1824.8}
    ok = prose.markers_in("accuracy 96.2 %<!-- r:01/acc --> and ≈ 1800×<!-- r:00/speedup ~5% -->")
    assert [prose.problem(m, results) for m in ok] == [None, None]
    wrong = prose.markers_in("accuracy 96.3 %<!-- r:01/acc -->, **0.962**<!-- r:01/acc -->")
    assert "says 96.3 but 01/acc = 96.214" in prose.problem(wrong[0], results)
    assert prose.problem(wrong[1], results) is None
    missing = prose.markers_in("0.5<!-- r:01/nothing -->")
    assert "which results/results.json does not have" in prose.problem(missing[0], results)
    with pytest.raises(ValueError, match="no number right before the marker"):
        prose.markers_in("see the table<!-- r:01/acc -->")


def test_results_file_is_what_the_checks_read():
    rows = json.loads((ROOT / "results" / "results.json").read_text(encoding="utf-8"))
    assert set(prose.load_results()) == {f"{r['notebook']}/{r['metric']}" for r in rows}
