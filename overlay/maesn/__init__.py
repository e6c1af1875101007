"""maesn-client: a typed Python SDK for the Maesn unified accounting API.

`maesn.Client` / `maesn.AsyncClient` expose every operation of Maesn's API as a typed method
(`client.accounting.get_invoices(...)`, generated from the spec), apply each integration's
documented rules before sending (statuses, companyId and environmentName, paging, operations only
another integration serves: `maesn.Integration.X.profile`; an id the table does not know gets the
generic rules), page through lists, and start, wait for and export asynchronous tasks;
`maesn.verify_webhook` checks and parses a webhook delivery. The low-level client they are built
on, `maesn_api`, is generated from the pinned OpenAPI spec identified by `maesn.SPEC_SHA256`.
"""

import importlib as _importlib
import typing as _typing

from maesn._generated import SPEC_SHA256

from ._version import __version__

if _typing.TYPE_CHECKING:
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
    from ._waiting import BatchWaitKeywords, WaitKeywords
    from ._webhooks import (
        WEBHOOK_SIGNATURE_HEADER,
        WebhookEvent,
        WebhookEventType,
        WebhookResource,
        WebhookVerifier,
        verify_webhook,
    )

# Every other public name is imported from its module on first use (PEP 562): `import maesn`
# (and `maesn --help`) does not import httpx, the clients or the webhooks until a name needs them.
_EXPORTS: dict[str, str] = {
    "APIConnectionError": "._exceptions",
    "APIError": "._exceptions",
    "APIStatusError": "._exceptions",
    "APITimeoutError": "._exceptions",
    "AsyncClient": "._client",
    "AsyncPage": "._pages",
    "AsyncTaskHandle": "._handles",
    "AuthenticationError": "._exceptions",
    "BadRequestError": "._exceptions",
    "BatchWaitKeywords": "._waiting",
    "Client": "._client",
    "ClientClosedError": "._exceptions",
    "ClientOptions": "._config",
    "Fact": "._profiles",
    "File": "._files",
    "IncompleteExportError": "._exceptions",
    "IncompleteListError": "._exceptions",
    "Integration": "._profiles",
    "IntegrationProfile": "._profiles",
    "MaesnError": "._exceptions",
    "MaesnWarning": "._exceptions",
    "NotFoundError": "._exceptions",
    "OperationRule": "._profiles",
    "PageOutOfRangeError": "._exceptions",
    "Pagination": "._models",
    "PermissionDeniedError": "._exceptions",
    "RateLimitError": "._exceptions",
    "RawResponse": "._raw",
    "Requirement": "._profiles",
    "ResponseTooLargeError": "._exceptions",
    "ResponseValidationError": "._exceptions",
    "ServerError": "._exceptions",
    "SyncPage": "._pages",
    "Task": "._models",
    "TaskCancelledError": "._exceptions",
    "TaskDeletedError": "._exceptions",
    "TaskError": "._exceptions",
    "TaskFailedError": "._exceptions",
    "TaskHandle": "._handles",
    "TaskInformation": "._models",
    "TaskOperation": "._operations",
    "TaskOutcome": "._status",
    "TaskPage": "._models",
    "TaskPartiallySucceededError": "._exceptions",
    "TaskPendingError": "._exceptions",
    "TaskResult": "._client",
    "TaskStartedError": "._exceptions",
    "TaskStatus": "._status",
    "TaskTimeoutError": "._exceptions",
    "UnexpectedTaskStatusError": "._exceptions",
    "UnknownIntegrationWarning": "._exceptions",
    "ValidationError": "._exceptions",
    "WEBHOOK_SIGNATURE_HEADER": "._webhooks",
    "WaitKeywords": "._waiting",
    "WebhookError": "._exceptions",
    "WebhookEvent": "._webhooks",
    "WebhookEventType": "._webhooks",
    "WebhookFetchError": "._exceptions",
    "WebhookPayloadError": "._exceptions",
    "WebhookResource": "._webhooks",
    "WebhookVerificationError": "._exceptions",
    "WebhookVerifier": "._webhooks",
    "WrongEventLoopError": "._exceptions",
    "task_operations": "._operations",
    "verify_webhook": "._webhooks",
}

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


def __getattr__(name: str) -> _typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
