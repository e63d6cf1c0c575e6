"""Check that this Python has everything the course needs, and say what to do if not.

    from helpers.env_check import check_environment
    env = check_environment()      # prints a report; env.ok is True when all is as pinned

The report has four parts:

1. every package pinned in ``requirements.txt`` (repository root): the required version,
   the installed version and a status, ``OK``, ``DIFFERENT`` (installed, other version),
   ``MISSING`` (cannot be imported) or ``BROKEN`` (installed, but importing it fails);
2. the course's own ``helpers`` modules, each imported (``OK`` or ``BROKEN``);
3. Python, and where PyTorch can compute (CUDA GPU, Apple MPS, CPU) with how many threads;
4. the data cache (``$NN_COURSE_DATA`` or ``data/``) and which registry files are in it.
   Files are only looked for ("present"), not hashed; ``helpers.data.fetch`` verifies the
   sha256 of a file when a notebook loads it.

It ends with one line: all good, or what to do. ``check_environment`` returns an
``EnvReport`` (rows, ok flag, advice) so tests and scripts can inspect the result.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from helpers.config import REPO_ROOT, data_dir

OK, DIFFERENT, MISSING, BROKEN = "OK", "DIFFERENT", "MISSING", "BROKEN"

# Distribution name (as pinned) -> module to import, where they differ.
IMPORT_NAMES = {"pyyaml": "yaml", "scikit-learn": "sklearn", "pillow": "PIL"}

HELPER_MODULES = ("helpers.config", "helpers.data", "helpers.synthetic", "helpers.checks",
                  "helpers.plotting", "helpers.results", "helpers.numpy_nn", "helpers.widgets")

_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")


@dataclass
class Row:
    """One line of the package table."""

    package: str
    required: str | None  # the pinned version, None for the helpers modules
    installed: str | None  # the installed version, None when it cannot be imported
    status: str  # OK, DIFFERENT, MISSING or BROKEN
    note: str = ""


@dataclass
class CachedFile:
    name: str  # path inside the cache, e.g. "mnist/t10k-images-idx3-ubyte.gz"
    present: bool
    size_ok: bool  # False when a file is there but its size differs from the registry


@dataclass
class EnvReport:
    rows: list[Row]
    python: str
    torch_devices: dict = field(default_factory=dict)
    data_dir: Path | None = None
    data_files: list[CachedFile] = field(default_factory=list)
    advice: str = ""

    @property
    def problems(self) -> list[Row]:
        return [r for r in self.rows if r.status != OK]

    @property
    def ok(self) -> bool:
        """True when every package is installed at its pinned version and helpers import."""
        return not self.problems

    @property
    def usable(self) -> bool:
        """True when everything imports (versions may differ from the pins)."""
        return not [r for r in self.rows if r.status in (MISSING, BROKEN)]

    def row(self, package: str) -> Row:
        for r in self.rows:
            if r.package.lower() == package.lower():
                return r
        raise KeyError(f"no row for {package!r}; rows: {[r.package for r in self.rows]}")


def parse_requirements(lines: Iterable[str] | str | Path) -> dict[str, str]:
    """``{package: version}`` for every ``name==version`` pin; comments and options skipped.

    ``lines`` is a path to a requirements file, its text, or an iterable of lines.
    """
    if isinstance(lines, Path):
        lines = lines.read_text(encoding="utf-8").splitlines()
    elif isinstance(lines, str):
        lines = lines.splitlines()
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        m = _PIN.match(line)
        if not m:
            raise ValueError(f"requirements line {line!r} is not of the form name==version")
        pins[m.group(1)] = m.group(2)
    return pins


def _public(version: str) -> str:
    """Drop a local label: ``2.13.0+cpu`` satisfies the pin ``2.13.0`` (PEP 440)."""
    return version.split("+", 1)[0]


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0][:120] if text else ''}"


def _check_package(name: str, required: str | None, import_module: Callable,
                   version_of: Callable) -> Row:
    module = IMPORT_NAMES.get(name.lower(), name.lower().replace("-", "_"))
    try:
        import_module(module)
    except ImportError as err:
        return Row(name, required, None, MISSING, _first_line(err))
    except Exception as err:  # noqa: BLE001 - any failure while importing is worth reporting
        return Row(name, required, _safe_version(name, version_of), BROKEN, _first_line(err))
    installed = _safe_version(name, version_of)
    if installed is None:
        return Row(name, required, None, DIFFERENT, "imports, but no version metadata found")
    if required is not None and _public(installed) != _public(required):
        return Row(name, required, installed, DIFFERENT)
    return Row(name, required, installed, OK)


def _safe_version(name: str, version_of: Callable) -> str | None:
    try:
        return version_of(name)
    except Exception:  # noqa: BLE001 - PackageNotFoundError or a broken metadata folder
        return None


def _check_helper(module: str, import_module: Callable) -> Row:
    try:
        import_module(module)
    except Exception as err:  # noqa: BLE001
        return Row(module, None, None, BROKEN, _first_line(err))
    return Row(module, None, "(repo)", OK)


def _torch_devices(import_module: Callable) -> dict:
    try:
        torch = import_module("torch")
        cuda = bool(torch.cuda.is_available())
        mps_backend = getattr(torch.backends, "mps", None)
        mps = bool(mps_backend is not None and mps_backend.is_available())
        info = {"cuda": cuda, "mps": mps, "threads": int(torch.get_num_threads()),
                "cuda_name": torch.cuda.get_device_name(0) if cuda else None,
                "device": "cuda" if cuda else "mps" if mps else "cpu"}
    except Exception as err:  # noqa: BLE001 - torch missing or broken: reported in the table
        info = {"error": _first_line(err)}
    info["cpu_count"] = os.cpu_count()
    return info


def _cached_files(root: Path, registry) -> list[CachedFile]:
    out = []
    for name, entry in registry.items():
        path = root / name
        present = path.is_file()
        size_ok = present and path.stat().st_size == entry.size
        out.append(CachedFile(name, present, size_ok))
    return out


def _advice(report: EnvReport, requirements: Path | None) -> str:
    pip = f"{sys.executable} -m pip install -r {requirements or 'requirements.txt'}"
    missing = [r.package for r in report.rows if r.status in (MISSING, BROKEN)
               and not r.package.startswith("helpers")]
    different = [r.package for r in report.rows if r.status == DIFFERENT]
    helpers_broken = [r.package for r in report.rows
                      if r.package.startswith("helpers") and r.status != OK]
    if missing:
        return (f"NOT READY: {', '.join(missing)} cannot be imported. In a terminal run "
                f"`{pip}` (or delete the folder `.venv` and run `make lab` again), then "
                "restart the kernel (Kernel → Restart Kernel…) and run this cell again.")
    if helpers_broken:
        return (f"NOT READY: {', '.join(helpers_broken)} failed to import (see the note above). "
                "Open the notebooks from the course repository (`make lab`) so that `helpers` "
                "is the course's own package, or run `pip install -e .` in the repository.")
    if different:
        return (f"USABLE, but {', '.join(different)} differ from the pinned versions; results "
                f"may differ slightly. To match the course exactly run `{pip}` and restart the "
                "kernel.")
    return "ALL GOOD: everything the course needs is installed at the pinned versions."


def check_environment(requirements: Iterable[str] | str | Path | None = None, *,
                      import_module: Callable = importlib.import_module,
                      version_of: Callable = importlib.metadata.version,
                      helper_modules: Iterable[str] = HELPER_MODULES,
                      cache: str | Path | None = None, verbose: bool = True) -> EnvReport:
    """Import everything the course uses, compare versions with the pins, report.

    ``requirements`` defaults to ``requirements.txt`` at the repository root; pass a list
    of ``name==version`` lines to check another set. ``import_module`` and ``version_of``
    are the functions used to import a module and to read an installed version (tests
    replace them to simulate a missing package). ``cache`` defaults to the course's data
    cache. With ``verbose`` the report is printed.
    """
    req_path = None
    missing_pins = False
    if requirements is None:
        req_path = REPO_ROOT / "requirements.txt"
        requirements = req_path
        # A copy of helpers/ without the course folder around it (e.g. a grading sandbox):
        # there are no pins to compare with, but the helpers can still be checked.
        missing_pins = not req_path.exists()
    elif isinstance(requirements, Path):
        req_path = requirements
    pins = {} if missing_pins else parse_requirements(requirements)
    rows = [_check_package(name, version, import_module, version_of)
            for name, version in pins.items()]
    rows += [_check_helper(m, import_module) for m in helper_modules]

    root = Path(cache) if cache is not None else data_dir()
    try:
        from helpers.data import REGISTRY

        files = _cached_files(root, REGISTRY)
    except Exception:  # noqa: BLE001 - helpers.data broken: already a BROKEN row
        files = []

    report = EnvReport(rows=rows, python=platform.python_version(),
                       torch_devices=_torch_devices(import_module), data_dir=root,
                       data_files=files)
    report.advice = _advice(report, req_path)
    if missing_pins:
        report.advice = (f"{req_path} was not found, so package versions were not compared "
                         "with the pins (run this from the course folder). " + report.advice)
    if verbose:
        print(format_report(report))
    return report


def format_report(report: EnvReport) -> str:
    """The report as plain text (what ``check_environment`` prints)."""
    w = max(len(r.package) for r in report.rows) + 2
    lines = [f"{'package':<{w}}{'required':<12}{'installed':<16}status",
             "-" * (w + 12 + 16 + 9)]
    for r in report.rows:
        lines.append(f"{r.package:<{w}}{r.required or '-':<12}{r.installed or '-':<16}{r.status}"
                     + (f"   {r.note}" if r.note else ""))
    lines.append("")
    lines.append(f"Python {report.python} ({sys.executable})")
    d = report.torch_devices
    if "error" in d:
        lines.append(f"PyTorch: not available ({d['error']}); {d['cpu_count']} CPU cores")
    else:
        gpu = f"yes ({d['cuda_name']})" if d["cuda"] else "no"
        lines.append(f"PyTorch devices: CUDA GPU {gpu}; Apple MPS {'yes' if d['mps'] else 'no'}; "
                     f"CPU yes ({d['threads']} threads, {d['cpu_count']} cores) "
                     f"-> the course will use device '{d['device']}'")
    lines.append("")
    lines.append(f"Data cache: {report.data_dir}"
                 + ("" if report.data_dir and report.data_dir.is_dir() else " (does not exist yet)"))
    if report.data_files:
        groups: dict[str, list[CachedFile]] = {}
        for f in report.data_files:
            groups.setdefault(f.name.split("/", 1)[0], []).append(f)
        for folder, fs in groups.items():
            n_ok = sum(f.present and f.size_ok for f in fs)
            odd = [f.name.split("/", 1)[1] for f in fs if f.present and not f.size_ok]
            text = f"  {folder + '/':<17}{n_ok}/{len(fs)} files present"
            if odd:
                text += f"; wrong size (re-downloaded on use): {', '.join(odd)}"
            lines.append(text)
        lines.append("  (present = found with the right size; a notebook verifies the sha256 "
                     "when it loads a file, and downloads what is missing.)")
    lines.append("")
    lines.append(report.advice)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(0 if check_environment().usable else 1)
