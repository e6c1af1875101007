"""Checks on arguments, run before any request leaves: a bad call never reaches Maesn."""

from __future__ import annotations

import difflib
import inspect
import unicodedata
from collections.abc import Sequence

from ._exceptions import ValidationError
from ._profiles import IntegrationProfile, paged_integrations

__all__ = [
    "MAX_SECONDS",
    "MAX_TASK_ID_LENGTH",
    "check_at_least",
    "check_company_id",
    "check_environment_name",
    "check_page",
    "check_seconds",
    "check_task_id",
    "did_you_mean",
]

MAX_SECONDS = 1e9
"""The longest duration a wait argument (max_wait, poll_interval, max_interval) accepts (about
31 years): past about 9.2e9 s, `time.sleep` overflows."""
MAX_TASK_ID_LENGTH = 256
"""Maesn's task ids are UUIDs; anything this long is a mistake (a whole URL, a pasted body)."""


def _control_characters(value: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in value if unicodedata.category(c) == "Cc"]


def _excerpt(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _unencodable(value: str) -> str | None:
    """Where `value` cannot be UTF-8 encoded (a lone surrogate, e.g. U+D800), else None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"U+{ord(value[exc.start]):04X} at position {exc.start}"
    return None


def did_you_mean(value: object, choices: Sequence[str]) -> str | None:
    """A "did you mean ...?" naming the closest choices (by prefix, then similarity), or None."""
    text = str(value).strip().lower()
    exact = [choice for choice in choices if choice == text]  # only the case was wrong
    guesses = exact or [choice for choice in choices if text and choice.startswith(text)]
    if not guesses:
        guesses = difflib.get_close_matches(text, choices, n=2, cutoff=0.5)
    if not guesses:
        return None
    return "did you mean " + " or ".join(repr(g) for g in guesses[:4]) + "?"


def _holder_hint(value: object) -> str | None:
    """For an object carrying a task id (a TaskHandle, a Task): how to use it instead."""
    task_id = getattr(value, "task_id", None)
    if not isinstance(task_id, str):
        return None
    wait = getattr(value, "wait", None)
    if callable(wait):
        call = "await handle.wait()" if inspect.iscoroutinefunction(wait) else "handle.wait()"
        return (
            f"a {type(value).__name__} waits by itself: call {call} (handle.get() and "
            f"handle.iter_entries() likewise), or pass handle.task_id ({task_id!r})"
        )
    return f"pass its .task_id ({task_id!r})"


def check_task_id(task_id: object) -> str:
    """A task id as returned by an asynchronous call: one non-empty path segment."""
    if not isinstance(task_id, str):
        hint = _holder_hint(task_id)
        raise ValidationError(
            f"task_id must be a str (the taskId an asynchronous call returned), got "
            f"{type(task_id).__name__} {task_id!r}{': ' + hint if hint else ''}",
            argument="task_id",
            hint=hint,
        )
    if not task_id.strip():
        raise ValidationError(
            f"task_id is empty ({task_id!r}): pass the taskId an asynchronous call returned",
            argument="task_id",
        )
    if task_id != task_id.strip():
        raise ValidationError(
            f"task_id {task_id!r} has whitespace at its ends: pass the id exactly as returned "
            "(strip it if it came from a file or a form)",
            argument="task_id",
        )
    if len(task_id) > MAX_TASK_ID_LENGTH:
        raise ValidationError(
            f"task_id is {len(task_id)} characters long ({_excerpt(task_id)}); task ids are at "
            f"most {MAX_TASK_ID_LENGTH}: pass only the taskId, not a URL or a response body",
            argument="task_id",
        )
    if controls := _control_characters(task_id):
        raise ValidationError(
            f"task_id {_excerpt(task_id)} contains control characters ({', '.join(controls)}): "
            "pass the taskId exactly as returned",
            argument="task_id",
        )
    if where := _unencodable(task_id):
        raise ValidationError(
            f"task_id {_excerpt(task_id)} cannot be sent: it is not valid Unicode text ({where}, "
            "a lone surrogate): pass the taskId exactly as returned",
            argument="task_id",
        )
    if task_id in {".", ".."}:
        raise ValidationError(
            f"task_id {task_id!r} is a relative path segment, not a task id: pass the taskId "
            "an asynchronous call returned",
            argument="task_id",
        )
    return task_id


def _check_name(value: object, argument: str, source: str) -> str | None:
    """None, or an id as Maesn lists it (`source` says where): a clean, sendable str."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(
            f"{argument} must be a str (an id from {source}), got {type(value).__name__} {value!r}",
            argument=argument,
        )
    if not value.strip() or value != value.strip():
        raise ValidationError(
            f"{argument} {value!r} is empty or has whitespace at its ends: pass the id "
            f"exactly as {source} lists it, or None",
            argument=argument,
        )
    if where := _unencodable(value):
        raise ValidationError(
            f"{argument} {_excerpt(value)} cannot be sent: it is not valid Unicode text "
            f"({where}, a lone surrogate): pass the id exactly as {source} lists it",
            argument=argument,
        )
    if controls := _control_characters(value):
        raise ValidationError(
            f"{argument} {_excerpt(value)} contains control characters ({', '.join(controls)})",
            argument=argument,
        )
    return value


def check_company_id(company_id: object) -> str | None:
    """None, or a company id as `client.companies()` lists them."""
    return _check_name(company_id, "company_id", "client.companies()")


def check_environment_name(environment_name: object) -> str | None:
    """None, or an environment name as `client.auth.get_environments()` lists them."""
    return _check_name(environment_name, "environment_name", "client.auth.get_environments()")


def check_page(profile: IntegrationProfile, page: object) -> int | None:
    """None, or a page number the integration accepts."""
    if page is None:
        return None
    if "page" not in profile.paging_parameters:
        raise ValidationError(
            f"page={page!r} given, but {profile.label} tasks have "
            f"no pages: omit page (only {paged_integrations()} results are paged)",
            argument="page",
        )
    if isinstance(page, bool) or not isinstance(page, int):
        raise ValidationError(
            f"page must be an int >= 1, got {type(page).__name__} {page!r}", argument="page"
        )
    if page < 1:
        raise ValidationError(
            f"page must be >= 1 (pages count from 1), got {page}", argument="page"
        )
    return page


def check_seconds(name: str, value: object) -> float:
    """A positive, finite number of seconds of at most MAX_SECONDS (bool refused).

    Every sleep of a wait is at most its `max_wait`: bounding the arguments bounds what the
    clock is asked to sleep, whatever Retry-After a server sends (an unbounded wait could ask
    `time.sleep` for more than the platform's time_t holds: an OverflowError, not a MaesnError).
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= MAX_SECONDS  # NaN fails both comparisons
    ):
        raise ValidationError(
            f"{name} must be a positive, finite number of seconds, at most {MAX_SECONDS:.0f}, "
            f"got {value!r}",
            argument=name,
        )
    return float(value)


def check_at_least(name: str, value: object, minimum: int) -> int:
    """An int of at least `minimum` (bool refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(f"{name} must be an int >= {minimum}, got {value!r}", argument=name)
    return value
