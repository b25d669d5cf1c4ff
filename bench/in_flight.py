"""Generations in flight in one worker process against a model that takes its time.

The deployed worker command (`content-factory worker --queues text`, default jobs in flight) runs
against the fake Gemini answering every call after a fixed latency; 200 text jobs are committed
first and then sent at once. The limit for that burst is one latency per round of ``cap`` jobs,
so the figure is the rate reached against that limit, measured in the same run:

    ratio = jobs/s / (jobs / (latency * ceil(jobs / cap)))

Then fairness: another 200 jobs of one organization are sent, and right after them a single job
of a second organization; its time from send to post should be at most two model latencies.

    .venv/bin/python bench/in_flight.py [--jobs 200] [--latency 2] [--cap 64]

The Slack sandbox runs without its per-channel posting limit (each job has a channel of its own
anyway); tests/workers/test_slack_posting.py holds workers to that limit. Exit status: 0 when
every target is met, 1 when one is missed, 2 when the bench could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.faults.timetable import group_rss_pages  # noqa: E402
from bench.pipeline_throughput import (  # noqa: E402
    commit_jobs,
    connect,
    create_org,
    drop_database,
    prepare_database,
    send_jobs,
    start,
    stop,
    wait_posted,
)
from bench.verdict import Target, at_least, at_most, run_bench  # noqa: E402

GEMINI_KEY = "bench-key"
MODEL = "gemini-bench"


@dataclass
class RssSampler:
    """The most resident memory the worker's process group used at once, sampled on a thread."""

    pgid: int
    peak_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.wait(0.1):
            self.peak_bytes = max(self.peak_bytes, group_rss_pages(self.pgid) * page)


def fake_stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/_fake/stats", timeout=10) as answer:
        return dict(json.load(answer))


def reset_fake(url: str) -> None:
    request = urllib.request.Request(url + "/_fake/reset", data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


async def database_now(admin_url: str) -> Any:
    conn = await connect(admin_url)
    try:
        return await conn.fetchval("SELECT clock_timestamp()")
    finally:
        await conn.close()


async def seconds_to_post(admin_url: str, jobs: list[uuid.UUID], since: Any) -> list[float]:
    """Seconds from ``since`` (the database's clock at send) to each job's post (its audit event)."""
    conn = await connect(admin_url)
    try:
        rows = await conn.fetch(
            "SELECT at FROM audit_events WHERE action = 'job.posted' AND job_id = ANY($1::uuid[])", jobs
        )
    finally:
        await conn.close()
    return sorted((row["at"] - since).total_seconds() for row in rows)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


async def org_in_another_sub_queue(app_url: str, redis_url: str, first: uuid.UUID) -> uuid.UUID:
    from bot.jobs.queueing import QUEUE_TEXT, sub_queue

    while True:
        other = await create_org(app_url, redis_url)
        if sub_queue(QUEUE_TEXT, other) != sub_queue(QUEUE_TEXT, first):
            return other


def run(args: argparse.Namespace) -> list[Target]:
    from bench._scratch import service_env, start_private_services, wait_for_ports
    from sandbox.local_services import free_port

    state = ROOT / ".services" / "bench-in-flight"
    services, _, redis_url = start_private_services(state)
    logs = state / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    name, admin_url, app_url = asyncio.run(prepare_database(services.postgres_url))
    sandbox_port, gemini_port = free_port(), free_port()
    gemini_url = f"http://127.0.0.1:{gemini_port}"
    fakes = [
        start(
            [sys.executable, "-m", "sandbox.slack_server", "--port", str(sandbox_port), "--post-rate", "0"],
            dict(os.environ),
            logs / "sandbox.log",
        ),
        start(
            [
                sys.executable,
                "-m",
                "sandbox.gemini",
                "--port",
                str(gemini_port),
                "--api-key",
                GEMINI_KEY,
                "--latency",
                f"{args.latency:g}",
            ],
            dict(os.environ),
            logs / "gemini.log",
        ),
    ]
    worker = None
    try:
        wait_for_ports([sandbox_port, gemini_port], "the fakes")
        env = service_env(
            app_url,
            redis_url,
            sandbox_port,
            dropped=("GEMINI_", "DIFFUSION_", "SLACK_", "JOB_"),
            GEMINI_API_KEY=GEMINI_KEY,
            GEMINI_BASE_URL=gemini_url,
            GEMINI_MODELS=MODEL,
        )
        os.environ["TOKEN_ENCRYPTION_KEY"] = key = env["TOKEN_ENCRYPTION_KEY"]
        noisy = asyncio.run(create_org(app_url, redis_url))
        quiet = asyncio.run(org_in_another_sub_queue(app_url, redis_url, noisy))
        warmup = asyncio.run(commit_jobs(app_url, redis_url, key, noisy, 8))
        burst = asyncio.run(commit_jobs(app_url, redis_url, key, noisy, args.jobs))
        backlog = asyncio.run(commit_jobs(app_url, redis_url, key, noisy, args.jobs))
        [lone] = asyncio.run(commit_jobs(app_url, redis_url, key, quiet, 1))

        command = [sys.executable, "-m", "bot", "worker", "--queues", "text", "--loglevel", "WARNING"]
        if args.cap is not None:
            command += ["--concurrency", str(args.cap)]
        worker = start(command, env, logs / "worker.log")
        cap = args.cap or 64
        send_jobs(redis_url, [(noisy, job) for job in warmup])
        asyncio.run(wait_posted(admin_url, warmup, limit_seconds=120))
        reset_fake(gemini_url)

        with RssSampler(worker.pid) as rss:
            sent_at = asyncio.run(database_now(admin_url))
            started = time.perf_counter()
            send_jobs(redis_url, [(noisy, job) for job in burst])
            asyncio.run(wait_posted(admin_url, burst, limit_seconds=300))
            elapsed = time.perf_counter() - started
            peak = int(fake_stats(gemini_url)["peak_in_flight"])
            latencies = asyncio.run(seconds_to_post(admin_url, burst, sent_at))

            send_jobs(redis_url, [(noisy, job) for job in backlog])
            lone_sent_at = asyncio.run(database_now(admin_url))
            send_jobs(redis_url, [(quiet, lone)])
            asyncio.run(wait_posted(admin_url, [lone, *backlog], limit_seconds=300))
            [lone_seconds] = asyncio.run(seconds_to_post(admin_url, [lone], lone_sent_at))
    finally:
        if worker is not None:
            stop(worker)
        for fake in fakes:
            stop(fake)
        asyncio.run(drop_database(services.postgres_url, name))
        services.stop()

    rate = args.jobs / elapsed
    limit_rate = args.jobs / (args.latency * math.ceil(args.jobs / cap))
    rss_mb = rss.peak_bytes / 2**20
    print(
        f"1 worker process, jobs in flight cap {cap}, model latency {args.latency:g} s, {args.jobs} jobs, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"burst: {elapsed:.2f} s, {rate:.1f} jobs/s; the limit {limit_rate:.1f} jobs/s; ratio {rate / limit_rate:.2f}"
    )
    print(f"peak generations in flight (at the model): {peak}")
    print(f"send -> posted: p50 {statistics.median(latencies):.2f} s, p99 {percentile(latencies, 0.99):.2f} s")
    print(f"worker RSS (peak): {rss_mb:.0f} MB")
    print(f"another organization's job while {args.jobs} of one are queued: posted {lone_seconds:.2f} s after send")
    return [
        at_least("in flight", peak, 50),
        at_most("burst", elapsed, 10, "s"),
        at_least("ratio", rate / limit_rate, 0.6),
        at_most("RSS", rss_mb, 500, "MB"),
        at_most("other org", lone_seconds, 2 * args.latency, "s"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--latency", type=float, default=2.0, help="seconds the fake model takes per call")
    parser.add_argument("--cap", type=int, default=None, help="--concurrency for the worker (default: its own)")
    args = parser.parse_args(argv)
    return run_bench("in_flight", lambda: run(args))


if __name__ == "__main__":
    raise SystemExit(main())
