"""Comparing what a call receives: response status codes and media types."""

from __future__ import annotations

from typing import Any

from scripts.spec_diff.model import Severity, join
from scripts.spec_diff.schemas import schema
from scripts.spec_diff.walk import Walk

__all__ = ["content", "responses"]


def responses(walk: Walk, old: dict[str, Any], new: dict[str, Any], operation: str) -> None:
    """Compare two operations' responses, status code by status code."""
    pointer = join(operation, "responses")
    for code in sorted(old.keys() - new.keys(), key=str):
        walk.add(
            Severity.BREAKING,
            join(pointer, code),
            f"response {code} removed: the generated parser no longer types it",
        )
    for code in sorted(new.keys() - old.keys(), key=str):
        walk.add(Severity.NON_BREAKING, join(pointer, code), f"response {code} added")
    for code in sorted(old.keys() & new.keys(), key=str):
        old_response, new_response = walk.old.deref(old[code]), walk.new.deref(new[code])
        where = join(pointer, code)
        if not (isinstance(old_response, dict) and isinstance(new_response, dict)):
            walk.generic(old_response, new_response, where)
            continue
        content(
            walk,
            old_response.get("content") or {},
            new_response.get("content") or {},
            where,
            "response",
        )
        walk.rest(old_response, new_response, where, {"content"})


def content(
    walk: Walk, old: dict[str, Any], new: dict[str, Any], owner: str, direction: str
) -> None:
    """Compare the media types of a request body or a response."""
    pointer = join(owner, "content")
    for media in sorted(old.keys() - new.keys()):
        walk.add(Severity.BREAKING, join(pointer, media), f"{direction} media type {media} removed")
    for media in sorted(new.keys() - old.keys()):
        walk.add(
            Severity.NON_BREAKING, join(pointer, media), f"{direction} media type {media} added"
        )
    for media in sorted(old.keys() & new.keys()):
        where = join(pointer, media)
        old_media, new_media = old[media] or {}, new[media] or {}
        schema(
            walk, old_media.get("schema"), new_media.get("schema"), join(where, "schema"), direction
        )
        walk.rest(old_media, new_media, where, {"schema"})
