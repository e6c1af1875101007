"""The base of every generated resource class, and the wrappers that change what a call returns.

A generated method (`maesn_resources.<tag>`) checks nothing itself: it hands its `Operation` and
its arguments to `_request`, which goes straight down to its client (`Client._request` /
`AsyncClient._request`): arguments checked, the integration's rules applied, sent with retries,
the answer interpreted. `.with_raw_response.<operation>(...)` and `.as_task.<operation>(...)` call
the same method with another `CallMode`, set for that one call.

Python checks a call's arguments against the method's signature before the method runs; a
mistake there (a misspelt keyword, a missing argument, too many positional ones) would be a bare
TypeError. Every public method of a resource class is wrapped (`_Resource.__init_subclass__`) so
that it is a `ValidationError` naming the argument, with a "did you mean" for a misspelt keyword.
The wrapper costs nothing until a call fails: the signature is read only then.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, Protocol

from ._exceptions import ValidationError
from ._validation import did_you_mean

if TYPE_CHECKING:
    from ._handles import AsyncTaskHandle, TaskHandle
    from ._operations import Operation
    from ._raw import RawResponse

__all__ = [
    "AsyncRequester",
    "AsyncResource",
    "CallMode",
    "SyncRequester",
    "SyncResource",
    "async_raw_response_wrapper",
    "async_task_wrapper",
    "call_mode",
    "raw_response_wrapper",
    "task_wrapper",
]

P = ParamSpec("P")
CallMode = Literal["call", "raw", "task"]
"""How a call answers: its typed result, the whole answer (`RawResponse`), or a task handle for
a read that runs as a task."""

_MODE: contextvars.ContextVar[CallMode] = contextvars.ContextVar("maesn_call_mode", default="call")


class SyncRequester(Protocol):
    """What a sync resource needs of its client: one call of one operation (`Client`)."""

    def _request(
        self, operation: Operation, arguments: dict[str, Any], *, mode: CallMode = "call"
    ) -> Any: ...


class AsyncRequester(Protocol):
    """What an async resource needs of its client (`AsyncClient`)."""

    def _request(
        self, operation: Operation, arguments: dict[str, Any], *, mode: CallMode = "call"
    ) -> Awaitable[Any]: ...


def call_mode() -> CallMode:
    """The mode of the call being made (set by the wrappers for one call)."""
    return _MODE.get()


def _argument_error(
    method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> ValidationError | None:
    """The ValidationError for arguments `method` cannot take, or None if it can take them."""
    signature = inspect.signature(method)
    try:
        signature.bind(*args, **kwargs)
    except TypeError as problem:
        reason = str(problem)
    else:
        return None
    name = f"{method.__name__}()"
    parameters = [p for p in signature.parameters.values() if p.name != "self"]
    known = [p.name for p in parameters]
    unknown = [keyword for keyword in kwargs if keyword not in known]
    if unknown:
        return ValidationError(
            f"{name} takes no argument {unknown[0]!r}; it takes {', '.join(known) or 'none'}",
            argument=unknown[0],
            hint=did_you_mean(unknown[0], known),
        )
    positional = [
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    given = {*positional[: len(args) - 1], *kwargs}  # args[0] is the resource
    missing = [
        p.name for p in parameters if p.default is inspect.Parameter.empty and p.name not in given
    ]
    if missing and len(args) - 1 <= len(positional):
        return ValidationError(f"{name} is missing {missing[0]!r}", argument=missing[0])
    keywords = [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]
    return ValidationError(
        f"{name} cannot take these arguments ({reason}): it takes "
        + (", ".join(positional) if positional else "nothing")
        + " by position"
        + (", and " + ", ".join(f"{keyword}=..." for keyword in keywords) if keywords else ""),
    )


def _checked(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method`, raising a ValidationError for arguments its signature refuses (nothing sent)."""
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def checked_async(*args: Any, **kwargs: Any) -> Any:
            try:
                call = method(*args, **kwargs)
            except TypeError as exc:
                error = _argument_error(method, args, kwargs)
                if error is None:
                    raise
                raise error from exc
            return await call

        return checked_async

    @functools.wraps(method)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except TypeError as exc:
            error = _argument_error(method, args, kwargs)
            if error is None:
                raise
            raise error from exc

    return checked


class _Resource:
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(member):
                setattr(cls, name, _checked(member))

    def __repr__(self) -> str:
        module = sys.modules[type(self).__module__]
        operations = getattr(module, "OPERATIONS", ())
        name = type(self).__module__.rpartition(".")[2]
        return f"<maesn resource {name!r}: {len(operations)} operations>"


class SyncResource(_Resource):
    """The operations of one spec tag, bound to a `Client`."""

    def __init__(self, client: SyncRequester) -> None:
        self._client = client

    def _request(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        return self._client._request(operation, arguments, mode=_MODE.get())  # noqa: SLF001


class AsyncResource(_Resource):
    """The operations of one spec tag, bound to an `AsyncClient`."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    async def _request(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        return await self._client._request(operation, arguments, mode=_MODE.get())  # noqa: SLF001


def _in_mode(mode: CallMode, method: Callable[P, Any]) -> Callable[P, Any]:
    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Any:
        token = _MODE.set(mode)
        try:
            return method(*args, **kwargs)
        finally:
            _MODE.reset(token)

    return wrapped


def _in_mode_async(
    mode: CallMode, method: Callable[P, Awaitable[Any]]
) -> Callable[P, Awaitable[Any]]:
    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> Any:
        token = _MODE.set(mode)
        try:
            return await method(*args, **kwargs)
        finally:
            _MODE.reset(token)

    return wrapped


def raw_response_wrapper(method: Callable[P, object]) -> Callable[P, RawResponse]:
    """`method` with the same arguments, returning the whole answer; never raises on a status."""
    return _in_mode("raw", method)


def async_raw_response_wrapper(
    method: Callable[P, Awaitable[object]],
) -> Callable[P, Awaitable[RawResponse]]:
    """The async `raw_response_wrapper`."""
    return _in_mode_async("raw", method)


def task_wrapper(method: Callable[P, object]) -> Callable[P, TaskHandle]:
    """`method` (a read) started as a task: returns the handle of the task it started."""
    return _in_mode("task", method)


def async_task_wrapper(
    method: Callable[P, Awaitable[object]],
) -> Callable[P, Awaitable[AsyncTaskHandle]]:
    """The async `task_wrapper`."""
    return _in_mode_async("task", method)
