"""Precomputed values for the visible tests (copied into the student bundle as
``helpers/_replay.py`` by ``make release``; see ``tools/grading/replay.py``).

In the instructor's tree, the visible test cells build their cases with private references
(``helpers/_answers_NN.py``, ``helpers/torch_nn/_cnn_cases.py`` and the ``_reference_*``
functions of library modules): code that computes the right answer. In the student bundle
those functions are stubs made by :func:`stub`: each call looks its arguments up in the table
recorded when the bundle was built and returns the stored result (the cases' inputs, expected
values, the named mistakes' wrong values; small predicates as their source). A call with
arguments the course's visible tests never make raises :class:`NotPrecomputed`.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib
import pickle
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "_replay_data"
_TABLES: dict = {}


class NotPrecomputed(LookupError):
    """The student bundle only holds the values the course's visible tests use."""


# --------------------------------------------------------------------------- encoded values

@dataclasses.dataclass
class Ref:
    """An importable object: ``module.qualname``."""
    module: str
    qualname: str


@dataclasses.dataclass
class Code:
    """A function (a named mistake's predicate) kept as its source and its free values."""
    source: str
    name: str | None  # None: a lambda expression; else the name a ``def`` binds
    env: dict
    defaults: object = None
    kwdefaults: object = None


@dataclasses.dataclass
class Obj:
    """A dataclass instance (``helpers.checks.Case``) with encoded fields."""
    cls: Ref
    fields: dict


@dataclasses.dataclass
class Seq:
    kind: str  # "tuple" | "list"
    items: list


@dataclasses.dataclass
class Map:
    items: list  # [(key, value)], keys plain


@dataclasses.dataclass
class Fn:
    """An argument that is a function: compared by name only."""
    qualname: str


def _resolve(ref: Ref):
    obj = importlib.import_module(ref.module)
    for part in filter(None, ref.qualname.split(".")):
        obj = getattr(obj, part)
    return obj


def decode(value):
    if isinstance(value, Ref):
        return _resolve(value)
    if isinstance(value, Seq):
        items = [decode(v) for v in value.items]
        return tuple(items) if value.kind == "tuple" else items
    if isinstance(value, Map):
        return {k: decode(v) for k, v in value.items}
    if isinstance(value, Obj):
        return _resolve(value.cls)(**{k: decode(v) for k, v in value.fields.items()})
    if isinstance(value, Code):
        env = {"__builtins__": builtins}
        env.update({k: decode(v) for k, v in value.env.items()})
        if value.name is None:
            fn = eval(value.source, env)  # noqa: S307 - the bundle's own recorded source
        else:
            exec(value.source, env)  # noqa: S102
            fn = env[value.name]
        if value.defaults is not None:
            fn.__defaults__ = decode(value.defaults)
        if value.kwdefaults is not None:
            fn.__kwdefaults__ = decode(value.kwdefaults)
        return fn
    return value


# --------------------------------------------------------------------------- argument matching

def _array(x):
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # a torch tensor
        return np.asarray(x.detach().cpu().numpy())
    return np.asarray(x)


def same(a, b) -> bool:
    """Are two argument values the same (floats up to another machine's last bits)?"""
    if isinstance(a, Fn) or isinstance(b, Fn):
        return isinstance(a, Fn) and isinstance(b, Fn) and a.qualname == b.qualname
    if isinstance(a, (Seq, Map)) or isinstance(b, (Seq, Map)):
        if type(a) is not type(b):
            return False
        if isinstance(a, Seq):
            return a.kind == b.kind and len(a.items) == len(b.items) and all(
                same(x, y) for x, y in zip(a.items, b.items, strict=True))
        return len(a.items) == len(b.items) and all(
            ka == kb and same(va, vb) for (ka, va), (kb, vb) in zip(a.items, b.items,
                                                                     strict=True))
    if isinstance(a, (bool, str, bytes, type(None))) or isinstance(b, (bool, str, bytes,
                                                                        type(None))):
        return type(a) is type(b) and a == b
    try:
        x, y = _array(a), _array(b)
    except Exception:  # noqa: BLE001
        return a == b
    if x.shape != y.shape or x.dtype.kind != y.dtype.kind:
        return False
    if x.dtype.kind in "fc":  # float32 arguments may come from another machine's BLAS
        single = min(x.dtype.itemsize, y.dtype.itemsize) < 8
        return bool(np.allclose(x, y, rtol=1e-6 if single else 1e-9,
                                atol=1e-9 if single else 1e-12, equal_nan=True))
    if x.dtype.kind == "O":
        return all(same(p, q) for p, q in zip(x.ravel(), y.ravel(), strict=True))
    return bool(np.array_equal(x, y))


def plain_args(value):
    """Arguments in the form they are matched in: containers spelled out, functions by name."""
    if isinstance(value, (tuple, list)):
        return Seq("tuple" if isinstance(value, tuple) else "list",
                   [plain_args(v) for v in value])
    if isinstance(value, dict):
        return Map([(k, plain_args(v)) for k, v in value.items()])
    if callable(value) and not hasattr(value, "detach") and not isinstance(value, type):
        if hasattr(value, "state_dict"):  # a torch module: its class and its weights
            return Seq("tuple", [Fn(type(value).__qualname__),
                                 plain_args(dict(value.state_dict()))])
        return Fn(getattr(value, "__qualname__", type(value).__qualname__))
    if hasattr(value, "detach"):
        return _array(value).copy()
    return value


# --------------------------------------------------------------------------- the stubs

def _table(module: str) -> dict:
    if module not in _TABLES:
        path = DATA / f"{module}.pkl"
        _TABLES[module] = pickle.loads(path.read_bytes()) if path.exists() else {}
    return _TABLES[module]


def lookup(module: str, name: str, args: tuple, kwargs: dict):
    key = plain_args((tuple(args), dict(kwargs)))
    for rec_key, result in _table(module).get(name, []):
        if same(pickle.loads(rec_key), key):
            return decode(pickle.loads(result))
    raise NotPrecomputed(
        f"{module}.{name}: the student version of the course holds this function's results "
        "only for the course's own test cases (it is a private reference of the tests)")


def stub(module: str, name: str):
    def precomputed(*args, **kwargs):
        return lookup(module, name, args, kwargs)

    precomputed.__name__ = precomputed.__qualname__ = name
    precomputed.__module__ = module
    precomputed.__doc__ = "Precomputed for the course's test cases (see helpers/_replay.py)."
    return precomputed
