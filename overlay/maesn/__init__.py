"""maesn-client: a typed Python SDK for the Maesn unified accounting API.

`maesn.Client` / `maesn.AsyncClient` expose every operation of Maesn's API as a typed method
(`client.accounting.get_invoices(...)`, generated from the spec), apply each integration's
documented rules before sending (statuses, companyId and environmentName, paging, operations only
another integration serves: `maesn.Integration.X.profile`; an id the table does not know gets the
generic rules), page through lists, and start, wait for and export asynchronous tasks;
`maesn.verify_webhook` checks and parses a webhook delivery. The low-level client they are built
on, `maesn_api`, is generated from the pinned OpenAPI spec identified by `maesn.SPEC_SHA256`.
"""

from maesn._generated import SPEC_SHA256

from ._client import AsyncClient, Client, TaskResult
from ._config import ClientOptions
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    IncompleteExportError,
    IncompleteListError,
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
    TaskStartedError,
    TaskTimeoutError,
    UnexpectedTaskStatusError,
    UnknownIntegrationWarning,
    ValidationError,
    WebhookError,
    WebhookFetchError,
    WebhookPayloadError,
    WebhookVerificationError,
    WrongEventLoopError,
)
from ._files import File
from ._handles import AsyncTaskHandle, TaskHandle
from ._models import Pagination, Task, TaskInformation, TaskPage
from ._operations import TaskOperation, task_operations
from ._pages import AsyncPage, SyncPage
from ._profiles import Fact, Integration, IntegrationProfile, OperationRule, Requirement
from ._raw import RawResponse
from ._status import TaskOutcome, TaskStatus
from ._version import __version__
from ._waiting import BatchWaitKeywords, WaitKeywords
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
    "AsyncPage",
    "AsyncTaskHandle",
    "AuthenticationError",
    "BadRequestError",
    "BatchWaitKeywords",
    "Client",
    "ClientClosedError",
    "ClientOptions",
    "Fact",
    "File",
    "IncompleteExportError",
    "IncompleteListError",
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
    "RawResponse",
    "Requirement",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "SyncPage",
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
    "TaskStartedError",
    "TaskStatus",
    "TaskTimeoutError",
    "UnexpectedTaskStatusError",
    "UnknownIntegrationWarning",
    "ValidationError",
    "WaitKeywords",
    "WebhookError",
    "WebhookEvent",
    "WebhookEventType",
    "WebhookFetchError",
    "WebhookPayloadError",
    "WebhookResource",
    "WebhookVerificationError",
    "WebhookVerifier",
    "WrongEventLoopError",
    "__version__",
    "task_operations",
    "verify_webhook",
]
