"""Where and how a submission runs: a working folder of its own, a kernel with no way back.

Each submission is executed in a fresh folder under the system's temporary directory that
holds only that submission (as the student saw it: hidden tests removed) and a copy of the
student bundle's ``helpers/``. The kernel is started from the *grading environment*: a
virtual environment outside the repository whose ``site-packages`` is a copy of the
course's, without the editable install of this repository (which would point at
``notebooks/``, where the solutions are). Its environment variables are rebuilt from
scratch: no ``PYTHONPATH``, no ``VIRTUAL_ENV``, ``HOME`` inside the working folder, nothing
that names the repository or the nbgrader course directory. Hidden tests enter the kernel
only as the code of the test cells when they run.

The grading environment is built once (a copy of ``site-packages``: seconds to a minute)
under ``~/.cache/nn-course/`` (``NN_GRADING_ENV`` overrides) and checked before every
submission by the size and time stamp of every file; a submission that changed it (to
tamper with the next student's checks) causes a rebuild.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import venv
from pathlib import Path

from .notebooks import ROOT

SKIP_IN_ENV = ("__editable__", "nn_course_helpers", "__pycache__")


def _site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def env_dir() -> Path:
    """The grading environment's folder (built by :func:`ensure_env`)."""
    if os.environ.get("NN_GRADING_ENV"):
        return Path(os.environ["NN_GRADING_ENV"]).expanduser().resolve()
    key = hashlib.sha256(str(_site_packages()).encode()).hexdigest()[:10]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nn-course" / f"grading-env-{key}"


def _source_key() -> str:
    """Which site-packages the copy came from, as a digest (a path would lead back)."""
    src = _site_packages()
    names = sorted(p.name for p in src.iterdir() if p.name.endswith(".dist-info"))
    return hashlib.sha256((str(src) + "\n".join(names)).encode()).hexdigest()


def _skip(name: str) -> bool:
    return any(s in name for s in SKIP_IN_ENV) or (
        name.endswith(".pth") and _mentions_root(_site_packages() / name))


def _mentions_root(path: Path) -> bool:
    try:
        return str(ROOT) in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _stamp(folder: Path) -> str:
    """Size and mtime of every file below ``folder`` (a change shows up in the digest)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for f in sorted(filenames):
            p = os.path.join(dirpath, f)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _env_site(env: Path) -> Path:
    out = subprocess.run([str(_env_python(env)), "-c",
                          "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True, env={"PATH": os.defpath})
    return Path(out.stdout.strip())


def ensure_env(log=print) -> Path:
    """The grading environment's Python (built, or rebuilt when it was changed)."""
    env = env_dir()
    with _locked(env.parent / (env.name + ".lock")):  # parallel graders build it once
        return _ensure_env(env, log)


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        try:
            import fcntl
        except ImportError:  # Windows: no lock
            yield
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _ensure_env(env: Path, log) -> Path:
    marker = env / "nn-course-grading.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("source") == _source_key() and \
                _stamp(Path(info["site"])) == info.get("stamp"):
            return _env_python(env)
        log(f"grading environment {env} changed or is outdated: rebuilding it")
    shutil.rmtree(env, ignore_errors=True)
    log(f"building the grading environment in {env} (a copy of site-packages, once)")
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env)
    cfg = env / "pyvenv.cfg"  # its `command` line names the Python that built it (ours)
    cfg.write_text("".join(line for line in cfg.read_text().splitlines(keepends=True)
                           if not line.startswith("command")))
    site = _env_site(env)
    src = _site_packages()
    for entry in sorted(src.iterdir()):
        if _skip(entry.name):
            continue
        dest = site / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, dest, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(entry, dest, follow_symlinks=False)
    marker.write_text(json.dumps({"source": _source_key(), "site": str(site),
                                  "stamp": _stamp(site)}))
    return _env_python(env)


def helpers_source() -> Path:
    return ROOT / "helpers"


def make_workdir(nb_name: str, student_nb, helpers: Path | None = None) -> Path:
    """A fresh working folder: the submission (as the student saw it) and ``helpers/``."""
    import nbformat

    root = Path(tempfile.mkdtemp(prefix="nn-grade-"))
    work = root / "work"
    work.mkdir()
    (root / "home").mkdir()
    shutil.copytree(helpers or helpers_source(), work / "helpers",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    nbformat.write(student_nb, work / nb_name)
    return work


def hash_tree(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


PASS_THROUGH = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "OPENBLAS_NUM_THREADS", "NN_COURSE_SMALL_BUDGET", "PYTHONHASHSEED",
                "NBGRADER_EXECUTION", "CUDA_VISIBLE_DEVICES")


def kernel_env(work: Path, data: Path | None) -> dict:
    """The kernel's environment: rebuilt, with nothing that leads back to the repository."""
    env = {k: os.environ[k] for k in PASS_THROUGH if k in os.environ}
    root = work.parent
    env.update(PATH=os.defpath, HOME=str(root / "home"), IPYTHONDIR=str(root / "home/.ipython"),
               MPLCONFIGDIR=str(root / "home/.matplotlib"), MPLBACKEND="Agg",
               JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
               TMPDIR=str(root / "home"), PYTHONDONTWRITEBYTECODE="1")
    if data is not None:
        env["NN_COURSE_DATA"] = str(data)
    return env


def data_for_kernel(log=print) -> Path | None:
    """The datasets folder the kernels read. One inside the repository is mirrored (hard
    links, else copies) next to the grading environment so that no path leads back."""
    from helpers.config import data_dir

    data = data_dir()
    if not data.exists():
        return None
    if not data.resolve().is_relative_to(ROOT):
        return data
    mirror = env_dir().parent / "data-mirror"
    with _locked(env_dir().parent / "data-mirror.lock"):
        return _mirror(data, mirror, log)


def _mirror(data: Path, mirror: Path, log) -> Path:
    if not mirror.exists() or _stamp(mirror) != _stamp_names(data, mirror):
        shutil.rmtree(mirror, ignore_errors=True)
        log(f"mirroring {data} to {mirror} for the grading kernels")

        def link(s, d):
            try:
                os.link(s, d)
            except OSError:
                shutil.copy2(s, d)

        shutil.copytree(data, mirror, copy_function=link)
    return mirror


def _stamp_names(data: Path, mirror: Path) -> str:
    return _stamp(mirror) if mirror.exists() and sorted(p.name for p in data.iterdir()) == \
        sorted(p.name for p in mirror.iterdir()) else ""


def cleanup(work: Path) -> None:
    shutil.rmtree(work.parent, ignore_errors=True)


def python_version_ok(python: Path) -> bool:
    out = subprocess.run([str(python), "-c", "import sys; print(sys.version_info[:2])"],
                         capture_output=True, text=True, env={"PATH": os.defpath})
    return out.stdout.strip() == str(sys.version_info[:2])
