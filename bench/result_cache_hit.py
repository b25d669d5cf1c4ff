"""How fast a result-cache hit is posted: claim to post request, hit against miss, in one run.

One organization with the result cache on, one worker's flow on this event loop (``workers.flow``,
jobs run one at a time so each is timed alone), a scratch PostgreSQL, Redis, the fake Gemini
(its latency ``--latency``, 0: as fast as it answers) and the Slack sandbox (one channel per job,
so no posting limit is met):

- **miss** (the baseline): ``--jobs`` text jobs with prompts of their own; each calls the model,
  stores its result in the cache and posts;
- **hit**: ``--jobs`` text jobs with one prompt answered once before; each is posted from the cache.

A job's latency runs from the moment its claim returned to the moment the Slack sandbox received
its ``chat.postMessage`` (the message's ts, stamped by the sandbox as the request arrives). Model
calls are counted at the fake during the hits: there must be none. The last line is the verdict
on the hits' p50 (target: under 5 ms) and their model calls (target: 0).

    .venv/bin/python bench/result_cache_hit.py [--jobs 200] [--latency 0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._scratch import Scratch, scratch_database  # noqa: E402
from bench.verdict import Target, at_most, run_bench  # noqa: E402
from bot.guard import GuardedPrompt  # noqa: E402
from bot.jobs.service import JobRequest, JobService  # noqa: E402
from bot.orgs.service import create_organization, load_org_policy  # noqa: E402
from bot.process.runtime import Runtime  # noqa: E402
from bot.process.settings import load_settings  # noqa: E402
from bot.quota import QuotaService  # noqa: E402
from bot.result_cache import set_result_cache  # noqa: E402
from db.crypto import SecretBox  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import JobKind  # noqa: E402
from sandbox.gemini import FakeGemini  # noqa: E402
from sandbox.slack import SlackSandbox  # noqa: E402
from workers import lifecycle  # noqa: E402
from workers.fair_gate import FairGate  # noqa: E402
from workers.flow import Outcome, run_job  # noqa: E402
from workers.loop import WorkerContext  # noqa: E402
from workers.posting import close_http_session  # noqa: E402
from workers.providers import TextRouter  # noqa: E402

BENCH = "result_cache_hit"
TARGET_HIT_P50_MS = 5.0
GEMINI_KEY = "bench-gemini-key"
MODEL = "gemini-2.5-flash"
TOKEN = "xoxb-bench-result-cache"
ADMIN = "U0BENCHADM"
WARM_UP_JOBS = 10  # each path's first jobs fill pools and caches; not counted


class NoSend:
    async def send_job(self, *args: object, **kwargs: object) -> None:
        return None


class ClaimClock:
    """When each job's claim returned (wall clock, like the sandbox's ts)."""

    def __init__(self) -> None:
        self.claimed_at: dict[uuid.UUID, float] = {}
        self._claim = lifecycle.claim_job

    async def claim_job(self, *args: Any, **kwargs: Any) -> Any:
        claim = await self._claim(*args, **kwargs)
        if claim is not None:
            self.claimed_at[claim.job.id] = time.time()
        return claim

    def __enter__(self) -> ClaimClock:
        lifecycle.claim_job = self.claim_job  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        lifecycle.claim_job = self._claim  # type: ignore[assignment]


async def run_path(
    context: WorkerContext,
    jobs: JobService,
    slack: SlackSandbox,
    team: str,
    org_id: uuid.UUID,
    prompts: Sequence[str],
    clock: ClaimClock,
) -> list[float]:
    """Milliseconds from claim to post request of each job, run one after the other."""
    policy = await load_org_policy(context.runtime.database, org_id)
    latencies = []
    for prompt in prompts:
        channel = f"C{uuid.uuid4().hex[:10].upper()}"
        slack.add_channel(team, channel, channel.lower())
        request = JobRequest(
            org_id=org_id,
            requester_id=ADMIN,
            kind=JobKind.TEXT,
            prompt=prompt,
            target_channel=channel,
            already_guarded=GuardedPrompt(masked_text=prompt, mapping={}, entities=(), injection_score=0.0),
        )
        accepted = await jobs.submit(request, policy)
        outcome = await run_job(context, accepted.job_id, org_id)
        if outcome != Outcome.POSTED:
            raise RuntimeError(f"job {accepted.job_id} ended {outcome}")
        [message] = slack.messages(channel)
        latencies.append((float(message["ts"]) - clock.claimed_at[accepted.job_id]) * 1000)
    return latencies


async def run_once(scratch: Scratch, *, jobs_per_path: int, latency: float) -> dict[str, Any]:
    database = Database(scratch.app_url)
    redis = aioredis.Redis.from_url(scratch.redis_url)
    team = "T" + uuid.uuid4().hex[:10].upper()
    async with SlackSandbox() as slack, FakeGemini(api_key=GEMINI_KEY) as gemini:
        slack.add_workspace(team, bot_token=TOKEN, name="Bench")
        slack.add_user(team, ADMIN, name="ada", is_admin=True, tz="UTC")
        if latency:
            gemini.inject(delay=latency, count=None)
        settings = load_settings(
            _env_file=None,
            database_url=scratch.app_url,
            redis_url=scratch.redis_url,
            token_encryption_key=scratch.encryption_key,
            slack_api_url=slack.api_url,
            slack_bot_token=TOKEN,
        )
        runtime = Runtime(settings=settings, database=database, redis=redis, secrets=SecretBox(scratch.encryption_key))
        quota = QuotaService(redis, database)
        router = TextRouter.from_settings([MODEL], GEMINI_KEY, gemini.url, timeout=max(10.0, latency * 4))
        context = WorkerContext(runtime, quota, router, FairGate(1))
        jobs = JobService(database, quota, NoSend(), runtime.secrets)  # type: ignore[arg-type]
        try:
            org_id = await create_organization(database, name="Bench", team_id=team, admin_user_id=ADMIN)
            await quota.set_budget(org_id, 10**10, actor="bench")
            await quota.set_limits(org_id, rate_per_minute=2**31 - 1, burst=2**31 - 1, actor="bench")
            await set_result_cache(database, org_id, enabled=True, actor="bench")
            tag = uuid.uuid4().hex[:8]
            total = WARM_UP_JOBS + jobs_per_path
            with ClaimClock() as clock:
                misses = await run_path(
                    context, jobs, slack, team, org_id, [f"note {n} {tag}" for n in range(total)], clock
                )
                repeated = f"the note everyone asks for {tag}"
                await run_path(context, jobs, slack, team, org_id, [repeated], clock)  # answered once
                calls_before = len(gemini.requests_for(MODEL))
                hits = await run_path(context, jobs, slack, team, org_id, [repeated] * total, clock)
                hit_calls = len(gemini.requests_for(MODEL)) - calls_before
            return {"miss": misses[WARM_UP_JOBS:], "hit": hits[WARM_UP_JOBS:], "hit_calls": hit_calls}
        finally:
            await router.aclose()
            await close_http_session()
            await redis.aclose()
            await database.dispose()


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def describe(name: str, latencies: Sequence[float]) -> str:
    return (
        f"{name:>4}: claim to post request p50 {percentile(latencies, 0.5):7.2f} ms, "
        f"p90 {percentile(latencies, 0.9):7.2f} ms, p99 {percentile(latencies, 0.99):7.2f} ms, "
        f"mean {statistics.fmean(latencies):7.2f} ms"
    )


def measure(options: argparse.Namespace) -> list[Target]:
    with scratch_database("result_cache") as scratch:
        figures = asyncio.run(run_once(scratch, jobs_per_path=options.jobs, latency=options.latency))
    miss, hit = figures["miss"], figures["hit"]
    print(describe("miss", miss), flush=True)
    print(describe("hit", hit), flush=True)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"{options.jobs} jobs a path, one at a time; model latency {options.latency:g} s (fake Gemini); "
        f"hit p50 {percentile(hit, 0.5) / percentile(miss, 0.5):.2f}x the miss p50; "
        f"model calls during the hits: {figures['hit_calls']}; load average {load}",
        flush=True,
    )
    return [
        at_most("hit p50 claim to post request", percentile(hit, 0.5), TARGET_HIT_P50_MS, "ms"),
        at_most("model calls on hits", figures["hit_calls"], 0),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200, help="jobs timed on each path")
    parser.add_argument("--latency", type=float, default=0.0, help="the fake model's latency in seconds")
    options = parser.parse_args(argv)
    return run_bench(BENCH, lambda: measure(options))


if __name__ == "__main__":
    raise SystemExit(main())
