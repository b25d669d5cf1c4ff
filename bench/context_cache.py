"""What Gemini's context caching of a long brand kit does to a run of jobs: caches made, calls that
reuse one, and what the ledger charged against the same tokens at the full input price.

One organization with a brand kit long enough to be cached, one worker's flow on this event loop
(``workers.flow``, jobs one after the other), a scratch PostgreSQL, Redis, the fake Gemini (which
keeps Gemini's caching rules and reports ``cachedContentTokenCount``) priced through a catalogue
with a cached input price, and the Slack sandbox. ``--jobs`` jobs run under the kit, then the kit
is changed and ``--jobs`` more run under its new version.

Figures, all from this run: caches the fake made per kit version (target: one), the share of model
calls that named a cache instead of sending the kit (target: all), the ledger's cost against its
own tokens priced at the catalogue's cached price to the micro (target: no difference), and that
cost against the same tokens at the full input price (the baseline: no context caching).

    .venv/bin/python bench/context_cache.py [--jobs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._in_process import (  # noqa: E402
    ADMIN,
    GEMINI_KEY,
    NoSend,
    in_process_stage,
    post_text_jobs,
    unlimited_org,
)
from bench._scratch import Scratch, scratch_database  # noqa: E402
from bench.verdict import Target, at_least, at_most, run_bench  # noqa: E402
from bot.brand import BrandService  # noqa: E402
from bot.brand.service import BrandDraft  # noqa: E402
from bot.jobs.service import JobService  # noqa: E402
from bot.orgs.service import load_org_policy  # noqa: E402
from bot.routing.catalogue import Catalogue, parse_catalogue  # noqa: E402
from bot.routing.pricing import cost_micros  # noqa: E402
from db.models import QuotaSettlement  # noqa: E402
from workers.fair_gate import FairGate  # noqa: E402
from workers.loop import WorkerContext  # noqa: E402
from workers.providers import TextRouter  # noqa: E402

BENCH = "context_cache"
MODEL = "gemini-2.5-flash"
KEY_VARIABLE = "CF_BENCH_GEMINI_KEY"
TOKEN = "xoxb-bench-context-cache"
# Five example posts of about 170 tokens each: with the rules, past Gemini Flash's 1,024-token minimum.
EXAMPLES = tuple(
    f"Example post {n}: " + "Our tea is picked by hand at dawn and shipped the same week. " * 12 for n in range(5)
)


def priced_catalogue(url: str) -> Catalogue:
    # The catalogue's own example prices (per million tokens).
    return parse_catalogue(
        f"""
currency: USD
models:
  - name: house-writer
    provider: gemini
    model: {MODEL}
    base_url: {url}
    api_key_env: {KEY_VARIABLE}
    price: {{input: 0.30, output: 2.50, cached_input: 0.03}}
"""
    )


async def run_once(scratch: Scratch, *, jobs_per_version: int) -> dict[str, Any]:
    async with in_process_stage(scratch, bot_token=TOKEN) as stage:
        database, gemini = stage.database, stage.gemini
        catalogue = priced_catalogue(gemini.url)
        router = TextRouter.from_catalogue(catalogue, environ={KEY_VARIABLE: GEMINI_KEY}, timeout=10.0)
        context = WorkerContext(stage.runtime, stage.quota, router, FairGate(1), catalogue=catalogue)
        jobs = JobService(database, stage.quota, NoSend(), stage.runtime.secrets, catalogue=catalogue)
        brand = BrandService(database)
        try:
            org_id = await unlimited_org(stage)
            tag = uuid.uuid4().hex[:8]
            job_ids: list[uuid.UUID] = []
            for tone in ("warm", "formal"):  # two versions of the kit
                policy = await load_org_policy(database, org_id)
                draft = BrandDraft(tone=tone, audience="tea lovers", examples=EXAMPLES)
                await brand.replace_kit(org_id, draft, actor=ADMIN, policy=policy)
                prompts = [f"A short post about this week's harvest, number {n} {tag}" for n in range(jobs_per_version)]
                job_ids += [job_id for job_id, _ in await post_text_jobs(context, jobs, stage, org_id, prompts)]
            calls = gemini.requests_for(MODEL)
            async with database.tenant(org_id) as session:
                rows = list(
                    (await session.scalars(select(QuotaSettlement).where(QuotaSettlement.job_id.in_(job_ids)))).all()
                )
            return {
                "versions": 2,
                "caches": gemini.caches.created,
                "calls": len(calls),
                "cached_calls": sum(1 for call in calls if call.body.get("cachedContent")),
                "rows": rows,
                "spec": catalogue.get("house-writer"),
            }
        finally:
            await router.aclose()


def measure(options: argparse.Namespace) -> list[Target]:
    with scratch_database("context_cache") as scratch:
        figures = asyncio.run(run_once(scratch, jobs_per_version=options.jobs))
    rows, spec = figures["rows"], figures["spec"]
    input_tokens = sum(row.input_tokens or 0 for row in rows)
    cached_tokens = sum(row.cached_input_tokens or 0 for row in rows)
    charged = sum(row.cost_micros or 0 for row in rows)
    at_cached_price = sum(
        cost_micros(spec, row.input_tokens or 0, row.output_tokens or 0, row.cached_input_tokens or 0) for row in rows
    )
    at_full_price = sum(cost_micros(spec, row.input_tokens or 0, row.output_tokens or 0) for row in rows)
    print(
        f"{len(rows)} jobs over {figures['versions']} kit versions: {figures['caches']} caches made, "
        f"{figures['cached_calls']} of {figures['calls']} model calls named a cache",
        flush=True,
    )
    print(
        f"input tokens {input_tokens:,}, {cached_tokens:,} of them read from the cache "
        f"({cached_tokens / max(1, input_tokens):.0%}); ledger cost {charged:,} micro-USD, "
        f"{at_full_price:,} at the full input price (baseline): {charged / max(1, at_full_price):.2f}x",
        flush=True,
    )
    return [
        at_most("caches made per kit version", figures["caches"] / figures["versions"], 1),
        at_least("model calls naming a cache", figures["cached_calls"] / max(1, figures["calls"]), 1.0),
        at_most("ledger cost off the cached price", abs(charged - at_cached_price), 0, "micro-USD"),
        at_most("ledger cost against the full input price", charged / max(1, at_full_price), 1.0, "x"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50, help="jobs run under each version of the kit")
    options = parser.parse_args(argv)
    return run_bench(BENCH, lambda: measure(options))


if __name__ == "__main__":
    raise SystemExit(main())
