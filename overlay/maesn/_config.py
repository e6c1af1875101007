"""Client settings: arguments, their environment fallbacks, and keeping the keys secret."""

from __future__ import annotations

import dataclasses
import math
import os
import platform
import re
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

import httpx

from ._exceptions import ValidationError, warn
from ._profiles import Integration, IntegrationProfile, as_integration, profile_for
from ._redaction import Redactor, Secret
from ._retry import RetryPolicy
from ._rules import unknown_integration
from ._validation import check_at_least, check_company_id, check_environment_name
from ._version import __version__

__all__ = [
    "API_KEY_ENV",
    "COMPANY_ID_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "INTEGRATION_ENV",
    "MAX_TIMEOUT",
    "ClientConfig",
    "ClientOptions",
    "Redactor",
    "Secret",
    "user_agent",
]

API_KEY_ENV = "MAESN_API_KEY"
ACCOUNT_KEY_ENV = "MAESN_ACCOUNT_KEY"
BASE_URL_ENV = "MAESN_BASE_URL"
COMPANY_ID_ENV = "MAESN_COMPANY_ID"
ENVIRONMENT_NAME_ENV = "MAESN_ENVIRONMENT_NAME"
INTEGRATION_ENV = "MAESN_INTEGRATION"
DEFAULT_BASE_URL = "https://api.maesn.dev"
MAX_TIMEOUT = 1_000_000.0
"""The longest request timeout accepted (about 11.6 days): larger values are mistakes, and past
about 9.2e9 s the event loop and the socket layer overflow."""
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""256 MiB: far above a 50,000-entry export page (about 20 MB), far below what hurts."""
_HOST = re.compile(r"[A-Za-z0-9._~-]+|[0-9A-Fa-f:.]+")


def user_agent() -> str:
    """`maesn-client/<version> python/<version> httpx/<version>`."""
    return (
        f"maesn-client/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
    )


def _key(value: object, env: str, argument: str) -> Secret:
    resolved = value if value is not None else os.environ.get(env)
    if resolved is not None and not isinstance(resolved, str):
        raise ValidationError(
            f"the {argument.replace('_', ' ')} must be a str, got {type(resolved).__name__} "
            f"(value not shown): pass {argument}='...' or set the environment variable {env}",
            argument=argument,
        )
    if resolved is None or not resolved.strip():
        raise ValidationError(
            f"no {argument.replace('_', ' ')}: pass {argument}=... or set the environment "
            f"variable {env}",
            argument=argument,
        )
    if resolved != resolved.strip() or not (resolved.isascii() and resolved.isprintable()):
        raise ValidationError(
            f"the {argument.replace('_', ' ')} has whitespace at its ends, control characters or "
            f"non-ASCII characters, which no HTTP header can carry (value not shown); check "
            f"{argument}=... or {env}",
            argument=argument,
        )
    return Secret(resolved)


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def _integration(value: object) -> Integration | str | None:
    """The configured integration: a member for a known id, the id for another one, or None.

    An id the table does not know is accepted with the generic rules and one
    UnknownIntegrationWarning (a near miss gets a did-you-mean); none at all is accepted too.
    """
    resolved = value if value is not None else _env(INTEGRATION_ENV)
    if resolved is None:
        return None
    if not isinstance(resolved, str) or not resolved.strip():
        raise ValidationError(
            f"integration must be a target-system id such as 'datev-rewe' (a maesn.Integration "
            f"member or its value), got {type(resolved).__name__} {resolved!r}; or pass none",
            argument="integration",
        )
    integration = as_integration(resolved)
    if not isinstance(integration, Integration):
        warn(unknown_integration(integration))
    return integration


def check_timeout(value: object) -> float:
    """A request timeout: finite seconds above 0 and at most MAX_TIMEOUT."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= MAX_TIMEOUT
    ):
        raise ValidationError(
            f"timeout must be a positive, finite number of seconds, at most {MAX_TIMEOUT:.0f} "
            f"(it bounds each request as a whole), got {value!r}",
            argument="timeout",
        )
    return float(value)


def check_max_response_bytes(value: object) -> int:
    """A body size limit in bytes: an int of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            f"max_response_bytes must be an int >= 1 (bytes), got {value!r}; the default is "
            f"{DEFAULT_MAX_RESPONSE_BYTES}",
            argument="max_response_bytes",
        )
    return value


def _base_url(value: str | None) -> str:
    resolved = (value if value is not None else os.environ.get(BASE_URL_ENV)) or DEFAULT_BASE_URL
    try:
        url = httpx.URL(resolved)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ValidationError(
            f"base_url {resolved!r} is not a valid URL ({exc}): pass base_url=... or set "
            f"{BASE_URL_ENV}, e.g. {DEFAULT_BASE_URL}",
            argument="base_url",
        ) from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValidationError(
            f"base_url {resolved!r} is not an http(s) URL with a host: pass base_url=... or set "
            f"{BASE_URL_ENV}, e.g. {DEFAULT_BASE_URL}",
            argument="base_url",
        )
    host = url.raw_host.decode("ascii", errors="replace")
    if not _HOST.fullmatch(host):
        raise ValidationError(
            f"base_url {resolved!r} has an invalid host name {url.host!r}", argument="base_url"
        )
    if url.port is not None and not 0 < url.port <= 65535:  # noqa: PLR2004 - the TCP port range
        raise ValidationError(
            f"base_url {resolved!r} has the port {url.port}, outside 1-65535", argument="base_url"
        )
    if url.userinfo:
        raise ValidationError(
            f"base_url must not carry a user name or password (got one before '@'): Maesn "
            f"authenticates with api_key and account_key (set {BASE_URL_ENV} without them)",
            argument="base_url",
        )
    if url.query or url.fragment:
        raise ValidationError(
            f"base_url {resolved!r} must not carry a query or fragment", argument="base_url"
        )
    return resolved.rstrip("/")


class ClientOptions(TypedDict, total=False):
    """The settings `with_options()` (`copy()`) can change; None keeps the current value.

    Attributes:
        api_key: Maesn API key.
        account_key: The end user's account key (of the same integration).
        company_id: The companyId sent when a call passes none.
        environment_name: The environmentName sent when a call passes none (Business Central).
        timeout: Seconds for each request as a whole.
        max_retries: Retries of a failed request (GETs; writes only when nothing was sent).
        strict_status: Raise for a task status the integration never reports.
        max_response_bytes: The largest response body read.
    """

    api_key: str | None
    account_key: str | None
    company_id: str | None
    environment_name: str | None
    timeout: float | None
    max_retries: int | None
    strict_status: bool | None
    max_response_bytes: int | None


def _settings(
    *,
    api_key: object,
    account_key: object,
    company_id: object,
    environment_name: object,
    timeout: object,
    max_retries: object,
    strict_status: object,
    max_response_bytes: object,
) -> dict[str, Any]:
    """The settings a copy may change (`ClientOptions`), each validated: one place for both."""
    retries = check_at_least("max_retries", max_retries, 0)
    return {
        "api_key": _key(api_key, API_KEY_ENV, "api_key"),
        "account_key": _key(account_key, ACCOUNT_KEY_ENV, "account_key"),
        "company_id": check_company_id(company_id),
        "environment_name": check_environment_name(environment_name),
        "timeout": check_timeout(timeout),
        "retry": RetryPolicy(max_retries=retries),
        "strict_status": bool(strict_status),
        "max_response_bytes": check_max_response_bytes(max_response_bytes),
    }


@dataclass(frozen=True, kw_only=True)
class ClientConfig:
    """Everything a client needs to know before sending a request, validated once."""

    api_key: Secret = field(repr=False)
    account_key: Secret = field(repr=False)
    integration: Integration | str | None
    company_id: str | None
    environment_name: str | None
    interactive_auth: bool
    base_url: str
    timeout: float
    retry: RetryPolicy
    strict_status: bool
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @classmethod
    def create(
        cls,
        *,
        api_key: str | None,
        account_key: str | None,
        integration: object,
        company_id: str | None,
        environment_name: str | None = None,
        interactive_auth: bool,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        strict_status: bool,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> ClientConfig:
        """Validate the constructor's arguments, filling the others from the environment.

        Where an argument is None: MAESN_API_KEY, MAESN_ACCOUNT_KEY, MAESN_INTEGRATION,
        MAESN_COMPANY_ID, MAESN_ENVIRONMENT_NAME, MAESN_BASE_URL.
        """
        return cls(
            integration=_integration(integration),
            interactive_auth=bool(interactive_auth),
            base_url=_base_url(base_url),
            **_settings(
                api_key=api_key,
                account_key=account_key,
                company_id=company_id if company_id is not None else _env(COMPANY_ID_ENV),
                environment_name=(
                    environment_name if environment_name is not None else _env(ENVIRONMENT_NAME_ENV)
                ),
                timeout=timeout,
                max_retries=max_retries,
                strict_status=strict_status,
                max_response_bytes=max_response_bytes,
            ),
        )

    def replace(self, **changes: Unpack[ClientOptions]) -> ClientConfig:
        """This configuration with `changes`, validated as `create` validates them.

        None keeps a setting; the integration, base URL and interactive_auth never change (and
        the environment is not read again).
        """
        unknown = sorted(set(changes) - set(ClientOptions.__annotations__))
        if unknown:
            raise ValidationError(
                f"with_options() takes {', '.join(sorted(ClientOptions.__annotations__))}; not "
                f"{', '.join(unknown)} (create a new client for those)",
                argument=unknown[0],
            )
        current: dict[str, Any] = {
            "api_key": self.api_key.reveal(),
            "account_key": self.account_key.reveal(),
            "company_id": self.company_id,
            "environment_name": self.environment_name,
            "timeout": self.timeout,
            "max_retries": self.retry.max_retries,
            "strict_status": self.strict_status,
            "max_response_bytes": self.max_response_bytes,
        }
        current.update({name: value for name, value in changes.items() if value is not None})
        settings = _settings(**current)
        settings["retry"] = dataclasses.replace(
            self.retry, max_retries=settings["retry"].max_retries
        )
        return dataclasses.replace(self, **settings)

    @property
    def profile(self) -> IntegrationProfile:
        """The configured integration's rules (the generic ones for an unknown id or none)."""
        return profile_for(self.integration)

    def redactor(self) -> Redactor:
        """A redactor for this configuration's keys."""
        return Redactor([self.api_key, self.account_key])
