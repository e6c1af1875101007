"""Every error the client raises, under one root.

```
MaesnError
├── ValidationError (also a ValueError)   bad input, caught before any request is sent
│   └── PageOutOfRangeError               a page past the last of an export (total_pages)
├── ClientClosedError (also a RuntimeError)   the client was used after close()/aclose()
├── WrongEventLoopError (also a RuntimeError) an AsyncClient used in a second event loop
├── APIError                              something went wrong talking to Maesn
│   ├── APIStatusError                    a non-2xx answer: status_code, body, response...
│   │   ├── BadRequestError               400 (validation_errors)
│   │   ├── AuthenticationError           401: rejected_key says which key, when known
│   │   ├── PermissionDeniedError         403
│   │   ├── NotFoundError                 404
│   │   ├── RateLimitError                429 (retry_after)
│   │   └── ServerError                   500 and above, 520 included
│   ├── APIConnectionError                no (complete) answer: refused, reset, dropped mid-body
│   │   └── APITimeoutError               no answer in time
│   ├── ResponseValidationError           a 2xx body that is not the task envelope (raw body kept)
│   └── ResponseTooLargeError             a body over max_response_bytes (limit); reading stopped
├── TaskError                             about a task's state; carries the last Task seen
│   ├── TaskFailedError                   the task ended without succeeding (FAILED)
│   │   ├── TaskPartiallySucceededError   PARTIAL_SUCCESS
│   │   ├── TaskCancelledError            CANCELLED_SUCCESSFULLY, CANCEL_FAILED
│   │   └── TaskDeletedError              DELETED: the result no longer exists
│   ├── TaskPendingError                  the task is still running (export before it finished)
│   ├── TaskTimeoutError (also a TimeoutError)   the deadline passed while the task was pending
│   └── UnexpectedTaskStatusError         a status the integration's profile does not allow
├── IncompleteExportError                 an export's pages do not add up; says where to resume
├── IncompleteListError                   a list's next page failed; says where to resume
├── TaskStartedError                      a plain read started a task; carries its handle
└── WebhookError                          about a webhook delivery or event
    ├── WebhookVerificationError          the X-MAESN-SIGNATURE is missing, malformed or wrong (reason)
    ├── WebhookPayloadError               verified, but not event JSON (raw body kept)
    └── WebhookFetchError (also a ValidationError)   the event names nothing a get can fetch

MaesnWarning (a UserWarning)              something tolerated: an unknown status value...
└── UnknownIntegrationWarning             an integration id the table does not know
```

Messages say what was wrong, with the offending value, and what to do. They never contain the
API key or the account key: the client redacts both before building any message; nor a webhook
secret, which no message is ever built from.

Every `APIError` says whether the request may have changed something on the server
(`may_have_been_applied`): None for a read (GET, HEAD, OPTIONS), False for a write that provably
did not reach the server or that the server refused (a 4xx other than 499), True for a write that
may have been applied (an error after it was sent: a 5xx, a 3xx, a dropped connection, a timeout).
`_errors.write_may_have_been_applied` decides it, for every error builder alike (`_errors`).
"""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import httpx

    from ._models import Task

RejectedKey = Literal["api_key", "account_key"]
SignatureProblem = Literal["missing", "malformed", "mismatch"]

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "IncompleteExportError",
    "IncompleteListError",
    "MaesnError",
    "MaesnWarning",
    "NotFoundError",
    "PageOutOfRangeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "TaskCancelledError",
    "TaskDeletedError",
    "TaskError",
    "TaskFailedError",
    "TaskPartiallySucceededError",
    "TaskPendingError",
    "TaskStartedError",
    "TaskTimeoutError",
    "UnexpectedTaskStatusError",
    "UnknownIntegrationWarning",
    "ValidationError",
    "WebhookError",
    "WebhookFetchError",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "WrongEventLoopError",
    "warn",
]


class MaesnWarning(UserWarning):
    """Something the client tolerated but you should know about (e.g. an unknown status value)."""


class UnknownIntegrationWarning(MaesnWarning):
    """The client was created for an integration id its table does not know: generic rules apply.

    `integration` is the id as given; `hint` a "did you mean ...?" naming the closest known ids,
    or None.
    """

    def __init__(self, message: str, *, integration: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.integration = integration
        """The id as given."""
        self.hint = hint
        """A suggestion naming the closest known ids, or None."""


_PACKAGE_DIR = str(Path(__file__).parent) + os.sep


def warn(warning: str | MaesnWarning) -> None:
    """Warn (a MaesnWarning for a text) attributed to the first caller outside this package.

    Flows run as generators inside the drivers, so a fixed stacklevel would point into maesn.
    """
    level, frame = 1, inspect.currentframe()
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        level, frame = level + 1, frame.f_back
    if isinstance(warning, str):
        warnings.warn(warning, MaesnWarning, stacklevel=level)
    else:
        warnings.warn(warning, stacklevel=level)


class MaesnError(Exception):
    """Root of every error this package raises."""


class ValidationError(MaesnError, ValueError):
    """An argument is invalid; no request was sent.

    `argument` names the parameter that was wrong (e.g. "company_id", "task_id", "base_url",
    "page") when one is to blame; `hint` is a short suggestion (e.g. "did you mean
    'datev-rewe'?"). Program against these fields, not the message's wording.
    """

    def __init__(
        self, message: str, *, argument: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument
        """The name of the argument that was wrong, or None."""
        self.hint = hint
        """A suggestion for the fix, or None."""


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


class WrongEventLoopError(MaesnError, RuntimeError):
    """An AsyncClient was used in an event loop other than the one it first sent in.

    Its connections and in-flight limit belong to that first loop: create one AsyncClient per
    event loop, inside it. Nothing was sent.
    """


class APIError(MaesnError):
    """Talking to Maesn failed."""

    def __init__(
        self, message: str, *, attempts: int = 1, may_have_been_applied: bool | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.attempts = attempts
        """How many requests were made, retries included."""
        self.may_have_been_applied = may_have_been_applied
        """For a write (POST, PUT, PATCH, DELETE): True when it may have been applied (check its
        effect before sending it again), False when it provably was not; None for a read."""


class APIStatusError(APIError):
    """Maesn answered with a status code that is not 2xx.

    Built by `make_status_error` only. Every text here (message, `body`, `text`, `request_id`)
    has the keys redacted, and `response` (with its `request`) is a redacted copy of httpx's.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        text: str,
        request_id: str | None = None,
        hint: str | None = None,
        attempts: int = 1,
        may_have_been_applied: bool | None = None,
    ) -> None:
        super().__init__(message, attempts=attempts, may_have_been_applied=may_have_been_applied)
        self.response = response
        """The httpx.Response, with every key replaced by `[redacted]` (URL, headers, reason
        phrase, body): a copy made by `make_status_error`."""
        self.request = response.request
        """The httpx.Request that was answered, keys redacted likewise (its key headers too)."""
        self.status_code = response.status_code
        self.body = body
        """The body decoded: a JSON value when it was JSON, else its text; keys redacted."""
        self.text = text
        """The body as text, keys redacted."""
        self.request_id = request_id
        """The request id the server sent (X-Request-Id and similar), for support; else None."""
        self.hint = hint
        """What to do about it, in a few words."""

    @property
    def headers(self) -> httpx.Headers:
        """The response's headers (keys redacted)."""
        return self.response.headers


class BadRequestError(APIStatusError):
    """400: Maesn rejected the request's parameters."""

    @property
    def validation_errors(self) -> list[Any]:
        """`validationErrors` from the body when Maesn sent them, else an empty list."""
        errors = self.body.get("validationErrors") if isinstance(self.body, dict) else None
        return list(errors) if isinstance(errors, Sequence) and not isinstance(errors, str) else []


class AuthenticationError(APIStatusError):
    """401: a key was rejected; `rejected_key` says which one when the answer tells.

    "api_key": the X-API-KEY is wrong; that is the caller's configuration. "account_key": the
    X-ACCOUNT-KEY is invalid or expired; the end user must re-authenticate (connect the target
    system again). None: the answer does not say; either may be the cause.
    """

    def __init__(self, message: str, *, rejected_key: RejectedKey | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.rejected_key: RejectedKey | None = rejected_key
        """"api_key", "account_key", or None when the answer does not say."""


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

    def __init__(
        self,
        message: str,
        *,
        host: str | None = None,
        port: int | None = None,
        proxy: str | None = None,
        attempts: int = 1,
        may_have_been_applied: bool | None = None,
    ) -> None:
        super().__init__(message, attempts=attempts, may_have_been_applied=may_have_been_applied)
        self.host = host
        """The host the request was for."""
        self.port = port
        """The port tried (the scheme's default when the URL names none)."""
        self.proxy = proxy
        """The proxy the request went through (without credentials), when one was in use."""


class APITimeoutError(APIConnectionError):
    """No answer within the client's timeout."""


class ResponseValidationError(APIError):
    """A 2xx answer whose body is not the async-task envelope the spec describes."""

    def __init__(
        self,
        message: str,
        *,
        body: str,
        status_code: int = 200,
        attempts: int = 1,
        may_have_been_applied: bool | None = None,
    ) -> None:
        super().__init__(message, attempts=attempts, may_have_been_applied=may_have_been_applied)
        self.body = body
        """The raw response body, as text (keys redacted)."""
        self.status_code = status_code


class ResponseTooLargeError(APIError):
    """The response body is larger than the client accepts: in bytes, or in what decoding costs.

    `bound` says which: "bytes", the body grew over `max_response_bytes` (after decompression),
    and the client stopped reading it and closed the connection; "decoded", decoding it would
    take more memory than 4 times `max_response_bytes`, at least 64 MiB (estimated from its size
    and its count of lists, objects and strings), and the client did not decode it.
    Nothing of the body is kept.
    """

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        attempts: int = 1,
        may_have_been_applied: bool | None = None,
        bound: Literal["bytes", "decoded"] = "bytes",
        estimated: int | None = None,
    ) -> None:
        super().__init__(message, attempts=attempts, may_have_been_applied=may_have_been_applied)
        self.limit = limit
        """The bound in bytes: max_response_bytes, or the decoding budget (4 times it, >= 64 MiB)."""
        self.bound: Literal["bytes", "decoded"] = bound
        """"bytes" (the body's size) or "decoded" (the memory decoding it would take)."""
        self.estimated = estimated
        """For bound="decoded": the estimated memory, in bytes, decoding the body would take."""


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


class IncompleteListError(MaesnError):
    """Reading the next page of a list failed after earlier items were delivered."""

    def __init__(self, message: str, *, resume_page: int, items_yielded: int) -> None:
        super().__init__(message)
        self.resume_page = resume_page
        """Pass this as `page=` to the same call to continue where the iteration stopped."""
        self.items_yielded = items_yielded
        """Items delivered before the failure."""


class TaskStartedError(MaesnError):
    """A plain read was answered with a task id: its integration runs reads as tasks.

    Nothing is lost: `handle` waits for the task and reads its result. Call the read through
    `client.<resource>.as_task.<operation>(...)` to get the handle directly.
    """

    def __init__(self, message: str, *, handle: Any) -> None:
        super().__init__(message)
        self.handle = handle
        """The TaskHandle (AsyncTaskHandle) of the task the read started."""


class WebhookError(MaesnError):
    """A webhook delivery could not be accepted, or an event cannot be acted on."""


class WebhookVerificationError(WebhookError):
    """The delivery's `X-MAESN-SIGNATURE` does not prove it came from Maesn; nothing was parsed.

    `reason` says which: "missing" (no header, or an empty one), "malformed" (not a SHA-256
    digest in an accepted encoding: hex, `sha256=`hex or base64), "mismatch" (a digest, but not
    the HMAC-SHA256 of this body with any of the secrets). Answer such a delivery with 401 or 400
    and do not act on it.
    """

    def __init__(self, message: str, *, reason: SignatureProblem) -> None:
        super().__init__(message)
        self.message = message
        self.reason: SignatureProblem = reason
        """"missing", "malformed" or "mismatch"."""


class WebhookPayloadError(WebhookError):
    """The delivery's signature verified, but its body is not Maesn event JSON.

    The body came from Maesn (it is signed with your secret), so this is a change or a fault on
    Maesn's side: keep `body` for support.
    """

    def __init__(self, message: str, *, body: bytes) -> None:
        super().__init__(message)
        self.message = message
        self.body = body
        """The raw body exactly as received."""


class WebhookFetchError(WebhookError, ValidationError):
    """The event names no record a get operation can read (TOKEN, or no `resourceId`).

    No request was sent. `operation` is the operation the event's resource led to (e.g.
    "get_token"), which the generated layer does not have; None when the event has no id.
    """

    def __init__(self, message: str, *, operation: str | None, hint: str | None = None) -> None:
        super().__init__(message, argument="event", hint=hint)
        self.operation = operation
        """The `client.accounting` operation the resource's name leads to."""
