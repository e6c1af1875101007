"""Task statuses as the spec lists them, and what a status means once an integration is known."""

from __future__ import annotations

import enum

__all__ = ["TaskOutcome", "TaskStatus"]


class TaskStatus(enum.StrEnum):
    """Every status value the pinned spec lists for `data.status` of an async task.

    Which of them an integration reports, and what each means there, is in its profile
    (`maesn.Integration.X.profile`). A value the spec does not list reaches users as the raw string.
    """

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    FINISHED = "FINISHED"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    PARTIAL_SUCCESS = "PARTIAL_SUCCESS"
    CANCELLED_SUCCESSFULLY = "CANCELLED_SUCCESSFULLY"
    CANCEL_FAILED = "CANCEL_FAILED"
    DELETED = "DELETED"


class TaskOutcome(enum.StrEnum):
    """What a status means for one integration: still running, or how the task ended."""

    PENDING = "pending"
    """Still running: poll again."""
    SUCCEEDED = "succeeded"
    """Done, and the integration says it worked."""
    COMPLETED = "completed"
    """Done; the integration reports the outcome only in `information` (AbaConnect's FINISHED)."""
    FAILED = "failed"
    """Done, and it did not work."""
    PARTIAL = "partial"
    """Done; some items were processed, others were not."""
    CANCELLED = "cancelled"
    """Cancelled on the target system."""
    CANCEL_FAILED = "cancel-failed"
    """A cancellation was asked for and failed on the target system."""
    DELETED = "deleted"
    """The result no longer exists on the target system."""

    @property
    def is_done(self) -> bool:
        """True for every outcome but PENDING."""
        return self is not TaskOutcome.PENDING

    @property
    def is_success(self) -> bool:
        """True when waiting should return the task rather than raise."""
        return self in {TaskOutcome.SUCCEEDED, TaskOutcome.COMPLETED}
