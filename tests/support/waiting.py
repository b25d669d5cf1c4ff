"""Waiting in a test for what another task, thread or process makes happen: one poll loop with a
deadline, whose failure says what never happened."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar, overload

T = TypeVar("T")


@overload
async def wait_until(
    condition: Callable[[], Awaitable[T | None]],
    failure: str | Callable[[], str],
    *,
    seconds: float = ...,
    every: float = ...,
) -> T: ...


@overload
async def wait_until(
    condition: Callable[[], T | None], failure: str | Callable[[], str], *, seconds: float = ..., every: float = ...
) -> T: ...


async def wait_until(
    condition: Callable[[], object], failure: str | Callable[[], str], *, seconds: float = 20.0, every: float = 0.05
) -> object:
    """The first truthy answer of ``condition`` (a function or a coroutine function), asked every
    ``every`` seconds; a condition that answers None until it holds waits for its value.

    It is asked at least once, and last at or after the deadline, so a condition that holds by then
    never fails. When none came, an AssertionError says ``failure`` (a callable is asked then, for
    what was seen last or a log's tail) and how long the wait was."""
    deadline = time.monotonic() + seconds
    while True:
        answer = condition()
        if inspect.isawaitable(answer):
            answer = await answer
        if answer:
            return answer
        if time.monotonic() >= deadline:
            said = failure() if callable(failure) else failure
            raise AssertionError(f"{said} (waited {seconds:g}s)")
        await asyncio.sleep(every)
