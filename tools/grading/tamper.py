"""Tamper detection: are the checks a test cell relies on still the genuine ones?

Before the first cell of a submission runs, the grader imports (silently, in the
submission's kernel) every module the notebook's test cells import, plus ``helpers.checks``,
``numpy`` and ``builtins``, and takes a *fingerprint*: the identity of every function,
class and module the ``helpers`` modules hold and of every public function of the other
modules (libraries replace some classes and private names lazily), of every function's code
object and defaults, of the methods of ``helpers`` classes, of the names the test cells import as bound in the
student's namespace, and of the machinery that runs a cell and reports its errors (the
IPython shell's run/traceback methods and input/AST transformers, the kernel's execute
handler, ``sys.settrace``, ``builtins.__import__``, ``sys.meta_path``). A name the test cell
imports counts as rebound when the student's code bound it to something of its own (a
library object under that name, e.g. a reused alias, is not). The fingerprint goes
to the grader, not into the kernel. Right before and right after every graded test cell it
is taken again; any difference (a rebound name, a replaced function or ``__code__``, a
monkeypatched module attribute, a patched traceback display) means the exercise was graded
with modified tests: it scores 0 and is flagged "tests were modified".

The grader also hashes the submission's copy of ``helpers/`` on disk around every test cell
(from outside the kernel), and nbgrader restores edited locked cells, which
:func:`locked_cell_changes` reports before grading.

Limits (stated in INSTRUCTORS.md): the fingerprint is computed inside the student's kernel,
so a submission written against this file that forges the fingerprint's own primitives can
hide its tampering, and a function under test can read its caller's frames. Such code is
deliberate and visible in the submission; only a process boundary would stop it.
"""

from __future__ import annotations

import json

from .notebooks import (
    imported_modules,
    imports,
    is_locked,
    is_test,
    nbgrader_meta,
    without_hidden_tests,
)

ALWAYS = ("helpers.checks", "numpy", "builtins", "copy", "inspect")

# Executed in the kernel (a fresh copy each time, so nothing of it lives there to patch).
# ``__nn_fp`` is the result, read through ``user_expressions`` and then deleted.
FINGERPRINT = r'''
def __nn_fingerprint(modules, names):
    import builtins as B
    import sys as S
    fp = {}
    ident = B.id

    def fn(v):
        code = getattr(v, "__code__", None)
        if code is None:
            return [ident(v)]
        return [ident(v), ident(code), ident(getattr(v, "__defaults__", None)),
                ident(getattr(v, "__kwdefaults__", None))]

    for m in modules:
        mod = S.modules.get(m)
        if mod is None:
            continue
        fp["module " + m] = [ident(mod), str(getattr(mod, "__file__", ""))]
        deep = m.startswith("helpers")
        for k, v in list(vars(mod).items()):
            if k.strip("_") == "" or (m == "builtins" and k in ("input", "raw_input")):
                continue  # IPython's last results; ipykernel swaps input() per request
            if not deep and (isinstance(v, type) or type(v).__name__ == "module"
                             or (k.startswith("_") and m != "builtins")):
                continue  # libraries replace some classes and private names lazily
            if isinstance(v, type):
                fp[m + "." + k] = [ident(v)]
                if deep:
                    for a, x in list(vars(v).items()):
                        x = getattr(x, "__func__", x)
                        if callable(x):
                            fp[m + "." + k + "." + a] = fn(x)
            elif callable(v) or type(v).__name__ == "module":
                fp[m + "." + k] = fn(v)
    user = get_ipython().user_ns
    for name, (m, attr) in names.items():
        mod = S.modules.get(m)
        want = mod if attr is None else getattr(mod, attr, None)
        if name in user:  # rebound by the student's code (not another library object)?
            v = user[name]
            fp["name " + name] = [ident(v) == ident(want) or type(v).__name__ == "module"
                                  or getattr(v, "__module__", None) not in (None, "__main__")]
    ip = get_ipython()
    for a in ("run_cell", "run_cell_async", "run_code", "run_ast_nodes", "showtraceback",
              "_showtraceback", "showsyntaxerror", "transform_cell", "CustomTB", "InteractiveTB",
              "SyntaxTB", "compile", "user_ns", "custom_exceptions", "should_run_async"):
        fp["ip." + a] = [ident(ip.__dict__.get(a)), ident(getattr(type(ip), a, None))]
    for a in ("input_transformers_cleanup", "input_transformers_post", "ast_transformers"):
        fp["ip." + a] = [ident(x) for x in getattr(ip, a, [])]
    tm = ip.input_transformer_manager
    for a in ("cleanup_transforms", "line_transforms", "token_transformers"):
        fp["transform." + a] = [ident(x) for x in getattr(tm, a, [])]
    fp["transform.type"] = [ident(type(tm)), ident(tm.__dict__.get("transform_cell"))]
    k = getattr(ip, "kernel", None)
    if k is not None:
        for a in ("do_execute", "execute_request", "send_response"):
            fp["kernel." + a] = [ident(k.__dict__.get(a)), ident(getattr(type(k), a, None))]
        h = k.shell_handlers.get("execute_request")
        fp["kernel.handler"] = [ident(getattr(h, "__func__", h))]
        fp["kernel.session.send"] = [ident(k.session.__dict__.get("send")),
                                     ident(getattr(type(k.session), "send", None))]
    fp["sys.trace"] = [ident(S.gettrace()), ident(S.getprofile())]
    fp["sys.meta_path"] = [ident(x) for x in S.meta_path]
    fp["sys.modules"] = [ident(S.modules)]
    return fp


import json as __nn_json
__nn_fp = __nn_json.dumps(__nn_fingerprint(%(modules)r, %(names)r))
del __nn_fingerprint, __nn_json
'''

PRELOAD = r'''
import importlib as __nn_importlib
__nn_missing = []
for __nn_m in %(modules)r:
    try:
        __nn_importlib.import_module(__nn_m)
    except Exception as __nn_err:  # reported, not fatal: the test cell will fail on its own
        __nn_missing.append(__nn_m + ": " + type(__nn_err).__name__)
del __nn_importlib, __nn_m
# PyTorch rebinds library functions the first time it (or its lazily loaded compiler, which
# the first optimizer step loads) is imported: inspect.getfile, torch.manual_seed. Load both
# before the baseline fingerprint, so that an honest notebook using torch is not flagged.
try:
    import torch as __nn_torch
    import torch._dynamo as __nn_dynamo
    del __nn_torch, __nn_dynamo
except Exception:
    pass
'''


def protected(nb) -> tuple[list[str], dict]:
    """The modules to fingerprint and the names test cells import (from their sources)."""
    modules, names = set(ALWAYS), {}
    for cell in nb.cells:
        if is_test(cell):
            modules |= imported_modules(cell.source)
            names.update(imports(cell.source))
    return sorted(modules), names


def preload_code(modules) -> str:
    return PRELOAD % {"modules": list(modules)}


def fingerprint_code(modules, names) -> str:
    return FINGERPRINT % {"modules": list(modules), "names": dict(names)}


def parse(text: str | None) -> dict | None:
    """The fingerprint from ``user_expressions`` (a repr of a JSON string)."""
    if not text:
        return None
    import ast

    try:
        return json.loads(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return None


def differences(baseline: dict, now: dict | None) -> list[str]:
    """What changed since the baseline (names of replaced objects); [] when nothing did."""
    if now is None:
        return ["the fingerprint could not be taken (the kernel's reply was altered)"]
    changed = []
    for key, value in baseline.items():
        if key.startswith("name "):
            continue
        if now.get(key) != value:
            changed.append(key)
    for key, value in now.items():
        if key.startswith("name ") and value != [True]:
            changed.append(key.replace("name ", "the name ") + " was rebound")
    return changed


def describe(changes: list[str]) -> str:
    shown = ", ".join(changes[:6]) + (f" and {len(changes) - 6} more" if len(changes) > 6 else "")
    return f"tests were modified: {shown}"


def locked_cell_changes(submitted, source) -> dict[str, str]:
    """``{test grade_id: reason}`` for locked cells the student edited or deleted.

    ``source`` is the instructor's notebook (or its student version: hidden tests are
    ignored on both sides). A changed or missing locked cell is charged to the exercise
    whose test cell it is or precedes.
    """
    got = {nbgrader_meta(c).get("grade_id"): c for c in submitted.cells if nbgrader_meta(c)}
    flags, pending = {}, []
    for cell in source.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid and is_locked(cell):
            mine = got.get(gid)
            if mine is None:
                pending.append(f"locked cell {gid} was deleted")
            elif mine.cell_type != cell.cell_type:
                pending.append(f"locked cell {gid} changed type")
            elif _norm(without_hidden_tests(mine.source)) != _norm(
                    without_hidden_tests(cell.source)):
                pending.append(f"locked cell {gid} was edited")
        if is_test(cell) and pending:
            flags[gid] = "tests were modified: " + "; ".join(pending)
            pending = []
    return flags


def _norm(src: str) -> str:
    return "\n".join(line.rstrip() for line in src.strip().split("\n"))
