"""maesn-client: a typed client for the asynchronous tasks of the Maesn unified accounting API.

`maesn.Client` / `maesn.AsyncClient` poll tasks with each integration's rules (statuses,
companyId, paging) from `maesn.Integration.X.profile`. The low-level client they are built on,
`maesn_api`, is generated from the pinned OpenAPI spec identified by `maesn.SPEC_SHA256`.
"""

from maesn._generated import SPEC_SHA256

from ._client import AsyncClient, Client, TaskResult
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    IncompleteExportError,
    MaesnError,
    MaesnWarning,
    NotFoundError,
    PageOutOfRangeError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    TaskCancelledError,
    TaskDeletedError,
    TaskError,
    TaskFailedError,
    TaskPartiallySucceededError,
    TaskPendingError,
    TaskTimeoutError,
    UnexpectedTaskStatusError,
    ValidationError,
)
from ._handles import AsyncTaskHandle, TaskHandle
from ._models import Pagination, Task, TaskInformation, TaskPage
from ._profiles import Integration, IntegrationProfile
from ._resources import TaskOperation, task_operations
from ._status import TaskOutcome, TaskStatus
from ._version import __version__

__all__ = [
    "SPEC_SHA256",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncTaskHandle",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ClientClosedError",
    "IncompleteExportError",
    "Integration",
    "IntegrationProfile",
    "MaesnError",
    "MaesnWarning",
    "NotFoundError",
    "PageOutOfRangeError",
    "Pagination",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "Task",
    "TaskCancelledError",
    "TaskDeletedError",
    "TaskError",
    "TaskFailedError",
    "TaskHandle",
    "TaskInformation",
    "TaskOperation",
    "TaskOutcome",
    "TaskPage",
    "TaskPartiallySucceededError",
    "TaskPendingError",
    "TaskResult",
    "TaskStatus",
    "TaskTimeoutError",
    "UnexpectedTaskStatusError",
    "ValidationError",
    "__version__",
    "task_operations",
]
