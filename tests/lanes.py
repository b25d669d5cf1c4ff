"""`make test`: the slow lane's two shares beside the rest, then the fault suite from the moment the
first of those ends, each under a wall limit;
`make test-fast`: the fast lane's test files dealt out to two pytest processes side by side.

Each lane runs in a process group of its own, so that when it ends (or runs past its limit) every
worker and service it started ends with it: nothing a lane left behind may hold PostgreSQL's
connection slots or Redis indexes while the next one runs. When the shared PostgreSQL server has
too few free connection slots for the lanes at once, they run one after the other (the slow lane
as one share).

Usage: python -m tests.lanes  (exit status: 0 when every lane passed)
       python -m tests.lanes fast [--shares N] [pytest options] PATH...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from sandbox.local_services import DEFAULT_POSTGRES, port_open

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".services"
FAULT_SUITE = "tests/faults/test_fault_suite_short.py"

# What the lanes side by side hold at their peak together (77 measured on the shared server, polled
# every quarter second through a whole run), with room to spare; below it they run one after the other.
SLOTS_FOR_LANES_SIDE_BY_SIDE = 85

# Each fast-lane share writes down what its test files took, in .services/fast-lane-seconds-N.json:
# the next run deals the files out by those times (dealt by size, the shares came out 14 s and 23 s).
FAST_LANE_SECONDS = "fast-lane-seconds"
# Where the fast lane's shares keep compiled modules when the environment says to write none beside
# the sources (compiled_modules_kept).
PYCACHE = LOGS / "pycache"

# Far above a healthy run of the fast lane (under a minute on 2 cores).
FAST_LANE_LIMIT_SECONDS = 10 * 60

# Far above a healthy run (the slowest lane takes about 5 minutes on 2 cores): a lane past its limit
# is stuck, and the run says so instead of waiting for CI's own limit.
LANE_LIMIT_SECONDS = 25 * 60
FAULT_SUITE_LIMIT_SECONDS = 10 * 60

# The slow lane mostly waits on its workers: two shares side by side take about half its time.
SLOW_LANE_SHARES = 2
# Each share's own Redis index and its spare; the rest of the suite takes 15 and 12.
SLOW_LANE_REDIS_INDEXES = ((14, 13), (11, 10))


@dataclass
class Lane:
    name: str
    args: list[str]
    env: dict[str, str]
    limit: float
    log: Path | None = None  # None: straight to this terminal
    status: int | None = None
    seconds: float = 0.0
    timed_out: bool = False
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _started: float = 0.0

    def start(self) -> None:
        output = self.log.open("wb") if self.log else None
        command = [sys.executable, "-m", "pytest", *self.args]
        self._started = time.monotonic()
        self._process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )
        if output:
            output.close()

    def poll(self) -> bool:
        """True once the lane has ended (or has run past its limit, and was ended)."""
        assert self._process is not None
        if self.status is not None:
            return True
        if self._process.poll() is None and time.monotonic() - self._started < self.limit:
            return False
        self.wait()
        return True

    def wait(self) -> int:
        assert self._process is not None
        if self.status is not None:
            return self.status
        remaining = self.limit - (time.monotonic() - self._started)
        try:
            self.status = self._process.wait(timeout=max(remaining, 0))
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.status = 124
        # Taken when the lane ended, not when someone asked: lanes are waited for one by one.
        self.seconds = time.monotonic() - self._started
        self._end_group()
        return self.status

    def _end_group(self) -> None:
        """Ends whatever the lane started that outlived it (or the lane itself, past its limit)."""
        assert self._process is not None
        for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 0.0)):
            try:
                os.killpg(self._process.pid, sig)
            except ProcessLookupError:
                break
            time.sleep(grace)
        self._process.wait()

    def verdict(self) -> str:
        if self.timed_out:
            return f"{self.name}: stopped after {self.seconds:.0f} s, past its limit of {self.limit:.0f} s"
        outcome = "passed" if self.status == 0 else f"failed (exit {self.status})"
        return f"{self.name}: {outcome} in {self.seconds:.0f} s"


async def _free_connection_slots() -> int:
    host, port = DEFAULT_POSTGRES
    conn = await asyncpg.connect(host=host, port=port, user="postgres", database="postgres")
    try:
        return int(
            await conn.fetchval(
                "SELECT current_setting('max_connections')::int"
                " - current_setting('superuser_reserved_connections')::int"
                " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
            )
        )
    finally:
        await conn.close()


def lanes_side_by_side() -> bool:
    """True unless the shared server lacks the slots for both lanes (each embedded server has its own)."""
    if os.environ.get("DATABASE_URL") or not port_open(*DEFAULT_POSTGRES):
        return True
    free = asyncio.run(_free_connection_slots())
    if free < SLOTS_FOR_LANES_SIDE_BY_SIDE:
        print(
            f"PostgreSQL has {free} free connection slots (the lanes side by side need"
            f" {SLOTS_FOR_LANES_SIDE_BY_SIDE}): one lane at a time"
        )
        return False
    return True


# The lanes side by side keep every core busy, so a second BLAS thread in one of their processes only
# spins while it waits: the learned model's rebuild took 2 min 56 s alone either way, with 4 min 47 s
# of CPU on two threads against 2 min 56 s on one. A thread count set outside is kept.
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def lane_env(redis_db: int, spare_redis_db: int, **extra: str) -> dict[str, str]:
    threads = {name: count for name, count in ONE_BLAS_THREAD.items() if name not in os.environ}
    # A test that needs a broker no other worker listens on takes its lane's spare index.
    return {**threads, "TEST_REDIS_DB": str(redis_db), "TEST_SPARE_REDIS_DB": str(spare_redis_db), **extra}


def fast_lane_shares(paths: list[str], shares: int, seconds: Mapping[str, float] | None = None) -> list[list[str]]:
    """The test files under ``paths`` dealt out to ``shares`` processes (a node id such as
    ``file.py::test`` is one file). With ``seconds`` (what each file took last time), each file in
    turn, the slowest first, goes to the share with the least time so far; a file not timed counts
    its size at the rate of the timed ones. Without, the files go round by size, largest first."""
    files: set[str] = set()
    for path in paths:
        target = ROOT / path.split("::", 1)[0]
        if target.is_dir():
            files.update(str(found.relative_to(ROOT)) for found in target.rglob("test_*.py"))
        else:
            files.add(path)
    size = {name: (ROOT / name.split("::", 1)[0]).stat().st_size for name in files}
    timed = {name: seconds[name.split("::", 1)[0]] for name in files if seconds and name.split("::", 1)[0] in seconds}
    if not timed:
        by_size = sorted(files, key=lambda name: (-size[name], name))
        return [share for share in (by_size[number::shares] for number in range(shares)) if share]
    rate = sum(timed.values()) / max(sum(size[name] for name in timed), 1)
    cost = {name: timed.get(name, size[name] * rate) for name in files}
    dealt: list[list[str]] = [[] for _ in range(shares)]
    totals = [0.0] * shares
    for name in sorted(files, key=lambda name: (-cost[name], name)):
        least = totals.index(min(totals))
        dealt[least].append(name)
        totals[least] += cost[name]
    return [share for share in dealt if share]


def fast_lane_seconds() -> dict[str, float]:
    """What each fast-lane test file took in the last run, as its shares wrote it down (tests/fast_lane.py)."""
    seconds: dict[str, float] = {}
    for record in sorted(LOGS.glob(f"{FAST_LANE_SECONDS}-*.json")):
        try:
            seconds.update(json.loads(record.read_text()))
        except (OSError, ValueError):
            continue  # a share that ended while writing: its files are dealt by size
    return seconds


def compiled_modules_kept(environ: Mapping[str, str]) -> dict[str, str]:
    """What a fast-lane share's environment needs so that it compiles each module once, not on every
    run: where PYTHONDONTWRITEBYTECODE keeps the bytecode out of the checkout (and out of the
    virtual environment), the shares write it under .services instead (or PYTHONPYCACHEPREFIX,
    when set). Compiling the product and rewriting the test files' asserts took about 1 s of each
    share's start-up, every run; the first run after a change pays it once."""
    if not environ.get("PYTHONDONTWRITEBYTECODE"):
        return {}
    return {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": environ.get("PYTHONPYCACHEPREFIX") or str(PYCACHE)}


def fast_lane_redis_indexes(shares: int) -> list[int]:
    """A Redis index apiece: the run's own and its spare first (TEST_REDIS_DB, TEST_SPARE_REDIS_DB),
    then distinct ones at random."""
    named = [int(index) for name in ("TEST_REDIS_DB", "TEST_SPARE_REDIS_DB") if (index := os.environ.get(name))]
    indexes = list(dict.fromkeys(named))[:shares]
    others = [index for index in range(1, 16) if index not in indexes]
    return indexes + random.sample(others, shares - len(indexes))


def is_test_path(arg: str) -> bool:
    return not arg.startswith("-") and (ROOT / arg.split("::", 1)[0]).exists()


def fast(argv: list[str]) -> int:
    """The fast lane in ``--shares`` pytest processes side by side: the first prints as it goes,
    the others' output follows. Non-zero if any failed."""
    parser = argparse.ArgumentParser(prog="python -m tests.lanes fast")
    # Two at most: a share's own Redis indexes are the run's own and its spare.
    parser.add_argument("--shares", type=int, default=min(2, os.cpu_count() or 1))
    known, rest = parser.parse_known_args(argv)
    paths = [arg for arg in rest if is_test_path(arg)]
    options = [arg for arg in rest if not is_test_path(arg)]
    shares = fast_lane_shares(paths, max(known.shares, 1), fast_lane_seconds())
    indexes = fast_lane_redis_indexes(len(shares))
    services = os.environ.get("TEST_SERVICES_DIR") or "test-fast"
    LOGS.mkdir(exist_ok=True)
    lanes = [
        Lane(
            f"fast lane, share {number + 1} of {len(shares)} ({len(files)} files)",
            [*options, *files],
            # Nothing in the fast lane starts a worker, so nothing needs a spare index: naming the
            # share's own makes a test that asks for one fail (own_redis_url) instead of emptying
            # another share's index.
            lane_env(
                index,
                index,
                TEST_SERVICES_DIR=f"{services}-{number + 1}",
                FAST_LANE_SECONDS_FILE=str(LOGS / f"{FAST_LANE_SECONDS}-{number + 1}.json"),
                **compiled_modules_kept(os.environ),
            ),
            FAST_LANE_LIMIT_SECONDS,
            log=None if number == 0 else LOGS / f"fast-lane-{number + 1}.log",
        )
        for number, (files, index) in enumerate(zip(shares, indexes, strict=True))
    ]
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.wait()
    for lane in lanes[1:]:
        assert lane.log is not None
        print(f"== {lane.name}", flush=True)
        sys.stdout.write(lane.log.read_text(errors="replace"))
        sys.stdout.flush()
    print("== fast lane")
    for lane in lanes:
        print(f"  {lane.verdict()}")
    return 0 if all(lane.status == 0 for lane in lanes) else 1


def print_log(lane: Lane) -> None:
    assert lane.log is not None
    print(f"== {lane.name}", flush=True)
    sys.stdout.write(lane.log.read_text(errors="replace"))
    sys.stdout.flush()


def slow_lane_shares(count: int) -> list[Lane]:
    """The slow lane as ``count`` pytest processes side by side (tests/lane_share.py deals its
    files), each with Redis indexes, services and logs of its own."""
    return [
        Lane(
            f"the slow lane, share {number} of {count} (pytest -m slow)",
            [
                *("-m", "slow", f"--ignore={FAULT_SUITE}", "-p", "no:cacheprovider", "--durations=10"),
                *("-p", "tests.lane_share", f"--lane-share={number}/{count}"),
            ],
            lane_env(redis, spare, TEST_SERVICES_DIR=f"test-slow-{number}"),
            LANE_LIMIT_SECONDS,
            log=LOGS / f"slow-lane-{number}.log",
        )
        for number, (redis, spare) in enumerate(SLOW_LANE_REDIS_INDEXES[:count], start=1)
    ]


def first_to_end(lanes: list[Lane]) -> None:
    """Waits until one of ``lanes`` (all started) has ended, its verdict recorded."""
    while not any(lane.poll() for lane in lanes):
        time.sleep(0.5)


def every_one_ended(lanes: list[Lane]) -> None:
    """Waits for all of ``lanes``, noting each one's time as it ends."""
    while not all([lane.poll() for lane in lanes]):
        time.sleep(0.5)


def main() -> int:
    LOGS.mkdir(exist_ok=True)
    # Each lane names its slowest tests at the end: where a lane's time goes, read from its own log.
    rest = Lane(
        "the rest (pytest -m 'not slow')", ["-m", "not slow", "--durations=15"], lane_env(15, 12), LANE_LIMIT_SECONDS
    )
    faults = Lane(
        "the fault suite", ["-p", "no:cacheprovider", FAULT_SUITE], lane_env(14, 13), FAULT_SUITE_LIMIT_SECONDS
    )

    if lanes_side_by_side():
        slow = slow_lane_shares(SLOW_LANE_SHARES)
        # The fault suite brings its own PostgreSQL and Redis (it opens neither the shared server
        # nor another lane's indexes): it starts as soon as the first lane ends, beside the others'
        # last parts, which mostly wait on their workers.
        faults.log = LOGS / "fault-suite.log"
        running = [*slow, rest]
        for lane in running:
            lane.start()
        first_to_end(running)
        faults.start()
        every_one_ended([*running, faults])
        for lane in [*slow, faults]:
            print_log(lane)
    else:
        slow = slow_lane_shares(1)
        rest.start()
        rest.wait()
        slow[0].start()
        slow[0].wait()
        print_log(slow[0])
        faults.start()
        faults.wait()

    everything = [rest, *slow, faults]
    print("== lanes")
    for lane in everything:
        print(f"  {lane.verdict()}")
    return 0 if all(lane.status == 0 for lane in everything) else 1


if __name__ == "__main__":
    sys.exit(fast(sys.argv[2:]) if sys.argv[1:2] == ["fast"] else main())
