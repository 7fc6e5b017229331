"""Keyword arguments from the library's option descriptors.

Every Options struct of the C++ API describes its fields once (name, kind, default, bounds,
help). Here those descriptors become the keyword arguments of the Python functions — their
signatures and the "Options" part of their docstrings — and the keywords a call receives go
back to C++ as a JSON object, where the descriptor validates them with the library's own
messages. Nothing about an option is written twice.
"""
from __future__ import annotations

import difflib
import inspect
import json
import keyword
import math
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import _core

_KIND_TYPES = {"real": float, "integer": int, "flag": bool, "choice": str, "text": str}


def python_name(name: str) -> str:
    """`from` is a Python keyword: it becomes `from_` (PEP 8), and so for any other."""
    return name + "_" if keyword.iskeyword(name) else name


def fields(table: str) -> List[dict]:
    return list(_core.OPTIONS[table])


def _describe(field: dict) -> str:
    text = field["help"]
    extra = []
    if field["choices"]:
        extra.append("one of " + ", ".join(field["choices"]))
    if field["bounds"]:
        extra.append(field["bounds"])
    default = field["default"]
    if default is not None and default != "":
        extra.append(f"default {default!r}")
    return text + (f" ({'; '.join(extra)})" if extra else "")


def option_docs(tables: Sequence[str]) -> str:
    lines = []
    for table in tables:
        for f in fields(table):
            lines.append(f"    {python_name(f['name'])}: {_describe(f)}")
    return "\n".join(lines)


def _annotation(field: dict) -> Any:
    t = _KIND_TYPES[field["kind"]]
    return Optional[t] if field["optional"] else t


def with_options(*tables: str, skip: Iterable[str] = ()) -> Callable:
    """Decorates `f(..., **options)`: its signature gains a keyword-only parameter per field of
    `tables` (in order, minus `skip` and names it already has), its docstring an Options
    section, and a call with an unknown keyword a TypeError naming the closest one. `f`
    receives its `**options` as {table: {descriptor name: value}}, holding only what was
    passed."""
    skip = set(skip)

    def decorate(f: Callable) -> Callable:
        signature = inspect.signature(f)
        own = [p for p in signature.parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD]
        taken = {p.name for p in own}
        table_of: Dict[str, tuple] = {}
        extra = []
        for table in tables:
            for field in fields(table):
                name = python_name(field["name"])
                if name in taken or name in skip or name in table_of:
                    continue
                table_of[name] = (table, field["name"])
                extra.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                               default=field["default"], annotation=_annotation(field)))
        known = sorted(taken | set(table_of))

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            options: Dict[str, Dict[str, Any]] = {t: {} for t in tables}
            own_kwargs = {}
            for name, value in kwargs.items():
                if name in table_of:
                    table, field_name = table_of[name]
                    options[table][field_name] = value
                elif name in taken:
                    own_kwargs[name] = value
                else:
                    near = difflib.get_close_matches(name, known, n=1)
                    hint = f" (did you mean '{near[0]}'?)" if near else ""
                    raise TypeError(f"{f.__name__}() got an unexpected keyword argument '{name}'{hint}")
            return f(*args, **own_kwargs, **options)

        wrapper.__name__ = f.__name__
        wrapper.__qualname__ = f.__qualname__
        wrapper.__module__ = f.__module__
        wrapper.__wrapped__ = f
        wrapper.__signature__ = signature.replace(parameters=own + extra)
        doc = inspect.cleandoc(f.__doc__ or "")
        wrapper.__doc__ = doc + "\n\nOptions (keyword arguments):\n" + option_docs(tables)
        return wrapper

    return decorate


def to_json(values: Mapping[str, Any]) -> str:
    """The options passed, as the JSON object the C++ descriptors read ("" when none). numpy
    scalars become Python numbers; NaN and infinities go as strings, which the descriptor then
    refuses with its own message."""
    if not values:
        return ""
    plain = {}
    for k, v in values.items():
        if hasattr(v, "item") and not isinstance(v, (str, bytes)):
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            v = repr(v)
        plain[k] = v
    return json.dumps(plain)


Settings = Union[None, Mapping[str, Any], Sequence[str]]


def settings(values: Settings, what: str) -> List[str]:
    """`{"k_repair": 0.8}` or `["k_repair=0.8"]` as the library's `name=value` settings."""
    if values is None:
        return []
    if isinstance(values, str):
        raise TypeError(f"{what}: expected a dict of name: value (or a list of 'name=value'), got a string")
    if isinstance(values, Mapping):
        out = []
        for name, value in values.items():
            if hasattr(value, "item"):
                value = value.item()
            out.append(f"{name}={value!r}" if isinstance(value, float) else f"{name}={value}")
        return out
    return [str(v) for v in values]
