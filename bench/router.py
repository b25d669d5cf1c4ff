"""The model router: what a routing decision costs, how fast a failover answers, whether
``cheapest`` and ``fastest`` choose right, and whether the ledger's money matches the usage the
models reported, to the cent.

    .venv/bin/python bench/router.py [--jobs 1000] [--concurrency 20] [--seed 7]

Three models on a fake OpenAI-compatible server (``sandbox/openai_server.py``) with different
prices and latencies, the real router (``workers/providers/router.py``), the real choice
(``bot/routing/policy.py``), the real latency board in Redis and the real quota in a scratch
database (``bench/_scratch.py``, dropped at the end). Figures:

- decision overhead: one job's choice (latency refresh, medians, health, order) over 10,000
  decisions, p50 and p99, next to the fake model's own answer time measured in the same run;
- failover: the preferred model answers 503, the next one answers; the time to that answer
  against the next model's own latency measured in the same run, plus 100 ms;
- cheapest: 1,000 decisions with random token estimates and random open circuits, checked
  against a brute-force minimum over the healthy models;
- fastest: after the fastest model slows down, how many jobs until the choice moves;
- spend: ``--jobs`` jobs over the three models with random 503s, 429s (Retry-After) and blank
  answers that bill their usage, some on every model at once (those jobs fail), each reserved
  and settled through the quota; the ledger's total cost against the sum over the fake's
  reported usage times the price table, and the same per model (every attempt booked to the
  model that served it).

The last line is the verdict; exit status 0 met, 1 missed, 2 could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import redis.asyncio as aioredis
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._scratch import Scratch, scratch_database
from bench.verdict import Target, at_least, at_most, run_bench
from bot.orgs.service import create_organization
from bot.quota import QuotaService
from bot.quota.estimate import prompt_tokens
from bot.quota.models import Spend
from bot.routing.catalogue import Catalogue, ModelSpec
from bot.routing.latency import LatencyBoard
from bot.routing.policy import RoutingPolicy, Strategy, candidate_order
from bot.routing.pricing import MICROS_PER_UNIT, exact_cost, worst_case_micros
from db.engine import Database
from sandbox.openai_server import FakeOpenAI
from workers.providers.base import ProviderError, TextRequest
from workers.providers.circuit import CircuitBreaker
from workers.providers.router import RetryPolicy, TextRouter

KEY = "bench-key"
DECISION_P99_MS = 0.5
FAILOVER_SLACK_MS = 100.0
FASTEST_WITHIN_JOBS = 20
CENT = Decimal("0.01")
# name, input price, output price (per million tokens), latency (s)
MODELS = (
    ("llama-8b", "0.05", "0.08", 0.030),
    ("gpt-mini", "0.15", "0.60", 0.060),
    ("flash", "0.30", "2.50", 0.090),
)


def catalogue_for(fake: FakeOpenAI) -> Catalogue:
    return Catalogue(
        tuple(
            ModelSpec(
                name=name,
                provider="openai",
                model_id=name,
                base_url=fake.base_url,
                api_key_env="BENCH_OPENAI_KEY",
                input_price=Decimal(input_price),
                output_price=Decimal(output_price),
            )
            for name, input_price, output_price, _ in MODELS
        )
    )


def build_router(catalogue: Catalogue, latency: LatencyBoard | None = None) -> TextRouter:
    return TextRouter.from_catalogue(
        catalogue,
        environ={"BENCH_OPENAI_KEY": KEY},
        timeout=10.0,
        latency=latency,
        policy=RetryPolicy(max_attempts_per_model=3, base_delay=0.005, max_delay=0.02, failover_first=True),
    )


def request_for(prompt: str) -> TextRequest:
    return TextRequest(prompt=prompt, system_instruction="You write short posts.", max_output_tokens=256)


def ms(seconds: float) -> float:
    return seconds * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure_decisions(catalogue: Catalogue, redis: aioredis.Redis, router: TextRouter) -> tuple[float, float]:
    board = LatencyBoard(redis, catalogue.names, refresh_seconds=0.05)
    rng = random.Random(1)
    for name in catalogue.names:
        for _ in range(10):
            await board.record(name, rng.uniform(0.02, 0.1))
    timings: list[float] = []
    strategies = [Strategy.ORDERED, Strategy.CHEAPEST, Strategy.FASTEST]
    for n in range(10_000):
        policy = RoutingPolicy(strategy=strategies[n % 3])
        started = time.perf_counter()
        latencies = None
        if policy.strategy is Strategy.FASTEST:
            await board.refresh()
            latencies = board.medians()
        candidate_order(
            catalogue.models,
            policy,
            input_tokens=200 + n % 1000,
            output_tokens=256,
            healthy=router.healthy,
            latencies=latencies,
        )
        timings.append(time.perf_counter() - started)
    return ms(statistics.median(timings)), ms(percentile(timings, 0.99))


async def measure_failover(fake: FakeOpenAI, catalogue: Catalogue, rounds: int = 20) -> tuple[float, float]:
    """(next model's own p50 latency, p90 time to its answer after the first one's 503), in ms."""
    router = build_router(catalogue)
    order = ["llama-8b", "gpt-mini"]
    try:
        direct: list[float] = []
        failover: list[float] = []
        for n in range(rounds):
            started = time.perf_counter()
            await router.generate_text(request_for(f"direct {n}"), models=order[1:])
            direct.append(time.perf_counter() - started)
            fake.inject(model="llama-8b", status=503)
            started = time.perf_counter()
            result = await router.generate_text(request_for(f"failover {n}"), models=order)
            failover.append(time.perf_counter() - started)
            assert result.model == "gpt-mini", result.model
            router.breaker("llama-8b").record_success()  # keep its circuit closed for the next round
        return ms(statistics.median(direct)), ms(percentile(failover, 0.9))
    finally:
        await router.aclose()


def measure_cheapest(catalogue: Catalogue, decisions: int = 1000) -> float:
    rng = random.Random(3)
    breakers = {name: CircuitBreaker(failure_threshold=1, cooldown=3600) for name in catalogue.names}
    right = 0
    for _ in range(decisions):
        for breaker in breakers.values():
            breaker.record_success()
        # Up to two of the three models in trouble at once.
        for name in rng.sample(catalogue.names, rng.randint(0, 2)):
            breakers[name].record_failure()
        input_tokens, output_tokens = rng.randint(10, 20_000), rng.randint(10, 4_000)
        healthy = [spec for spec in catalogue.models if breakers[spec.name].allow()]
        for breaker in breakers.values():
            breaker.release()
        expected = min(healthy, key=lambda spec: exact_cost(spec, input_tokens, output_tokens)).name
        chosen = candidate_order(
            catalogue.models,
            RoutingPolicy(strategy=Strategy.CHEAPEST),
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            healthy=lambda name: breakers[name].state != "open",
        )[0]
        right += chosen == expected
    return 100.0 * right / decisions


async def measure_fastest(fake: FakeOpenAI, catalogue: Catalogue, redis: aioredis.Redis) -> int:
    """Jobs until ``fastest`` stops choosing the model that slowed down (the bench's limit + 1 if never)."""
    board = LatencyBoard(redis, catalogue.names)
    router = build_router(catalogue, latency=board)
    policy = RoutingPolicy(strategy=Strategy.FASTEST)

    async def one_job(n: int) -> str:
        await board.refresh()
        order = candidate_order(
            catalogue.models, policy, output_tokens=256, healthy=router.healthy, latencies=board.medians()
        )
        return (await router.generate_text(request_for(f"fastest {n}"), models=order)).model

    try:
        for n in range(30):  # every model measured, then settled on the fastest
            chosen = await one_job(n)
        assert chosen == "llama-8b", chosen
        fake.set_latency("llama-8b", 0.250)
        for n in range(1, FASTEST_WITHIN_JOBS * 3):
            if await one_job(100 + n) != "llama-8b":
                return n
        return FASTEST_WITHIN_JOBS * 3
    finally:
        fake.set_latency("llama-8b", MODELS[0][3])
        await router.aclose()


@dataclass(frozen=True)
class Spent:
    """The spend run's figures, in currency units."""

    ledger: Decimal  # the ledger's total cost
    reported: Decimal  # the fake's reported usage times the price table
    worst_model_gap: Decimal  # the largest difference, per model, between the two
    answered: int
    failed: int


async def measure_spend(
    scratch: Scratch,
    fake: FakeOpenAI,
    catalogue: Catalogue,
    redis: aioredis.Redis,
    jobs: int,
    concurrency: int,
    seed: int,
) -> Spent:
    database = Database(scratch.app_url, pool_size=concurrency)
    board = LatencyBoard(redis, catalogue.names)
    router = build_router(catalogue, latency=board)
    quota = QuotaService(redis, database)
    rng = random.Random(seed)
    fake.reset()
    for name, *_ in MODELS:
        fake.set_latency(name, 0.005)
    answered = failed = 0
    try:
        org = await create_organization(database, name="Router bench", team_id="TRB" + uuid.uuid4().hex[:8])
        await quota.set_budget(org, 10**12, actor="bench")
        await quota.set_limits(org, rate_per_minute=2**31 - 1, burst=2**31 - 1, actor="bench")
        await quota.set_money_budget(org, 10**12, "USD", actor="bench")
        strategies = list(Strategy)
        gate = asyncio.Semaphore(concurrency)

        async def one_job(n: int) -> None:
            nonlocal answered, failed
            async with gate:
                prompt = f"job {n}: " + "word " * rng.randint(1, 400)
                policy = RoutingPolicy(strategy=strategies[n % 3])
                # Random failures: a 503, or a 429 with a short Retry-After, on a random model.
                roll = rng.random()
                if roll < 0.04:
                    # Every model fails this job: it is failed, and charged only what was reported
                    # (nothing for a 503; a blank answer's usage, at each model's prices).
                    fault = {"status": 503} if roll < 0.02 else {"blank_answer": True}
                    for name in catalogue.names:
                        fake.inject(model=name, count=None, prompt_contains=f"job {n}:", **fault)
                elif roll < 0.10:
                    # A model that bills a blank answer, then the next one answers.
                    fake.inject(model=rng.choice(catalogue.names), blank_answer=True, prompt_contains=f"job {n}:")
                elif roll < 0.15:
                    fake.inject(model=rng.choice(catalogue.names), status=503, prompt_contains=f"job {n}:")
                elif roll < 0.25:
                    fake.inject(
                        model=rng.choice(catalogue.names), status=429, retry_after=0, prompt_contains=f"job {n}:"
                    )
                job = uuid.uuid4()
                hold = worst_case_micros(
                    catalogue.models, kind="text", input_tokens=prompt_tokens(prompt), output_tokens=256
                )
                await quota.reserve(org, job, 5000, cost_micros=hold)
                request = request_for(prompt)
                order = candidate_order(
                    catalogue.models,
                    policy,
                    input_tokens=len(prompt) // 4,
                    output_tokens=256,
                    healthy=router.healthy,
                    latencies=board.medians(),
                )
                try:
                    result = await router.generate_text(request, models=order)
                except ProviderError as error:
                    failed += 1
                    await quota.settle(org, job, error.tokens_used, spend=Spend.of_charges(error.model, error.charges))
                    return
                answered += 1
                await quota.settle(org, job, result.tokens_used, spend=result.spend)

        await asyncio.gather(*(one_job(n) for n in range(jobs)))
        async with database.tenant(org) as session:
            ledger_micros = (
                await session.execute(text("SELECT coalesce(sum(cost_micros), 0) FROM quota_settlements"))
            ).scalar_one()
        booked = {line.model: Decimal(line.cost_micros) for line in (await quota.status(org)).by_model}
        reported = {
            model: exact_cost(catalogue.get(model), usage.prompt_tokens, usage.completion_tokens)
            for model, usage in fake.usage().items()
        }
        expected = sum(reported.values(), Decimal(0))
        worst_model_gap = max(
            (abs(booked.get(model, Decimal(0)) - reported.get(model, Decimal(0))) for model in {*booked, *reported}),
            default=Decimal(0),
        )
        return Spent(
            Decimal(ledger_micros) / MICROS_PER_UNIT,
            expected / MICROS_PER_UNIT,
            worst_model_gap / MICROS_PER_UNIT,
            answered,
            failed,
        )
    finally:
        for name, *_rest, latency in MODELS:
            fake.set_latency(name, latency)
        await router.aclose()
        await database.dispose()


async def run(scratch: Scratch, options: argparse.Namespace) -> list[Target]:
    redis = aioredis.Redis.from_url(scratch.redis_url)
    try:
        async with FakeOpenAI(api_key=KEY) as fake:
            for name, *_rest, latency in MODELS:
                fake.set_latency(name, latency)
            catalogue = catalogue_for(fake)
            router = build_router(catalogue)
            try:
                p50, p99 = await measure_decisions(catalogue, redis, router)
            finally:
                await router.aclose()
            print(f"decision per job: p50 {p50:.3f} ms, p99 {p99:.3f} ms (target p99 < {DECISION_P99_MS} ms)")
            direct, failover = await measure_failover(fake, catalogue)
            print(
                f"failover after a 503: p90 {failover:.1f} ms to the next model's answer; that model alone "
                f"answers in {direct:.1f} ms (p50), so the target is <= {direct + FAILOVER_SLACK_MS:.1f} ms; "
                f"a routing decision is {p99 / direct * 100:.3f} % of that answer time"
            )
            cheapest = measure_cheapest(catalogue)
            print(f"cheapest: the cheaper healthy model in {cheapest:.1f} % of 1,000 decisions")
            jobs_to_follow = await measure_fastest(fake, catalogue, redis)
            print(f"fastest: moved off a model that slowed from 30 ms to 250 ms after {jobs_to_follow} jobs")
            spent = await measure_spend(
                scratch, fake, catalogue, redis, options.jobs, options.concurrency, options.seed
            )
            gap = abs(spent.ledger - spent.reported)
            print(
                f"spend over {options.jobs:,} jobs ({spent.answered:,} answered, {spent.failed:,} failed; statuses "
                f"{dict(sorted(fake.statuses.items()))}): ledger {spent.ledger:.6f} USD, reported usage x prices "
                f"{spent.reported:.6f} USD, gap {gap:.6f} USD; per model, the largest gap is "
                f"{spent.worst_model_gap:.6f} USD"
            )
            return [
                at_most("decision p99", round(p99, 4), DECISION_P99_MS, "ms"),
                at_most("failover p90", round(failover, 1), round(direct + FAILOVER_SLACK_MS, 1), "ms"),
                at_least("cheapest right", cheapest, 100, "%"),
                at_most("fastest follows within", jobs_to_follow, FASTEST_WITHIN_JOBS, "jobs"),
                at_most("spend gap", float(gap), float(CENT / 2), "USD"),
                at_most("spend gap per model", float(spent.worst_model_gap), float(CENT / 2), "USD"),
            ]
    finally:
        await redis.aclose()


def bench(options: argparse.Namespace) -> list[Target]:
    with scratch_database("router") as scratch:
        return asyncio.run(run(scratch, options))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    return run_bench("router", lambda: bench(options))


if __name__ == "__main__":
    sys.exit(main())
