"""Every quota key carries an expiry, and those holding open reservations outlast the lease.

A Redis that evicts only keys with an expiry (volatile-*) could otherwise never free an idle
organization's keys, and keys kept forever are what an evicting Redis drops first under allkeys-*;
either way, with every key expiring on its own schedule, nothing is held longer than it counts."""

from __future__ import annotations

import time
import uuid

import redis.asyncio as aioredis

from bot.quota import QuotaService
from bot.quota.keys import PREFIX
from tests.support.clock import FakeClock


async def _ttls(aredis: aioredis.Redis, org_id: uuid.UUID) -> dict[str, int]:
    base = f"{PREFIX}{{{org_id}}}:"
    keys = [key async for key in aredis.scan_iter(match=base + "*")]
    return {(k.decode() if isinstance(k, bytes) else k).removeprefix(base): await aredis.ttl(k) for k in keys}


async def test_every_quota_key_expires_and_open_reservations_outlast_the_lease(
    quota: QuotaService, aredis: aioredis.Redis, org_id: uuid.UUID, clock: FakeClock
) -> None:
    clock.now = time.time()  # Redis's own clock decides expiries
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 100)
    ttls = await _ttls(aredis, org_id)
    assert {"cfg", "bucket", "res", "open"} <= set(ttls), ttls
    assert any(name.startswith("month:") for name in ttls) and any(name.startswith("settled:") for name in ttls)
    assert all(ttl > 0 for ttl in ttls.values()), ttls  # -1 would be a key kept forever
    assert ttls["res"] > 2 * quota.lease_seconds and ttls["open"] > 2 * quota.lease_seconds
    # They live as long as the month that counts them.
    month = next(ttl for name, ttl in ttls.items() if name.startswith("month:"))
    assert ttls["res"] >= month - 5

    await quota.extend_lease(org_id, job)
    await quota.settle(org_id, job, 300)  # an overrun lowers the bucket: it keeps an expiry
    ttls = await _ttls(aredis, org_id)
    assert all(ttl > 0 for ttl in ttls.values()), ttls


async def test_a_rebuilt_month_gives_its_reservations_an_expiry(
    quota: QuotaService, aredis: aioredis.Redis, org_id: uuid.UUID, clock: FakeClock
) -> None:
    clock.now = time.time()
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 100)
    # Redis loses the month and the expiries of the reservation keys (as after a restore).
    keys = [key async for key in aredis.scan_iter(match=f"{PREFIX}{{{org_id}}}:*")]
    for key in keys:
        name = key.decode() if isinstance(key, bytes) else key
        if ":month:" in name:
            await aredis.delete(key)
        else:
            await aredis.persist(key)
    await quota.reserve(org_id, uuid.uuid4(), 50)  # rebuilds the month from the ledger
    ttls = await _ttls(aredis, org_id)
    assert ttls["res"] > 2 * quota.lease_seconds and ttls["open"] > 2 * quota.lease_seconds
    assert ttls["bucket"] > 0
