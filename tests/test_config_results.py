import json

import numpy as np

from helpers import budget, seed_everything
from helpers.results import machine_description, record


def test_budget_follows_the_switch(monkeypatch):
    monkeypatch.setenv("NN_COURSE_SMALL_BUDGET", "1")
    assert budget(full=100, small=3) == 3
    monkeypatch.setenv("NN_COURSE_SMALL_BUDGET", "0")
    assert budget(full=100, small=3) == 100
    monkeypatch.delenv("NN_COURSE_SMALL_BUDGET")
    assert budget(full=100, small=3) == 100


def test_seed_everything_is_reproducible():
    import torch

    a = seed_everything(5).normal(size=3), np.random.rand(), torch.rand(1).item()
    b = seed_everything(5).normal(size=3), np.random.rand(), torch.rand(1).item()
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1:] == b[1:]


def test_record_prints_and_appends_to_the_results_file(monkeypatch, tmp_path, capsys):
    out = tmp_path / "records.jsonl"
    monkeypatch.setenv("NN_COURSE_RESULTS", str(out))
    monkeypatch.delenv("NN_COURSE_SMALL_BUDGET", raising=False)
    record("01", "accuracy", 0.97531, unit="")
    record("01", "time", 1.5, unit="s")
    assert "[result] 01 accuracy = 0.9753" in capsys.readouterr().out
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["metric"], r["value"], r["small_budget"]) for r in rows] == [
        ("accuracy", 0.97531, False), ("time", 1.5, False)]


def test_record_marks_small_budget_numbers(monkeypatch, capsys):
    monkeypatch.delenv("NN_COURSE_RESULTS", raising=False)
    monkeypatch.setenv("NN_COURSE_SMALL_BUDGET", "1")
    record("02", "accuracy", 0.5)
    assert "small budget: not a headline number" in capsys.readouterr().out


def test_machine_description_names_cores_and_versions():
    text = machine_description()
    assert "cores" in text and "Python 3." in text and "NumPy" in text
