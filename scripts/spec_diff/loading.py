"""Reading a spec (a file or a URL, JSON or YAML 1.2) and resolving its internal `$ref`s."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from referencing import Registry, Resource, Specification
from referencing.exceptions import Unresolvable

from scripts.spec_check import InvalidSpecError, check_spec
from scripts.spec_diff.model import SpecDiffError, one_line, short
from scripts.spec_yaml import SpecYAMLError, load_yaml

__all__ = ["FETCH_TIMEOUT", "UPSTREAM_URL", "Document", "Resolved", "read_spec"]

#: The document the pinned spec came from (the default --upstream): `.speakeasy/out.openapi.yaml`
#: of Maesn's official TypeScript SDK (maesndev/sdk-typescript, branch main), the seven documents
#: Maesn's backend serves merged and overlaid. Comparing with it, "no drift" means the same file.
UPSTREAM_URL = (
    "https://raw.githubusercontent.com/maesndev/sdk-typescript/main/.speakeasy/out.openapi.yaml"
)
FETCH_TIMEOUT = 30.0


def read_spec(source: str) -> tuple[dict[str, Any], bytes]:
    """Read an OpenAPI 3 description from a path or an http(s) URL; return it and its bytes."""
    if re.match(r"https?://", source, flags=re.IGNORECASE):
        try:
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - http(s) only, checked above
                raw: bytes = response.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SpecDiffError(f"could not fetch {source}: {one_line(reason)}") from exc
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise SpecDiffError(f"could not read {source}: {exc.strerror or exc}") from exc
    try:  # JSON is YAML 1.2: one loader for both, the one every reader of a spec uses
        document = load_yaml(raw)
    except SpecYAMLError as exc:
        raise SpecDiffError(f"{source} is neither JSON nor YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SpecDiffError(f"{source} is neither JSON nor YAML: {one_line(exc)}") from exc
    version = document.get("openapi") if isinstance(document, dict) else None
    if not (isinstance(version, str) and version.startswith("3.")):
        raise SpecDiffError(f"{source} is not an OpenAPI 3 description (no `openapi: 3.x` field)")
    if not isinstance(document.get("paths"), dict):
        raise SpecDiffError(f"{source} is not a valid OpenAPI description (`paths` is no mapping)")
    try:
        check_spec(document, source)
    except InvalidSpecError as exc:
        raise SpecDiffError(str(exc)) from exc
    return document, raw


@dataclass
class Resolved:
    """A schema node after following `$ref`s and single-member `allOf` wrappers."""

    ref: str | None
    target: dict[str, Any]
    siblings: dict[str, Any]

    @property
    def merged(self) -> dict[str, Any]:
        """The target with the keywords written next to the `$ref` laid over it."""
        return {**self.target, **self.siblings}


class Document:
    """One spec with a `referencing` registry for its internal `$ref`s."""

    def __init__(self, spec: dict[str, Any], name: str) -> None:
        self.spec = spec
        self.name = name
        uri = f"urn:maesn-spec-diff:{name}"
        resource: Resource[Any] = Specification.OPAQUE.create_resource(spec)
        self._resolver = Registry().with_resource(uri, resource).resolver(base_uri=uri)

    @property
    def schemas(self) -> dict[str, Any]:
        """`components.schemas` (empty when absent)."""
        components = self.spec.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        return schemas if isinstance(schemas, dict) else {}

    def lookup(self, ref: Any) -> tuple[str, Any]:
        """The JSON pointer a `$ref` names and what it points to."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SpecDiffError(
                f"{self.name}: $ref {ref!r} is not internal (only #/... is supported)"
            )
        try:
            resolved = self._resolver.lookup(ref)
        except Unresolvable as exc:
            raise SpecDiffError(f"{self.name}: $ref {ref!r} resolves to nothing") from exc
        return urllib.parse.unquote(ref[1:]), resolved.contents

    def deref(self, node: Any) -> Any:
        """Follow `$ref`s of a non-schema object (parameter, request body, response)."""
        seen: set[str] = set()
        while isinstance(node, dict) and "$ref" in node:
            pointer, node = self.lookup(node["$ref"])
            if pointer in seen:
                raise SpecDiffError(f"{self.name}: $ref {pointer!r} refers to itself")
            seen.add(pointer)
        return node

    def schema(self, node: Any) -> Resolved:
        """Follow a schema's `$ref`s and single-member `allOf`s, keeping their siblings."""
        if not isinstance(node, dict):
            return Resolved(None, {}, {})
        ref: str | None = None
        siblings: dict[str, Any] = {}
        seen: set[str] = set()
        while True:
            if "$ref" in node:
                pointer, target = self.lookup(node["$ref"])
                siblings = {**{k: v for k, v in node.items() if k != "$ref"}, **siblings}
                if pointer in seen:  # a $ref chain that returns to itself describes nothing
                    return Resolved(pointer, {}, siblings)
                seen.add(pointer)
                ref, node = pointer, target if isinstance(target, dict) else {}
            elif isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
                siblings = {**{k: v for k, v in node.items() if k != "allOf"}, **siblings}
                node = node["allOf"][0] if isinstance(node["allOf"][0], dict) else {}
            else:
                return Resolved(ref, node, siblings)

    def flatten(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An `allOf` merged into one schema: properties and required united, the rest overlaid."""
        members = schema.get("allOf")
        if not isinstance(members, list):
            return schema
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties: dict[str, Any] = dict(merged.get("properties") or {})
        required: list[str] = list(merged.get("required") or [])
        for member in members:
            flat = self.flatten(self.schema(member).merged)
            properties.update(flat.get("properties") or {})
            required += [name for name in flat.get("required") or [] if name not in required]
            merged.update({k: v for k, v in flat.items() if k not in {"properties", "required"}})
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def parameters(self, listed: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
        """Parameters by (location, name); header names compare case-insensitively."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for item in listed:
            parameter = self.deref(item)
            if not isinstance(parameter, dict) or "name" not in parameter:
                raise SpecDiffError(f"{self.name}: a parameter has no name: {short(parameter)}")
            location = str(parameter.get("in", ""))
            name = str(parameter["name"])
            # Operation-level parameters override path-level ones with the same location and name.
            found[location, name.lower() if location == "header" else name] = parameter
        return found
