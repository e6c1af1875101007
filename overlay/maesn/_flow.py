"""Sans-I/O flows: the client's logic is written once and driven twice, sync and async.

A flow is a generator that yields actions and gets their results sent back:

- `Send(request)` → the driver sends the request and sends back the `httpx.Response`, or the
  `httpx.HTTPError` it raised (the flow decides whether to retry);
- `Sleep(seconds)` → the driver sleeps on the current clock and sends back None;
- `Emit(value)` → an iterating driver hands `value` to its caller (export pages).

The flow's return value is the call's result. Retrying, polling, paging and every check live in
the flows (in `_base.py`); the drivers below are the only code that differs between `Client` and
`AsyncClient`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from . import _clock

__all__ = ["Emit", "Flow", "Send", "Sleep", "arun", "arun_iter", "run", "run_iter"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Send:
    """Send this request; answer with the response or the httpx error."""

    request: httpx.Request


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many seconds on the current clock."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand a value to the iterating caller."""

    value: Any


Action = Send | Sleep | Emit
Flow = Generator[Action, Any, T]


def _unbound(response: httpx.Response) -> httpx.Response:
    """The read response without httpx's bound stream, which points back at the response.

    That cycle keeps every response body (an export page's ~10-20 MB) alive until a full garbage
    collection; with the read body as its stream, the response is freed as soon as it is dropped.
    """
    try:
        body = response.content
    except httpx.ResponseNotRead:
        return response
    response.stream = httpx.ByteStream(body)
    return response


def run_iter(flow: Flow[Any], http: httpx.Client) -> Iterator[Any]:
    """Drive `flow` with blocking I/O, yielding what it emits."""
    try:
        action = next(flow)
        while True:
            result: Any = None
            if isinstance(action, Send):
                try:
                    result = _unbound(http.send(action.request))
                except httpx.HTTPError as exc:
                    result = exc
            elif isinstance(action, Sleep):
                _clock.current().sleep(action.seconds)
            else:
                # Emitted values (export pages) are not kept here once handed over.
                value = action.value
                del action
                yield value
                del value
            action = flow.send(result)
    except StopIteration:
        return
    finally:
        flow.close()


async def arun_iter(flow: Flow[Any], http: httpx.AsyncClient) -> AsyncIterator[Any]:
    """Drive `flow` with asyncio I/O, yielding what it emits (cancellation closes the flow)."""
    try:
        action = next(flow)
        while True:
            result: Any = None
            if isinstance(action, Send):
                try:
                    result = _unbound(await http.send(action.request))
                except httpx.HTTPError as exc:
                    result = exc
            elif isinstance(action, Sleep):
                await _clock.current().asleep(action.seconds)
            else:
                # Emitted values (export pages) are not kept here once handed over.
                value = action.value
                del action
                yield value
                del value
            action = flow.send(result)
    except StopIteration:
        return
    finally:
        flow.close()


def _capture(flow: Flow[T], box: list[T]) -> Flow[None]:
    box.append((yield from flow))


def _no_emits(value: object) -> TypeError:
    return TypeError(f"a flow that returns a value emitted {value!r}")


def run(flow: Flow[T], http: httpx.Client) -> T:
    """Drive `flow` with blocking I/O and return its result."""
    box: list[T] = []
    for value in run_iter(_capture(flow, box), http):
        raise _no_emits(value)
    return box[0]


async def arun(flow: Flow[T], http: httpx.AsyncClient) -> T:
    """Drive `flow` with asyncio I/O and return its result."""
    box: list[T] = []
    async for value in arun_iter(_capture(flow, box), http):
        raise _no_emits(value)
    return box[0]
