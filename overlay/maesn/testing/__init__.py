"""Test your code against Maesn without Maesn: a local sandbox, faults on demand, no real sleeps.

```python
from maesn.testing import Fault, Sandbox

with Sandbox() as sandbox:
    task_id = sandbox.add_task("datev-rewe-export", entries=120_000)
    sandbox.inject(Fault.status(503), times=2)
    ...  # point the client at sandbox.base_url with sandbox.api_key / sandbox.account_key
```

With pytest, installing the package gives the fixtures `maesn_sandbox` and `maesn_fake_clock`.

Webhooks: `sign_webhook` / `signed_delivery` sign a body for unit tests of a receiver;
`WebhookDispatcher` posts signed events to a running receiver, with retries and a delivery log.
"""

from ._crud import InvalidRecordError
from ._entries import export_entry
from ._fake_clock import FakeClock, fake_clock
from ._faults import Fault
from ._log import REDACTED, RecordedRequest, RequestLog
from ._sandbox import Sandbox
from ._tasks import default_lifecycle
from ._webhooks import (
    DeliveryAttempt,
    DeliveryLog,
    SignedDelivery,
    WebhookDelivery,
    WebhookDispatcher,
    WebhookSubscription,
    WebhookSubscriptions,
    sign_webhook,
    signed_delivery,
    webhook_headers,
)

__all__ = [
    "REDACTED",
    "DeliveryAttempt",
    "DeliveryLog",
    "FakeClock",
    "Fault",
    "InvalidRecordError",
    "RecordedRequest",
    "RequestLog",
    "Sandbox",
    "SignedDelivery",
    "WebhookDelivery",
    "WebhookDispatcher",
    "WebhookSubscription",
    "WebhookSubscriptions",
    "default_lifecycle",
    "export_entry",
    "fake_clock",
    "sign_webhook",
    "signed_delivery",
    "webhook_headers",
]
