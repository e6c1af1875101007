"""The one way a spec is read: YAML 1.2, exactly as openapi-python-client reads it.

PyYAML is a YAML 1.1 loader: unquoted `NO`, `yes`, `on`, `off` become booleans and `1:20` the
integer 80 (sexagesimal), so a country-code enum value `NO` would silently become `False` in a
fixed spec the generator then reads as JSON. The generator itself loads YAML with ruamel.yaml's
YAML 1.2 safe loader; every reader in this repository (regenerate, spec_diff, the contract tests'
copy for Prism) goes through `load_yaml` here so all of them see the same values.

Timestamps are not part of YAML 1.2's core schema, and a spec is JSON data: an unquoted
`example: 2024-01-01` stays the string it is in JSON, so that a loaded spec always serialises with
json.dumps (the fixed spec reaches the generator as JSON).

ruamel's pure-Python loader takes seconds for the pinned spec (21,000 lines), and one process
often reads the same document several times (regenerate and spec_diff read the pinned spec more
than once; a test run reads it in dozens of tests): the last few texts parsed are kept, and each
caller gets its own deep copy.
"""

from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode

__all__ = ["SpecYAMLError", "load_document", "load_yaml"]


class SpecYAMLError(ValueError):
    """The text is not valid YAML 1.2 (JSON included), with where the parser stopped (1-based)."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column

    @classmethod
    def from_yaml(cls, exc: YAMLError) -> SpecYAMLError:
        """One line naming the line and column, the problem and what the parser was reading."""
        if not isinstance(exc, MarkedYAMLError) or exc.problem_mark is None:
            return cls(" ".join(str(exc).split()))
        line, column = exc.problem_mark.line + 1, exc.problem_mark.column + 1
        message = f"YAML error at line {line}, column {column}: {exc.problem}"
        if exc.context and exc.context_mark is not None:
            started = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
            message += f" ({exc.context} started at {started})"
        elif exc.context:
            message += f" ({exc.context})"
        return cls(message, line=line, column=column)


class _SpecConstructor(SafeConstructor):
    """ruamel's safe constructor with timestamps kept as their text (JSON has no date type)."""

    def construct_timestamp_text(self, node: ScalarNode) -> str:
        """The scalar as written: `2024-01-01` stays the string "2024-01-01"."""
        return str(self.construct_scalar(node))


_SpecConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _SpecConstructor.construct_timestamp_text
)


_PARSED: OrderedDict[str, Any] = OrderedDict()
_PARSED_KEPT = 8


def load_yaml(text: str | bytes) -> Any:
    """Parse YAML 1.2 (or JSON, which is YAML) into plain Python data (a fresh copy each call)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return copy.deepcopy(_PARSED[key])
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _SpecConstructor
    try:
        document = yaml.load(text)
    except YAMLError as exc:
        raise SpecYAMLError.from_yaml(exc) from exc
    _PARSED[key] = document
    if len(_PARSED) > _PARSED_KEPT:
        _PARSED.popitem(last=False)
    return copy.deepcopy(document)


def load_document(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON file holding a mapping at the top level."""
    document = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise SpecYAMLError(f"{path} does not hold a mapping at the top level")
    return document
