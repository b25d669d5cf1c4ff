"""Reserve+settle pairs per second, next to a trivial one-line script on the same Redis, pool and
concurrency, so the ratio means something on any machine.

    .venv/bin/python bench/quota_ops.py [--seconds 3] [--concurrency 50] [--rounds 6]

Prints: trivial EVALSHA pairs/s; the quota's Redis half (reserve.lua + settle.lua, the target is at
least 0.7 of trivial); the full service pair (adds the reservation lookup and the ledger transaction
in PostgreSQL); and the ledger transaction alone, to show where the time goes. It runs in a scratch
database (bench/_scratch.py) with organizations of its own; the database is dropped at the end.
The last line is the verdict on the Lua/trivial ratio; exit status 0 met, 1 missed, 2 could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import redis.asyncio as aioredis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._scratch import Scratch, scratch_database
from bench.verdict import Target, at_least, run_bench
from bot.orgs.service import create_organization
from bot.quota import QuotaService
from bot.quota.keys import month_label, month_start
from bot.quota.ledger import record_settlement
from db.engine import Database

MIN_LUA_TO_TRIVIAL = 0.70


async def rate(operation: Callable[[], Awaitable[None]], seconds: float, concurrency: int) -> float:
    """Operations per second with ``concurrency`` tasks looping for ``seconds``."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await operation()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


async def run(scratch: Scratch, seconds: float, concurrency: int, rounds: int) -> list[Target]:
    redis = aioredis.Redis.from_url(scratch.redis_url, max_connections=concurrency * 2)
    database = Database(scratch.app_url, pool_size=concurrency // 2)
    org_id: uuid.UUID | None = None
    try:
        org_id = await create_organization(database, name="Bench org", team_id="TBENCH" + uuid.uuid4().hex[:6])
        quota = QuotaService(redis, database)
        await quota.set_budget(org_id, 10**12, actor="bench")
        await quota.set_limits(org_id, rate_per_minute=2**31 - 1, burst=2**31 - 1, actor="bench")
        trivial = redis.register_script("return 1")
        assert org_id is not None
        org = org_id
        label = month_label(time.time())

        async def trivial_pair() -> None:
            await trivial()
            await trivial()

        async def lua_pair() -> None:
            job, now = uuid.uuid4(), time.time()
            await quota.reserve_in_redis(org, job, 1000, now)
            await quota.settle_in_redis(org, job, 700, 0, label, now)

        async def service_pair() -> None:
            job = uuid.uuid4()
            await quota.reserve(org, job, 1000)
            await quota.settle(org, job, 700)

        async def settle_in_ledger(owner: uuid.UUID) -> None:
            async with database.tenant_driver(owner) as driver:
                await record_settlement(
                    driver,
                    owner,
                    uuid.uuid4(),
                    actual=700,
                    outcome="settled",
                    reserved=1000,
                    month=month_start(label),
                    default_month=month_start(label),
                )

        async def ledger_write() -> None:
            await settle_in_ledger(org)

        orgs = [
            await create_organization(database, name=f"Bench org {n}", team_id=f"TB{n}" + uuid.uuid4().hex[:6])
            for n in range(concurrency)
        ]
        turn = iter(range(10**12))

        async def ledger_write_spread() -> None:
            await settle_in_ledger(orgs[next(turn) % len(orgs)])

        await rate(service_pair, 0.5, concurrency)  # warm: pools filled, scripts loaded, month built
        operations = {
            "trivial EVALSHA pair": trivial_pair,
            "reserve+settle Lua pair": lua_pair,
            "service reserve+settle pair": service_pair,
            "ledger transaction, one org": ledger_write,
            "ledger transaction, many orgs": ledger_write_spread,
        }
        # Short interleaved rounds, so that load from elsewhere on the machine falls on all alike.
        samples: dict[str, list[float]] = {title: [] for title in operations}
        for _ in range(rounds):
            for title, operation in operations.items():
                samples[title].append(await rate(operation, seconds / rounds, concurrency))
        results = {title: statistics.median(values) for title, values in samples.items()}
        ratios = [
            lua / trivial
            for lua, trivial in zip(samples["reserve+settle Lua pair"], samples["trivial EVALSHA pair"], strict=True)
        ]

        print(
            f"concurrency {concurrency}, {rounds} interleaved rounds, {seconds:g} s per operation, "
            f"Redis {scratch.redis_url}; medians:"
        )
        for title, per_second in results.items():
            print(f"  {title:<32} {per_second:>10,.0f} /s")
        print(
            f"  Lua pair / trivial pair          {statistics.median(ratios):>10.2f}   (target >= {MIN_LUA_TO_TRIVIAL}; rounds: "
            + " ".join(f"{r:.2f}" for r in ratios)
            + ")"
        )
        trivial_rate = results["trivial EVALSHA pair"]
        print(f"  service pair / trivial pair      {results['service reserve+settle pair'] / trivial_rate:>10.2f}")
        per_pair_ms = 1000 * concurrency / results["service reserve+settle pair"]
        ledger_ms = 1000 * concurrency / results["ledger transaction, one org"]
        lua_ms = 1000 * concurrency / results["reserve+settle Lua pair"]
        print(
            f"  a service pair takes {per_pair_ms:.1f} ms at this concurrency: the ledger transaction "
            f"{ledger_ms:.1f} ms (one organization's settlements queue on its month's ledger row, each "
            f"waiting for the previous commit), the Lua pair {lua_ms:.1f} ms, the rest (reservation "
            f"lookup, spans) {max(0.0, per_pair_ms - ledger_ms - lua_ms):.1f} ms"
        )
        return [at_least("Lua pair / trivial pair", statistics.median(ratios), MIN_LUA_TO_TRIVIAL)]
    finally:
        if org_id is not None:
            keys = [key async for key in redis.scan_iter(match=f"cf:q:{{{org_id}}}:*")]
            if keys:
                await redis.delete(*keys)
        await redis.aclose()
        await database.dispose()


def bench(options: argparse.Namespace) -> list[Target]:
    with scratch_database("quota") as scratch:
        return asyncio.run(run(scratch, options.seconds, options.concurrency, options.rounds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=6)
    options = parser.parse_args()
    return run_bench("quota_ops", lambda: bench(options))


if __name__ == "__main__":
    sys.exit(main())
