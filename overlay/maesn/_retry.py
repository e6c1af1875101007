"""When to retry a request and how long to wait first: decisions only, no I/O.

Which requests may be retried at all (GETs, and writes only before anything was sent) is
`_sending.py`'s table; for those, retried: 429, every status of 500 and
above (520 included), connection failures and timeouts. The wait grows exponentially with jitter
up to a cap; a server's `Retry-After` (seconds or an HTTP date) replaces the computed wait, unless
it asks for more than `max_retry_after`, in which case the error is raised at once with
`retry_after` set, so the caller can schedule the next try instead of blocking.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "is_retryable_status", "parse_retry_after"]


def is_retryable_status(status_code: int) -> bool:
    """429 and every 5xx-or-above status (standard or not) are worth another try."""
    return status_code == 429 or status_code >= 500  # noqa: PLR2004


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None.

    Delta-seconds too large for a float (hundreds of digits) are valid and mean "longer than any
    cap": `math.inf`, so the policy raises at once instead of mistaking them for garbage.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        seconds = float(text)  # never raises for digits; overflows to inf
        return seconds if math.isfinite(seconds) else math.inf
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        # "inf", "nan" and "1e999" are no number of seconds anyone can wait for.
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        # A year beyond datetime's range raises OverflowError (or ValueError) here: a date no
        # server means is treated like no header at all.
        when = parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped; `Retry-After` wins up to its own cap."""

    max_retries: int = 3
    """Retries after the first attempt; 0 disables retrying."""
    initial_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    jitter: float = 0.25
    """The computed wait is scaled by a random factor in [1 - jitter, 1]."""

    def delay(
        self, attempt: int, *, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up after `attempt`."""
        if attempt > self.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        base = min(self.max_delay, self.initial_delay * self.multiplier ** (attempt - 1))
        factor = 1.0 - self.jitter * (rng or random).random()
        return base * factor
