"""The faults, on a timetable laid over the load: workers SIGKILLed and replaced, a web process
SIGKILLed and restarted, Redis restarted empty, PostgreSQL restarted, a scheduler killed while it
ticks, and bursts of 429/503 from the fake Gemini and 429 from the Slack sandbox.

Offsets are shares of the load's duration, so a short run gets the same faults, closer together.
Before a worker kill and before the Redis restart the fake Gemini turns slow for a few calls, so
the kill lands on jobs in the middle and the restart takes a queue with messages in it (a fast
fake model would leave both empty, and the fault would prove nothing).
Each fault is logged with when it began and ended (and, for Redis and PostgreSQL, when the store
went down and came back), which is what the recovery figures are measured from.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg

from bench._scratch import asyncpg_dsn
from bench.faults.cluster import Cluster

WEB_DOWN_SECONDS = 2.0
REDIS_DOWN_SECONDS = 2.0
POSTGRES_DOWN_SECONDS = 3.0
BEAT_BUSY_WAIT_SECONDS = 8.0
GEMINI_BURST = 12  # answers in a row that fail
SLOW_MODEL_SECONDS = 3.0
SLOW_CALLS = 4  # before a worker kill: about one per worker process slot that is busy
# Before the Redis restart: slow calls enough to hold every worker slot, until this many jobs wait
# in the queue (or the wait is over).
BACKLOG_CALLS = 12
BACKLOG_MODEL_SECONDS = 6.0
BACKLOG_QUEUED = 3
BACKLOG_WAIT_SECONDS = 10.0
WORKER_BOOT_SECONDS = 15.0
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
    # Each store outage and each web restart apart from the others (a web process takes a while
    # to start), so each recovery figure measures one thing.
    if short:
        share = [
            (0.08, "gemini_burst", 429),
            (0.18, "slack_burst", 0),
            (0.25, "restart_redis", 0),
            (0.36, "kill_beat", 0),
            (0.48, "restart_postgres", 0),
            (0.62, "kill_web", 0),
            (0.80, "gemini_burst", 503),
        ]
    else:
        share = [
            (0.06, "gemini_burst", 429),
            (0.10, "kill_web", 0),
            (0.15, "slack_burst", 0),
            (0.20, "kill_beat", 0),
            (0.30, "gemini_burst", 503),
            (0.36, "restart_redis", 0),
            (0.45, "slack_burst", 1),
            (0.56, "restart_postgres", 0),
            (0.65, "kill_beat", beats - 1),
            (0.72, "kill_web", webs - 1),
            (0.80, "gemini_burst", 429),
        ]
    planned = [Planned(round(duration * s, 1), kind, target) for s, kind, target in share]
    offset = min(kill_every, duration * 0.15)
    while offset < duration * 0.92:
        planned.append(Planned(round(offset, 1), "kill_worker"))
        offset += kill_every
    return sorted(planned, key=lambda p: p.offset)


def process_cpu_ticks(pid: int) -> int | None:
    """CPU clock ticks one process used so far (user + system); None once it is gone."""
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def _group_stats(pgid: int) -> Iterator[list[str]]:
    """The /proc/<pid>/stat fields (after the command name) of every process in a process group."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            yield fields


def group_cpu_ticks(pgid: int) -> int:
    """CPU clock ticks used so far by every process in a process group (a worker and its pool).
    bench/pipeline_throughput.py measures its workers with it too."""
    return sum(int(fields[11]) + int(fields[12]) for fields in _group_stats(pgid))


def group_rss_pages(pgid: int) -> int:
    """Resident pages of every process in a process group (bench/in_flight.py)."""
    return sum(int(fields[21]) for fields in _group_stats(pgid))


def wait_until_busy(pid: int, seconds: float) -> bool:
    """True once the process uses CPU: the scheduler sleeps between ticks, so CPU moving means a
    tick is under way. False when none was seen within ``seconds``."""
    deadline = time.monotonic() + seconds
    last = process_cpu_ticks(pid)
    while time.monotonic() < deadline and last is not None:
        time.sleep(0.005)
        now = process_cpu_ticks(pid)
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

    async def _job_states(self) -> dict[str, int] | None:
        """Jobs by state right now in every region, read as each database's owner; None while one
        cannot be read."""
        states: dict[str, int] = {}
        try:
            for region in self.cluster.region_stores:
                conn = await asyncpg.connect(asyncpg_dsn(region.admin_url), timeout=3)
                try:
                    for state, count in await conn.fetch("SELECT state, count(*) FROM jobs GROUP BY state"):
                        states[state] = states.get(state, 0) + int(count)
                finally:
                    await conn.close()
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return None
        return states

    async def _jobs_in_flight(self) -> str:
        states = await self._job_states()
        if states is None:
            return "jobs in flight unknown"
        return f"{states.get('queued', 0)} jobs queued and {states.get('running', 0)} running"

    async def _slow_model(self, seconds: float, count: int) -> None:
        """The next ``count`` model calls take ``seconds`` (and then succeed): work piles up in the
        queue and in the workers, so the fault that follows hits jobs in the middle."""
        fault = {"delay": seconds, "count": count}
        async with self.session.post(f"{self.cluster.gemini_url}/_fake/faults", json=[fault]) as response:
            response.raise_for_status()

    @staticmethod
    async def _down_for(
        event: FaultEvent, seconds: float, stop: Callable[[], object], start: Callable[[], object]
    ) -> float:
        """``stop`` (off the event loop), ``seconds`` down, ``start``; the event notes both moments.
        Returns how long it was down, ``start`` included."""
        await asyncio.to_thread(stop)
        event.down_at = down_at = time.time()
        await asyncio.sleep(seconds)
        await asyncio.to_thread(start)
        event.up_at = up_at = time.time()
        return up_at - down_at

    async def _kill_worker(self, event: FaultEvent) -> None:
        """A slow model first, so jobs are mid-flight; then a worker that has finished booting
        (one still loading its models has no job to lose) dies with its whole pool."""
        await self._slow_model(SLOW_MODEL_SECONDS, SLOW_CALLS)
        await asyncio.sleep(SLOW_MODEL_SECONDS / 2)
        booted = [w for w in self.cluster.workers if time.monotonic() - w.started_at > WORKER_BOOT_SECONDS]
        victim = self.rng.choice(booted or self.cluster.workers)
        pid, in_flight = victim.pid, await self._jobs_in_flight()
        fresh = await asyncio.to_thread(self.cluster.replace_worker, victim)
        event.detail = f"{victim.name} (pid {pid}) SIGKILLed with its pool ({in_flight}); {fresh.name} started"

    async def _kill_web(self, event: FaultEvent) -> None:
        index = event.target
        down = await self._down_for(
            event, WEB_DOWN_SECONDS, lambda: self.cluster.kill_web(index), lambda: self.cluster.restart_web(index)
        )
        event.detail = (
            f"web-{index} SIGKILLed; restarted after {WEB_DOWN_SECONDS:g} s, ready again {down:.1f} s after the kill"
        )

    async def _kill_beat(self, event: FaultEvent) -> None:
        index = event.target
        beat = self.cluster.beats[index]
        busy = await asyncio.to_thread(wait_until_busy, beat.pid, BEAT_BUSY_WAIT_SECONDS)
        await self._down_for(
            event, 1.0, lambda: self.cluster.kill_beat(index), lambda: self.cluster.restart_beat(index)
        )
        event.detail = f"beat-{index} SIGKILLed " + (
            "mid-tick (it was running)" if busy else f"while idle (no tick seen in {BEAT_BUSY_WAIT_SECONDS:g} s)"
        )

    async def _restart_redis(self, event: FaultEvent) -> None:
        # A backlog first, so the restart takes queued messages with it, not an empty queue.
        await self._slow_model(BACKLOG_MODEL_SECONDS, BACKLOG_CALLS)
        deadline = time.monotonic() + BACKLOG_WAIT_SECONDS
        while time.monotonic() < deadline:
            states = await self._job_states()
            if states is not None and states.get("queued", 0) >= BACKLOG_QUEUED:
                break
            await asyncio.sleep(0.5)
        in_flight = await self._jobs_in_flight()
        down = await self._down_for(event, REDIS_DOWN_SECONDS, self.cluster.stop_redis, self.cluster.start_redis)
        event.detail = f"Redis stopped with {in_flight}, started empty; down {down:.1f} s"

    async def _restart_postgres(self, event: FaultEvent) -> None:
        stores = self.cluster.stores
        if stores is None or not stores.postgres_restartable:
            event.skipped = "PostgreSQL is the machine's shared server (embedded one did not start); not restarted"
            return
        in_flight = await self._jobs_in_flight()
        down = await self._down_for(
            event, POSTGRES_DOWN_SECONDS, self.cluster.stop_postgres, self.cluster.start_postgres
        )
        event.detail = f"PostgreSQL stopped (fast) with {in_flight}, started; down {down:.1f} s"

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
