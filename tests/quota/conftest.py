"""A quota service on the run's own Redis index and PostgreSQL database, with a hand-moved clock."""

from __future__ import annotations

import time
import uuid

import pytest
import redis.asyncio as aioredis

from bot.quota import QuotaService
from db.engine import Database
from tests.support.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(time.time())


@pytest.fixture
def quota(aredis: aioredis.Redis, app_db: Database, clock: FakeClock) -> QuotaService:
    return QuotaService(aredis, app_db, lease_seconds=60, clock=clock)


@pytest.fixture
async def unlimited_rate(quota: QuotaService, org_id: uuid.UUID) -> None:
    """Only the monthly budget binds."""
    await quota.set_limits(org_id, rate_per_minute=10**9, burst=10**9, actor="test")
