"""The student bundle's helpers without the tests' private references (``make release``).

The visible test cells build their cases with code that computes the right answers: the
case builders of ``helpers/_answers_NN.py`` and ``helpers/torch_nn/_cnn_cases.py``, and the
private ``_reference_*`` functions (and other private names the test cells import) of library
modules. In the bundle these functions are *stubs* (:mod:`tools.grading.replay_runtime`,
shipped as ``helpers/_replay.py``) that return results recorded at release time:

1. **Record.** In a subprocess, the set-up cell, the solution cells and the visible part of
   the test cells of each released notebook run (statement by statement, at small budget)
   with every such function wrapped; each outermost call's arguments and result are stored
   in ``helpers/_replay_data/<module>.pkl``: values (inputs, expected outputs, the named
   mistakes' wrong values, labels, hints, messages) as data; a mistake's predicate (a small
   ``lambda got: ...``) as its source with the values it closes over.
2. **Verify.** The same cells run again against the stored results: every statement must
   end the same way (same error and message, or none). A release whose stubs would change
   what a student sees fails.
3. **Rewrite.** In the bundle's copy of ``helpers/``, each recorded function's ``def`` is
   replaced by ``name = _replay_stub(__name__, "name")``; private helpers that only the
   removed code used are removed too. A function of ``_answers_NN``/``_cnn_cases`` that the
   tests call with the student's own function (``curve(fn, n)``, ``named_errors``) runs the
   student's code and stays as code.

Hidden cases are never recorded (hidden-test blocks do not run), so no hidden case is in the
bundle. Grading uses the instructor's full ``helpers/`` (:mod:`tools.grading.sandbox`).
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import json
import linecache
import os
import pickle
import re
import subprocess
import sys
import types
from pathlib import Path

from .notebooks import ROOT, is_solution, is_test, without_hidden_tests

RUNTIME = Path(__file__).with_name("replay_runtime.py")
STUB_IMPORT = "from helpers._replay import stub as _replay_stub  # noqa: E402"


def _is_case_module(module: str) -> bool:
    """Modules that exist only for the tests: every function is a stub candidate."""
    return module.rsplit(".", 1)[-1].startswith("_answers") or module.endswith("._cnn_cases")


def helpers_modules(helpers: Path) -> dict[str, Path]:
    out = {}
    for p in sorted(Path(helpers).rglob("*.py")):
        if "__pycache__" in p.parts or p.name == "_replay.py":
            continue
        rel = p.relative_to(Path(helpers).parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def visible_test_imports(nb) -> dict[str, set[str]]:
    """``{module: names}`` the visible part of the test cells imports from ``helpers``."""
    found: dict[str, set[str]] = {}
    for cell in nb.cells:
        if not is_test(cell):
            continue
        try:
            tree = ast.parse(without_hidden_tests(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
                found.setdefault(node.module, set()).update(a.name for a in node.names)
    return found


def candidates(modules: dict[str, Path], imports: dict[str, set[str]]) -> dict[str, set[str]]:
    """Functions that become stubs: every top-level function of the case modules, every
    ``_reference*`` function, and the private names the visible tests import."""
    out: dict[str, set[str]] = {}
    for mod, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defs = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        want = set(defs) if _is_case_module(mod) else {d for d in defs if d.startswith(
            "_reference")}
        want |= {n for n in imports.get(mod, ()) if n.startswith("_") and n in defs}
        if want:
            out[mod] = want
    return out


# --------------------------------------------------------------------------- encoding

class NotEncodable(TypeError):
    pass


def _code_names(code) -> set[str]:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _code_names(c)
    return names


def _without_defaults(node):
    """A copy of a ``def`` or ``lambda`` node without its default values (they refer to names
    of the defining scope; the decoded function gets the values themselves)."""
    import copy

    node = copy.deepcopy(node)
    node.args.defaults = []
    node.args.kw_defaults = [None] * len(node.args.kwonlyargs)
    return node


def _function_node(fn):
    """The ``lambda`` or ``def`` node of a function (from its file or recorded cell)."""
    code = fn.__code__
    lines = linecache.getlines(code.co_filename)
    if not lines:
        raise NotEncodable(f"no source for {fn.__qualname__} ({code.co_filename})")
    tree = ast.parse("".join(lines))
    found = []
    where = {(p[0], p[2]) for p in code.co_positions() if p[0] is not None}
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda) and fn.__name__ == "<lambda>" \
                and node.lineno == code.co_firstlineno:
            body = node.body
            if (body.lineno, body.col_offset) in where or len(
                    [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)
                     and n.lineno == node.lineno]) == 1:
                found.append(node)
        elif isinstance(node, ast.FunctionDef) and node.name == fn.__name__ and (
                node.lineno == code.co_firstlineno):
            if node.decorator_list:
                raise NotEncodable(f"{fn.__qualname__} is decorated")
            found.append(node)
    if len(found) != 1:
        raise NotEncodable(f"{len(found)} candidate sources for {fn.__qualname__}")
    return _without_defaults(found[0])


_FOLDABLE = (ast.BinOp, ast.UnaryOp, ast.Call, ast.Subscript, ast.Attribute, ast.Compare,
             ast.BoolOp, ast.Tuple, ast.List, ast.IfExp)
_NOT_FOLDABLE_INSIDE = (ast.Lambda, ast.comprehension, ast.NamedExpr, ast.Await, ast.Yield,
                        ast.Starred)


class _Folder(ast.NodeTransformer):
    """Replace every sub-expression that does not depend on the function's own variables
    (the student's answer ``got``) by its value: ``np.allclose(got[0], gamma * (x - mu) /
    np.sqrt(var + eps) + beta)`` becomes ``np.allclose(got[0], _v0)``, so a predicate that
    names a mistake ships the mistake's value, not the formula next to the answer."""

    def __init__(self, local: set[str], ns: dict):
        self.local, self.ns, self.values = local, ns, {}

    def visit(self, node):
        if isinstance(node, _FOLDABLE) and isinstance(getattr(node, "ctx", ast.Load()),
                                                      ast.Load) and self._foldable(node):
            try:
                expr = ast.fix_missing_locations(ast.Expression(body=node))
                value = eval(compile(expr, "<fold>", "eval"), self.ns)  # noqa: S307
            except Exception:  # noqa: BLE001 - leave it as code
                return self.generic_visit(node)
            if not (callable(value) or isinstance(value, types.ModuleType)):
                name = f"_v{len(self.values)}"
                self.values[name] = value
                return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), node)
        return self.generic_visit(node)

    def _foldable(self, node) -> bool:
        names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
        if not names or any(isinstance(n, _NOT_FOLDABLE_INSIDE) for n in ast.walk(node)):
            return False
        return all(n not in self.local and n in self.ns for n in names)


def _locals_of(node) -> set[str]:
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.arg):
            found.add(n.arg)
        elif isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            found.add(n.id)
        elif isinstance(n, ast.FunctionDef | ast.ClassDef) and n is not node:
            found.add(n.name)
    return found


class Encoder:
    def __init__(self, stubbed: dict[str, set[str]]):
        self.stubbed = stubbed
        self.rt = _runtime()

    def _ref_ok(self, module, qualname):
        if not module or "<locals>" in qualname or "<lambda>" in qualname:
            return False
        if _is_case_module(module) or qualname in self.stubbed.get(module, ()):
            return False
        if module in ("__main__", "__nb__"):
            return False
        try:
            return self.rt._resolve(self.rt.Ref(module, qualname)) is not None
        except Exception:  # noqa: BLE001
            return False

    def __call__(self, v, depth=0):
        rt = self.rt
        if depth > 40:
            raise NotEncodable("too deep")
        if isinstance(v, (str, bytes, int, float, complex, bool, type(None))):
            return v
        if isinstance(v, types.ModuleType):
            return rt.Ref(v.__name__, "")
        if isinstance(v, tuple) and not hasattr(v, "_fields"):
            return rt.Seq("tuple", [self(x, depth + 1) for x in v])
        if isinstance(v, list):
            return rt.Seq("list", [self(x, depth + 1) for x in v])
        if isinstance(v, dict) and type(v) is dict:
            return rt.Map([(k, self(x, depth + 1)) for k, x in v.items()])
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            cls = type(v)
            if not self._ref_ok(cls.__module__, cls.__qualname__):
                raise NotEncodable(f"dataclass {cls.__qualname__}")
            return rt.Obj(rt.Ref(cls.__module__, cls.__qualname__),
                          {f.name: self(getattr(v, f.name), depth + 1)
                           for f in dataclasses.fields(v)})
        if isinstance(v, types.FunctionType):
            v = getattr(v, "__replay_original__", v)
            if self._ref_ok(v.__module__, v.__qualname__):
                return rt.Ref(v.__module__, v.__qualname__)
            return self._code(v, depth)
        if isinstance(v, (type, types.BuiltinFunctionType)) or type(v).__name__ == "ufunc":
            mod = getattr(v, "__module__", None) or "builtins"
            qual = getattr(v, "__qualname__", None) or getattr(v, "__name__", "")
            if self._ref_ok(mod, qual):
                return rt.Ref(mod, qual)
            name = getattr(v, "__name__", None)
            if name and self._ref_ok("numpy", name) and getattr(
                    __import__("numpy"), name, None) is v:
                return rt.Ref("numpy", name)
            raise NotEncodable(f"callable {v!r}")
        if callable(v) and not hasattr(v, "state_dict") and not hasattr(v, "detach"):
            raise NotEncodable(f"a callable object {type(v).__qualname__} (runs code)")
        if hasattr(v, "__enter__") or hasattr(v, "__next__"):
            raise NotEncodable(f"{type(v).__qualname__} (runs code)")
        try:
            pickle.dumps(v)
        except Exception as err:  # noqa: BLE001
            raise NotEncodable(f"{type(v).__qualname__}: {err}") from err
        return v

    def _code(self, fn, depth):
        node = _function_node(fn)
        name = None if isinstance(node, ast.Lambda) else node.name
        free = dict(zip(fn.__code__.co_freevars,
                        [c.cell_contents for c in fn.__closure__ or ()], strict=True))
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        bound = dict(zip(params[len(params) - len(fn.__defaults__ or ()):],
                         fn.__defaults__ or (), strict=True))
        bound.update(fn.__kwdefaults__ or {})
        ns = {**vars(builtins), **fn.__globals__, **free, **bound}
        local = _locals_of(node) - set(bound)
        folder = _Folder(local, ns)
        node = ast.fix_missing_locations(folder.visit(node))
        env = {k: self(v, depth + 1) for k, v in folder.values.items()}
        for ident in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - local:
            if ident in env or ident in folder.values:
                continue
            if ident in free:
                env[ident] = self(free[ident], depth + 1)
            elif ident in fn.__globals__:
                env[ident] = self(fn.__globals__[ident], depth + 1)
        return self.rt.Code(ast.unparse(node), name, env,
                            None if fn.__defaults__ is None else self(fn.__defaults__, depth + 1),
                            None if not fn.__kwdefaults__ else self(fn.__kwdefaults__, depth + 1))


def _runtime():
    """The runtime module as the bundle will hold it (importable as helpers._replay when the
    bundle is built; here loaded from tools/grading)."""
    if "helpers._replay" not in sys.modules:
        import importlib.util

        import helpers  # noqa: F401 - the package the runtime module joins

        spec = importlib.util.spec_from_file_location("helpers._replay", RUNTIME)
        module = importlib.util.module_from_spec(spec)
        sys.modules["helpers._replay"] = module
        spec.loader.exec_module(module)
    return sys.modules["helpers._replay"]


# --------------------------------------------------------------------------- recording

def _no_magics(source: str) -> str:
    """IPython's ``%magic`` and ``!shell`` lines as ``pass`` (same line numbers)."""
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) and not line[:1].isspace()
                     else line for line in source.split("\n"))


def _statements(source: str, filename: str):
    """Each top-level statement of a cell, compiled, with the cell's source in linecache."""
    source = _no_magics(source)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        tree = ast.parse(source, filename)
    except SyntaxError:
        return []
    out = []
    for node in tree.body:
        mod = ast.Module(body=[node], type_ignores=[])
        out.append(compile(mod, filename, "exec"))
    return out


def _imports_only(source: str) -> str:
    try:
        tree = ast.parse(_no_magics(source))
    except SyntaxError:
        return ""
    return "\n".join(ast.unparse(n) for n in tree.body
                     if isinstance(n, (ast.Import, ast.ImportFrom)))


def _cells(nb):
    """The first code cell (set-up), the imports of the other cells, the solution cells and
    the visible part of the test cells, in the notebook's order."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    out = []
    for i, c in enumerate(code):
        if i == 0 or is_solution(c):
            out.append(c.source)
        elif is_test(c):
            out.append(without_hidden_tests(c.source))
        else:
            out.append(_imports_only(c.source))
    return out


def _notebook_callable(v, ns) -> bool:
    """Does an argument hold a function the notebook (the student) defined?"""
    if isinstance(v, types.FunctionType):
        return v.__globals__ is ns
    if isinstance(v, (tuple, list)):
        return any(_notebook_callable(x, ns) for x in v)
    if isinstance(v, dict):
        return any(_notebook_callable(x, ns) for x in v.values())
    return False


def _judge(pred, got):
    try:
        return bool(pred(got))
    except Exception as err:  # noqa: BLE001
        return type(err).__name__


def _predicates_differ(orig, dec) -> str | None:
    """Do the decoded cases' predicates (mistakes and ``check``) judge the case's expected
    value and its listed wrong values as the originals do?"""
    if dataclasses.is_dataclass(orig) and hasattr(orig, "mistakes"):
        probes = [orig.expected] + [m for m, _ in orig.mistakes if not callable(m)]
        pairs = [(m, d) for (m, _), (d, _) in zip(orig.mistakes, dec.mistakes, strict=True)
                 if callable(m)]
        if callable(getattr(orig, "check", None)):
            pairs.append((orig.check, dec.check))
        for m, d in pairs:
            for p in probes:
                a, b = _judge(m, p), _judge(d, p)
                if a != b:
                    return f"{getattr(orig, 'label', None)!r}: {a} vs {b}"
        return None
    if isinstance(orig, (list, tuple)) and isinstance(dec, (list, tuple)):
        for o, d in zip(orig, dec, strict=False):
            found = _predicates_differ(o, d)
            if found:
                return found
    return None


def _run_cells(cells, ns, stem):
    outcomes = []
    for k, source in enumerate(cells):
        for j, code in enumerate(_statements(source, f"<{stem} cell {k}>")):
            try:
                exec(code, ns)  # noqa: S102
                outcomes.append((k, j, None, []))
            except BaseException as err:  # noqa: BLE001 - a statement that fails here fails alike
                if isinstance(err, (KeyboardInterrupt, SystemExit)):
                    raise
                text = re.sub(r"0x[0-9a-f]+", "0x", f"{type(err).__name__}: {err}")
                uses = sorted(n for n in _code_names(code) if hasattr(
                    ns.get(n), "__replay_original__"))
                outcomes.append((k, j, text[:400], uses))
    return outcomes


def record(nb_paths: list[Path], stubbed: dict[str, set[str]]) -> dict:
    """Run the notebooks' cells with the candidate functions wrapped (in this process), then
    again against the recorded results only.

    Returns ``{"tables": {module: {name: [(key, result)]}}, "keep": {module: {names}},
    "problems": [...], "failed": {stem: [...]}, "seconds": {stem: s}}``."""
    import importlib
    import time

    import nbformat

    rt = _runtime()
    encode = Encoder(stubbed)
    tables: dict = {}
    keep: dict = {}
    errors: list = []
    unfaithful: list = []
    state = {"depth": 0, "ns": None}
    originals = {}

    def wrap(mod, name, fn):
        def recorder(*args, **kwargs):
            if state["depth"]:
                return fn(*args, **kwargs)
            if _notebook_callable((args, kwargs), state["ns"]):
                keep.setdefault(mod, set()).add(name)
                return fn(*args, **kwargs)
            key = pickle.dumps(rt.plain_args((tuple(args), dict(kwargs))))
            state["depth"] += 1
            try:
                result = fn(*args, **kwargs)
            finally:
                state["depth"] -= 1
            try:
                enc = pickle.dumps(encode(result))
            except Exception as err:  # noqa: BLE001
                errors.append(f"{mod}.{name}: {type(err).__name__}: {err}")
                keep.setdefault(mod, set()).add(name)
                return result
            differ = _predicates_differ(result, rt.decode(pickle.loads(enc)))
            if differ:
                unfaithful.append(f"{mod}.{name}: a stored predicate judges differently: "
                                  f"{differ}")
            rows = tables.setdefault(mod, {}).setdefault(name, [])
            if not any(k == key for k, _ in rows):
                rows.append((key, enc))
            return result

        recorder.__name__ = name
        recorder.__replay_original__ = fn
        return recorder

    def replayer(mod, name):
        def replay(*args, **kwargs):
            if name in keep.get(mod, ()):  # code in the bundle too: what it calls is replayed
                return originals[(mod, name)](*args, **kwargs)
            key = rt.plain_args((tuple(args), dict(kwargs)))
            for k, enc in tables.get(mod, {}).get(name, []):
                if rt.same(pickle.loads(k), key):
                    return rt.decode(pickle.loads(enc))
            raise rt.NotPrecomputed(f"{mod}.{name}")

        return replay

    for mod, names in stubbed.items():
        m = importlib.import_module(mod)
        for name in names:
            originals[(mod, name)] = getattr(m, name)
    recorders = {k: wrap(*k, fn) for k, fn in originals.items()}
    replayers = {k: replayer(*k) for k in originals}

    def install(fns):
        for (mod, name), fn in fns.items():
            setattr(importlib.import_module(mod), name, fn)

    problems, failed, seconds, kept_because = [], {}, {}, []
    for nb_path in nb_paths:
        t0 = time.monotonic()
        cells = _cells(nbformat.read(nb_path, as_version=4))
        del errors[:]
        install(recorders)
        state["ns"] = ns = {"__name__": "__nb__"}
        first = _run_cells(cells, ns, nb_path.stem)
        install(replayers)
        state["ns"] = ns = {"__name__": "__nb__"}
        second = _run_cells(cells, ns, nb_path.stem)
        install(originals)
        kept_because += [f"{nb_path.stem}: {e}" for e in errors]
        problems += [f"{nb_path.stem}: {e}" for e in unfaithful]
        del unfaithful[:]
        problems += [f"{nb_path.stem} cell {a[0]} statement {a[1]}: recorded {a[2]!r}, "
                     f"replayed {b[2]!r}" for a, b in zip(first, second, strict=True)
                     if a[2] != b[2]]
        problems += [f"{nb_path.stem} cell {k} statement {j} uses {', '.join(u)} but fails "
                     f"outside the notebook ({e}): its values cannot be precomputed"
                     for k, j, e, u in first if e and u]
        failed[nb_path.stem] = [f"cell {k} statement {j}: {e}" for k, j, e, _ in first if e]
        seconds[nb_path.stem] = round(time.monotonic() - t0, 1)
    return {"tables": tables, "keep": keep, "problems": problems, "failed": failed,
            "seconds": seconds, "kept_because": sorted(set(kept_because))}


def record_in_subprocess(nb_paths: list[Path], stubbed: dict[str, set[str]],
                         work: Path) -> dict:
    env = dict(os.environ, NN_COURSE_SMALL_BUDGET="1", MPLBACKEND="Agg",
               OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    env.pop("PYTHONPATH", None)
    work.mkdir(parents=True, exist_ok=True)
    spec, out = work / "stubbed.json", work / "recorded.pkl"
    spec.write_text(json.dumps({m: sorted(v) for m, v in stubbed.items()}))
    proc = subprocess.run([sys.executable, "-m", "tools.grading.replay", str(spec), str(out),
                           *map(str, nb_paths)], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"recording the visible tests' values failed:\n"
                           f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return pickle.loads(out.read_bytes())


# --------------------------------------------------------------------------- rewriting

def _top_defs(tree):
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _used_names(tree, skip) -> set[str]:
    used = set()
    for node in tree.body:
        if node in skip:
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                used.add(sub.id)
            elif isinstance(sub, ast.Attribute):
                used.add(sub.attr)
    return used


def rewrite_module(text: str, stubs: set[str], prunable: set[str], *,
                   exported: set[str]) -> str:
    """``text`` with each function in ``stubs`` replaced by a stub, then every function in
    ``prunable`` and every private top-level function that no remaining code uses (and that
    no test cell or other module imports) removed."""
    tree = ast.parse(text)
    defs = _top_defs(tree)
    stubs = {s for s in stubs if s in defs}
    removed = {defs[s] for s in stubs}
    while True:
        used = _used_names(tree, removed)
        dead = {n for name, n in defs.items() if n not in removed and (
            name.startswith("_") or name in prunable)
            and name not in used and name not in exported}
        if not dead:
            break
        removed |= dead
    lines = text.split("\n")
    replace = {}
    for node in removed:
        start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
        replace[start] = (node.end_lineno, node.name if node.name in stubs else None)
    out, i, imported = [], 0, False
    while i < len(lines):
        if i in replace:
            end, name = replace[i]
            if name:
                if not imported:
                    out.append(STUB_IMPORT)
                    imported = True
                out.append(f'{name} = _replay_stub(__name__, "{name}")')
            i = end
            while i < len(lines) and not lines[i].strip() and out and not out[-1].strip():
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def build(helpers: Path, notebooks: list[Path], work: Path) -> dict:
    """Record every released notebook and rewrite the bundle's ``helpers`` in place.

    Returns a report ``{"notebooks": {stem: {...}}, "stubs": {module: [names]}}``."""
    import nbformat

    helpers = Path(helpers)
    modules = helpers_modules(helpers)
    imports: dict[str, set[str]] = {}
    per_nb = {}
    for p in notebooks:
        nb = nbformat.read(p, as_version=4)
        per_nb[p] = visible_test_imports(nb)
        for m, names in per_nb[p].items():
            imports.setdefault(m, set()).update(names)
    stubbed = candidates(modules, imports)
    inner: dict[str, set[str]] = {}  # names the helpers modules import from each other
    for path in modules.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
                inner.setdefault(node.module, set()).update(a.name for a in node.names)
    graded = [p for p in notebooks if any(is_test(c) for c in nbformat.read(
        p, as_version=4).cells)]
    r = record_in_subprocess(graded, stubbed, work) if graded else {
        "tables": {}, "keep": {}, "problems": [], "failed": {}, "seconds": {}}
    tables, keep, problems = r["tables"], r["keep"], r["problems"]
    report = {"failed": r["failed"], "seconds": r["seconds"], "stubs": {}, "kept": keep,
              "kept_because": r.get("kept_because", [])}
    if problems:
        raise RuntimeError(
            "the student bundle's precomputed test values would change what the visible tests "
            "say (a visible test cell may call a private reference -- helpers/_answers_NN.py, "
            "_cnn_cases, _reference_* -- only with values it computes itself or from the "
            "set-up cell, the imports and the exercises' cells; see tools/grading/replay.py):"
            "\n  " + "\n  ".join(problems[:40]))
    data = helpers / "_replay_data"
    data.mkdir(exist_ok=True)
    (helpers / "_replay.py").write_text(RUNTIME.read_text(encoding="utf-8"), encoding="utf-8")
    for mod, names in stubbed.items():
        names = set(names) - keep.get(mod, set())
        recorded = {n for n, rows in tables.get(mod, {}).items() if rows}
        stubs = {n for n in names if n in recorded or n in imports.get(mod, set())
                 or n.startswith("_reference")}
        path = modules[mod]
        path.write_text(rewrite_module(path.read_text(encoding="utf-8"), stubs, names - stubs,
                                       exported=imports.get(mod, set()) | inner.get(mod, set())),
                        encoding="utf-8")
        report["stubs"][mod] = sorted(stubs)
        table = {n: rows for n, rows in tables.get(mod, {}).items() if n in stubs}
        (data / f"{mod}.pkl").write_bytes(pickle.dumps(table))
    return report


# --------------------------------------------------------------------------- one assignment

_MODULE_STRING = re.compile(r"^helpers(\.\w+)*$")


def _module_refs(text: str, modules: dict[str, Path]) -> set[str]:
    """The ``helpers`` modules a piece of code imports (anywhere in it) or names in a
    string (``importlib.import_module("helpers.data")``)."""
    try:
        tree = ast.parse(_no_magics(text))
    except SyntaxError:
        return set(modules)  # cannot tell: everything
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and _MODULE_STRING.match(node.value):
            found.add(node.value)
    return {m for m in found if m in modules}


def needed_modules(helpers: Path, notebooks: list[Path]) -> set[str]:
    """Every ``helpers`` module the notebooks can import, directly or through other helpers
    modules (with the packages above each)."""
    import nbformat

    modules = helpers_modules(helpers)
    todo = {"helpers", "helpers.env_check", "helpers.checks"}
    for p in notebooks:
        for c in nbformat.read(p, as_version=4).cells:
            if c.cell_type == "code":
                todo |= _module_refs(c.source, modules)
    seen: set[str] = set()
    while todo:
        m = todo.pop()
        if m in seen or m not in modules:
            continue
        seen.add(m)
        parts = m.split(".")
        todo |= {".".join(parts[:i]) for i in range(1, len(parts))}
        todo |= _module_refs(modules[m].read_text(encoding="utf-8"), modules)
    return seen


def prune_modules(helpers: Path, notebooks: list[Path]) -> list[str]:
    """Remove the ``helpers`` modules (and their precomputed values) that the released
    notebooks never import: a one-assignment bundle then holds no later notebook's library.
    Returns the removed modules."""
    modules = helpers_modules(helpers)
    keep = needed_modules(helpers, notebooks)
    removed = []
    for m, path in modules.items():
        if m not in keep and path.name != "__init__.py":
            path.unlink()
            (Path(helpers) / "_replay_data" / f"{m}.pkl").unlink(missing_ok=True)
            removed.append(m)
    return sorted(removed)


def _main(argv) -> int:
    spec, out, *nbs = (Path(a) for a in argv)
    sys.path.insert(0, str(ROOT))
    stubbed = {m: set(v) for m, v in json.loads(spec.read_text()).items()}
    out.write_bytes(pickle.dumps(record(nbs, stubbed)))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
