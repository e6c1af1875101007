"""Every maesn error built from what happened: one module of builders, below the flows.

The exception classes live in `_exceptions`; the texts, status tables and decisions that make an
instance of one live here, so that each kind of failure has one builder and every flow (sending,
waiting, exports, pages, the operation layer) raises the same error for the same cause:

- an HTTP status: `make_status_error` (through `error_from_response`, which redacts and adds the
  hint naming what the call used);
- no usable answer (connect, timeout, dropped connection, a proxy): `error_from_transport`;
- an answer too large to read or to decode: `too_large`, `too_costly`;
- an answer of the wrong shape: `not_the_envelope` (task calls), `not_as_specified` and
  `mismatch` (operations by the spec), `not_entries` (an export page);
- a task's end: `failure_error`, `not_understood`, `timeout_error`;
- a task's status the integration never reports: `never_reported`; a read answered with a task:
  `task_started`;
- a list cut short or paged otherwise than asked: `incomplete_list`, `page_not_as_asked`;
- an export: `export_not_ready`, `page_out_of_range`, `pages_do_not_add_up`, `incomplete_export`.

Whether a failed write may have been applied is decided once, by `write_may_have_been_applied`,
for every builder alike. Every text is redacted before it is shortened or shown.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.request
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._operations import Operation

from ._decoding import decode_json, decoded_cost_exceeds
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    IncompleteExportError,
    IncompleteListError,
    MaesnError,
    NotFoundError,
    PageOutOfRangeError,
    PermissionDeniedError,
    RateLimitError,
    RejectedKey,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    TaskCancelledError,
    TaskDeletedError,
    TaskFailedError,
    TaskPartiallySucceededError,
    TaskPendingError,
    TaskStartedError,
    TaskTimeoutError,
    UnexpectedTaskStatusError,
)
from ._hints import status_hint
from ._models import Pagination, Task
from ._redaction import redact_json, redacted_response
from ._retry import parse_retry_after
from ._status import TaskOutcome, TaskStatus

__all__ = [
    "READ_METHODS",
    "applied_advice",
    "error_from_response",
    "error_from_transport",
    "excerpt",
    "export_not_ready",
    "failure_error",
    "incomplete_export",
    "incomplete_list",
    "make_status_error",
    "mismatch",
    "never_reported",
    "not_as_specified",
    "not_entries",
    "not_the_envelope",
    "not_understood",
    "page_not_as_asked",
    "page_out_of_range",
    "pages_do_not_add_up",
    "rejected_key_of",
    "request_id_of",
    "status_error_class",
    "task_started",
    "timeout_error",
    "too_costly",
    "too_large",
    "write_may_have_been_applied",
]

Redact = Callable[[str], str]


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing on the server: sending one twice is safe."""


_CLIENT_CLOSED_REQUEST = 499
"""nginx's code for a request the client gave up on: the backend may still have processed it."""


def write_may_have_been_applied(
    method: str, *, status_code: int | None = None, sent: bool = True
) -> bool | None:
    """Whether a request that failed may have changed something on the server.

    None for a read (nothing to apply); False for a write that was not `sent` (no connection, no
    pool slot) or that was answered with a 4xx (refused; 499 excepted: a proxy's word that the
    client gave up); True for any other write: sent, and answered with a 5xx, a 3xx or not at all.
    """
    if method.upper() in READ_METHODS:
        return None
    if not sent:
        return False
    if status_code is not None and 400 <= status_code < 500:  # noqa: PLR2004
        return status_code == _CLIENT_CLOSED_REQUEST
    return True


_STATUS_ERRORS: Mapping[int, tuple[type[APIStatusError], str]] = {
    400: (BadRequestError, "check the parameters against validation_errors"),
    401: (AuthenticationError, ""),  # the advice depends on the key: see _REJECTED_ADVICE
    403: (PermissionDeniedError, "the keys may not do this, or the end user is inactive"),
    404: (NotFoundError, "not found, or the target system does not support this"),
    405: (APIStatusError, "the target system was not found for this account key"),
    429: (RateLimitError, "too many requests: slow down, or retry after retry_after seconds"),
}
"""Status code -> (class, advice): every non-2xx answer's error is built from this table."""


_SERVER_ADVICE = "a failure at Maesn or the target system: retry later"


_SERVER_WRITE_ADVICE = "a failure at Maesn or the target system"


_OTHER_ADVICE = "see the body"


_REJECTED_ADVICE: Mapping[RejectedKey | None, str] = {
    "api_key": (
        "the API key (X-API-KEY) was rejected: that is this client's configuration, not the end "
        "user's; check api_key=... or MAESN_API_KEY"
    ),
    "account_key": (
        "the account key (X-ACCOUNT-KEY) is invalid or expired: the end user must re-authenticate "
        "(connect the target system in Maesn again) to get a new account key"
    ),
    None: (
        "a key was rejected and the answer does not say which: if the API key (X-API-KEY) is "
        "wrong, fix api_key=... or MAESN_API_KEY; if the account key (X-ACCOUNT-KEY) is invalid "
        "or expired, the end user must re-authenticate (connect the target system again)"
    ),
}


_KEY_NAMES: Mapping[RejectedKey, re.Pattern[str]] = {
    "api_key": re.compile(r"x-api-key|\bapi[ _-]?key", re.IGNORECASE),
    "account_key": re.compile(r"x-account-key|\baccount[ _-]?key", re.IGNORECASE),
}


def rejected_key_of(text: str) -> RejectedKey | None:
    """Which key a 401's body (or WWW-Authenticate header) names; None unless exactly one."""
    named = [key for key, pattern in _KEY_NAMES.items() if pattern.search(text)]
    return named[0] if len(named) == 1 else None


def applied_advice(method: str) -> str:
    """What to do after a write that may have been applied (instead of "retry later")."""
    return f"the {method} may have been applied: check its effect before sending it again"


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for a non-2xx status code (any integer, standard or not)."""
    if status_code in _STATUS_ERRORS:
        return _STATUS_ERRORS[status_code][0]
    return ServerError if status_code >= 500 else APIStatusError  # noqa: PLR2004


_EXCERPT = 300


def excerpt(text: str) -> str:
    """`text` on one line, cut to 300 characters: apply to redacted text only."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[:_EXCERPT] + "..."


def make_status_error(
    response: httpx.Response,
    *,
    body: object,
    text: str,
    request_id: str | None,
    attempts: int,
    redact: Callable[[str], str],
    retry_after: float | None = None,
    hint: str | None = None,
) -> APIStatusError:
    """The typed error for a non-2xx response. `text`, `body`, `request_id` are redacted already.

    The message is built from redacted parts only, and only then shortened. `hint` (redacted,
    from `_hints.status_hint`: it names what the call used) replaces the status's general advice;
    a 401's advice depends on which key was rejected and is kept. The error carries a redacted
    copy of `response` (and of its request): no repr or text of it shows a key.
    """
    status_code = response.status_code
    request = response.request
    applied = write_may_have_been_applied(request.method, status_code=status_code)
    server = _SERVER_WRITE_ADVICE if applied else _SERVER_ADVICE
    cls, advice = _STATUS_ERRORS.get(
        status_code,
        (status_error_class(status_code), server if status_code >= 500 else _OTHER_ADVICE),  # noqa: PLR2004
    )
    advice = hint or advice
    extra: dict[str, Any] = {}
    if cls is AuthenticationError:
        said = f"{text}\n{response.headers.get('WWW-Authenticate', '')}"
        extra["rejected_key"] = rejected_key_of(said)
        advice = _REJECTED_ADVICE[extra["rejected_key"]]
    elif cls is RateLimitError:
        extra["retry_after"] = retry_after
    if applied:
        advice += f"; {applied_advice(request.method)}"
    path = redact(request.url.raw_path.decode("ascii", errors="replace"))
    retries = "" if attempts == 1 else f" (after {attempts} attempts)"
    message = (
        f"{status_code} from {request.method} {path}{retries}: {advice}. "
        f"Body: {excerpt(text) or '(empty)'}"
    )
    if request_id:
        message += f" [request id {request_id}]"
    return cls(
        message,
        response=redacted_response(response, redact),
        body=body,
        text=text,
        request_id=request_id,
        hint=advice,
        attempts=attempts,
        may_have_been_applied=applied,
        **extra,
    )


_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "x-correlation-id", "request-id")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def request_id_of(response: httpx.Response, redact: Redact | None = None) -> str | None:
    """The request id the server sent, if any (redacted when `redact` is given)."""
    for header in _REQUEST_ID_HEADERS:
        if value := response.headers.get(header):
            return redact(str(value)) if redact else str(value)
    return None


def _text(raw: bytes) -> str:
    # Decoded only on the error path: a 50,000-entry page is ~20 MB of text nobody needs.
    return raw.decode("utf-8", errors="replace")


def _safe_retry_after(response: httpx.Response) -> float | None:
    try:
        return parse_retry_after(response.headers.get("Retry-After"))
    except (OverflowError, ValueError):
        return None


def error_from_response(
    response: httpx.Response,
    *,
    attempts: int,
    redact: Redact,
    operation: str | None = None,
    task_id: str | None = None,
    integration: str | None = None,
    documented: str | None = None,
) -> APIStatusError:
    """The typed error for a non-2xx response; keeps its body (decoded), status and request id.

    Everything is redacted first; messages shorten the redacted text afterwards. The hint names
    what the call used (`status_hint`): the operation or the task id, the integration, and the
    companyId the request sent; `documented` adds what Maesn's docs say about the operation on
    that integration (`_rules.not_supported_hint`).
    """
    hint = status_hint(
        response.status_code,
        operation=operation,
        task_id=task_id,
        integration=integration,
        company_id=response.request.url.params.get("companyId"),
    )
    if documented:
        hint = f"{hint}. {documented}" if hint else documented
    text = redact(_text(response.content))
    body: object = text
    with contextlib.suppress(ValueError, RecursionError):
        body = redact_json(decode_json(response.content), redact)
    return make_status_error(
        response,
        body=body,
        text=text,
        request_id=request_id_of(response, redact),
        attempts=attempts,
        redact=redact,
        retry_after=_safe_retry_after(response),
        hint=redact(hint) if hint else None,
    )


def _environment_proxy(url: httpx.URL) -> str | None:
    """The proxy HTTP_PROXY/HTTPS_PROXY/ALL_PROXY name for `url` (NO_PROXY honoured), if any."""
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(url.host):
        return None
    return proxy


def _without_credentials(proxy: str) -> str:
    try:
        return str(httpx.URL(proxy).copy_with(username=None, password=None))
    except (httpx.InvalidURL, ValueError, TypeError):
        return "(a proxy URL that does not parse)"


def error_from_transport(
    exc: httpx.HTTPError,
    *,
    attempts: int,
    redact: Redact,
    proxy: str | None = None,
    request: httpx.Request | None = None,
    sent: bool = True,
) -> APIError:
    """The typed error for an httpx failure (no usable answer).

    Names the method, path, host and port of `request` (else of the one httpx attached to
    `exc`), and the proxy when one was in use (`proxy`, else the one the environment names for
    that URL, which httpx honours by default). `sent`: False when the failure proves no byte of
    the request left (no connection, no pool slot). A write that may have been applied says so
    (`may_have_been_applied`), and the advice is to check its effect, not to send it again.
    """
    where = ""
    host: str | None = None
    port: int | None = None
    if request is None:
        try:
            request = exc.request
        except RuntimeError:
            request = None
    if request is not None:
        url = request.url
        host, port = url.host, url.port or _DEFAULT_PORTS.get(url.scheme)
        proxy = proxy if proxy is not None else _environment_proxy(url)
        path = url.raw_path.decode("ascii", errors="replace")
        where = f" for {request.method} {path} from {host}:{port}"
    shown_proxy = _without_credentials(proxy) if proxy else None
    via = f" via the proxy {shown_proxy}" if shown_proxy else ""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    retries = "" if attempts == 1 else f" (after {attempts} attempts)"
    applied: bool | None = None
    later = "retry later"
    if request is not None:
        applied = write_may_have_been_applied(request.method, sent=sent)
        later = applied_advice(request.method) if applied else later
    fields: dict[str, Any] = {"host": host, "port": port, "proxy": shown_proxy}
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            redact(
                f"no answer in time{where}{via}{retries} ({detail}); raise timeout=... or {later}"
            ),
            attempts=attempts,
            may_have_been_applied=applied,
            **fields,
        )
    if isinstance(exc, httpx.DecodingError):
        return ResponseValidationError(
            redact(f"the response body{where} could not be decoded ({detail})"),
            body="",
            attempts=attempts,
            may_have_been_applied=applied,
        )
    check = "the proxy, " if shown_proxy else ""
    return APIConnectionError(
        redact(
            f"no complete answer{where}{via}{retries} ({detail}); check base_url, {check}and "
            f"the network, or {later}"
        ),
        attempts=attempts,
        may_have_been_applied=applied,
        **fields,
    )


def not_the_envelope(
    reason: str, raw: bytes, status_code: int, attempts: int, redact: Redact
) -> ResponseValidationError:
    """A 2xx answer of the task calls that is not the async-task envelope."""
    text = redact(_text(raw))
    return ResponseValidationError(
        f"the {status_code} response is not the async-task envelope: {reason}. "
        f"Body: {excerpt(text) or '(empty)'}",
        body=text,
        status_code=status_code,
        attempts=attempts,
    )


_FAILURES: Mapping[TaskOutcome, type[TaskFailedError]] = {
    TaskOutcome.FAILED: TaskFailedError,
    TaskOutcome.PARTIAL: TaskPartiallySucceededError,
    TaskOutcome.CANCELLED: TaskCancelledError,
    TaskOutcome.CANCEL_FAILED: TaskCancelledError,
    TaskOutcome.DELETED: TaskDeletedError,
}


def _quoted_messages(task: Task) -> str:
    messages = task.messages
    if not messages:
        return "no information messages"
    return "; ".join(repr(m) for m in messages[:5]) + (
        f" (+{len(messages) - 5} more)" if len(messages) > 5 else ""  # noqa: PLR2004
    )


def _status_text(task: Task) -> str:
    return task.status.value if isinstance(task.status, TaskStatus) else repr(task.status)


def failure_error(task: Task) -> TaskFailedError:
    """The error for a task that ended without success, quoting its information messages.

    A task whose status counts as success but whose `information` holds entries the profile marks
    as errors (`error_information_types`, asked for with `fail_on_error_information=True`) raises
    TaskFailedError itself.
    """
    outcome = task.outcome
    cls = _FAILURES.get(outcome, TaskFailedError) if outcome is not None else TaskFailedError
    ended = f"{_status_text(task)} ({task.profile.name})"
    if outcome is not None and outcome.is_success:
        count = len(task.profile.error_information(task.information))
        ended += f" with {count} error entr{'y' if count == 1 else 'ies'} in its information"
    return cls(
        f"task {task.task_id!r} ended {ended}: {_quoted_messages(task)}. The task is on the "
        "exception's .task; pass raise_on_failure=False to get it returned instead",
        task=task,
    )


def not_understood(task: Task) -> UnexpectedTaskStatusError:
    """The error for a status that is neither pending nor terminal for the profile."""
    return UnexpectedTaskStatusError(
        f"task {task.task_id!r} reports {_status_text(task)}, which {task.profile.label} "
        "does not define as running or finished: stopped waiting "
        "at once rather than polling a status the client cannot interpret. Check integration=..., "
        "or upgrade maesn-client if Maesn added this status",
        task=task,
    )


def timeout_error(task: Task, elapsed: float, polls: int, max_wait: float) -> TaskTimeoutError:
    """The error for a deadline that passed while the task was pending."""
    return TaskTimeoutError(
        f"task {task.task_id!r} is still {_status_text(task)} after {elapsed:.1f}s and {polls} "
        f"polls (max_wait={max_wait:g}): wait longer with a larger max_wait, or check "
        "again later with get_task",
        task=task,
        elapsed=elapsed,
    )


def too_large(
    request: httpx.Request, limit: int, attempts: int, redact: Redact
) -> ResponseTooLargeError:
    """An answer to `request` that grew past `limit` (max_response_bytes) while it was read."""
    path = redact(request.url.raw_path.decode("ascii", errors="replace"))
    return ResponseTooLargeError(
        f"the response to {request.method} {path} is larger than max_response_bytes="
        f"{limit}: the client stopped reading it. Raise max_response_bytes=... if the "
        "server really sends that much",
        limit=limit,
        attempts=attempts,
        may_have_been_applied=write_may_have_been_applied(request.method),
    )


def too_costly(
    response: httpx.Response,
    budget: int | None,
    attempts: int,
    redact: Redact,
) -> ResponseTooLargeError | None:
    """The error for a body whose decoding would cost more than `budget` bytes, else None."""
    if budget is None:
        return None
    estimated = decoded_cost_exceeds(response.content, budget)
    if estimated is None:
        return None
    request = response.request
    path = redact(request.url.raw_path.decode("ascii", errors="replace"))
    return ResponseTooLargeError(
        f"the {response.status_code} response to {request.method} {path} "
        f"({len(response.content)} bytes) would take about {estimated // 2**20} MiB to decode "
        f"(its lists, objects and strings counted), over the decoding budget of {budget} bytes "
        "(4 x max_response_bytes, at least 64 MiB): the client did not decode it. Raise "
        "max_response_bytes=... if the server really sends such bodies",
        limit=budget,
        attempts=attempts,
        may_have_been_applied=write_may_have_been_applied(
            request.method, status_code=response.status_code
        ),
        bound="decoded",
        estimated=estimated,
    )


def incomplete_list(operation: str, number: int | None, cause: MaesnError) -> IncompleteListError:
    """Reading page `number` of a list failed with `cause` after the pages before it were read."""
    page = number or 1
    return IncompleteListError(
        f"{operation}: reading page {page} failed ({type(cause).__name__}); the items before it "
        f"were delivered: resume with page={page}",
        resume_page=page,
        items_yielded=0,
    )


def not_entries(task: Task, kind: str, redact: Redact) -> ResponseValidationError:
    """The page's body, keys redacted first (the envelope, then its text), kept whole."""
    shown = task.envelope if task.envelope is not None else {"responseData": task.response_data}
    body = redact(json.dumps(shown, ensure_ascii=False, default=repr))
    return ResponseValidationError(
        f"an export page's responseData is {kind}, neither a list of entries nor an object with "
        "an `entries` list: pass entries_from=... to read this shape",
        body=body,
        attempts=task.attempts,
    )


def not_as_specified(
    operation: str,
    method: str,
    response: httpx.Response,
    reason: str,
    *,
    attempts: int,
    redact: Redact,
) -> ResponseValidationError:
    """A response of `operation` (its qualified name) that does not match the spec."""
    text = redact(_text(response.content))
    return mismatch(
        operation, method, response.status_code, text, reason, attempts=attempts, redact=redact
    )


def mismatch(
    operation: str,
    method: str,
    status: int,
    text: str,
    reason: str,
    *,
    attempts: int,
    redact: Redact,
) -> ResponseValidationError:
    """A `status` answer (body `text`, redacted) of `operation` the spec does not describe so."""
    applied = write_may_have_been_applied(method, status_code=status)
    accepted = " (the server accepted it: check its effect)" if applied else ""
    return ResponseValidationError(
        f"the {status} response to {operation}{accepted} does not match the "
        f"spec: {redact(reason)}. Body: {excerpt(text) or '(empty)'}",
        body=text,
        status_code=status,
        attempts=attempts,
        may_have_been_applied=applied,
    )


def never_reported(task: Task, label: str, statuses: Iterable[str]) -> UnexpectedTaskStatusError:
    """A known status that the integration (`label`, reporting `statuses`) never reports."""
    return UnexpectedTaskStatusError(
        f"task {task.task_id!r} reports {_status_text(task)}, which {label} never reports (it reports "
        f"{', '.join(sorted(statuses))}). The client may be configured with the wrong "
        "integration for this account key: check integration=...",
        task=task,
    )


def task_started(operation: Operation, handle: object, task_id: str) -> TaskStartedError:
    """A read (plain call) that the integration answered by starting a task."""
    return TaskStartedError(
        f"{operation.qualname}() was answered with task {task_id!r}: this integration runs the "
        f"read as a task. Wait for it with err.handle.wait(), or call "
        f"client.{operation.resource}.as_task.{operation.name}(...) to get the handle directly",
        handle=handle,
    )


def page_not_as_asked(operation: str, number: int, current: int) -> IncompleteListError:
    """A list page answered as page `current` when page `number` was asked for."""
    return IncompleteListError(
        f"{operation}: asked for page {number}, the answer is page {current}: "
        f"the server does not page as it said; resume with page={number}",
        resume_page=number,
        items_yielded=0,
    )


def export_not_ready(task: Task) -> TaskPendingError:
    """An export read while its task is still running."""
    return TaskPendingError(
        f"task {task.task_id!r} is still {task.status}: its export is not ready. Wait "
        "for it first (client.wait_for_task(task_id)), then page through it",
        task=task,
    )


def page_out_of_range(task: Task, page: int, pagination: Pagination) -> PageOutOfRangeError:
    """An export page asked for past the last page the task's answer reports."""
    return PageOutOfRangeError(
        f"page={page} is beyond the last page of task {task.task_id!r}: it has "
        f"{pagination.total_pages} page{'' if pagination.total_pages == 1 else 's'} "
        f"({pagination.total} entries, {pagination.per_page} a page); ask for page 1.."
        f"{max(pagination.total_pages, 1)}",
        page=page,
        total_pages=pagination.total_pages,
        task=task,
    )


def pages_do_not_add_up(
    pagination: Pagination | None, entries: int | None, reason: str
) -> ResponseValidationError:
    """An export page whose pagination or entries contradict the pages before it."""
    facts: dict[str, object] = {"reason": reason}
    if pagination is not None:
        facts["pagination"] = {
            "total": pagination.total,
            "perPage": pagination.per_page,
            "currentPage": pagination.current_page,
            "totalPages": pagination.total_pages,
        }
    if entries is not None:
        facts["entries"] = entries
    return ResponseValidationError(
        f"the export's pages do not add up: {reason}", body=json.dumps(facts)
    )


def incomplete_export(
    task_id: str, page: int, cause: MaesnError, start_page: int, entries_yielded: int
) -> IncompleteExportError:
    """An export stopped at `page` by `cause` after pages were delivered (`cause` kept)."""
    error = IncompleteExportError(
        f"export of task {task_id!r} stopped at page {page}: "
        f"{type(cause).__name__}: {cause}. {entries_yielded} entries were delivered "
        f"(pages {start_page}..{page - 1}); resume with start_page={page}",
        resume_page=page,
        entries_yielded=entries_yielded,
    )
    error.__cause__ = cause
    return error
