"""Jobs per second from a committed job to a posted Slack message, against bare Celery no-op tasks.

Both runs use the same broker (Redis), the same Celery settings (bot.jobs.queueing.celery_config) and
the same number of worker processes, one after the other, so the ratio says what the job pipeline
costs on top of Celery itself. The model is the offline provider (no network, no latency); Slack is
the local sandbox in its own process; PostgreSQL is a scratch database set up like the tests'.

    .venv/bin/python bench/pipeline_throughput.py [--jobs 1000] [--concurrency 2] [--profile]

Time per job is split with the audit trail's own timestamps (queued -> running -> generated ->
posted), which is where to look when the ratio is low. The last line is the verdict on the
pipeline's rate (target: at least 100 jobs/s with the zero-latency model); exit status 0 met,
1 missed, 2 could not run. ``--profile`` runs the workers under cProfile on every thread
(bench/_profiled.py) and prints where they spent their time; its rates are the profiler's, not
figures to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from celery import Celery

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._in_process import NoSend  # noqa: E402
from bench.faults.timetable import group_cpu_ticks, process_cpu_ticks  # noqa: E402
from bench.verdict import Target, at_least, run_bench  # noqa: E402
from bot.jobs.queueing import celery_config  # noqa: E402

NOOP_TASK = "bench.noop"
NOOP_QUEUE = "bench-noop"
NOOP_COUNTER = "bench:noop:done"
APP_ROLE = "cf_bench"
APP_PASSWORD = "cf_bench"
MIN_JOBS_PER_SECOND = 100.0

# The no-op worker imports this module: what it needs is defined at the top, the rest in main().
noop_app = Celery("bench-noop")
noop_app.conf.update(celery_config(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")))
_counter: Any = None


@noop_app.task(name=NOOP_TASK)
def noop() -> None:
    """As little as a task can do and still be counted."""
    global _counter
    if _counter is None:
        import redis

        _counter = redis.Redis.from_url(os.environ["REDIS_URL"])
    _counter.incr(NOOP_COUNTER)


def cpu_seconds(worker: subprocess.Popen[bytes]) -> float:
    """User + system CPU of a worker and its pool (its own process group): a cost per job that
    holds still when other work on the machine slows the wall clock down."""
    return group_cpu_ticks(worker.pid) / os.sysconf("SC_CLK_TCK")


def pids_cpu_ticks(pids: list[int]) -> dict[int, int]:
    """User + system CPU ticks of each of the given processes still there."""
    return {pid: ticks for pid in pids if (ticks := process_cpu_ticks(pid)) is not None}


def cpu_seconds_since(before: dict[int, int], pids: list[int]) -> float:
    """CPU the processes used since ``before``; one started since then counts all it used."""
    now = pids_cpu_ticks(pids)
    return sum(ticks - before.get(pid, 0) for pid, ticks in now.items()) / os.sysconf("SC_CLK_TCK")


async def database_backends(admin_url: str) -> list[int]:
    """The PostgreSQL backends serving the bench's scratch database right now (the workers' pools)."""
    conn = await connect(admin_url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return [row["pid"] for row in rows]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def connect(url: str) -> Any:
    """A plain asyncpg connection (as the owner: the bench's own reads are not the app's)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    return await asyncpg.connect(
        host=parts.host, port=parts.port or 5432, user=parts.username, password=parts.password, database=parts.database
    )


async def prepare_database(postgres_url: str) -> tuple[str, str, str]:
    from sqlalchemy.engine import make_url

    from db.migrate import migrate

    name = f"cf_bench_{uuid.uuid4().hex[:8]}"
    conn = await connect(postgres_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    server = make_url(postgres_url)
    admin = server.set(drivername="postgresql+asyncpg", database=name)
    app = admin.set(username=APP_ROLE, password=APP_PASSWORD)
    admin_url, app_url = admin.render_as_string(hide_password=False), app.render_as_string(hide_password=False)
    await migrate(admin_url, app_url)
    return name, admin_url, app_url


async def drop_database(postgres_url: str, name: str) -> None:
    conn = await connect(postgres_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def commit_jobs(
    app_url: str, redis_url: str, key: str, org_id: uuid.UUID, count: int, channel: str | None = None
) -> list[uuid.UUID]:
    """Commit ``count`` queued jobs through the web side's own service, without sending them
    (to the demo workspace's #general unless ``channel`` says otherwise)."""
    import redis.asyncio as aioredis

    from bot.guard import GuardedPrompt
    from bot.jobs.service import JobRequest, JobService
    from bot.orgs.service import load_org_policy
    from bot.quota import QuotaService
    from db.crypto import SecretBox
    from db.engine import Database
    from db.models import JobKind
    from sandbox.slack import DEMO

    database = Database(app_url, pool_size=4)
    redis = aioredis.Redis.from_url(redis_url)
    try:
        quota = QuotaService(redis, database)
        # Jobs are committed first and sent all at once when timed.
        service = JobService(database, quota, NoSend(), SecretBox(key))
        policy = await load_org_policy(database, org_id)
        jobs = []
        for number in range(count):
            prompt = f"Write a two-line team update number {number}"
            request = JobRequest(
                org_id=org_id,
                requester_id=DEMO.editor,
                kind=JobKind.TEXT,
                prompt=prompt,
                target_channel=channel or DEMO.general,
                source_channel=channel or DEMO.general,
                already_guarded=GuardedPrompt.passed(prompt),
            )
            jobs.append((await service.submit(request, policy)).job_id)
        return jobs
    finally:
        await database.dispose()
        await redis.aclose()


async def create_org(app_url: str, redis_url: str) -> uuid.UUID:
    import redis.asyncio as aioredis

    from bot.orgs.service import create_organization
    from bot.quota import QuotaService
    from db.engine import Database

    database = Database(app_url, pool_size=2)
    redis = aioredis.Redis.from_url(redis_url)
    try:
        org_id = await create_organization(database, name="Bench", team_id="T0BENCH" + uuid.uuid4().hex[:6].upper())
        quota = QuotaService(redis, database)
        await quota.set_budget(org_id, 10**12, actor="bench")
        await quota.set_limits(org_id, rate_per_minute=2**31 - 1, burst=2**31 - 1, actor="bench")
        return org_id
    finally:
        await database.dispose()
        await redis.aclose()


async def wait_posted(admin_url: str, jobs: list[uuid.UUID], limit_seconds: float) -> float:
    """Seconds until every job is posted (polled as the owner, which RLS does not filter)."""
    conn = await connect(admin_url)
    started = time.perf_counter()
    try:
        while True:
            rows = await conn.fetch(
                "SELECT state, count(*) AS n FROM jobs WHERE id = ANY($1::uuid[]) GROUP BY state", jobs
            )
            states = {row["state"]: row["n"] for row in rows}
            if states.get("posted", 0) + states.get("failed", 0) >= len(jobs):
                if states.get("failed"):
                    raise RuntimeError(f"{states['failed']} jobs failed; see the worker log")
                return time.perf_counter() - started
            if time.perf_counter() - started > limit_seconds:
                raise RuntimeError(f"not all jobs posted after {limit_seconds:.0f}s: {states}")
            await asyncio.sleep(0.02)
    finally:
        await conn.close()


async def stage_times(admin_url: str, jobs: list[uuid.UUID]) -> dict[str, float]:
    """Median milliseconds between a job's audit events (the database's clock)."""
    conn = await connect(admin_url)
    try:
        rows = await conn.fetch("SELECT job_id, action, at FROM audit_events WHERE job_id = ANY($1::uuid[])", jobs)
    finally:
        await conn.close()
    at: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        at.setdefault(row["job_id"], {})[row["action"]] = row["at"]
    stages = {
        "claim -> generated": ("job.running", "job.generated"),
        "generated -> posted": ("job.generated", "job.posted"),
    }
    medians = {}
    for label, (first, second) in stages.items():
        spans = [(e[second] - e[first]).total_seconds() * 1000 for e in at.values() if first in e and second in e]
        medians[label] = statistics.median(spans) if spans else float("nan")
    return medians


def send_jobs(redis_url: str, jobs: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    from bot.jobs.queueing import JobSender

    sender = JobSender(redis_url)
    try:
        for org_id, job_id in jobs:
            sender.send_job_sync(job_id, org_id, "text")
    finally:
        sender.close()


def wait_counter(redis_url: str, target: int, timeout: float) -> float:
    import redis

    client = redis.Redis.from_url(redis_url)
    started = time.perf_counter()
    while int(client.get(NOOP_COUNTER) or 0) < target:
        if time.perf_counter() - started > timeout:
            raise RuntimeError("no-op tasks did not finish in time")
        time.sleep(0.01)
    return time.perf_counter() - started


def run_pipeline(
    env: dict[str, str], args: argparse.Namespace, logs: Path, admin_url: str, app_url: str, helpers: dict[str, int]
) -> dict[str, Any]:
    """``helpers``: the other processes of the run by name (the Slack sandbox, Redis), whose CPU is
    reported beside the workers' so a missed rate can be told apart from a full machine."""
    redis_url, key = env["REDIS_URL"], env["TOKEN_ENCRYPTION_KEY"]
    orgs = [asyncio.run(create_org(app_url, redis_url)) for _ in range(args.orgs)]
    warmup = [
        (orgs[0], job) for job in asyncio.run(commit_jobs(app_url, redis_url, key, orgs[0], args.concurrency * 8))
    ]
    share = -(-args.jobs // len(orgs))
    jobs = [(org, job) for org in orgs for job in asyncio.run(commit_jobs(app_url, redis_url, key, org, share))]
    jobs = jobs[: args.jobs]
    # The deployed command with its default jobs in flight, one process per no-op pool process.
    command = ["-m", "bot", "worker", "--queues", "text", "--loglevel", "WARNING"]
    workers = [
        start(
            [sys.executable, *profiled(logs / f"worker-{number}.prof", args.profile), *command],
            env,
            logs / f"worker-{number}.log",
        )
        for number in range(args.concurrency)
    ]
    try:
        send_jobs(redis_url, warmup)
        asyncio.run(wait_posted(admin_url, [job for _, job in warmup], limit_seconds=180))
        # The workers' pools open more connections as the burst comes in: backends are listed
        # again at the end, and one that is new counts everything it used.
        parties: dict[str, list[int]] = {
            "postgres backends": asyncio.run(database_backends(admin_url)),
            **{name: [pid] for name, pid in helpers.items()},
        }
        if args.profile:
            for worker in workers:
                os.kill(worker.pid, signal.SIGUSR2)  # bench/_profiled.py: the warm-up is forgotten
        cpu_before = sum(cpu_seconds(worker) for worker in workers)
        others_before = {name: pids_cpu_ticks(pids) for name, pids in parties.items()}
        self_before = time.process_time()
        started = time.perf_counter()
        send_jobs(redis_url, jobs)
        asyncio.run(wait_posted(admin_url, [job for _, job in jobs], limit_seconds=600))
        elapsed = time.perf_counter() - started
        cpu = sum(cpu_seconds(worker) for worker in workers) - cpu_before
        parties["postgres backends"] = asyncio.run(database_backends(admin_url))
        split = {name: cpu_seconds_since(others_before[name], pids) for name, pids in parties.items()}
        split["bench (send + poll)"] = time.process_time() - self_before
    finally:
        for worker in workers:
            stop(worker)
    return {
        "seconds": elapsed,
        "rate": len(jobs) / elapsed,
        "cpu_ms": 1000 * cpu / len(jobs),
        "split_ms": {"workers": 1000 * cpu / len(jobs)} | {k: 1000 * v / len(jobs) for k, v in split.items()},
        "stages": asyncio.run(stage_times(admin_url, [job for _, job in jobs])),
    }


def profiled(output: Path, wanted: bool) -> list[str]:
    """The interpreter's arguments that run a module under cProfile on every thread, when wanted."""
    output.unlink(missing_ok=True)
    return [str(ROOT / "bench" / "_profiled.py"), str(output)] if wanted else []


def print_profile(paths: list[Path], top: int = 45) -> None:
    import pstats

    found = [str(path) for path in paths if path.exists()]
    if not found:
        print("no profile was written (see the worker logs)")
        return
    print(f"\nwhere the workers spent their time (cProfile, every thread, top {top} by own time):")
    stats = pstats.Stats(*found)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def run_noop(env: dict[str, str], args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).delete(NOOP_COUNTER)
    worker = start(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "bench.pipeline_throughput:noop_app",
            "worker",
            "--queues",
            NOOP_QUEUE,
            "--concurrency",
            str(args.concurrency),
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        env,
        logs / "noop-worker.log",
    )
    try:
        noop_app.conf.broker_url = env["REDIS_URL"]
        warmup = args.concurrency * 4
        for _ in range(warmup):
            noop_app.send_task(NOOP_TASK, queue=NOOP_QUEUE)
        wait_counter(env["REDIS_URL"], warmup, timeout=120)
        cpu_before = cpu_seconds(worker)
        started = time.perf_counter()
        for _ in range(args.jobs):
            noop_app.send_task(NOOP_TASK, queue=NOOP_QUEUE)
        wait_counter(env["REDIS_URL"], warmup + args.jobs, timeout=600)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(worker) - cpu_before
    finally:
        stop(worker)
    return {"seconds": elapsed, "rate": args.jobs / elapsed, "cpu_ms": 1000 * cpu / args.jobs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=2,
        help="worker processes in both runs (each worker: its default jobs in flight)",
    )
    parser.add_argument("--orgs", type=int, default=1, help="organizations the jobs are spread over")
    parser.add_argument("--profile", action="store_true", help="run the workers under cProfile and print where")
    args = parser.parse_args(argv)
    return run_bench("pipeline_throughput", lambda: bench(args))


def bench(args: argparse.Namespace) -> list[Target]:
    from bench._scratch import service_env, start_private_services, wait_for_ports
    from sandbox.local_services import free_port

    state = ROOT / ".services" / "bench"
    services, private_redis, redis_url = start_private_services(state)
    name, admin_url, app_url = asyncio.run(prepare_database(services.postgres_url))
    logs = ROOT / ".services" / "bench" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    sandbox_port = free_port()
    sandbox = start(
        # Slack's per-channel posting limit off: every job posts to #general, and what is measured
        # is the pipeline (tests/workers/test_slack_posting.py holds the worker to that limit).
        [sys.executable, "-m", "sandbox.slack_server", "--port", str(sandbox_port), "--post-rate", "0"],
        dict(os.environ),
        logs / "sandbox.log",
    )
    try:
        wait_for_ports([sandbox_port], "the Slack sandbox")
        env = service_env(app_url, redis_url, sandbox_port)
        os.environ["TOKEN_ENCRYPTION_KEY"] = env["TOKEN_ENCRYPTION_KEY"]
        noop = run_noop(env, args, logs) if not args.profile else {"rate": float("nan"), "seconds": 0, "cpu_ms": 0}
        helpers = {"slack sandbox": sandbox.pid}
        if private_redis.process is not None:
            helpers["redis"] = private_redis.process.pid
        pipeline = run_pipeline(env, args, logs, admin_url, app_url, helpers)
    finally:
        stop(sandbox)
        asyncio.run(drop_database(services.postgres_url, name))
        services.stop()

    print(
        f"workers: {args.concurrency} processes, {args.jobs} jobs/tasks each run, {args.orgs} org(s), "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"bare Celery no-op tasks:         {noop['rate']:8.1f} tasks/s  ({noop['seconds']:.2f}s, "
        f"worker CPU {noop['cpu_ms']:.2f} ms/task)"
    )
    print(
        f"job pipeline (commit -> posted): {pipeline['rate']:8.1f} jobs/s   ({pipeline['seconds']:.2f}s, "
        f"worker CPU {pipeline['cpu_ms']:.2f} ms/job)"
    )
    print(f"ratio pipeline / no-op: {pipeline['rate'] / noop['rate']:.3f}")
    split = pipeline["split_ms"]
    print(
        "CPU per job by process: "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in split.items())
        + f"; total {sum(split.values()):.2f} ms, so {os.cpu_count()} CPUs allow at most "
        f"{1000 * (os.cpu_count() or 1) / sum(split.values()):.0f} jobs/s"
    )
    for stage, ms in pipeline["stages"].items():
        print(f"  median {stage}: {ms:.1f} ms")
    if args.profile:
        print_profile([logs / f"worker-{number}.prof" for number in range(args.concurrency)])
    return [at_least("job pipeline", pipeline["rate"], MIN_JOBS_PER_SECOND, "jobs/s")]


if __name__ == "__main__":
    raise SystemExit(main())
