"""What the local fakes of HTTP services share: the lifecycle (serve an aiohttp app on a port, 0:
any free one; stop promptly; run on a background event loop for synchronous callers and worker
processes), the command line of the standalone model fakes, the queue of faults injected into
them, and how they split a streamed answer."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Generic, Self, TypeVar, cast

from aiohttp import web

from bot.process.stopping import stop_on_signals


class LocalHttpFake:
    """Subclasses set ``app``, ``host`` and ``port`` and call ``LocalHttpFake.__init__``."""

    app: web.Application
    host: str
    port: int
    thread_name = "local-fake"
    server_name = "local fake"  # as errors name it

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        # Set on stop(): requests parked on an injected delay end at once.
        self._stopping: asyncio.Event | None = None

    async def start(self) -> Self:
        self._stopping = asyncio.Event()
        # A short shutdown timeout: a request parked on an injected delay must not hold up stop().
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server) and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        if self._runner is None:
            raise RuntimeError(f"the {self.server_name} server is not running")
        return f"http://{self.host}:{self.port}"

    async def pause(self, seconds: float) -> None:
        """An injected delay; it ends at once when the fake stops, so stop() never waits it out."""
        assert self._stopping is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @contextlib.contextmanager
    def running_in_thread(self) -> Iterator[Self]:
        """Serve from a background event loop, for synchronous callers and worker processes."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name=self.thread_name, daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(timeout=10)
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()


async def serve_until_signalled(fake: LocalHttpFake, banner: str) -> None:
    """Serve ``fake`` until SIGINT or SIGTERM (the standalone ``python -m sandbox.…`` servers);
    ``banner`` is printed once it listens, with ``{url}`` filled in."""
    stop = stop_on_signals()
    async with fake:
        print(banner.format(url=f"http://{fake.host}:{fake.port}"), flush=True)
        await stop.wait()


# What the standalone fakes allow each model by default (``--rpm``): a paid tier's order of
# magnitude, so a burst the real service would refuse is refused here too.
DEFAULT_REQUESTS_PER_MINUTE = 2000


def serve_model_fake(
    make: Callable[..., LocalHttpFake],
    argv: list[str] | None,
    *,
    prog: str,
    description: str,
    sender: str,
    call: str,
    banner: str,
) -> None:
    """A standalone model fake (``python -m sandbox.…``) until a signal: ``make`` is given where it
    listens, the key ``sender`` must send, the models it serves (None: any) and how long each
    ``call`` takes, from the command line."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed at start)")
    parser.add_argument("--api-key", default="test-key", help=f"key {sender} must send ('' accepts any)")
    parser.add_argument(
        "--models", type=_model_names, default="", help="comma-separated models to serve (default: any)"
    )
    parser.add_argument("--latency", type=float, default=0.0, help=f"seconds each {call} takes")
    parser.add_argument(
        "--rpm",
        type=int,
        default=DEFAULT_REQUESTS_PER_MINUTE,
        help="requests a minute each model accepts before the provider's 429 (0: no limit)",
    )
    args = parser.parse_args(argv)
    fake = make(
        api_key=args.api_key or None,
        host=args.host,
        port=args.port,
        models=args.models,
        latency=args.latency,
        requests_per_minute=args.rpm or None,
    )
    asyncio.run(serve_until_signalled(fake, banner))


def _model_names(listed: str) -> list[str] | None:
    return [name.strip() for name in listed.split(",") if name.strip()] or None


class InjectedFault:
    """Base of a fake's fault dataclass: made from JSON (unknown fields refused) and checked by
    the subclass's ``validate``; it serves the next ``count`` matching requests (None: until reset)."""

    status: int | None
    count: int | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        known = {f.name for f in dataclasses.fields(cast(Any, cls))}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}; known: {sorted(known)}")
        fault = cls(**data)
        fault.validate()
        return fault

    def validate(self) -> None:
        """The checks every fake's faults share; a subclass adds those of its own fields."""
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("status must be an HTTP error code (400-599)")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1, or null for every request")


FaultT = TypeVar("FaultT", bound=InjectedFault)


class FaultQueue(Generic[FaultT]):
    """The faults injected into one fake, in the order given; safe to drive from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[FaultT] = []

    def add(self, fault: FaultT) -> FaultT:
        fault.validate()
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, matches: Callable[[FaultT], bool]) -> FaultT | None:
        """A copy of the first fault that ``matches`` a request, one of its ``count`` used up."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if not matches(fault):
                    continue
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count == 0:
                        del self._faults[index]
                return cast(FaultT, dataclasses.replace(cast(Any, fault)))
        return None

    def pending(self) -> list[FaultT]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


class RequestRate:
    """A provider's per-model request limit: at most ``limit`` requests admitted in any window of
    ``window_seconds``. A refused request is not counted, as the providers' quotas do not count
    it. ``limit`` None: no limit. Safe to drive from any thread."""

    def __init__(
        self, limit: int | None, *, window_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit is not None and limit < 1:
            raise ValueError("a request limit must allow at least one request")
        if window_seconds <= 0:
            raise ValueError("the limit's window must be positive")
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._admitted: dict[str, deque[float]] = {}
        self.refused = 0

    def wait_before(self, key: str) -> float | None:
        """None: admitted (and counted). Otherwise the seconds until one more would be admitted."""
        if self.limit is None:
            return None
        now = self._clock()
        with self._lock:
            admitted = self._admitted.setdefault(key, deque())
            while admitted and admitted[0] <= now - self.window_seconds:
                admitted.popleft()
            if len(admitted) < self.limit:
                admitted.append(now)
                return None
            self.refused += 1
            return admitted[0] + self.window_seconds - now

    @staticmethod
    def whole_seconds(wait: float) -> int:
        """A wait as the providers state it: whole seconds, rounded up, at least one."""
        return max(1, math.ceil(wait))


def word_pieces(text: str, words_a_piece: int) -> list[str]:
    """``text`` as a streaming model sends it, a few words at a time: each piece but the last keeps
    the space after it, so the pieces join back into the text."""
    words = text.split(" ")
    return [
        " ".join(words[i : i + words_a_piece]) + (" " if i + words_a_piece < len(words) else "")
        for i in range(0, len(words), words_a_piece)
    ]
