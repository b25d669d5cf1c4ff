"""Fault injection against the whole deployment shape: several web processes, workers and schedulers
on one PostgreSQL and one Redis, with things going wrong on a timetable; then the numbers that say
whether it held.

    .venv/bin/python bench/fault_suite.py [--duration 180] [--rate 3] [--seed N]
    .venv/bin/python bench/fault_suite.py --short        # ~45 s of load, what `make test` runs

It starts its own PostgreSQL (embedded, so it can be restarted without touching anyone's server)
and Redis, the Slack sandbox, the fake Gemini, 2 web processes, 3 workers and 2 schedulers, in two
regions (`us`, the default, and `eu`: a database and a Redis index each, workers and a scheduler
per region with `--region`; `--regions us` runs the service without REGIONS); installs 5
organizations through OAuth, into the regions in turn; drives mixed load (text, images, approvals, schedules, small budgets,
blocked prompts, wrong roles, forged signatures) while it kills and restarts processes and stores;
lets the system settle; checks the invariants against real state; and ends with one line:

    faults: N commands, F faults injected, lost 0, duplicates 0, overspend 0, leaked 0, cross-tenant 0,
    pii 0, cross-region 0

Exit status: 0 when every check holds, 1 when one does not, 2 when the run could not be set up.
Everything it started is stopped on the way out (also on Ctrl-C); logs stay in .services/faults/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
import sys
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402

from bench._scratch import asyncpg_dsn  # noqa: E402
from bench.faults.cluster import REGIONS, Cluster, ClusterConfig, ClusterError, new_run_dir  # noqa: E402
from bench.faults.invariants import FINAL_STATES, CheckResult, run_checks  # noqa: E402
from bench.faults.load import LoadConfig, LoadDriver, LoadRecord, SetupFailed, SlackSide  # noqa: E402
from bench.faults.probes import QuotaProbe, ReadinessProbe, RedisPiiProbe  # noqa: E402
from bench.faults.recovery import recovery_lines  # noqa: E402
from bench.faults.timetable import FaultInjector, Planned, plan_faults  # noqa: E402
from bot.quota.keys import org_keys  # noqa: E402
from bot.quota.reaper import SETTLE_GRACE_SECONDS  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_SETUP = 0, 1, 2
PROGRESS_SECONDS = 15.0
# A reservation whose settlement the ledger has but Redis missed (its worker died between the
# two) is applied by the reaper once it has been held past its grace, plus a scheduler tick.
REDIS_GRACE_SECONDS = SETTLE_GRACE_SECONDS + 5.0
# Longer than the checks' start takes after settling (follow-ups collected, the app stopped): a run
# held past this is not due while anything could release it, so it is held for later, not lost.
HELD_DUE_SOON_SECONDS = 45.0
HTTP_TIMEOUT_SECONDS = 30.0  # any one call to the sandbox, the fake or a web process


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="~45 s of load and fewer faults (make test)")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load (default 180; 45 with --short)")
    parser.add_argument("--rate", type=float, default=None, help="slash commands per second (default 3; 2.5 short)")
    parser.add_argument("--kill-every", type=float, default=None, help="seconds between worker kills (default 20)")
    parser.add_argument("--settle", type=float, default=None, help="most seconds to wait for the system to settle")
    parser.add_argument("--seed", type=int, default=None, help="for the load's and the faults' random choices")
    parser.add_argument(
        "--regions", default=",".join(REGIONS), help="comma-separated, the default region first (default: us,eu)"
    )
    args = parser.parse_args(argv)
    args.regions = tuple(name.strip() for name in args.regions.split(",") if name.strip())
    if not args.regions or len(set(args.regions)) != len(args.regions):
        parser.error("--regions: one or more distinct region names")
    args.duration = args.duration or (45.0 if args.short else 180.0)
    args.rate = args.rate or (2.5 if args.short else 3.0)
    args.kill_every = args.kill_every or 20.0
    # Long enough for the slowest path back: a settled-late job waits out the reaper's 60 s grace,
    # and a reservation left open in Redis that grace again once the database is done.
    args.settle = args.settle or (90.0 if args.short else 150.0)
    args.seed = args.seed if args.seed is not None else random.randrange(10**6)
    if args.duration <= 0 or args.rate <= 0 or args.kill_every <= 0 or args.settle <= 0:
        parser.error("--duration, --rate, --kill-every and --settle must be positive")
    return args


def say(message: str) -> None:
    print(message, flush=True)


# -- settling -------------------------------------------------------------------------------------


async def unsettled(cluster: Cluster, org_ids: list[uuid.UUID]) -> dict[str, int] | None:
    """What still moves: jobs not final, final jobs still holding a reservation, reservations open
    in Redis. None when a store cannot be read right now."""
    states: Counter[str] = Counter()
    reserved = held = 0
    try:
        for region in cluster.region_stores:
            conn = await asyncpg.connect(asyncpg_dsn(region.admin_url), timeout=3)
            try:
                # A run generated ahead of its due time is held until then: waiting, not moving. One
                # due soon is moving: the schedulers must release it before they are stopped.
                states.update(
                    dict(
                        await conn.fetch(
                            "SELECT state, count(*) FROM jobs "
                            "WHERE NOT (state = 'held' AND post_at > now() + make_interval(secs => $1)) "
                            "GROUP BY state",
                            HELD_DUE_SOON_SECONDS,
                        )
                    )
                )
                reserved += int(
                    await conn.fetchval(
                        "SELECT count(*) FROM jobs WHERE quota_state = 'reserved' AND state = ANY($1::text[])",
                        list(FINAL_STATES),
                    )
                    or 0
                )
            finally:
                await conn.close()
            # An organization's reservations are in its region's Redis; the others' hold none of it.
            client = aioredis.Redis.from_url(region.redis_url, socket_timeout=2.0)
            try:
                for org_id in org_ids:
                    held += int(await client.hlen(org_keys(org_id).reservations))
            finally:
                await client.aclose()
    except (OSError, asyncpg.PostgresError, aioredis.RedisError, TimeoutError):
        return None
    moving = sum(count for state, count in states.items() if state not in FINAL_STATES)
    return {
        "not final": moving,
        "awaiting approval": states.get("awaiting_approval", 0),
        "final but reserved": int(reserved or 0),
        "open in Redis": held,
    }


async def settle(cluster: Cluster, org_ids: list[uuid.UUID], seconds: float) -> tuple[bool, float, dict[str, int]]:
    """Wait, at most ``seconds``, until every job is final and settled. Reservations Redis still
    holds after that get a short grace only: nothing but their lease (minutes) would close them."""
    started = time.monotonic()
    last_report = started
    database_done_at: float | None = None
    left: dict[str, int] = {}
    while time.monotonic() - started < seconds:
        state = await unsettled(cluster, org_ids)
        if state is not None:
            left = state
            if not any(state.values()):
                return True, time.monotonic() - started, state
            if state["not final"] == 0 and state["final but reserved"] == 0:
                database_done_at = database_done_at or time.monotonic()
                if time.monotonic() - database_done_at >= REDIS_GRACE_SECONDS:
                    break
            else:
                database_done_at = None
        if time.monotonic() - last_report >= PROGRESS_SECONDS:
            last_report = time.monotonic()
            say(f"  settling: {', '.join(f'{k} {v}' for k, v in left.items())}")
        await asyncio.sleep(1.0)
    return False, time.monotonic() - started, left


# -- the run ----------------------------------------------------------------------------------------


async def org_ids_of(cluster: Cluster, record: LoadRecord) -> None:
    """Each organization's id, from the database of the region it was installed into (and only
    that one)."""
    found: dict[str, dict[str, uuid.UUID]] = {}
    for region in cluster.region_stores:
        conn = await asyncpg.connect(asyncpg_dsn(region.admin_url))
        try:
            found[region.name] = dict(await conn.fetch("SELECT team_id, org_id FROM workspaces"))
        finally:
            await conn.close()
    for plan in record.plans:
        home = plan.region or cluster.config.regions[0]
        if plan.team_id not in found[home]:
            raise SetupFailed(f"no organization for {plan.team_id} in region {home} after its install")
        elsewhere = [name for name, rows in found.items() if name != home and plan.team_id in rows]
        if elsewhere:
            raise SetupFailed(f"{plan.team_id}, installed into {home}, has an organization in {elsewhere[0]} too")
        plan.org_id = found[home][plan.team_id]


async def progress(driver: LoadDriver, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=PROGRESS_SECONDS)
        if stop.is_set():
            return
        outcomes = Counter(s.outcome for s in driver.record.commands() if s.kind != "setup")
        say(
            f"  {time.time() - driver.record.started_at:5.0f}s: "
            + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        )


@dataclass
class Watch:
    """What runs beside the load until the system has settled: the probes and the approver."""

    readiness: ReadinessProbe
    quota: QuotaProbe
    pii: RedisPiiProbe
    # The other regions' Redis probes; folded into ``quota`` and ``pii`` when the watch stops.
    regional: list[tuple[QuotaProbe, RedisPiiProbe]] = field(default_factory=list)
    probes_done: asyncio.Event = field(default_factory=asyncio.Event)
    approver_done: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def start(cls, cluster: Cluster, session: aiohttp.ClientSession, driver: LoadDriver) -> Watch:
        assert cluster.stores is not None
        record = driver.record
        default = cluster.config.regions[0]

        def needles() -> list[str]:
            return sorted({n for s in record.sent if s.pii for n in s.pii.needles()})

        def probes(region: str, redis_url: str) -> tuple[QuotaProbe, RedisPiiProbe]:
            # Quota keys are read in the Redis of the organization's region.
            org_ids = [p.org_id for p in record.plans if p.org_id is not None and (p.region or default) == region]
            return QuotaProbe(redis_url, org_ids), RedisPiiProbe(redis_url, needles)

        first, *others = cluster.region_stores
        quota, pii = probes(first.name, first.redis_url)
        watch = cls(
            ReadinessProbe(session, cluster.web_urls),
            quota,
            pii,
            [probes(region.name, region.redis_url) for region in others],
        )
        watch.tasks = [
            asyncio.create_task(watch.readiness.run(watch.probes_done)),
            *(
                asyncio.create_task(probe.run(watch.probes_done))
                for pair in [(quota, pii), *watch.regional]
                for probe in pair
            ),
            asyncio.create_task(driver.approve_loop(watch.approver_done)),
        ]
        return watch

    async def stop(self, driver: LoadDriver) -> None:
        self.approver_done.set()
        await driver.drain(30)
        self.probes_done.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for quota, pii in self.regional:
            self.quota.org_ids += quota.org_ids
            self.quota.samples += quota.samples
            self.quota.errors += quota.errors
            self.pii.hits += pii.hits
            self.pii.scans += pii.scans


async def set_up(cluster: Cluster, driver: LoadDriver) -> None:
    """Organizations through OAuth and the service's own commands, then the schedules."""
    record = driver.record
    await driver.set_up()
    await org_ids_of(cluster, record)
    say(
        f"  {len(record.plans)} organizations installed through OAuth; approvals on in "
        f"{', '.join(p.team_id for p in record.plans if p.approvals_on)}; small budgets in "
        f"{', '.join(f'{p.team_id} ({p.budget:,})' for p in record.plans if p.budget)}"
    )
    await driver.make_schedules(datetime.now(UTC))
    say(f"  {len(record.schedules)} schedules due during the run" + "".join(f"\n  note: {n}" for n in record.notes))


async def load_with_faults(driver: LoadDriver, injector: FaultInjector, plan: list[Planned]) -> None:
    say(
        f"load: {driver.config.duration:g}s at {driver.config.rate:g} commands/s over {len(driver.slack.webs)} web "
        f"processes; {len(plan)} faults planned (seed {driver.config.seed})"
    )
    load_done = asyncio.Event()
    ticker = asyncio.create_task(progress(driver, load_done))
    started = time.time()
    faults = asyncio.create_task(injector.run(plan, started, load_done))
    try:
        await driver.run(load_done)
    finally:
        load_done.set()
    await asyncio.gather(faults, ticker)
    await injector.finish()
    load_commands = sum(1 for s in driver.record.commands() if s.kind != "setup")
    say(f"load done: {load_commands} commands; {sum(1 for e in injector.events if e.injected)} faults injected")
    for event in injector.events:
        state = event.detail if event.injected else (event.skipped or event.failed)
        say(f"  {event.at - started:6.1f}s {event.kind:<17} {state}")


async def wind_down(cluster: Cluster, driver: LoadDriver, watch: Watch, settle_seconds: float) -> datetime:
    """Stop what would make new work, let the rest finish (bounded), and collect the late answers.
    Returns the moment it settled: runs held for a due time after it are held for later."""
    await driver.cancel_schedules()
    say(f"settling (at most {settle_seconds:g}s)...")
    org_ids = [plan.org_id for plan in driver.record.plans if plan.org_id is not None]
    settled, took, left = await settle(cluster, org_ids, settle_seconds)
    settled_at = datetime.now(UTC)
    await watch.stop(driver)
    say(
        f"  {'settled' if settled else 'NOT settled'} after {took:.1f}s"
        + ("" if settled else f": {', '.join(f'{k} {v}' for k, v in left.items())}")
    )
    await driver.collect_follow_ups()
    # Stopped before the checks: nothing changes under them, and every log is complete.
    await asyncio.to_thread(cluster.stop_app)
    return settled_at


async def drive(cluster: Cluster, args: argparse.Namespace) -> tuple[int, str]:
    """The run after start-up; its exit status and the one line it ends with."""
    rng = random.Random(args.seed)
    run_tag = f"{rng.randrange(16**4):04x}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_SECONDS)) as session:
        slack = SlackSide(session, cluster.sandbox_url, cluster.web_urls, cluster.signing_secret)
        regions = cluster.config.regions if cluster.regional else ()
        config = LoadConfig(duration=args.duration, rate=args.rate, seed=args.seed, regions=regions)
        driver = LoadDriver(slack, config, run_tag)
        try:
            await set_up(cluster, driver)
        except SetupFailed as failure:
            return EXIT_SETUP, f"faults: set-up failed: {failure}"
        plan = plan_faults(
            args.duration,
            short=args.short,
            kill_every=args.kill_every,
            webs=len(cluster.webs),
            beats=len(cluster.beats),
        )
        injector = FaultInjector(cluster, session, rng)
        watch = Watch.start(cluster, session, driver)
        await load_with_faults(driver, injector, plan)
        settled_at = await wind_down(cluster, driver, watch, args.settle)
        snapshot, results = await run_checks(
            cluster,
            session,
            driver.record,
            watch.quota,
            watch.pii.hits,
            watch.pii.scans,
            held_after=settled_at,
            faults=injector.events,
        )
    report(results)
    say("recovery:")
    for line in recovery_lines(injector.events, driver.record, snapshot, watch.readiness):
        say(f"  {line}")
    return verdict(results, driver.record, injector)


def verdict(results: list[CheckResult], record: LoadRecord, injector: FaultInjector) -> tuple[int, str]:
    figures = {r.name: r.figure for r in results}
    failed = [r.name for r in results if not r.ok]
    if failed:
        say(f"failed checks: {', '.join(failed)}")
    final = (
        f"faults: {sum(1 for s in record.commands() if s.kind != 'setup')} commands, "
        f"{sum(1 for e in injector.events if e.injected)} faults injected, lost {figures['lost']}, "
        f"duplicates {figures['duplicates']}, overspend {figures['overspend']}, leaked {figures['leaked']}, "
        f"cross-tenant {figures['cross-tenant']}, pii {figures['pii']}, cross-region {figures['cross-region']}"
    )
    return (EXIT_FAILED if failed else EXIT_OK), final


def report(results: list[CheckResult]) -> None:
    say("checks:")
    for result in results:
        say(f"  [{'ok' if result.ok else 'FAIL'}] {result.name} {result.figure}: {result.summary}")
        for line in result.lines:
            say(f"         {line}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM takes the same way out as Ctrl-C, so every process started is stopped.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    # Ctrl-C must stop the run cleanly even when started from a shell that ignores SIGINT for
    # background jobs (Python would then never raise KeyboardInterrupt).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    cluster = Cluster(new_run_dir(), ClusterConfig(regions=args.regions))
    began = time.monotonic()
    say(f"faults: starting the cluster in {cluster.run_dir.relative_to(ROOT)}")
    status, final = EXIT_SETUP, "faults: did not run"
    try:
        cluster.start(say)
        assert cluster.stores is not None
        where = "embedded, restartable" if cluster.stores.postgres_restartable else "shared server, not restarted"
        say(
            f"  started in {time.monotonic() - began:.0f}s: {len(cluster.webs)} web, {len(cluster.workers)} workers, "
            f"{len(cluster.beats)} schedulers (tick {cluster.config.tick_seconds:g}s), Slack sandbox, fake Gemini, "
            f"PostgreSQL ({where}), Redis (embedded); regions {', '.join(cluster.config.regions)}"
        )
        status, final = asyncio.run(drive(cluster, args))
    except ClusterError as error:
        final = f"faults: the cluster did not start: {error}"
    except KeyboardInterrupt:
        status, final = 130, "faults: interrupted; everything it started was stopped"
    except Exception as error:  # a bug of the suite itself: shown in full, and still cleaned up
        traceback.print_exc()
        final = f"faults: the run broke off: {type(error).__name__}: {error}"
    finally:
        cluster.stop()
        say(f"stopped everything; {time.monotonic() - began:.0f}s in all; logs in {cluster.log_dir.relative_to(ROOT)}")
    # The last line, whatever happened: what a caller (and the short test) reads.
    say(final)
    return status


if __name__ == "__main__":
    sys.exit(main())
