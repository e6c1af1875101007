"""The sandbox's request log: what reached the server, with the secrets redacted."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

__all__ = ["REDACTED", "RecordedRequest", "RequestLog", "redact_headers"]

REDACTED = "***"
_SECRET_HEADERS = frozenset({"x-api-key", "x-account-key", "authorization", "cookie"})


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """`headers` with the value of every credential header replaced by `REDACTED`."""
    return {
        name: REDACTED if name.lower() in _SECRET_HEADERS else value
        for name, value in headers.items()
    }


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One request as the sandbox received it, and what it answered."""

    method: str
    raw_path: str
    """The request target exactly as sent, query string included."""
    query: Mapping[str, list[str]]
    """The parsed query string; a parameter given twice has two values."""
    headers: Mapping[str, str]
    """Request headers; `X-API-KEY` and `X-ACCOUNT-KEY` values are `REDACTED`."""
    task_id: str | None
    """The task id of an `/accounting/asyncTask/{taskId}` request (percent-decoded)."""
    status: int
    """The HTTP status answered (for a dropped connection, the one announced)."""
    fault: str | None
    """The injected fault this request got, if any."""
    client_port: int
    """The client's source port: equal ports on sequential requests mean a reused connection."""
    operation: str | None = None
    """The generated operation the request was routed to (`post_file_async`), if any."""
    body_size: int = 0
    """The request body's length in bytes."""
    started_task: str | None = None
    """The id of the task this request started, if it started one."""


class RequestLog:
    """Every request the sandbox answered, in order; safe to read while requests arrive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._entries: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> None:
        """Record `request` (the sandbox calls this before it sends the response)."""
        with self._changed:
            self._entries.append(request)
            self._changed.notify_all()

    def wait_until(
        self, condition: Callable[[list[RecordedRequest]], bool], *, timeout: float = 30.0
    ) -> list[RecordedRequest]:
        """Block until `condition(requests so far)` holds; those requests.

        TimeoutError after `timeout` s, which only keeps a broken test from hanging: waiting is
        on a condition variable that every recorded request wakes, never a sleep.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: condition(list(self._entries)), timeout=timeout):
                raise TimeoutError(f"the request log did not reach the condition in {timeout} s")
            return list(self._entries)

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the log as it is now."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._entries.clear()

    def count(
        self, *, task_id: str | None = None, status: int | None = None, operation: str | None = None
    ) -> int:
        """How many requests were recorded (for `task_id`, with `status`, of `operation`)."""
        return len(self.filter(task_id=task_id, status=status, operation=operation))

    def filter(
        self, *, task_id: str | None = None, status: int | None = None, operation: str | None = None
    ) -> list[RecordedRequest]:
        """The recorded requests for `task_id`, answered with `status`, of `operation` (None: any)."""
        return [
            request
            for request in self.snapshot()
            if (task_id is None or request.task_id == task_id)
            and (status is None or request.status == status)
            and (operation is None or request.operation == operation)
        ]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> RecordedRequest:
        with self._lock:
            return self._entries[index]

    def __repr__(self) -> str:
        return f"<RequestLog of {len(self)} requests>"
