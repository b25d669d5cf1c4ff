"""The faults, on a timetable laid over the load: workers SIGKILLed and replaced, a web process
SIGKILLed and restarted, Redis restarted empty, PostgreSQL restarted, a scheduler killed while it
ticks, and bursts of 429/503 from the fake Gemini and 429 from the Slack sandbox.

Offsets are shares of the load's duration, so a short run gets the same faults, closer together.
Each fault is logged with when it began and ended (and, for Redis and PostgreSQL, when the store
went down and came back), which is what the recovery figures are measured from.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.faults.cluster import Cluster

WEB_DOWN_SECONDS = 2.0
REDIS_DOWN_SECONDS = 2.0
POSTGRES_DOWN_SECONDS = 3.0
BEAT_BUSY_WAIT_SECONDS = 8.0
GEMINI_BURST = 12  # answers in a row that fail
SLACK_BURST = 8
FAULT_FINISH_SECONDS = 120.0


@dataclass(frozen=True)
class Planned:
    offset: float  # seconds after the load started
    kind: str
    target: int = 0  # which web or beat process; the status code for a Gemini burst


@dataclass
class FaultEvent:
    kind: str
    target: int
    at: float
    done_at: float | None = None
    down_at: float | None = None
    up_at: float | None = None
    detail: str = ""
    skipped: str | None = None
    failed: str | None = None

    @property
    def injected(self) -> bool:
        return self.skipped is None and self.failed is None


def plan_faults(duration: float, *, short: bool, kill_every: float, webs: int, beats: int) -> list[Planned]:
    """Every kind of fault at least once; one at a time for the stores, so each recovery figure
    measures one outage."""
    share = [
        (0.06 if not short else 0.10, "gemini_burst", 429),
        (0.14 if not short else 0.22, "slack_burst", 0),
        (0.20 if not short else 0.34, "kill_beat", 0),
        (0.25 if not short else 0.28, "kill_web", 0),
        (0.33 if not short else 0.80, "gemini_burst", 503),
        (0.40 if not short else 0.44, "restart_redis", 0),
        (0.60 if not short else 0.64, "restart_postgres", 0),
    ]
    if not short:
        share += [
            (0.50, "slack_burst", 1),
            (0.70, "kill_beat", beats - 1),
            (0.78, "gemini_burst", 429),
            (0.85, "kill_web", webs - 1),
        ]
    planned = [Planned(round(duration * s, 1), kind, target) for s, kind, target in share]
    offset = min(kill_every, duration * 0.15)
    while offset < duration * 0.92:
        planned.append(Planned(round(offset, 1), "kill_worker"))
        offset += kill_every
    return sorted(planned, key=lambda p: p.offset)


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def wait_until_busy(pid: int, seconds: float) -> bool:
    """True once the process uses CPU: the scheduler sleeps between ticks, so CPU moving means a
    tick is under way. False when none was seen within ``seconds``."""
    deadline = time.monotonic() + seconds
    last = _cpu_ticks(pid)
    while time.monotonic() < deadline and last is not None:
        time.sleep(0.005)
        now = _cpu_ticks(pid)
        if now is not None and now > last:
            return True
        last = now
    return False


@dataclass
class FaultInjector:
    cluster: Cluster
    session: aiohttp.ClientSession
    rng: random.Random
    events: list[FaultEvent] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def run(self, plan: list[Planned], started: float, stop: asyncio.Event) -> None:
        """Inject each planned fault at its time (wall clock ``started`` + offset) until ``stop``."""
        for planned in plan:
            delay = started + planned.offset - time.time()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
            if stop.is_set():
                break
            event = FaultEvent(planned.kind, planned.target, time.time())
            self.events.append(event)
            self._tasks.append(asyncio.get_running_loop().create_task(self._inject(event)))

    async def finish(self) -> None:
        """Let faults in progress complete (a store half-restarted is no state to check)."""
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=FAULT_FINISH_SECONDS)
            for task in pending:
                task.cancel()

    async def _inject(self, event: FaultEvent) -> None:
        try:
            match event.kind:
                case "kill_worker":
                    await self._kill_worker(event)
                case "kill_web":
                    await self._kill_web(event)
                case "kill_beat":
                    await self._kill_beat(event)
                case "restart_redis":
                    await self._restart_redis(event)
                case "restart_postgres":
                    await self._restart_postgres(event)
                case "gemini_burst":
                    await self._gemini_burst(event)
                case "slack_burst":
                    await self._slack_burst(event)
        except Exception as error:  # a fault that could not be injected is reported, not hidden
            event.failed = f"{type(error).__name__}: {error}"
        finally:
            event.done_at = time.time()

    async def _kill_worker(self, event: FaultEvent) -> None:
        victim = self.rng.choice(self.cluster.workers)
        pid = victim.pid
        fresh = await asyncio.to_thread(self.cluster.replace_worker, victim)
        event.detail = f"{victim.name} (pid {pid}) SIGKILLed with its pool; {fresh.name} started"

    async def _kill_web(self, event: FaultEvent) -> None:
        index = event.target
        await asyncio.to_thread(self.cluster.kill_web, index)
        event.down_at = time.time()
        await asyncio.sleep(WEB_DOWN_SECONDS)
        await asyncio.to_thread(self.cluster.restart_web, index)
        event.up_at = time.time()
        event.detail = f"web-{index} SIGKILLed; restarted after {WEB_DOWN_SECONDS:g} s, ready again " \
                       f"{event.up_at - event.down_at:.1f} s after the kill"

    async def _kill_beat(self, event: FaultEvent) -> None:
        index = event.target
        beat = self.cluster.beats[index]
        busy = await asyncio.to_thread(wait_until_busy, beat.pid, BEAT_BUSY_WAIT_SECONDS)
        await asyncio.to_thread(self.cluster.kill_beat, index)
        event.down_at = time.time()
        event.detail = f"beat-{index} SIGKILLed " + ("mid-tick (it was running)" if busy else
                                                     f"while idle (no tick seen in {BEAT_BUSY_WAIT_SECONDS:g} s)")
        await asyncio.sleep(1.0)
        await asyncio.to_thread(self.cluster.restart_beat, index)
        event.up_at = time.time()

    async def _restart_redis(self, event: FaultEvent) -> None:
        await asyncio.to_thread(self.cluster.stop_redis)
        event.down_at = time.time()
        await asyncio.sleep(REDIS_DOWN_SECONDS)
        await asyncio.to_thread(self.cluster.start_redis)
        event.up_at = time.time()
        event.detail = f"Redis stopped and started empty; down {event.up_at - event.down_at:.1f} s"

    async def _restart_postgres(self, event: FaultEvent) -> None:
        stores = self.cluster.stores
        if stores is None or not stores.postgres_restartable:
            event.skipped = "PostgreSQL is the machine's shared server (embedded one did not start); not restarted"
            return
        await asyncio.to_thread(self.cluster.stop_postgres)
        event.down_at = time.time()
        await asyncio.sleep(POSTGRES_DOWN_SECONDS)
        await asyncio.to_thread(self.cluster.start_postgres)
        event.up_at = time.time()
        event.detail = f"PostgreSQL stopped (fast) and started; down {event.up_at - event.down_at:.1f} s"

    async def _gemini_burst(self, event: FaultEvent) -> None:
        status = event.target
        fault: dict[str, object] = {"status": status, "count": GEMINI_BURST}
        if status == 429:
            fault["retry_after"] = 1
        async with self.session.post(f"{self.cluster.gemini_url}/_fake/faults", json=[fault]) as response:
            response.raise_for_status()
        event.detail = f"the next {GEMINI_BURST} Gemini calls answer {status}"

    async def _slack_burst(self, event: FaultEvent) -> None:
        method = "*" if event.target == 0 else "chat.postMessage"
        fault = {"method": method, "error": "ratelimited", "retry_after": 1, "count": SLACK_BURST}
        async with self.session.post(f"{self.cluster.sandbox_url}/_sandbox/faults", json=fault) as response:
            response.raise_for_status()
        event.detail = f"the next {SLACK_BURST} Slack calls ({method}) answer 429 Retry-After 1"
