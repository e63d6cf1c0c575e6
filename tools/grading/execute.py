"""Executing one submission: sandboxed, bounded in time, resilient, checked for tampering.

:class:`SandboxExecute` replaces nbgrader's ``Execute`` step of ``autograde``. It runs the
notebook nbgrader prepared (locked cells restored, hidden tests in place) cell by cell in a
kernel started in the submission's own working folder (see :mod:`tools.grading.sandbox`):

- **per-cell timeout** (``--timeout``): the cell is interrupted; if the kernel does not
  answer the interrupt within a few seconds (a loop that swallows ``KeyboardInterrupt``)
  the kernel is restarted. A cell that kills its kernel (``os._exit``) or had to be
  restarted is replaced by an error, and the notebook is run again from the top without
  it: that cell's exercise costs the student, the others are graded;
- **per-submission wall-time bound** (``--wall``): cells not reached get an error saying so;
- **tamper detection** (:mod:`tools.grading.tamper`) around every graded test cell, and for
  locked cells the student edited or deleted: the test cell gets an error
  ``TestsModified: tests were modified ...`` (so it scores 0 and the feedback says why).

What happened is written to ``COURSE/reports/STUDENT/ASSIGNMENT.json`` (flags per test
cell, wall time, restarts) for ``grades.csv`` and the score table.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from queue import Empty

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import output_from_msg
from traitlets import Bool, Float, Integer, Unicode

from . import sandbox, tamper
from .notebooks import BEGIN_HIDDEN, nbgrader_meta, without_hidden_tests
from .notebooks import is_test as _is_test

GRACE = 10  # seconds a kernel gets to answer an interrupt before it is restarted
MAX_RESTARTS = 6
TAMPERED = "TestsModified"


class KernelLost(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _error(ename, evalue):
    from nbformat.v4 import new_output

    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class Kernel:
    """One kernel in a working folder, with a blocking client."""

    def __init__(self, python: Path, work: Path, env: dict):
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec

        # Unix sockets in a folder of this kernel's own, not TCP ports: a free TCP port is
        # found by binding and releasing it, and under parallel grading (or pytest-xdist)
        # another kernel can take it first ("Address already in use").
        self._sockets = Path(tempfile.mkdtemp(prefix="nn-kernel-"))
        self.km = KernelManager(kernel_name="grading", transport="ipc",
                                connection_file=str(self._sockets / "kernel.json"),
                                ip=str(self._sockets / "ipc"))
        self.km._kernel_spec = KernelSpec(
            argv=[str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}",
                  "--HistoryManager.hist_file=:memory:"],
            display_name="grading", language="python", env={})
        self.km.start_kernel(cwd=str(work), env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def alive(self) -> bool:
        return self.km.is_alive()

    def close(self):
        try:
            self.kc.stop_channels()
        finally:
            try:
                self.km.shutdown_kernel(now=True)
            finally:
                shutil.rmtree(self._sockets, ignore_errors=True)

    def run(self, code: str, timeout: float, *, silent=False, user_expressions=None):
        """Execute ``code``; return ``(status, outputs, reply, execution_count)``.

        status: ``ok``, ``error``, ``timeout`` (interrupted), ``stuck`` (did not stop when
        interrupted) or ``dead`` (the kernel died).
        """
        msg_id = self.kc.execute(code, silent=silent, store_history=not silent,
                                 allow_stdin=False, stop_on_error=False,
                                 user_expressions=user_expressions or {})
        outputs, count, timed_out = [], None, False
        clear_next = False
        end = time.monotonic() + timeout
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                if timed_out:
                    return "stuck", outputs, None, count
                timed_out = True
                self.km.interrupt_kernel()
                end = time.monotonic() + GRACE
                continue
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 1.0))
            except Empty:
                if not self.alive():
                    return "dead", outputs, None, count
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            if kind == "execute_input":
                count = content.get("execution_count")
            elif kind == "clear_output":
                if content.get("wait"):
                    clear_next = True
                else:
                    outputs = []
            elif kind in ("stream", "display_data", "execute_result", "error"):
                if clear_next:
                    outputs, clear_next = [], False
                out = output_from_msg(msg)
                if (kind == "stream" and outputs and outputs[-1].output_type == "stream"
                        and outputs[-1].name == out.name):
                    outputs[-1].text += out.text
                else:
                    outputs.append(out)
        reply = self._reply(msg_id)
        if timed_out:
            return "timeout", outputs, reply, count
        status = (reply or {}).get("status", "error")
        return ("ok" if status == "ok" else "error"), outputs, reply, count

    def _reply(self, msg_id):
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                msg = self.kc.get_shell_msg(timeout=1.0)
            except Empty:
                if not self.alive():
                    return None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]
        return None

    def expression(self, code: str, name: str, timeout: float = 60):
        """Run ``code`` silently and return the repr of the variable ``name`` (then delete it)."""
        status, _, reply, _ = self.run(code, timeout, silent=True,
                                       user_expressions={"v": name})
        if status in ("stuck", "dead"):
            raise KernelLost(f"the kernel {'died' if status == 'dead' else 'hung'} during a "
                             "grading check")
        value = None
        if reply and reply.get("status") == "ok":
            expr = reply.get("user_expressions", {}).get("v", {})
            if expr.get("status") == "ok":
                value = expr["data"].get("text/plain")
        self.run(f"try:\n    del {name}\nexcept NameError:\n    pass", 30, silent=True)
        return value


def run_notebook(nb, *, python: Path, work: Path, env: dict, timeout: float, wall: float,
                 pre_flags: dict | None = None, log=print) -> dict:
    """Execute ``nb`` in place (outputs written into its cells); return the report."""
    start = time.monotonic()
    deadline = start + wall
    modules, names = tamper.protected(nb)
    helpers_hash = sandbox.hash_tree(work / "helpers")
    replaced: dict[int, tuple[str, str]] = {}
    report = {"flags": dict(pre_flags or {}), "restarts": 0, "wall_hit": False, "events": []}
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    while True:
        for i in code_cells:
            nb.cells[i].outputs = []
            nb.cells[i].execution_count = None
        lost = _attempt(nb, code_cells, replaced, report, python=python, work=work, env=env,
                        timeout=timeout, deadline=deadline, modules=modules, names=names,
                        helpers_hash=helpers_hash)
        if lost is None:
            break
        index, reason = lost
        replaced[index] = ("KernelRestarted", reason)
        report["restarts"] += 1
        report["events"].append(f"cell {index}: {reason}")
        log(f"    cell {index}: {reason}; running the notebook again without it")
        if report["restarts"] >= MAX_RESTARTS or time.monotonic() >= deadline:
            _not_reached(nb, code_cells, index + 1, "grading stopped after "
                         f"{report['restarts']} kernel restarts", report)
            break
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in report["flags"] and _is_test(cell):
            cell.outputs.append(_error(TAMPERED, report["flags"][gid] +
                                       " (this exercise scores 0)"))
    report["wall_s"] = round(time.monotonic() - start, 1)
    return report


def _not_reached(nb, code_cells, first, why, report):
    for j in code_cells:
        if j >= first:
            nb.cells[j].outputs = [_error("NotGraded", why)]
    report["events"].append(why)


def _attempt(nb, code_cells, replaced, report, *, python, work, env, timeout, deadline,
             modules, names, helpers_hash):
    """One run from the top. Returns ``(cell index, reason)`` when the kernel was lost."""
    kernel = Kernel(python, work, env)
    try:
        baseline = None
        try:
            kernel.expression(tamper.preload_code(modules), "__nn_missing")
            baseline = tamper.parse(kernel.expression(tamper.fingerprint_code(modules, names),
                                                      "__nn_fp"))
        except KernelLost as err:
            report["events"].append(f"set-up: {err.reason}")
        if baseline is None:
            report["events"].append("no tamper fingerprint could be taken")
        for i in code_cells:
            cell = nb.cells[i]
            if i in replaced:
                cell.outputs = [_error(*replaced[i])]
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                report["wall_hit"] = True
                _not_reached(nb, code_cells, i, "the submission's wall-time bound was reached "
                             "before this cell", report)
                return None
            test = _is_test(cell)
            gid = nbgrader_meta(cell).get("grade_id")
            mine = tamper.imports(cell.source) if test else {}
            if test and baseline is not None:
                _verify(kernel, baseline, modules, mine, gid, report, work, helpers_hash)
            status, outputs, reply, count = kernel.run(cell.source, min(timeout, left))
            cell.outputs, cell.execution_count = outputs, count
            if status == "dead":
                return i, "the kernel died while running this cell (os._exit, a crash or " \
                          "out of memory)"
            if status == "stuck":
                return i, (f"this cell ran longer than {timeout:g} s and did not stop when "
                           "interrupted: the kernel was restarted")
            if status == "timeout":
                if min(timeout, left) < timeout:
                    report["wall_hit"] = True
                    outputs.append(_error("WallTimeExceeded", "the submission's wall-time "
                                          "bound was reached in this cell"))
                    _not_reached(nb, code_cells, i + 1, "the submission's wall-time bound "
                                 "was reached", report)
                    return None
                outputs.append(_error("CellTimeoutError", f"this cell ran longer than "
                                      f"{timeout:g} s and was interrupted"))
            elif status == "error" and not any(o.output_type == "error" for o in outputs):
                r = reply or {}
                outputs.append(_error(r.get("ename", "Error"), r.get("evalue", "")))
            if test and baseline is not None:
                _verify(kernel, baseline, modules, mine, gid, report, work, helpers_hash)
        return None
    except KernelLost as err:
        return i, err.reason  # noqa: F821 - i is the cell being checked
    finally:
        kernel.close()


def _verify(kernel, baseline, modules, names, gid, report, work, helpers_hash):
    now = tamper.parse(kernel.expression(tamper.fingerprint_code(modules, names), "__nn_fp"))
    changes = tamper.differences(baseline, now)
    # A name rebound in the notebook's namespace is charged to the first exercise whose test
    # cell sees it; a later test cell imports the name afresh, so the old rebinding cannot
    # touch it (modules, code objects and files stay charged to every exercise they reach).
    seen = report.setdefault("rebound_names", [])
    fresh = [c for c in changes if not (c.endswith(" was rebound") and c in seen)]
    seen += [c for c in changes if c.endswith(" was rebound") and c not in seen]
    changes = fresh
    if sandbox.hash_tree(work / "helpers") != helpers_hash:
        changes.append("helpers/ files on disk")
    if changes and gid not in report["flags"]:
        report["flags"][gid] = tamper.describe(changes)


class SandboxExecute(Preprocessor):
    """nbgrader ``autograde`` step replacing ``Execute`` (see the module's docstring)."""

    enabled = Bool(True).tag(config=True)
    timeout = Integer(60, help="seconds per cell").tag(config=True)
    wall = Float(1800, help="seconds per submission").tag(config=True)
    reports = Unicode("", help="folder for the per-submission reports").tag(config=True)
    helpers = Unicode("", help="the helpers/ folder given to each submission").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        student, aid = info.get("student", "student"), info.get("assignment", "assignment")
        reports = Path(self.reports) if self.reports else Path.cwd() / "reports"
        pre_file = reports / student / f"{aid}.pre.json"
        pre = json.loads(pre_file.read_text()) if pre_file.exists() else {}
        python = sandbox.ensure_env(log=self.log.info)
        data = sandbox.data_for_kernel(log=self.log.info)
        student_view = _student_view(nb)
        work = sandbox.make_workdir(f"{aid}.ipynb", student_view,
                                    Path(self.helpers) if self.helpers else None)
        env = sandbox.kernel_env(work, data)
        env["NBGRADER_EXECUTION"] = "autograde"
        try:
            self.log.info("Executing %s of %s in %s", aid, student, work)
            report = run_notebook(nb, python=python, work=work, env=env, timeout=self.timeout,
                                  wall=self.wall, pre_flags=pre, log=self.log.info)
        finally:
            sandbox.cleanup(work)
        report.update(student=student, assignment=aid, timeout=self.timeout, wall=self.wall)
        (reports / student).mkdir(parents=True, exist_ok=True)
        (reports / student / f"{aid}.json").write_text(json.dumps(report, indent=1))
        return nb, resources


def _student_view(nb):
    import copy

    view = copy.deepcopy(nb)
    for cell in view.cells:
        if cell.cell_type == "code" and BEGIN_HIDDEN in cell.source:
            cell.source = without_hidden_tests(cell.source)
        if cell.cell_type == "code":
            cell.outputs = []
    return view


def default_wall() -> float:
    return float(os.environ.get("NN_GRADING_WALL", 1800))
