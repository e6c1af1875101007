"""Every error the client raises, under one root.

```
MaesnError
├── ValidationError (also a ValueError)   bad input, caught before any request is sent
│   └── PageOutOfRangeError               a page past the last of an export (total_pages)
├── ClientClosedError (also a RuntimeError)   the client was used after close()/aclose()
├── APIError                              something went wrong talking to Maesn
│   ├── APIStatusError                    a non-2xx answer: status_code, body, request_id
│   │   ├── BadRequestError               400 (validation_errors)
│   │   ├── AuthenticationError           401: the end user must re-authenticate
│   │   ├── PermissionDeniedError         403
│   │   ├── NotFoundError                 404
│   │   ├── RateLimitError                429 (retry_after)
│   │   └── ServerError                   500 and above, 520 included
│   ├── APIConnectionError                no (complete) answer: refused, reset, dropped mid-body
│   │   └── APITimeoutError               no answer in time
│   └── ResponseValidationError           a 2xx body that is not the task envelope (raw body kept)
├── TaskError                             about a task's state; carries the last Task seen
│   ├── TaskFailedError                   the task ended without succeeding (FAILED)
│   │   ├── TaskPartiallySucceededError   PARTIAL_SUCCESS
│   │   ├── TaskCancelledError            CANCELLED_SUCCESSFULLY, CANCEL_FAILED
│   │   └── TaskDeletedError              DELETED: the result no longer exists
│   ├── TaskPendingError                  the task is still running (export before it finished)
│   ├── TaskTimeoutError (also a TimeoutError)   the deadline passed while the task was pending
│   └── UnexpectedTaskStatusError         a status the integration's profile does not allow
└── IncompleteExportError                 an export's pages do not add up; says where to resume
```

Messages say what was wrong, with the offending value, and what to do. They never contain the
API key or the account key: the client redacts both before building any message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._models import Task

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "IncompleteExportError",
    "MaesnError",
    "MaesnWarning",
    "NotFoundError",
    "PageOutOfRangeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "ServerError",
    "TaskCancelledError",
    "TaskDeletedError",
    "TaskError",
    "TaskFailedError",
    "TaskPartiallySucceededError",
    "TaskPendingError",
    "TaskTimeoutError",
    "UnexpectedTaskStatusError",
    "ValidationError",
    "status_error_class",
]


class MaesnWarning(UserWarning):
    """Something the client tolerated but you should know about (e.g. an unknown status value)."""


class MaesnError(Exception):
    """Root of every error this package raises."""


class ValidationError(MaesnError, ValueError):
    """An argument is invalid; no request was sent."""


class PageOutOfRangeError(ValidationError):
    """A page past the last page of a paged result was asked for; `total_pages` says how many."""

    def __init__(self, message: str, *, page: int, total_pages: int, task: Task) -> None:
        super().__init__(message)
        self.page = page
        """The page asked for."""
        self.total_pages = total_pages
        """How many pages the result has (`meta.pagination.totalPages`)."""
        self.task = task
        """The answer that reported the page count."""


class ClientClosedError(MaesnError, RuntimeError):
    """The client was used after close() or aclose(); create a new one."""


class APIError(MaesnError):
    """Talking to Maesn failed."""

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.attempts = attempts
        """How many requests were made, retries included."""


class APIStatusError(APIError):
    """Maesn answered with a status code that is not 2xx."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: str,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.status_code = status_code
        self.body = body
        """The raw response body, as text."""
        self.request_id = request_id
        self.headers: Mapping[str, str] = dict(headers or {})


class BadRequestError(APIStatusError):
    """400: Maesn rejected the request's parameters."""

    @property
    def validation_errors(self) -> list[Any]:
        """`validationErrors` from the body when Maesn sent them, else an empty list."""
        parsed = _json_object(self.body)
        errors = parsed.get("validationErrors") if parsed else None
        return list(errors) if isinstance(errors, Sequence) and not isinstance(errors, str) else []


class AuthenticationError(APIStatusError):
    """401: the account key is invalid or expired; the end user must re-authenticate."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this, or the end user is inactive."""


class NotFoundError(APIStatusError):
    """404: no such task, or the target system does not support this."""


class RateLimitError(APIStatusError):
    """429: too many requests."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        """Seconds Maesn asked to wait (from Retry-After), when it said."""


class ServerError(APIStatusError):
    """5xx (and non-standard codes such as 520): a failure on Maesn's or the target's side."""


class APIConnectionError(APIError):
    """No complete answer: the connection failed, was reset or dropped mid-body."""


class APITimeoutError(APIConnectionError):
    """No answer within the client's timeout."""


class ResponseValidationError(APIError):
    """A 2xx answer whose body is not the async-task envelope the spec describes."""

    def __init__(
        self, message: str, *, body: str, status_code: int = 200, attempts: int = 1
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.body = body
        """The raw response body, as text."""
        self.status_code = status_code


class TaskError(MaesnError):
    """A task is in a state the caller did not ask for; `task` is the last one seen."""

    def __init__(self, message: str, *, task: Task) -> None:
        super().__init__(message)
        self.task = task


class TaskFailedError(TaskError):
    """The task ended without succeeding."""


class TaskPartiallySucceededError(TaskFailedError):
    """The task processed some items and not others (PARTIAL_SUCCESS)."""


class TaskCancelledError(TaskFailedError):
    """The task was cancelled, or its cancellation failed, on the target system."""


class TaskDeletedError(TaskFailedError):
    """The task's result no longer exists on the target system (DELETED)."""


class TaskPendingError(TaskError):
    """The task is still running; wait for it (`wait_for_task`) before reading its result."""


class TaskTimeoutError(TaskError, TimeoutError):
    """The deadline passed while the task was still pending."""

    def __init__(self, message: str, *, task: Task, elapsed: float) -> None:
        super().__init__(message, task=task)
        self.elapsed = elapsed
        """Seconds waited."""


class UnexpectedTaskStatusError(TaskError):
    """The task reports a status its integration's profile does not allow."""


class IncompleteExportError(MaesnError):
    """An export's pages do not add up: entries would be lost or doubled."""

    def __init__(self, message: str, *, resume_page: int, entries_yielded: int) -> None:
        super().__init__(message)
        self.resume_page = resume_page
        """Pass this as `start_page` to continue without losing or repeating an entry."""
        self.entries_yielded = entries_yielded


_STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for a non-2xx status code (any integer, standard or not)."""
    if status_code in _STATUS_ERRORS:
        return _STATUS_ERRORS[status_code]
    return ServerError if status_code >= 500 else APIStatusError  # noqa: PLR2004


def _json_object(text: str) -> dict[str, Any] | None:
    import json  # noqa: PLC0415 - only needed on the error path

    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
