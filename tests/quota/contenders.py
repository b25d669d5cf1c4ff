"""The body of one competing process: its own event loop, Redis client and database pool."""

from __future__ import annotations

import asyncio
import random
import uuid
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import redis.asyncio as aioredis

from bot.errors import QuotaDenied
from bot.quota import QuotaService
from db.engine import Database

# A contender whose peers died stops waiting for them (the barrier breaks) instead of hanging.
BARRIER_SECONDS = 60


def contend(
    app_url: str, redis_url: str, org_id: str, sizes: list[int], seed: int, barrier: Barrier, results: Queue
) -> None:
    results.put(asyncio.run(_contend(app_url, redis_url, uuid.UUID(org_id), sizes, seed, barrier)))


async def _contend(
    app_url: str, redis_url: str, org_id: uuid.UUID, sizes: list[int], seed: int, barrier: Barrier
) -> dict[str, list]:
    redis = aioredis.Redis.from_url(redis_url, max_connections=200)
    # A few connections each: the processes contend on Redis and on rows, not on the server's
    # connection slots, which the other lane of the test run shares.
    database = Database(app_url, pool_size=3)
    quota = QuotaService(redis, database)
    try:
        await redis.ping()
        await database.ping()

        async def reserve(size: int) -> tuple[str, int] | int:
            job = uuid.uuid4()
            try:
                return str(job), (await quota.reserve(org_id, job, size)).tokens
            except QuotaDenied:
                return size

        # Every process starts reserving at once, and settles only once all have finished
        # reserving, so that no refund makes room for a later grant.
        await asyncio.to_thread(barrier.wait, BARRIER_SECONDS)
        answers = await asyncio.gather(*(reserve(size) for size in sizes))
        granted = [a for a in answers if isinstance(a, tuple)]
        denied = [a for a in answers if isinstance(a, int)]
        await asyncio.to_thread(barrier.wait, BARRIER_SECONDS)

        rng = random.Random(seed)
        actuals = [(job, rng.randint(0, tokens)) for job, tokens in granted]
        await asyncio.gather(*(quota.settle(org_id, uuid.UUID(job), actual) for job, actual in actuals))
        return {"granted": granted, "denied": denied, "actuals": actuals}
    finally:
        await redis.aclose()
        await database.dispose()
