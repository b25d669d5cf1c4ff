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

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._in_process import (  # noqa: E402
    GEMINI_KEY,
    NoSend,
    Stage,
    in_process_stage,
    percentile,
    post_text_jobs,
    unlimited_org,
)
from bench._scratch import Scratch, scratch_database  # noqa: E402
from bench.verdict import Target, at_most, run_bench  # noqa: E402
from bot.jobs.service import JobService  # noqa: E402
from bot.result_cache import set_result_cache  # noqa: E402
from workers import lifecycle  # noqa: E402
from workers.fair_gate import FairGate  # noqa: E402
from workers.loop import WorkerContext  # noqa: E402
from workers.providers import TextRouter  # noqa: E402

BENCH = "result_cache_hit"
TARGET_HIT_P50_MS = 5.0
MODEL = "gemini-2.5-flash"
TOKEN = "xoxb-bench-result-cache"
WARM_UP_JOBS = 10  # each path's first jobs fill pools and caches; not counted


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
        lifecycle.claim_job = self.claim_job
        return self

    def __exit__(self, *exc: object) -> None:
        lifecycle.claim_job = self._claim


async def run_path(
    context: WorkerContext, jobs: JobService, stage: Stage, org_id: uuid.UUID, prompts: Sequence[str], clock: ClaimClock
) -> list[float]:
    """Milliseconds from claim to post request of each job, run one after the other."""
    posted = await post_text_jobs(context, jobs, stage, org_id, prompts)
    return [(float(message["ts"]) - clock.claimed_at[job_id]) * 1000 for job_id, message in posted]


async def run_once(scratch: Scratch, *, jobs_per_path: int, latency: float) -> dict[str, Any]:
    async with in_process_stage(scratch, bot_token=TOKEN) as stage:
        gemini = stage.gemini
        if latency:
            gemini.inject(delay=latency, count=None)
        router = TextRouter.from_settings([MODEL], GEMINI_KEY, gemini.url, timeout=max(10.0, latency * 4))
        context = WorkerContext(stage.runtime, stage.quota, router, FairGate(1))
        jobs = JobService(stage.database, stage.quota, NoSend(), stage.runtime.secrets)
        try:
            org_id = await unlimited_org(stage)
            await set_result_cache(stage.database, org_id, enabled=True, actor="bench")
            tag = uuid.uuid4().hex[:8]
            total = WARM_UP_JOBS + jobs_per_path
            with ClaimClock() as clock:
                misses = await run_path(context, jobs, stage, org_id, [f"note {n} {tag}" for n in range(total)], clock)
                repeated = f"the note everyone asks for {tag}"
                await run_path(context, jobs, stage, org_id, [repeated], clock)  # answered once
                calls_before = len(gemini.requests_for(MODEL))
                hits = await run_path(context, jobs, stage, org_id, [repeated] * total, clock)
                hit_calls = len(gemini.requests_for(MODEL)) - calls_before
            return {"miss": misses[WARM_UP_JOBS:], "hit": hits[WARM_UP_JOBS:], "hit_calls": hit_calls}
        finally:
            await router.aclose()


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
