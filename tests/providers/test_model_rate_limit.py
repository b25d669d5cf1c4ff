"""The per-model rate limit every worker shares, against the test run's Redis."""

from __future__ import annotations

import asyncio
import uuid

import redis.asyncio as aioredis

from workers.providers.rate_limit import ModelRateLimit


class RecordedSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds)


def model_name() -> str:
    return "model-" + uuid.uuid4().hex[:8]


async def test_a_burst_past_the_bucket_waits_for_the_refill(aredis: aioredis.Redis) -> None:
    sleep = RecordedSleep()
    limit = ModelRateLimit(aredis, requests_per_minute=60, sleep=sleep)  # 1/s, bursts of 10
    model = model_name()

    for _ in range(10):
        await limit.acquire(model, 10)
    assert sleep.waits == []

    await limit.acquire(model, 10)
    assert sleep.waits and 0 < sleep.waits[0] <= 1.0


async def test_each_model_has_its_own_bucket(aredis: aioredis.Redis) -> None:
    sleep = RecordedSleep()
    limit = ModelRateLimit(aredis, requests_per_minute=6, sleep=sleep)  # a burst of one
    first, second = model_name(), model_name()

    await limit.acquire(first, 10)
    await limit.acquire(second, 10)

    assert sleep.waits == []


async def test_tokens_the_model_counted_beyond_the_estimate_delay_the_next_call(aredis: aioredis.Redis) -> None:
    sleep = RecordedSleep()
    limit = ModelRateLimit(aredis, tokens_per_minute=6000, sleep=sleep)  # 100 tokens/s, bursts of 1,000
    model = model_name()

    await limit.acquire(model, 500)
    await limit.correct_tokens(model, 500, 1400)  # the answer was long: 900 more than estimated
    assert sleep.waits == []
    await limit.acquire(model, 200)

    assert sleep.waits  # 100 left, 200 wanted


async def test_a_pause_holds_every_caller_of_that_model(aredis: aioredis.Redis) -> None:
    model = model_name()
    one, other = RecordedSleep(), RecordedSleep()
    await ModelRateLimit(aredis, requests_per_minute=6000, sleep=one).pause(model, 0.5)

    await ModelRateLimit(aredis, requests_per_minute=6000, sleep=other).acquire(model, 10)

    assert other.waits and sum(other.waits) >= 0.3


async def test_a_shorter_pause_does_not_cut_a_longer_one(aredis: aioredis.Redis) -> None:
    model = model_name()
    limit = ModelRateLimit(aredis, requests_per_minute=6000)
    await limit.pause(model, 30)
    await limit.pause(model, 1)

    assert await aredis.pttl(f"cf:model-limit:{model}:paused") > 20_000
