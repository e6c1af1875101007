"""Minimal valid instances of generated models, and arguments for any generated operation.

Built from the models' attrs fields (required fields only), so every operation of the generated
layer can be called in a test without a hand-written body per operation. Nullable fields get
None; the JSON side of a model is its own `to_dict()`.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import inspect
import io
import types
from typing import Any

import attrs
from maesn._operations import Operation, Parameter
from maesn_api.types import File

_SCALARS: dict[str, Any] = {
    "str": "x",
    "int": 1,
    "float": 1.0,
    "bool": True,
    "Any": "x",
    "datetime.datetime": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    "datetime.date": dt.date(2026, 1, 2),
}


def _split_union(annotation: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in annotation:
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _resolve(owner: type, name: str) -> Any:
    """A class an annotation of `owner`'s module names: a generated model, or its own module's."""
    found = getattr(importlib.import_module("maesn_api.models"), name, None)
    return found if found is not None else getattr(inspect.getmodule(owner), name)


_CONTAINERS: dict[str, Any] = {"list[": list, "tuple[": list, "dict[": dict}


def _value_of(owner: type, annotation: object) -> Any:
    if not isinstance(annotation, str):
        return value_for(annotation)
    parts = [p for p in _split_union(annotation) if p != "Unset"]
    first = parts[0]
    if first == "list[File]":
        return [value_for(File)]
    containers = [kind for prefix, kind in _CONTAINERS.items() if first.startswith(prefix)]
    if "None" in parts or containers:
        return containers[0]() if containers and "None" not in parts else None
    if first in _SCALARS:
        return _SCALARS[first]
    return value_for(File if first == "File" else _resolve(owner, first))


def _simple(annotation: object) -> bool:
    parts = [p for p in _split_union(str(annotation)) if p not in {"Unset", "None"}]
    return bool(parts) and (parts[0] in _SCALARS or parts[0] in {"File", "list[File]"})


def sample(model: type, *, optional: bool = False) -> Any:
    """An instance of `model` with every required field set.

    With `optional`, every optional field of a scalar or file type too: a multipart body needs
    at least one part.
    """
    kwargs = {
        field.name: _value_of(model, field.type)
        for field in attrs.fields(model)
        if field.init and (field.default is attrs.NOTHING or (optional and _simple(field.type)))
    }
    return model(**kwargs)


def value_for(annotation: object, *, optional: bool = False) -> Any:
    """A valid value for a parameter or field annotated with `annotation` (a real type)."""
    members = annotation.__args__ if isinstance(annotation, types.UnionType) else (annotation,)
    kinds = [m for m in members if m is not type(None) and getattr(m, "__name__", "") != "Unset"]
    first = kinds[0] if kinds else None
    if first is None:
        return None
    if isinstance(first, type) and issubclass(first, enum.Enum):
        return next(iter(first))
    if first is File:
        return File(payload=io.BytesIO(b"%PDF-1.4 sample"), file_name="sample.pdf")
    if isinstance(first, type) and attrs.has(first):
        return sample(first, optional=optional)
    name = getattr(first, "__name__", str(first))
    if isinstance(first, types.GenericAlias):
        container: Any = first.__origin__
        return container()
    if isinstance(first, type) and first.__module__ == "datetime":
        name = f"datetime.{name}"
    return _SCALARS.get(name, "x")


_KIND_VALUES: dict[str, Any] = {
    "str": "x-1",
    "int": 1,
    "float": 1.0,
    "bool": True,
    "datetime": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    "date": dt.date(2026, 1, 2),
    "any": "x",
}


def parameter_value(parameter: Parameter) -> Any:
    """A valid value for one parameter of an operation (an enum's first value)."""
    if parameter.kind == "enum":
        return parameter.choices[0]
    return _KIND_VALUES[parameter.kind]


def required_arguments(operation: Operation) -> dict[str, Any]:
    """Valid values for every required parameter of an operation, and its body if required.

    companyId and environmentName are left to the client's defaults.
    """
    arguments = {
        p.name: parameter_value(p)
        for p in operation.parameters
        if p.required and p.name not in {"company_id", "environment_name"}  # the client's
    }
    if operation.body is not None and operation.body.required:
        arguments["body"] = sample(operation.body.model.load(), optional=True)
    return arguments
