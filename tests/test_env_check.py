"""helpers.env_check: the package table, the verdict line and the data-cache summary."""

import importlib
from pathlib import Path

import pytest

from helpers.config import REPO_ROOT
from helpers.data import REGISTRY
from helpers.env_check import (
    BROKEN,
    DIFFERENT,
    MISSING,
    OK,
    check_environment,
    format_report,
    parse_requirements,
)

PINS = ["numpy==2.4.6", "tqdm==4.70.1"]


def fake_versions(versions):
    def version_of(name):
        if name not in versions:
            raise importlib.metadata.PackageNotFoundError(name)
        return versions[name]
    return version_of


def importer(missing=(), broken=()):
    def import_module(name):
        if name in missing:
            raise ModuleNotFoundError(f"No module named {name!r}")
        if name in broken:
            raise RuntimeError(f"{name} is half installed")
        return importlib.import_module(name)
    return import_module


def test_parse_requirements_skips_comments_options_and_reads_pins():
    text = "# a comment\n\n--extra-index-url https://x\ntorch==2.13.0  # cpu\nPillow[extra]==10.1\n"
    assert parse_requirements(text) == {"torch": "2.13.0", "Pillow": "10.1"}
    with pytest.raises(ValueError, match="name==version"):
        parse_requirements(["numpy>=2"])


def test_repo_requirements_are_all_checked_and_ok_here(tmp_path):
    report = check_environment(cache=tmp_path, verbose=False)
    pins = parse_requirements(Path(REPO_ROOT / "requirements.txt"))
    assert [r.package for r in report.rows][:len(pins)] == list(pins)
    for name in ("numpy", "matplotlib", "torch", "ipywidgets", "pooch", "tqdm", "jupyterlab"):
        assert report.row(name).status == OK, report.row(name)
    assert report.row("helpers.checks").status == OK
    assert report.ok and report.usable
    assert report.advice.startswith("ALL GOOD")


def test_local_version_label_matches_pin():
    report = check_environment(["numpy==2.4.6"], version_of=fake_versions({"numpy": "2.4.6+cpu"}),
                               helper_modules=(), verbose=False)
    assert report.row("numpy").status == OK


def test_missing_package_is_reported_with_what_to_do(capsys, tmp_path):
    report = check_environment(PINS, import_module=importer(missing={"tqdm"}),
                               version_of=fake_versions({"numpy": "2.4.6"}),
                               helper_modules=(), cache=tmp_path)
    row = report.row("tqdm")
    assert row.status == MISSING and row.installed is None and "No module" in row.note
    assert report.row("numpy").status == OK
    assert not report.ok and not report.usable
    assert "pip install -r" in report.advice and "tqdm" in report.advice
    out = capsys.readouterr().out
    last = out.strip().splitlines()[-1]
    assert last.startswith("NOT READY") and "restart the kernel" in last
    assert "MISSING" in out


def test_different_version_is_usable_but_not_ok():
    report = check_environment(PINS, version_of=fake_versions({"numpy": "1.26.4", "tqdm": "4.70.1"}),
                               helper_modules=(), verbose=False)
    row = report.row("numpy")
    assert (row.status, row.required, row.installed) == (DIFFERENT, "2.4.6", "1.26.4")
    assert report.usable and not report.ok
    assert report.advice.startswith("USABLE") and "numpy" in report.advice


def test_broken_package_and_broken_helper_module():
    report = check_environment(["numpy==2.4.6"], import_module=importer(broken={"numpy"}),
                               version_of=fake_versions({"numpy": "2.4.6"}),
                               helper_modules=("helpers.checks", "helpers.no_such_module"),
                               verbose=False)
    assert report.row("numpy").status == BROKEN
    assert "half installed" in report.row("numpy").note
    assert report.row("helpers.checks").status == OK
    assert report.row("helpers.no_such_module").status == BROKEN
    assert report.advice.startswith("NOT READY") and "numpy" in report.advice


def test_only_a_broken_helper_says_how_to_open_the_course():
    report = check_environment(["numpy==2.4.6"], version_of=fake_versions({"numpy": "2.4.6"}),
                               helper_modules=("helpers.no_such_module",), verbose=False)
    assert report.advice.startswith("NOT READY") and "make lab" in report.advice


def test_data_cache_present_and_wrong_size(tmp_path):
    name, entry = "mnist/t10k-labels-idx1-ubyte.gz", REGISTRY["mnist/t10k-labels-idx1-ubyte.gz"]
    (tmp_path / "mnist").mkdir()
    (tmp_path / name).write_bytes(b"\0" * entry.size)  # right size: counted as present
    (tmp_path / "mnist/train-labels-idx1-ubyte.gz").write_bytes(b"truncated")
    report = check_environment(["numpy==2.4.6"], helper_modules=(), cache=tmp_path,
                               verbose=False)
    by_name = {f.name: f for f in report.data_files}
    assert set(by_name) == set(REGISTRY)
    assert by_name[name].present and by_name[name].size_ok
    assert by_name["mnist/train-labels-idx1-ubyte.gz"].present
    assert not by_name["mnist/train-labels-idx1-ubyte.gz"].size_ok
    assert not by_name["mnist/t10k-images-idx3-ubyte.gz"].present
    text = format_report(report)
    assert "mnist/           1/4 files present" in text
    assert "wrong size" in text and "train-labels-idx1-ubyte.gz" in text
    assert "verified" not in text.replace("verifies", "")  # only existence was checked


def test_torch_devices_reported():
    report = check_environment(["numpy==2.4.6"], helper_modules=(), verbose=False)
    d = report.torch_devices
    assert d["device"] in {"cuda", "mps", "cpu"} and d["threads"] >= 1
    assert "-> the course will use device" in format_report(report)


def test_torch_missing_does_not_crash():
    report = check_environment(["torch==2.13.0"], import_module=importer(missing={"torch"}),
                               helper_modules=(), verbose=False)
    assert report.row("torch").status == MISSING
    assert "error" in report.torch_devices
    assert "PyTorch: not available" in format_report(report)


def test_a_helpers_copy_without_requirements_txt_reports_instead_of_raising(tmp_path, monkeypatch):
    from helpers import env_check

    monkeypatch.setattr(env_check, "REPO_ROOT", tmp_path)
    report = env_check.check_environment(cache=tmp_path, verbose=False)
    assert "requirements.txt was not found" in report.advice
    assert all(r.required in (None, "", "-") for r in report.rows)
