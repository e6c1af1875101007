"""Sending one request with Maesn's retry rules: a pure flow, driven by `_flow.run`/`arun`.

Which failures are retried depends on the method (the `RETRY_RULES` table):

- a GET (polling a task, reading a page) changes nothing, so 429, every status of 500 and above
  and every connection failure or timeout is retried;
- any other method writes (an upload, a booking): once the request may have reached the server,
  a second one could book twice, which is worse than an error. Only failures that prove nothing
  was sent are retried (no connection could be made, none became free in the pool); a status, a
  dropped connection or a timeout after sending is returned or raised at once.

How long to wait between attempts is the `RetryPolicy`'s decision (`_retry.py`). Like httpx's
`_auth.py` flows, this one does no I/O and looks nothing up: the clock, the random source, the
redactor and the deadline are arguments.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from ._clock import Clock
from ._decoding import decoded_budget
from ._errors import READ_METHODS, error_from_transport, too_costly, too_large
from ._flow import Flow, ResponseTooLarge, Send, Sleep
from ._retry import RetryPolicy, is_retryable_status, parse_retry_after

__all__ = ["LAST_ATTEMPT_SECONDS", "RETRY_RULES", "RetryRule", "logger", "send_flow"]

logger = logging.getLogger("maesn")

LAST_ATTEMPT_SECONDS = 1.0
"""A request made at (or just before) a wait's deadline still gets this long to answer."""


@dataclass(frozen=True, slots=True)
class RetryRule:
    """What may be retried for one kind of method."""

    statuses: bool
    """Retry 429 and 5xx answers."""
    errors: tuple[type[httpx.HTTPError], ...]
    """Transport failures worth another try."""


_NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Failures before any byte of the request left: a write is safe to send again."""

SAFE = RetryRule(
    statuses=True,
    # LocalProtocolError or UnsupportedProtocol would fail again; too large stays too large.
    errors=(httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError),
)
WRITE = RetryRule(statuses=False, errors=_NOTHING_SENT)
RETRY_RULES: Mapping[str, RetryRule] = dict.fromkeys(READ_METHODS, SAFE)
"""Per method; every method not listed (POST, PUT, PATCH, DELETE) follows `WRITE`."""


def _passes(clock: Clock, delay: float, deadline: float | None) -> bool:
    return deadline is not None and clock.monotonic() + delay > deadline


def _final(
    response: httpx.Response, budget: int | None, attempts: int, redact: Callable[[str], str]
) -> tuple[httpx.Response, int]:
    """The flow's result, unless its body would cost too much to decode."""
    error = too_costly(response, budget, attempts, redact)
    if error is not None:
        raise error
    return response, attempts


def send_flow(
    request: httpx.Request,
    *,
    policy: RetryPolicy,
    clock: Clock,
    rng: random.Random,
    redact: Callable[[str], str],
    deadline: float | None = None,
    timeout: float,
    max_bytes: int | None = None,
    exclusive_key: str | None = None,
) -> Flow[tuple[httpx.Response, int]]:
    """Send `request` with retries; return the final response and the number of attempts.

    Each attempt may take `timeout` seconds in all (pool wait, connect, headers and body). With a
    `deadline` (a time on `clock.monotonic()`), a retry that would sleep past it is not made, and
    an attempt may take only the time left (at least LAST_ATTEMPT_SECONDS). A status worth a retry
    is returned when no retry is left (the caller turns it into its typed error); a transport
    failure raises its `APIError`, a body over `max_bytes` raises `ResponseTooLargeError`, and so
    does a final answer whose decoding would cost more than `decoded_budget(max_bytes)`
    (`decoded_cost`), before anything decodes it.
    With an `exclusive_key`, each attempt waits (within its time) until no other request with
    that key is being sent anywhere in the process (`_turns.py`).
    """
    rule = RETRY_RULES.get(request.method, WRITE)
    path = redact(request.url.raw_path.decode("ascii", errors="replace"))
    budget = None if max_bytes is None else decoded_budget(max_bytes)
    attempt = 0
    while True:
        attempt += 1
        started = clock.monotonic()
        allowed = timeout
        if deadline is not None:
            allowed = min(timeout, max(deadline - started, LAST_ATTEMPT_SECONDS))
        result = yield Send(
            request, timeout=allowed, max_bytes=max_bytes, exclusive_key=exclusive_key
        )
        elapsed_ms = (clock.monotonic() - started) * 1000
        if isinstance(result, httpx.HTTPError):
            outcome = type(result).__name__
            logger.debug(
                "%s %s -> %s (attempt %d, %.1f ms)",
                request.method,
                path,
                outcome,
                attempt,
                elapsed_ms,
            )
            if isinstance(result, ResponseTooLarge):
                raise too_large(result.request, result.limit, attempt, redact)
            delay = policy.delay(attempt, rng=rng) if isinstance(result, rule.errors) else None
            if delay is None or _passes(clock, delay, deadline):
                raise error_from_transport(
                    result,
                    attempts=attempt,
                    redact=redact,
                    request=request,
                    sent=not isinstance(result, _NOTHING_SENT),
                )
        else:
            response: httpx.Response = result
            logger.debug(
                "%s %s -> %d (attempt %d, %.1f ms)",
                request.method,
                path,
                response.status_code,
                attempt,
                elapsed_ms,
            )
            if not (rule.statuses and is_retryable_status(response.status_code)):
                return _final(response, budget, attempt, redact)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            delay = policy.delay(attempt, retry_after=retry_after, rng=rng)
            if delay is None or _passes(clock, delay, deadline):
                return _final(response, budget, attempt, redact)
        yield Sleep(delay)
