"""maesn-client: a typed client for the asynchronous tasks of the Maesn unified accounting API.

`maesn.Client` / `maesn.AsyncClient` apply each integration's documented rules (statuses,
companyId and environmentName, paging, operations only another integration serves) from
`maesn.Integration.X.profile`; an id the table does not know gets the generic rules. The low-level client they are built on,
`maesn_api`, is generated from the pinned OpenAPI spec identified by `maesn.SPEC_SHA256`.
"""

from maesn_api._provenance import SPEC_SHA256

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
    UnknownIntegrationWarning,
    ValidationError,
)
from ._handles import AsyncTaskHandle, TaskHandle
from ._models import Pagination, Task, TaskInformation, TaskPage
from ._profiles import Fact, Integration, IntegrationProfile, OperationRule, Requirement
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
    "Fact",
    "IncompleteExportError",
    "Integration",
    "IntegrationProfile",
    "MaesnError",
    "MaesnWarning",
    "NotFoundError",
    "OperationRule",
    "PageOutOfRangeError",
    "Pagination",
    "PermissionDeniedError",
    "RateLimitError",
    "Requirement",
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
    "UnknownIntegrationWarning",
    "ValidationError",
    "__version__",
    "task_operations",
]
