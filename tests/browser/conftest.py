"""Fixtures for the real-browser tests: one JupyterLab server and one Chromium per session.

- ``lab``: JupyterLab from this virtual environment on 127.0.0.1 (a free port, a random
  token, ``--no-browser``, ``--allow-root`` when running as root), with temporary runtime,
  config, settings and workspace folders, serving a temporary *copy* of ``notebooks/`` (so
  nothing is written into the repository). Kernels get ``NN_COURSE_SMALL_BUDGET=1`` and the
  caller's ``NN_COURSE_DATA``. It is stopped by its own PID at the end (terminate, wait, kill).
- ``browser``: Playwright driving Debian's ``chromium`` (``$NN_COURSE_CHROMIUM`` or
  ``shutil.which("chromium")``), headless. Playwright's own browser download is never used.

Where no Chromium or no Playwright can be had the tests are skipped with the reason. CI
(.ci/run) installs chromium and sets ``NN_COURSE_REQUIRE_BROWSER=1``: there a missing
browser fails the tests instead of skipping them.
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SCREENSHOTS = REPO / "screenshots"  # git-ignored
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Several notebooks run side by side in their own windows: keep all of them "visible"
    # so their timers (the Play widget) are not throttled.
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]

# JupyterLab user settings for the test server: every cell in the DOM (no virtual
# scrolling), no news or update pop-ups, no autosave of the temporary copies.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def chromium_executable() -> str | None:
    env = os.environ.get("NN_COURSE_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if the test process dies without its teardown (killed
    pytest), so no orphaned JupyterLab is left behind."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab: ``url(path)`` for pages, ``api(path)`` for its REST API."""

    def __init__(self, proc, port, token, root, log):
        self.proc, self.port, self.token, self.root, self.log = proc, port, token, root, log

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(self.url(f"api/{path}"), method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(Path(self.log).read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"


def _no_browser(reason: str):
    """Skip loudly, or fail where the browser tests are required (CI)."""
    message = f"BROWSER TESTS SKIPPED: {reason}"
    if os.environ.get("NN_COURSE_REQUIRE_BROWSER", "") == "1":
        pytest.fail(message.replace("SKIPPED", "REQUIRED BUT CANNOT RUN"), pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def lab():
    try:
        import jupyterlab  # noqa: F401
    except ImportError as err:
        _no_browser(f"JupyterLab is not installed ({err})")
    tmp = Path(tempfile.mkdtemp(prefix="nn-course-lab-"))
    root = tmp / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = tmp / "lab-settings"
    for name, value in LAB_SETTINGS.items():
        plugin, file = name.rsplit("/", 1)
        (settings / plugin).mkdir(parents=True, exist_ok=True)
        (settings / plugin / file).write_text(json.dumps(value))
    for d in ("runtime", "config", "workspaces", "data"):
        (tmp / d).mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, NN_COURSE_SMALL_BUDGET="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("MPLBACKEND", None)  # the notebooks choose %matplotlib inline themselves
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=", "--ServerApp.open_browser=False",
           "--LabServerApp.workspaces_dir=" + str(tmp / "workspaces")]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp / "server.log"
    with open(log, "wb") as logf:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    server = Lab(proc, port, token, root, log)
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {proc.returncode}:\n{server.log_tail()}")
        try:
            server.api("status")
            break
        except (urllib.error.URLError, OSError, ValueError):
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"JupyterLab did not answer /api/status in 90 s:\n{server.log_tail()}")
            time.sleep(0.3)
    try:
        yield server
    finally:
        proc.terminate()  # by its own PID; on SIGTERM the server shuts its kernels down
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    exe = chromium_executable()
    if exe is None:
        _no_browser("no Chromium found (install Debian's `chromium` "
                    "or set NN_COURSE_CHROMIUM to a Chromium executable)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        _no_browser(f"Playwright is not installed ({err}); pip install -r requirements-dev.txt")
    pw = sync_playwright().start()
    try:
        try:
            b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        except Exception as err:  # a broken Chromium: say so loudly
            _no_browser(f"Chromium at {exe} did not start: {err}")
        yield b
        b.close()
    finally:
        pw.stop()


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
