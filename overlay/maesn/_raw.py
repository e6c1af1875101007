"""The whole answer of a call (`.with_raw_response`), and reading Maesn's `meta` from a body."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx

from ._decoding import decode_json
from ._errors import request_id_of
from ._models import Pagination
from ._redaction import redact_json
from ._response import envelope_pagination as _pagination
from ._response import envelope_warnings as _warnings

if TYPE_CHECKING:
    from ._operations import Operation

__all__ = ["RawResponse", "read_meta"]

Redact = Callable[[str], str]


def read_meta(body: Mapping[str, Any], redact: Redact) -> tuple[Pagination | None, tuple[str, ...]]:
    """`meta.pagination` and `meta.warnings` of an envelope (both optional).

    Raises ValueError when `meta` is present but not the shape the spec describes.
    """
    meta = body.get("meta")
    if meta is None:
        return None, ()
    if not isinstance(meta, dict):
        raise ValueError("meta is not an object")  # noqa: TRY004 - a shape error, reported as such
    return _pagination(meta), _warnings(meta, redact)


class RawResponse:
    """The whole answer of one call: status, headers, body and Maesn's envelope.

    Returned by `client.<resource>.with_raw_response.<operation>(...)`, for every status: it
    never raises because of one. `parse()` interprets it as the plain call would (and raises what
    the plain call would raise). Texts are redacted: no key of the client appears in them.
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        operation: Operation,
        parse: Callable[[], Any],
        redact: Redact,
    ) -> None:
        self.status_code: int = response.status_code
        """The HTTP status, any integer the server sent (520 and 599 included)."""
        self.headers: httpx.Headers = response.headers
        """The response headers."""
        self.content: bytes = response.content
        """The body, exactly as received."""
        self.operation = operation
        """The operation called (`operation.qualname`, `operation.operation_id`)."""
        self.request_id: str | None = request_id_of(response, redact)
        """The request id the server sent, if any."""
        self._parse = parse
        self._redact = redact

    @property
    def is_success(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status_code < 300  # noqa: PLR2004

    @property
    def text(self) -> str:
        """The body as text (keys redacted)."""
        return self._redact(self.content.decode("utf-8", errors="replace"))

    @cached_property
    def json(self) -> Any:
        """The body decoded as JSON (keys redacted), or None when it is not JSON."""
        with contextlib.suppress(ValueError, RecursionError):
            return redact_json(decode_json(self.content), self._redact)
        return None

    @property
    def _envelope(self) -> dict[str, Any]:
        body = self.json
        return body if isinstance(body, dict) else {}

    @property
    def meta(self) -> Any:
        """Maesn's `meta` (warnings, pagination), as sent, or None."""
        return self._envelope.get("meta")

    @property
    def warnings(self) -> tuple[str, ...]:
        """`meta.warnings` (empty when absent or not a list of strings)."""
        meta = self.meta
        found = meta.get("warnings") if isinstance(meta, dict) else None
        if isinstance(found, list) and all(isinstance(w, str) for w in found):
            return tuple(found)
        return ()

    @property
    def pagination(self) -> Pagination | None:
        """`meta.pagination`, when it is there and well-formed."""
        meta = self.meta
        if not isinstance(meta, dict):
            return None
        with contextlib.suppress(ValueError):
            return _pagination(meta)
        return None

    @property
    def errors(self) -> Any:
        """The envelope's `errors`, as sent (None when absent)."""
        return self._envelope.get("errors")

    @property
    def raw_data(self) -> Any:
        """The envelope's `rawData` (what the target system sent, with `raw_data=True`)."""
        return self._envelope.get("rawData")

    def parse(self) -> Any:
        """What the plain call returns for this answer (raises what it would raise)."""
        return self._parse()

    def __repr__(self) -> str:
        return f"<maesn.RawResponse {self.operation.qualname} [{self.status_code}]>"
