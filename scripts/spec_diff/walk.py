"""The state of one comparison: both documents, the changes found, and what is left to compare.

The comparing functions (requests.py, responses.py, schemas.py, compare.py) take a `Walk` and
add to it; generic values, documentation and vendor extensions are judged here.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from scripts.spec_diff.loading import Document
from scripts.spec_diff.model import Change, Severity, join, short

__all__ = ["DOC_KEYS", "OTHER_GENERATORS", "Walk", "describe_retries", "readable"]

DOC_KEYS = frozenset({"description", "summary", "example", "examples", "title", "externalDocs"})
#: Vendor-extension prefixes only one other generator reads, and who that is. openapi-python-client
#: ignores them, so they change nothing in this client: their own class, never needs-review.
OTHER_GENERATORS = {"x-speakeasy-": "Speakeasy, the generator of Maesn's TypeScript SDK"}


def readable(pointer: str) -> str:
    """`/paths/~1a~1{id}/get/...` as `GET /a/{id} ...`; other pointers unescaped."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    if len(tokens) >= 3 and tokens[0] == "paths":  # noqa: PLR2004 - paths, the path, the method
        rest = " ".join(tokens[3:])
        return f"{tokens[2].upper()} {tokens[1]}" + (f" {rest}" if rest else "")
    return urllib.parse.unquote("/".join(tokens)) or "(whole spec)"


def _ms(value: Any) -> str:
    if not isinstance(value, int | float):
        return "?"
    return f"{value / 1000:g} s" if value >= 1000 else f"{value:g} ms"  # noqa: PLR2004 - ms in a second


def describe_retries(value: Any) -> str:
    """What `x-speakeasy-retries` makes Maesn's TypeScript SDK do, in one sentence."""
    if not isinstance(value, dict):
        return f"x-speakeasy-retries is {short(value)} (not a retry configuration)"
    found = value.get("backoff")
    backoff: dict[str, Any] = found if isinstance(found, dict) else {}
    codes = value.get("statusCodes") or []
    on = [f"status {', '.join(str(code) for code in codes)}"] if codes else []
    if value.get("retryConnectionErrors") is True:
        on.append("connection errors")
    return (
        f"Maesn's TypeScript SDK retries these calls ({value.get('strategy', '?')}): "
        f"first after {_ms(backoff.get('initialInterval'))}, then each wait "
        f"{backoff.get('exponent', '?')} times the one before"
        f", at most {_ms(backoff.get('maxInterval'))} apart and {_ms(backoff.get('maxElapsedTime'))}"
        f" in all, on {' and '.join(on) or 'nothing'}; openapi-python-client ignores it, this "
        "client retries by its own RetryPolicy"
    )


@dataclass
class Walk:
    """Two documents being compared and the changes found so far."""

    old: Document
    new: Document
    changes: list[Change] = field(default_factory=list)
    #: Schema pairs already compared at a use site (recursion guard): (old ref, new ref, direction).
    seen: set[tuple[str, str, str]] = field(default_factory=set)
    #: Component schemas met on both sides by the same `$ref`, with the direction they were met in;
    #: each is compared once per direction, on its own, at /components/schemas/X.
    pending: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, old: dict[str, Any], new: dict[str, Any]) -> Walk:
        """A walk over two specs, `old` the pinned one."""
        return cls(Document(old, "pinned"), Document(new, "upstream"))

    def add(self, severity: Severity, pointer: str, reason: str, **extra: str) -> None:
        """Record one change in the spec."""
        self.changes.append(Change(severity, pointer, reason, **extra))

    def generic(self, old: Any, new: Any, pointer: str, *, docs: bool = False) -> None:
        """Any other difference: docs-only under a documentation key, else needs-review."""
        if old == new:
            return
        key = pointer.rsplit("/", 1)[-1]
        for prefix, reader in OTHER_GENERATORS.items():
            if key.startswith(prefix):
                self._other_generator(old, new, pointer, key, reader)
                return
        if isinstance(old, dict) and isinstance(new, dict):
            for name in sorted(old.keys() | new.keys()):
                self.generic(
                    old.get(name), new.get(name), join(pointer, name), docs=docs or name in DOC_KEYS
                )
            return
        if docs:
            self.add(Severity.DOCS_ONLY, pointer, "documentation changed")
        elif pointer.endswith("/deprecated"):
            self.add(Severity.NON_BREAKING, pointer, f"deprecated changed to {short(new)}")
        else:
            self.add(
                Severity.NEEDS_REVIEW,
                pointer,
                f"changed from {short(old)} to {short(new)}: not a rule this checker knows",
            )

    def _other_generator(self, old: Any, new: Any, pointer: str, key: str, reader: str) -> None:
        verb = "added" if old is None else "removed" if new is None else "changed"
        if key == "x-speakeasy-retries" and new is not None:
            reason = describe_retries(new)
        else:
            shown = f" ({short(new)})" if new is not None else ""
            reason = f"only {reader} reads it{shown}"
        owner = readable(pointer.rsplit("/", 1)[0])
        self.add(Severity.OTHER_GENERATOR, pointer, reason, group=f"{key} {verb}", name=owner)

    def rest(
        self, old: dict[str, Any], new: dict[str, Any], pointer: str, handled: set[str]
    ) -> None:
        """Compare every key of two objects not in `handled` with `generic`."""
        for key in sorted((old.keys() | new.keys()) - handled):
            self.generic(old.get(key), new.get(key), join(pointer, key), docs=key in DOC_KEYS)
