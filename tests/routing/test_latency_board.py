"""Each model's moving median latency is shared by every worker through Redis."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis

from bot.routing.latency import LatencyBoard, latency_key


async def test_what_one_worker_measures_another_sees_after_its_refresh(aredis: aioredis.Redis) -> None:
    model = f"model-{uuid.uuid4().hex[:8]}"
    here, there = LatencyBoard(aredis, (model,)), LatencyBoard(aredis, (model,))
    try:
        for seconds in (0.2, 0.3, 0.4):
            await here.record(model, seconds)
        assert there.medians()[model] is None

        await there.refresh(force=True)

        assert there.medians()[model] == 0.3
    finally:
        await aredis.delete(latency_key(model))


async def test_without_redis_a_worker_goes_by_its_own_measurements() -> None:
    board = LatencyBoard(None, ("m",))
    await board.record("m", 0.5)
    await board.refresh(force=True)
    assert board.medians() == {"m": 0.5}
