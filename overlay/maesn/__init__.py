"""maesn-client: a typed client for the asynchronous tasks of the Maesn unified accounting API.

`maesn.Client` / `maesn.AsyncClient` poll tasks with each integration's rules (statuses,
companyId, paging) from `maesn.Integration.X.profile`; `maesn.verify_webhook` checks and parses
a webhook delivery. The low-level client they are built on,
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
    ValidationError,
    WebhookError,
    WebhookFetchError,
    WebhookPayloadError,
    WebhookVerificationError,
)
from ._handles import AsyncTaskHandle, TaskHandle
from ._models import Pagination, Task, TaskInformation, TaskPage
from ._profiles import Integration, IntegrationProfile
from ._resources import TaskOperation, task_operations
from ._status import TaskOutcome, TaskStatus
from ._version import __version__
from ._webhooks import (
    WEBHOOK_SIGNATURE_HEADER,
    WebhookEvent,
    WebhookEventType,
    WebhookResource,
    WebhookVerifier,
    verify_webhook,
)

__all__ = [
    "SPEC_SHA256",
    "WEBHOOK_SIGNATURE_HEADER",
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
    "WebhookError",
    "WebhookEvent",
    "WebhookEventType",
    "WebhookFetchError",
    "WebhookPayloadError",
    "WebhookResource",
    "WebhookVerificationError",
    "WebhookVerifier",
    "__version__",
    "task_operations",
    "verify_webhook",
]
