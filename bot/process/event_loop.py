"""The event loop a web process or a worker's jobs run on: uvloop where it is installed, asyncio's
own otherwise.

A web process spends a good part of each command's CPU in the event loop itself (aiohttp's
server, asyncpg's and Redis's sockets, the hops to the guard's and the publisher's threads), and
a worker's loop the same for its jobs' statements, Redis commands and Slack posts, plus the timers
of every job's deadline and lease heartbeat; uvloop does that work in C. Nothing here depends on
which loop runs: both are asyncio's API.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on uvloop when it can be imported."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new loop of the kind ``run`` runs on (a worker process's job loop)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def loop_kind() -> str:
    """Which loop runs this code: "uvloop" or "asyncio" (for logs and benches)."""
    loop = asyncio.get_running_loop()
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"
