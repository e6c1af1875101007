"""Client settings: arguments, their environment fallbacks, and keeping the keys secret."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field

import httpx

from ._exceptions import ValidationError
from ._profiles import Integration, IntegrationProfile
from ._redaction import Redactor, Secret
from ._retry import RetryPolicy
from ._validation import check_at_least, check_company_id, check_seconds, did_you_mean
from ._version import __version__

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_BASE_URL",
    "ClientConfig",
    "Redactor",
    "Secret",
    "user_agent",
]

API_KEY_ENV = "MAESN_API_KEY"
ACCOUNT_KEY_ENV = "MAESN_ACCOUNT_KEY"
BASE_URL_ENV = "MAESN_BASE_URL"
DEFAULT_BASE_URL = "https://api.maesn.dev"


def user_agent() -> str:
    """`maesn-client/<version> python/<version> httpx/<version>`."""
    return (
        f"maesn-client/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
    )


def _key(value: str | None, env: str, argument: str) -> Secret:
    resolved = value if value is not None else os.environ.get(env)
    if resolved is None or not resolved.strip():
        raise ValidationError(
            f"no {argument.replace('_', ' ')}: pass {argument}=... or set the environment "
            f"variable {env}"
        )
    if resolved != resolved.strip() or not (resolved.isascii() and resolved.isprintable()):
        raise ValidationError(
            f"the {argument.replace('_', ' ')} has whitespace at its ends, control characters or "
            f"non-ASCII characters, which no HTTP header can carry (value not shown); check "
            f"{argument}=... or {env}"
        )
    return Secret(resolved)


def _integration(value: Integration | str) -> Integration:
    try:
        return Integration(value)
    except ValueError:
        ids = [i.value for i in Integration]
        known = ", ".join(map(repr, ids))
        hint = did_you_mean(value, ids)
        raise ValidationError(
            f"unknown integration {value!r}: {hint + ' ' if hint else ''}use one of {known} "
            "(maesn.Integration)",
            argument="integration",
            hint=hint,
        ) from None


def _base_url(value: str | None) -> str:
    resolved = (value if value is not None else os.environ.get(BASE_URL_ENV)) or DEFAULT_BASE_URL
    try:
        url = httpx.URL(resolved)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ValidationError(
            f"base_url {resolved!r} is not a valid URL ({exc}): pass base_url=... or set "
            f"{BASE_URL_ENV}, e.g. {DEFAULT_BASE_URL}"
        ) from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValidationError(
            f"base_url {resolved!r} is not an http(s) URL with a host: pass base_url=... or set "
            f"{BASE_URL_ENV}, e.g. {DEFAULT_BASE_URL}"
        )
    if url.query or url.fragment:
        raise ValidationError(f"base_url {resolved!r} must not carry a query or fragment")
    return resolved.rstrip("/")


@dataclass(frozen=True, kw_only=True)
class ClientConfig:
    """Everything a client needs to know before sending a request, validated once."""

    api_key: Secret = field(repr=False)
    account_key: Secret = field(repr=False)
    integration: Integration
    company_id: str | None
    interactive_auth: bool
    base_url: str
    timeout: float
    retry: RetryPolicy
    strict_status: bool

    @classmethod
    def create(
        cls,
        *,
        api_key: str | None,
        account_key: str | None,
        integration: Integration | str,
        company_id: str | None,
        interactive_auth: bool,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        strict_status: bool,
    ) -> ClientConfig:
        """Validate the constructor's arguments, filling keys and base URL from the environment."""
        check_at_least("max_retries", max_retries, 0)
        return cls(
            api_key=_key(api_key, API_KEY_ENV, "api_key"),
            account_key=_key(account_key, ACCOUNT_KEY_ENV, "account_key"),
            integration=_integration(integration),
            company_id=check_company_id(company_id),
            interactive_auth=bool(interactive_auth),
            base_url=_base_url(base_url),
            timeout=check_seconds("timeout", timeout),
            retry=RetryPolicy(max_retries=max_retries),
            strict_status=bool(strict_status),
        )

    @property
    def profile(self) -> IntegrationProfile:
        """The configured integration's rules."""
        return self.integration.profile

    def redactor(self) -> Redactor:
        """A redactor for this configuration's keys."""
        return Redactor([self.api_key, self.account_key])
