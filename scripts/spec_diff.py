"""Compare the pinned OpenAPI spec with Maesn's upstream spec, classified for this client.

Every difference between openapi/maesn.yaml (pinned) and the upstream description (a file or a
URL, JSON or YAML) is reported with a JSON pointer (RFC 6901) and a one-line reason, in one of four
classes, judged for *this* client (the generated maesn_api and the overlay built on it):

  breaking       existing calls or typed reads stop working (major bump)
  needs-review   a maintainer must decide (a profile row, a stale fix, an unknown keyword)
  non-breaking   an addition or a relaxation (minor bump)
  docs-only      descriptions, summaries, examples, titles (patch bump)

Requests and responses are judged in opposite directions: a new required request parameter is
breaking, a new optional one is not; a response property removed, turned optional or turned
nullable is breaking (typed consumers now meet `Unset` or `None`), one added or turned required is
not. Key order never matters; `$ref`s are resolved (with `referencing`) and compared by what they
point to, recursive schemas included. Changes inside a component schema that both specs reference
are reported once, at the component (`/components/schemas/X/...`).

Parameters live in an array, so their pointers use location and name instead of the array index
(which moves when a parameter is inserted): `/paths/~1accounting~1asyncTask~1{taskId}/get/
parameters/query/limit`. Stale fixes point into openapi/fixes.yaml (`fixes.yaml#/actions/1`).

The fixes of openapi/fixes.yaml are applied to upstream too; a fix whose target matches nothing
there is stale (needs-review). Unless --no-preview, upstream is regenerated with the same fixes,
generator and config into a temporary directory and the result is diffed against
generated/maesn_api; a generator warning on upstream is breaking (the pipeline would refuse it).

Exit codes: 0 identical, docs-only or non-breaking; 1 breaking or needs-review; 2 could not run
(unreachable URL, unreadable or invalid spec, not OpenAPI 3).
"""

from __future__ import annotations

import argparse
import enum
import json
import re
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from referencing import Registry, Resource, Specification
from referencing.exceptions import Unresolvable

from scripts.regenerate import (
    FIXES,
    GENERATED,
    PACKAGE,
    ROOT,
    SPEC,
    GeneratorWarningError,
    PipelineError,
    apply_fixes,
    build_package,
    compare_trees,
    load_document,
)
from scripts.spec_yaml import SpecYAMLError, load_yaml

__all__ = [
    "PROFILES_TABLE",
    "PROFILE_ROWS",
    "UPSTREAM_URL",
    "Bump",
    "Change",
    "Preview",
    "Report",
    "Severity",
    "SpecDiffError",
    "cap_diff",
    "classify",
    "diff_specs",
    "escape",
    "main",
    "read_spec",
    "run",
]

#: Where Maesn publishes its current OpenAPI description (the default --upstream): the first source
#: its official TypeScript SDK is generated from (`.speakeasy/workflow.yaml` of maesndev/sdk-typescript).
UPSTREAM_URL = "https://unified-backend-prod.azurewebsites.net/api-json"
FETCH_TIMEOUT = 30.0
#: The integration profile table and its rows: a new status value may need a row updated.
PROFILES_TABLE = "overlay/maesn/_profiles.py"
PROFILE_ROWS = (
    "abaconnect",
    "datev-unternehmen-online",
    "datev-rewe",
    "datev-rewe-longtoken",
    "datev-rewe-export",
)
DEFAULT_PREVIEW_LINES = 200
SHORT_VALUE_CHARS = 60

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOC_KEYS = frozenset({"description", "summary", "example", "examples", "title", "externalDocs"})
SCHEMA_KEYS = frozenset(
    {
        "$ref",
        "type",
        "nullable",
        "enum",
        "properties",
        "required",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "additionalProperties",
    }
)
SUBSCHEMA_KEYS = frozenset({"items", "additionalProperties"})
STATUS_PROPERTY = "status"
REQUIRED_IN_RESPONSE = (
    "the generated parser then raises KeyError on a body without it; check that Maesn, the "
    "sandbox (maesn.testing) and the contract-test examples always send it"
)


class SpecDiffError(Exception):
    """The comparison could not run: a spec is unreachable, unreadable or not OpenAPI 3."""


class Severity(enum.StrEnum):
    """How a change affects this client, most severe first."""

    BREAKING = "breaking"
    NEEDS_REVIEW = "needs-review"
    NON_BREAKING = "non-breaking"
    DOCS_ONLY = "docs-only"


class Bump(enum.StrEnum):
    """The semantic-version bump a set of changes implies."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    NONE = "none"


@dataclass(frozen=True)
class Change:
    """One classified difference: where (a JSON pointer into `document`) and why."""

    severity: Severity
    pointer: str
    reason: str
    document: str = "spec"

    @property
    def location(self) -> str:
        """The pointer, prefixed with the document when it is not the spec itself."""
        if self.document != "spec":
            return f"{self.document}#{self.pointer}"
        return self.pointer or "(whole spec)"


@dataclass
class Preview:
    """The diff between generated/maesn_api and what upstream would generate."""

    files: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    hidden_lines: int = 0
    hidden_files: int = 0
    note: str = ""


@dataclass
class Report:
    """Everything spec_diff found: the changes, the bump, the exit code and the preview."""

    pinned: str
    upstream: str
    changes: list[Change]
    preview: Preview | None = None

    def count(self, severity: Severity) -> int:
        """How many changes have `severity`."""
        return sum(change.severity is severity for change in self.changes)

    @property
    def bump(self) -> Bump:
        """Major for breaking, minor for additions (and open reviews), patch for docs-only."""
        severities = {change.severity for change in self.changes}
        if Severity.BREAKING in severities:
            return Bump.MAJOR
        if severities & {Severity.NEEDS_REVIEW, Severity.NON_BREAKING}:
            return Bump.MINOR
        return Bump.PATCH if severities else Bump.NONE

    @property
    def exit_code(self) -> int:
        """1 when anything is breaking or needs review, else 0."""
        blocking = {Severity.BREAKING, Severity.NEEDS_REVIEW}
        return int(any(change.severity in blocking for change in self.changes))


def escape(token: str | int) -> str:
    """One reference token escaped per RFC 6901 (`~` → `~0`, `/` → `~1`)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def _join(pointer: str, *tokens: str | int) -> str:
    return pointer + "".join("/" + escape(token) for token in tokens)


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if value is not None else "absent"
    return text if len(text) <= SHORT_VALUE_CHARS else text[: SHORT_VALUE_CHARS - 3] + "..."


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def read_spec(source: str) -> tuple[dict[str, Any], bytes]:
    """Read an OpenAPI 3 description from a path or an http(s) URL; return it and its bytes."""
    if re.match(r"https?://", source, flags=re.IGNORECASE):
        try:
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - http(s) only, checked above
                raw: bytes = response.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SpecDiffError(f"could not fetch {source}: {_one_line(reason)}") from exc
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise SpecDiffError(f"could not read {source}: {exc.strerror or exc}") from exc
    try:
        document = json.loads(raw)
    except ValueError:
        try:
            document = load_yaml(raw)
        except (SpecYAMLError, UnicodeDecodeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SpecDiffError(f"{source} is neither JSON nor YAML: {first}") from exc
    version = document.get("openapi") if isinstance(document, dict) else None
    if not (isinstance(version, str) and version.startswith("3.")):
        raise SpecDiffError(f"{source} is not an OpenAPI 3 description (no `openapi: 3.x` field)")
    if not isinstance(document.get("paths"), dict):
        raise SpecDiffError(f"{source} is not a valid OpenAPI description (`paths` is no mapping)")
    return document, raw


@dataclass
class _Schema:
    """A schema node after following `$ref`s and single-member `allOf` wrappers."""

    ref: str | None
    target: dict[str, Any]
    siblings: dict[str, Any]

    @property
    def merged(self) -> dict[str, Any]:
        return {**self.target, **self.siblings}


class _Document:
    """One spec with a `referencing` registry for its internal `$ref`s."""

    def __init__(self, spec: dict[str, Any], name: str) -> None:
        self.spec = spec
        self.name = name
        uri = f"urn:maesn-spec-diff:{name}"
        resource: Resource[Any] = Specification.OPAQUE.create_resource(spec)
        self._resolver = Registry().with_resource(uri, resource).resolver(base_uri=uri)

    def lookup(self, ref: Any) -> tuple[str, Any]:
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

    def schema(self, node: Any) -> _Schema:
        if not isinstance(node, dict):
            return _Schema(None, {}, {})
        ref: str | None = None
        siblings: dict[str, Any] = {}
        seen: set[str] = set()
        while True:
            if "$ref" in node:
                pointer, target = self.lookup(node["$ref"])
                siblings = {**{k: v for k, v in node.items() if k != "$ref"}, **siblings}
                if pointer in seen:  # a $ref chain that returns to itself describes nothing
                    return _Schema(pointer, {}, siblings)
                seen.add(pointer)
                ref, node = pointer, target if isinstance(target, dict) else {}
            elif isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
                siblings = {**{k: v for k, v in node.items() if k != "allOf"}, **siblings}
                node = node["allOf"][0] if isinstance(node["allOf"][0], dict) else {}
            else:
                return _Schema(ref, node, siblings)

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


def _same_length(old: Any, new: Any) -> bool:
    """Both lists of the same length (compared member by member), or neither a list."""
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new)
    return not isinstance(old, list) and not isinstance(new, list)


def _align(old: list[Any], new: list[Any]) -> list[tuple[Any, int, Any]]:
    """Pair combinator members regardless of order: same `$ref`, else equal, else in order.

    Returns (old member, index in `new`, new member) for every pair.
    """

    def identity(member: Any) -> str:
        if isinstance(member, dict) and "$ref" in member:
            return "ref:" + str(member["$ref"])
        return "inline:" + json.dumps(member, sort_keys=True, default=str)

    unpaired = list(enumerate(new))
    pairs: list[tuple[Any, int, Any]] = []
    leftovers: list[Any] = []
    for member in old:
        match = next((item for item in unpaired if identity(item[1]) == identity(member)), None)
        if match is None:
            leftovers.append(member)
        else:
            unpaired.remove(match)
            pairs.append((member, *match))
    pairs += [(member, *item) for member, item in zip(leftovers, unpaired, strict=True)]
    return pairs


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _types(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(str(t) for t in declared) - {"null"}
    return frozenset()


def _nullable(schema: dict[str, Any]) -> bool:
    declared = schema.get("type")
    return schema.get("nullable") is True or (isinstance(declared, list) and "null" in declared)


def _describe(types: frozenset[str]) -> str:
    return "|".join(sorted(types)) or "any"


def _enum_values(schema: dict[str, Any]) -> dict[str, Any] | None:
    values = schema.get("enum")
    if not isinstance(values, list):
        return None
    return {json.dumps(value, sort_keys=True): value for value in values}


def _status_review_reason(verb: str, values: str) -> str:
    rows = ", ".join(PROFILE_ROWS)
    return (
        f"status value(s) {values} {verb}: the forward-compatible parser keeps any string, but "
        f"review which integration profile rows in {PROFILES_TABLE} ({rows}) may report it"
    )


class _Comparer:
    """Walks both specs operation by operation and collects classified changes."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old = _Document(old, "pinned")
        self.new = _Document(new, "upstream")
        self.changes: list[Change] = []
        self._seen: set[tuple[str, str, str]] = set()
        self._components: set[str] = set()

    def add(self, severity: Severity, pointer: str, reason: str) -> None:
        self.changes.append(Change(severity, pointer, reason))

    # -- generic values ---------------------------------------------------------------------

    def generic(self, old: Any, new: Any, pointer: str, *, docs: bool = False) -> None:
        """Any other difference: docs-only under a documentation key, else needs-review."""
        if old == new:
            return
        if isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(old.keys() | new.keys()):
                self.generic(
                    old.get(key), new.get(key), _join(pointer, key), docs=docs or key in DOC_KEYS
                )
            return
        if docs:
            self.add(Severity.DOCS_ONLY, pointer, "documentation changed")
        elif pointer.endswith("/deprecated"):
            self.add(Severity.NON_BREAKING, pointer, f"deprecated changed to {_short(new)}")
        else:
            self.add(
                Severity.NEEDS_REVIEW,
                pointer,
                f"changed from {_short(old)} to {_short(new)}: not a rule this checker knows",
            )

    def rest(
        self, old: dict[str, Any], new: dict[str, Any], pointer: str, handled: set[str]
    ) -> None:
        for key in sorted((old.keys() | new.keys()) - handled):
            self.generic(old.get(key), new.get(key), _join(pointer, key), docs=key in DOC_KEYS)

    # -- the document -----------------------------------------------------------------------

    def document(self) -> list[Change]:
        old, new = self.old.spec, self.new.spec
        self.generic(old.get("info"), new.get("info"), "/info", docs=True)
        self.generic(old.get("tags"), new.get("tags"), "/tags", docs=True)
        for key in ("servers", "security"):
            if old.get(key) != new.get(key):
                self.add(
                    Severity.NEEDS_REVIEW,
                    f"/{key}",
                    f"{key} changed: check the client's default base URL and the key headers",
                )
        self.paths(old.get("paths") or {}, new.get("paths") or {})
        self.unreferenced_components()
        self.rest(old, new, "", {"info", "tags", "servers", "security", "paths", "components"})
        return self.changes

    def paths(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        def operations(paths: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
            return {
                (path, method): item[method]
                for path, item in paths.items()
                if isinstance(item, dict)
                for method in METHODS
                if isinstance(item.get(method), dict)
            }

        old_ops, new_ops = operations(old), operations(new)
        removed = sorted(old_ops.keys() - new_ops.keys())
        added = sorted(new_ops.keys() - old_ops.keys())
        by_id = {
            new_ops[key].get("operationId"): key for key in added if new_ops[key].get("operationId")
        }
        for key in removed:
            pointer = _join("/paths", *key)
            moved = by_id.pop(old_ops[key].get("operationId"), None)
            if moved is None:
                self.add(Severity.BREAKING, pointer, "operation removed: calls to it fail")
                continue
            added.remove(moved)
            what = "path" if moved[0] != key[0] else "method"
            self.add(
                Severity.BREAKING,
                pointer,
                f"operation {old_ops[key].get('operationId')} moved to {moved[1].upper()} "
                f"{moved[0]} ({what} changed): the generated call targets the old one",
            )
            self.operation(old, new, key, moved)
        for key in added:
            self.add(Severity.NON_BREAKING, _join("/paths", *key), "operation added")
        for key in sorted(old_ops.keys() & new_ops.keys()):
            self.operation(old, new, key, key)
        for path in sorted(old.keys() & new.keys()):
            old_item, new_item = old[path], new[path]
            if isinstance(old_item, dict) and isinstance(new_item, dict):
                handled = {*METHODS, "parameters"}
                self.rest(old_item, new_item, _join("/paths", path), handled)

    def operation(
        self,
        old_paths: dict[str, Any],
        new_paths: dict[str, Any],
        old_key: tuple[str, str],
        new_key: tuple[str, str],
    ) -> None:
        old_op, new_op = old_paths[old_key[0]][old_key[1]], new_paths[new_key[0]][new_key[1]]
        pointer = _join("/paths", *new_key)
        for key, what in (("operationId", "function"), ("tags", "module")):
            if old_op.get(key) != new_op.get(key):
                self.add(
                    Severity.BREAKING,
                    _join(pointer, key),
                    f"{key} changed from {_short(old_op.get(key))} to {_short(new_op.get(key))}: "
                    f"the generated {what} is renamed",
                )
        self.parameters(
            [*old_paths[old_key[0]].get("parameters", []), *old_op.get("parameters", [])],
            [*new_paths[new_key[0]].get("parameters", []), *new_op.get("parameters", [])],
            _join(pointer, "parameters"),
        )
        self.request_body(old_op.get("requestBody"), new_op.get("requestBody"), pointer)
        self.responses(old_op.get("responses") or {}, new_op.get("responses") or {}, pointer)
        handled = {"operationId", "tags", "parameters", "requestBody", "responses"}
        self.rest(old_op, new_op, pointer, handled)

    # -- parameters -------------------------------------------------------------------------

    def _parameters(
        self, doc: _Document, listed: list[Any]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for item in listed:
            parameter = doc.deref(item)
            if not isinstance(parameter, dict) or "name" not in parameter:
                raise SpecDiffError(f"{doc.name}: a parameter has no name: {_short(parameter)}")
            location = str(parameter.get("in", ""))
            name = str(parameter["name"])
            # Operation-level parameters override path-level ones with the same location and name.
            found[location, name.lower() if location == "header" else name] = parameter
        return found

    def parameters(self, old_list: list[Any], new_list: list[Any], pointer: str) -> None:
        old, new = self._parameters(self.old, old_list), self._parameters(self.new, new_list)
        for key in sorted(old.keys() - new.keys()):
            where = _join(pointer, key[0], old[key]["name"])
            elsewhere = [
                loc for loc, name in new.keys() - old.keys() if name.lower() == key[1].lower()
            ]
            if elsewhere:
                self.add(
                    Severity.BREAKING,
                    where,
                    f"parameter {old[key]['name']!r} moved from {key[0]} to {elsewhere[0]}: "
                    "the generated call sends it in the wrong place",
                )
            else:
                self.add(
                    Severity.BREAKING,
                    where,
                    f"{key[0]} parameter {old[key]['name']!r} removed: the generated function "
                    "loses the argument",
                )
        for key in sorted(new.keys() - old.keys()):
            where = _join(pointer, key[0], new[key]["name"])
            moved = any(name.lower() == key[1].lower() for _, name in old.keys() - new.keys())
            if moved:
                continue
            if new[key].get("required") is True:
                self.add(
                    Severity.BREAKING,
                    where,
                    f"new required {key[0]} parameter {new[key]['name']!r}: every call must send it",
                )
            else:
                self.add(
                    Severity.NON_BREAKING,
                    where,
                    f"new optional {key[0]} parameter {new[key]['name']!r}",
                )
        for key in sorted(old.keys() & new.keys()):
            self.parameter(old[key], new[key], _join(pointer, key[0], new[key]["name"]))

    def parameter(self, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
        was, now = old.get("required") is True, new.get("required") is True
        if was and not now:
            self.add(
                Severity.NON_BREAKING,
                _join(pointer, "required"),
                f"{old.get('in')} parameter {old['name']!r} no longer required",
            )
        elif now and not was:
            self.add(
                Severity.BREAKING,
                _join(pointer, "required"),
                f"{old.get('in')} parameter {old['name']!r} now required: calls without it fail",
            )
        self.schema(old.get("schema"), new.get("schema"), _join(pointer, "schema"), "request")
        self.rest(old, new, pointer, {"name", "in", "required", "schema"})

    # -- bodies -----------------------------------------------------------------------------

    def request_body(self, old_node: Any, new_node: Any, operation: str) -> None:
        pointer = _join(operation, "requestBody")
        old, new = self.old.deref(old_node), self.new.deref(new_node)
        if old is None and new is None:
            return
        if old is None:
            required = new.get("required") is True
            self.add(
                Severity.BREAKING if required else Severity.NON_BREAKING,
                pointer,
                "request body added"
                + (" and required: every call must send it" if required else ""),
            )
            return
        if new is None:
            self.add(
                Severity.BREAKING, pointer, "request body removed: the generated call loses it"
            )
            return
        was, now = old.get("required") is True, new.get("required") is True
        if was != now:
            self.add(
                Severity.BREAKING if now else Severity.NON_BREAKING,
                _join(pointer, "required"),
                "request body now required" if now else "request body no longer required",
            )
        self.content(old.get("content") or {}, new.get("content") or {}, pointer, "request")
        self.rest(old, new, pointer, {"required", "content"})

    def responses(self, old: dict[str, Any], new: dict[str, Any], operation: str) -> None:
        pointer = _join(operation, "responses")
        for code in sorted(old.keys() - new.keys(), key=str):
            self.add(
                Severity.BREAKING,
                _join(pointer, code),
                f"response {code} removed: the generated parser no longer types it",
            )
        for code in sorted(new.keys() - old.keys(), key=str):
            self.add(Severity.NON_BREAKING, _join(pointer, code), f"response {code} added")
        for code in sorted(old.keys() & new.keys(), key=str):
            old_response, new_response = self.old.deref(old[code]), self.new.deref(new[code])
            where = _join(pointer, code)
            if not (isinstance(old_response, dict) and isinstance(new_response, dict)):
                self.generic(old_response, new_response, where)
                continue
            self.content(
                old_response.get("content") or {},
                new_response.get("content") or {},
                where,
                "response",
            )
            self.rest(old_response, new_response, where, {"content"})

    def content(self, old: dict[str, Any], new: dict[str, Any], owner: str, direction: str) -> None:
        pointer = _join(owner, "content")
        for media in sorted(old.keys() - new.keys()):
            self.add(
                Severity.BREAKING, _join(pointer, media), f"{direction} media type {media} removed"
            )
        for media in sorted(new.keys() - old.keys()):
            self.add(
                Severity.NON_BREAKING,
                _join(pointer, media),
                f"{direction} media type {media} added",
            )
        for media in sorted(old.keys() & new.keys()):
            where = _join(pointer, media)
            old_media, new_media = old[media] or {}, new[media] or {}
            self.schema(
                old_media.get("schema"), new_media.get("schema"), _join(where, "schema"), direction
            )
            self.rest(old_media, new_media, where, {"schema"})

    # -- schemas ----------------------------------------------------------------------------

    def schema(self, old_node: Any, new_node: Any, pointer: str, direction: str) -> None:
        old, new = self.old.schema(old_node), self.new.schema(new_node)
        if old.ref is not None and old.ref == new.ref:
            site_keys = (old.siblings.keys() | new.siblings.keys()) - {"$ref"}
            if site_keys:
                self.schema_body(old.merged, new.merged, pointer, direction, keys=site_keys)
            pointer = old.ref
            self._components.add(old.ref)
            if (old.ref, old.ref, direction) in self._seen:
                return
            self._seen.add((old.ref, old.ref, direction))
            self.schema_body(old.target, new.target, pointer, direction)
            return
        key = (old.ref or pointer, new.ref or pointer, direction)
        if key in self._seen:
            return
        self._seen.add(key)
        self._components.update(ref for ref in (old.ref, new.ref) if ref)
        self.schema_body(old.merged, new.merged, pointer, direction)

    def schema_body(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        pointer: str,
        direction: str,
        keys: set[str] | None = None,
    ) -> None:
        """Compare two resolved schemas; with `keys`, only those keywords (a `$ref`'s siblings)."""

        def wanted(*names: str) -> bool:
            return keys is None or bool(keys.intersection(names))

        request = direction == "request"
        if wanted("allOf") and not _same_length(old.get("allOf"), new.get("allOf")):
            old, new = self.old.flatten(old), self.new.flatten(new)
        if wanted("type", "nullable"):
            self.type_and_nullable(old, new, pointer, request=request)
        if wanted("enum"):
            self.enum(old, new, pointer, request=request)
        if wanted("properties", "required"):
            self.properties(old, new, pointer, request=request)
        for keyword in ("allOf", "oneOf", "anyOf", "items", "additionalProperties"):
            if wanted(keyword):
                compare = self.subschema if keyword in SUBSCHEMA_KEYS else self.combinator
                compare(old.get(keyword), new.get(keyword), _join(pointer, keyword), direction)
        if keys is not None:
            old = {k: v for k, v in old.items() if k in keys}
            new = {k: v for k, v in new.items() if k in keys}
        self.rest(old, new, pointer, set(SCHEMA_KEYS))

    def combinator(self, old: Any, new: Any, pointer: str, direction: str) -> None:
        if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            for old_member, index, new_member in _align(old, new):
                self.schema(old_member, new_member, _join(pointer, index), direction)
        elif old != new:
            keyword = pointer.rsplit("/", 1)[-1]
            self.add(
                Severity.NEEDS_REVIEW,
                pointer,
                f"{keyword} changed from {len(old or [])} to {len(new or [])} alternatives: "
                "the generated union changes",
            )

    def subschema(self, old: Any, new: Any, pointer: str, direction: str) -> None:
        if isinstance(old, dict) or isinstance(new, dict):
            self.schema(_mapping(old), _mapping(new), pointer, direction)
        else:
            self.generic(old, new, pointer)

    def type_and_nullable(
        self, old: dict[str, Any], new: dict[str, Any], pointer: str, *, request: bool
    ) -> None:
        old_types, new_types = _types(old), _types(new)
        if old_types != new_types:
            self.add(
                Severity.BREAKING,
                _join(pointer, "type"),
                f"type changed from {_describe(old_types)} to {_describe(new_types)}: the "
                "generated type changes",
            )
        was, now = _nullable(old), _nullable(new)
        if was == now:
            return
        where = _join(pointer, "nullable")
        if request:
            self.add(
                Severity.NON_BREAKING if now else Severity.BREAKING,
                where,
                "now accepts null" if now else "no longer accepts null: calls sending null fail",
            )
        elif now and not new_types:
            self.add(Severity.NON_BREAKING, where, "became nullable: any JSON value includes null")
        else:
            self.add(
                Severity.BREAKING if now else Severity.NON_BREAKING,
                where,
                "became nullable: typed consumers now get None (`X | None`)"
                if now
                else "no longer nullable",
            )

    def enum(
        self, old: dict[str, Any], new: dict[str, Any], pointer: str, *, request: bool
    ) -> None:
        old_values, new_values = _enum_values(old), _enum_values(new)
        if old_values == new_values:
            return
        where = _join(pointer, "enum")
        if old_values is None:
            self.add(
                Severity.BREAKING if request else Severity.NON_BREAKING,
                where,
                "enum added: the values are now restricted",
            )
            return
        if new_values is None:
            self.add(
                Severity.NON_BREAKING if request else Severity.NEEDS_REVIEW,
                where,
                "enum removed: any value is allowed"
                + ("" if request else "; review code that matches on the listed values"),
            )
            return
        gained = [new_values[k] for k in new_values.keys() - old_values.keys()]
        lost = [old_values[k] for k in old_values.keys() - new_values.keys()]
        status = pointer.endswith(f"/properties/{STATUS_PROPERTY}")
        for values, verb in ((gained, "added"), (lost, "removed")):
            if not values:
                continue
            shown = ", ".join(json.dumps(v) for v in sorted(values, key=json.dumps))
            if request:
                severity = Severity.NON_BREAKING if verb == "added" else Severity.BREAKING
                reason = f"request enum value(s) {shown} {verb}"
            elif status:
                severity = Severity.NEEDS_REVIEW
                reason = _status_review_reason(verb, shown)
            else:
                severity = Severity.NON_BREAKING if verb == "added" else Severity.NEEDS_REVIEW
                reason = f"response enum value(s) {shown} {verb} (enums are parsed open)"
            self.add(severity, where, reason)

    def properties(
        self, old: dict[str, Any], new: dict[str, Any], pointer: str, *, request: bool
    ) -> None:
        direction = "request" if request else "response"
        old_props, new_props = _mapping(old.get("properties")), _mapping(new.get("properties"))
        old_required = set(old.get("required") or [])
        new_required = set(new.get("required") or [])
        if old_props and not new_props:
            self.add(
                Severity.BREAKING,
                _join(pointer, "properties"),
                f"became a free-form object: its {len(old_props)} properties are no longer "
                "described (generated as a plain dict)",
            )
            return
        if new_props and not old_props:
            self.add(
                Severity.NEEDS_REVIEW,
                _join(pointer, "properties"),
                f"now describes {len(new_props)} properties: a free-form value becomes a model",
            )
            return
        for name in sorted(old_props.keys() - new_props.keys()):
            self.add(
                Severity.BREAKING,
                _join(pointer, "properties", name),
                "request property removed"
                if request
                else "response property removed: typed reads of it fail",
            )
        for name in sorted(new_props.keys() - old_props.keys()):
            where = _join(pointer, "properties", name)
            if name not in new_required:
                self.add(Severity.NON_BREAKING, where, f"{direction} property added (optional)")
            elif request:
                self.add(Severity.BREAKING, where, "required request property added")
            else:
                nullable = _nullable(self.new.schema(new_props[name]).merged)
                self.add(
                    Severity.NEEDS_REVIEW,
                    where,
                    f"response property added, required{' but nullable' if nullable else ''}: "
                    + REQUIRED_IN_RESPONSE,
                )
        for name in sorted(old_props.keys() & new_props.keys()):
            where = _join(pointer, "properties", name)
            was, now = name in old_required, name in new_required
            if was != now and request:
                self.add(
                    Severity.BREAKING if now else Severity.NON_BREAKING,
                    _join(where, "required"),
                    "request property became required" if now else "request property optional",
                )
            elif was != now:
                self.add(
                    Severity.NEEDS_REVIEW if now else Severity.BREAKING,
                    _join(where, "required"),
                    "became required: " + REQUIRED_IN_RESPONSE
                    if now
                    else "no longer required: typed reads may meet Unset",
                )
            self.schema(
                old_props[name], new_props[name], where, "request" if request else "response"
            )

    def unreferenced_components(self) -> None:
        old = (self.old.spec.get("components") or {}).get("schemas") or {}
        new = (self.new.spec.get("components") or {}).get("schemas") or {}
        for name in sorted(old.keys() | new.keys()):
            pointer = _join("/components/schemas", name)
            if pointer in self._components:
                continue
            if name not in new:
                self.add(Severity.NEEDS_REVIEW, pointer, "schema removed: its generated model goes")
            elif name not in old:
                self.add(Severity.NON_BREAKING, pointer, "schema added (a new generated model)")
            else:
                self.schema({"$ref": "#" + pointer}, {"$ref": "#" + pointer}, pointer, "response")
        for section in sorted(
            (self.old.spec.get("components") or {}).keys()
            | (self.new.spec.get("components") or {}).keys()
        ):
            if section in {"schemas", "parameters", "requestBodies", "responses"}:
                continue  # compared where operations use them
            self.generic(
                (self.old.spec.get("components") or {}).get(section),
                (self.new.spec.get("components") or {}).get(section),
                _join("/components", section),
            )


def diff_specs(pinned: dict[str, Any], upstream: dict[str, Any]) -> list[Change]:
    """Every difference between two OpenAPI descriptions, classified for a typed client."""
    return _Comparer(pinned, upstream).document()


def classify(
    pinned: dict[str, Any], upstream: dict[str, Any], fixes: dict[str, Any]
) -> list[Change]:
    """Maesn's changes judged for this client: with the fixes applied to both, and stale fixes.

    The raw specs are compared (pointers name Maesn's document; enum changes stay visible even
    though a fix opens the enums). A breaking change that is not breaking once the fixes are
    applied to both specs (the fixes already generate that part the new way) is downgraded.
    """
    fixed_pinned, _ = apply_fixes(pinned, fixes, allow_stale=True)
    fixed_upstream, outcomes = apply_fixes(upstream, fixes, allow_stale=True)
    still_breaking = {
        change.pointer
        for change in diff_specs(fixed_pinned, fixed_upstream)
        if change.severity is Severity.BREAKING
    }
    changes = [
        change
        if change.severity is not Severity.BREAKING or change.pointer in still_breaking
        else replace(
            change,
            severity=Severity.NON_BREAKING,
            reason=f"{change.reason.split(':')[0]} in Maesn's spec, but openapi/fixes.yaml "
            "already generates this part that way (not breaking for this client)",
        )
        for change in diff_specs(pinned, upstream)
    ]
    return changes + [
        Change(
            Severity.NEEDS_REVIEW,
            f"/actions/{index}",
            f"fix target {outcome.target} matches nothing upstream: check whether it is still "
            "needed, then update or delete it",
            document="fixes.yaml",
        )
        for index, outcome in enumerate(outcomes)
        if outcome.stale
    ]


def _file_chunks(diff: str) -> Iterator[list[str]]:
    """Split a concatenated unified diff into one list of lines per file."""
    lines = diff.splitlines()
    chunk: list[str] = []
    for index, line in enumerate(lines):
        header = (
            line.startswith("--- ")
            and index + 1 < len(lines)
            and lines[index + 1].startswith("+++ ")
        )
        if header and chunk:
            yield chunk
            chunk = []
        chunk.append(line)
    if chunk:
        yield chunk


def _generator_warning(exc: GeneratorWarningError) -> Change:
    boilerplate = ("Generating ", "Warning(s) encountered")
    lines = [line.strip() for line in str(exc).splitlines()[1:] if line.strip()]
    first = " ".join([line for line in lines if not line.startswith(boilerplate)][:2])
    return Change(
        Severity.BREAKING,
        "",
        "the pinned generator warns on upstream, so the pipeline would refuse it: "
        + (first or "see the preview"),
    )


def preview(upstream_raw: bytes, fixes_path: Path, max_lines: int) -> tuple[Preview, list[Change]]:
    """Regenerate from upstream (same fixes, generator, config) and diff with generated/."""
    changes: list[Change] = []
    with tempfile.TemporaryDirectory(prefix="maesn-spec-diff-") as tmp:
        spec_path = Path(tmp) / "upstream-openapi.yaml"
        spec_path.write_bytes(upstream_raw)
        workdir = Path(tmp) / "build"
        workdir.mkdir()
        note = ""
        try:
            package = build_package(workdir, spec_path, fixes_path, allow_stale=True)
        except GeneratorWarningError as exc:
            if exc.package is None:
                return Preview(note=f"The generator warned and generated nothing.\n{exc}"), [
                    _generator_warning(exc)
                ]
            package = exc.package
            changes.append(_generator_warning(exc))
            note = f"The generator warned; this is what it generated anyway.\n{exc}"
        except PipelineError as exc:
            raise SpecDiffError(
                f"the preview could not run (try --no-preview): {_one_line(exc)}"
            ) from exc
        tree = compare_trees(package, GENERATED / PACKAGE)
    result = cap_diff(list(_file_chunks(tree.diff)), max_lines)
    result.files = [f"A {name}  (upstream adds it)" for name in tree.missing]
    result.files += [f"D {name}  (upstream drops it)" for name in tree.new]
    result.files += [f"M {name}" for name in tree.changed]
    result.note = note
    return result, changes


def cap_diff(chunks: list[list[str]], max_lines: int) -> Preview:
    """The first `max_lines` lines of per-file diffs, counting what is left out."""
    result = Preview()
    for chunk in chunks:
        room = max(max_lines - len(result.diff), 0)
        result.diff += chunk[:room]
        if len(chunk) > room:
            result.hidden_lines += len(chunk) - room
            result.hidden_files += 1
    return result


def run(
    upstream: str,
    pinned: Path = SPEC,
    fixes_path: Path = FIXES,
    *,
    with_preview: bool = True,
    preview_lines: int = DEFAULT_PREVIEW_LINES,
) -> Report:
    """Compare, check the fixes, optionally preview; raise SpecDiffError when that cannot run."""
    pinned_spec, _ = read_spec(str(pinned))
    upstream_spec, upstream_raw = read_spec(upstream)
    try:
        fixes = load_document(fixes_path)
        changes = classify(pinned_spec, upstream_spec, fixes)
    except PipelineError as exc:
        raise SpecDiffError(_one_line(exc)) from exc
    shown = pinned.resolve()
    label = str(shown.relative_to(ROOT)) if shown.is_relative_to(ROOT) else str(pinned)
    report = Report(pinned=label, upstream=upstream, changes=changes)
    if with_preview:
        report.preview, generator_changes = preview(upstream_raw, fixes_path, preview_lines)
        report.changes += generator_changes
    order = list(Severity)
    report.changes.sort(key=lambda c: (order.index(c.severity), c.document, c.pointer, c.reason))
    return report


# -- rendering ------------------------------------------------------------------------------


def _headline(report: Report) -> str:
    counts = ", ".join(f"{report.count(s)} {s}" for s in Severity)
    return f"Suggested version bump: {report.bump} ({counts})"


def _preview_tail(preview: Preview) -> str:
    if not preview.hidden_lines:
        return ""
    return f"... {preview.hidden_lines} more lines in {preview.hidden_files} files"


def render_text(report: Report) -> str:
    """The report for a terminal."""
    out = [f"Spec drift: {report.pinned} -> {report.upstream}", _headline(report), ""]
    if not report.changes:
        out.append("No differences.")
    for severity in Severity:
        selected = [c for c in report.changes if c.severity is severity]
        if selected:
            out.append(f"{severity.upper()} ({len(selected)})")
            out += [f"  {c.location}\n      {c.reason}" for c in selected]
            out.append("")
    if report.preview is not None:
        out += _preview_lines(
            report.preview, "Generated-code preview (generated/maesn_api -> upstream)"
        )
    return "\n".join(out).rstrip() + "\n"


def _preview_lines(preview: Preview, title: str) -> list[str]:
    out = [title]
    if preview.note:
        out.append(preview.note)
    out += preview.files or ["(no differences)"]
    if preview.diff:
        out += ["", *preview.diff]
    if tail := _preview_tail(preview):
        out.append(tail)
    return out


def render_markdown(report: Report) -> str:
    """The report as Markdown (for an issue or a pull-request comment)."""
    out = [
        "## Spec drift",
        "",
        f"`{report.pinned}` → `{report.upstream}`",
        "",
        f"**{_headline(report)}**",
        "",
    ]
    if report.changes:
        out += ["| class | where | why |", "|---|---|---|"]
        for change in report.changes:
            reason = change.reason.replace("|", "\\|")
            out.append(f"| {change.severity} | `{change.location}` | {reason} |")
    else:
        out.append("No differences.")
    if report.preview is not None:
        preview_out = report.preview
        out += ["", "### Generated-code preview", ""]
        if preview_out.note:
            out += ["```", preview_out.note, "```", ""]
        out += [f"- `{line.strip()}`" for line in preview_out.files] or ["No differences."]
        if preview_out.diff:
            out += ["", "<details><summary>diff</summary>", "", "```diff", *preview_out.diff, "```"]
            if tail := _preview_tail(preview_out):
                out.append(tail)
            out += ["", "</details>"]
    return "\n".join(out) + "\n"


def render_json(report: Report) -> str:
    """The report as JSON (for other tools)."""
    data = {
        "pinned": report.pinned,
        "upstream": report.upstream,
        "bump": str(report.bump),
        "exit_code": report.exit_code,
        "counts": {str(s): report.count(s) for s in Severity},
        "changes": [
            {**asdict(change), "severity": str(change.severity), "location": change.location}
            for change in report.changes
        ],
        "preview": asdict(report.preview) if report.preview is not None else None,
    }
    return json.dumps(data, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Classes: breaking, needs-review, non-breaking, docs-only. Exit codes: 0 no change "
        "or nothing breaking, 1 breaking or needs-review, 2 could not run.",
    )
    parser.add_argument(
        "--upstream",
        default=UPSTREAM_URL,
        metavar="PATH_OR_URL",
        help=f"upstream spec, a file or an http(s) URL, JSON or YAML (default: {UPSTREAM_URL})",
    )
    parser.add_argument(
        "--pinned",
        type=Path,
        default=SPEC,
        metavar="PATH",
        help="pinned spec (default: openapi/maesn.yaml)",
    )
    parser.add_argument(
        "--fixes",
        type=Path,
        default=FIXES,
        metavar="PATH",
        help="overlay applied to both specs (default: openapi/fixes.yaml)",
    )
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="report format")
    parser.add_argument(
        "--no-preview",
        action="store_true",
        help="skip regenerating upstream into a temporary directory",
    )
    parser.add_argument(
        "--preview-lines",
        type=int,
        default=DEFAULT_PREVIEW_LINES,
        metavar="N",
        help="show at most N lines of the generated-code diff (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        report = run(
            args.upstream,
            args.pinned,
            args.fixes,
            with_preview=not args.no_preview,
            preview_lines=args.preview_lines,
        )
    except SpecDiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(RENDERERS[args.format](report))
    return report.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
