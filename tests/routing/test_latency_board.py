"""Each model's moving median latency is shared by every worker through Redis."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis

from bot.routing.latency import LatencyBoard, latency_key
from tests.support.waiting import wait_until


async def test_what_one_worker_measures_another_sees_after_its_refresh(aredis: aioredis.Redis) -> None:
    model = f"model-{uuid.uuid4().hex[:8]}"
    here, there = LatencyBoard(aredis, (model,)), LatencyBoard(aredis, (model,))
    try:
        for seconds in (0.2, 0.3, 0.4):
            await here.record(model, seconds)
        assert there.medians()[model] is None

        await here.share()
        await there.refresh(force=True)

        assert there.medians()[model] == 0.3
    finally:
        await here.aclose()
        await aredis.delete(latency_key(model))


async def test_a_workers_measurements_reach_redis_within_its_share_interval_in_one_batch(
    aredis: aioredis.Redis,
) -> None:
    model = f"model-{uuid.uuid4().hex[:8]}"
    board = LatencyBoard(aredis, (model,), share_seconds=0.05)
    try:
        for seconds in (0.1, 0.2, 0.9):
            await board.record(model, seconds)
        assert await aredis.llen(latency_key(model)) == 0  # nothing sent per call

        async def all_sent() -> bool:
            return await aredis.llen(latency_key(model)) == 3

        await wait_until(all_sent, "the board never sent its three latencies", seconds=1, every=0.01)

        assert [float(value) for value in await aredis.lrange(latency_key(model), 0, -1)] == [0.9, 0.2, 0.1]
    finally:
        await board.aclose()
        await aredis.delete(latency_key(model))


async def test_what_is_unshared_is_sent_when_the_board_closes(aredis: aioredis.Redis) -> None:
    model = f"model-{uuid.uuid4().hex[:8]}"
    board = LatencyBoard(aredis, (model,), share_seconds=60)
    try:
        await board.record(model, 0.25)
        await board.aclose()
        assert await aredis.lrange(latency_key(model), 0, -1) == [b"0.250000"]
    finally:
        await aredis.delete(latency_key(model))


async def test_without_redis_a_worker_goes_by_its_own_measurements() -> None:
    board = LatencyBoard(None, ("m",))
    await board.record("m", 0.5)
    await board.refresh(force=True)
    assert board.medians() == {"m": 0.5}
