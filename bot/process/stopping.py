"""How a long-running process (``serve``, ``beat``, the local fakes) learns that it should stop, and
how it stops the background tasks it started."""

from __future__ import annotations

import asyncio
import contextlib
import signal

# What ``docker stop``, a supervisor and Ctrl-C send.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_on_signals() -> asyncio.Event:
    """An event the running loop sets when one of ``STOP_SIGNALS`` arrives, in place of Python's
    default (KeyboardInterrupt or an immediate exit): the process waits on it, then finishes what it
    has in flight and exits on its own."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stopping.set)
    return stopping


async def cancel_and_wait(task: asyncio.Task[None] | None) -> None:
    """Cancel ``task`` (None: never started) and wait until it has unwound, so that nothing it
    holds outlives the caller's own stop."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
