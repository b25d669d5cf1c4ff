"""Redis unreachable: generation is refused (budgets are never skipped); PostgreSQL still answers."""

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select

from bot.errors import ServiceUnavailable
from bot.quota import QuotaService, render_status
from db.engine import Database
from db.models import AuditEvent, JobState, QuotaSettings
from tests.quota.rows import insert_job, ledger_used


@pytest.fixture
async def nothing_listens() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5, socket_timeout=0.5)
    yield client
    await client.aclose()


@pytest.fixture
def cut_off(nothing_listens: aioredis.Redis, app_db: Database) -> QuotaService:
    return QuotaService(nothing_listens, app_db)


async def test_generation_is_refused_with_a_clear_message(cut_off: QuotaService, org_id: uuid.UUID) -> None:
    with pytest.raises(ServiceUnavailable) as refused:
        await cut_off.reserve(org_id, uuid.uuid4(), 100)
    assert refused.value.message == (
        "The quota service is unreachable right now, so nothing was generated (budgets are never skipped). "
        "Please try again in a minute."
    )


async def test_status_answers_from_the_ledger(
    cut_off: QuotaService, quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    settled, running = uuid.uuid4(), uuid.uuid4()
    for job in (settled, running):
        await quota.reserve(org_id, job, 1000)
        await insert_job(app_db, org_id, job, 1000, state=JobState.RUNNING)
    await quota.settle(org_id, settled, 700)

    status = await cut_off.status(org_id)

    assert (status.live, status.used, status.reserved, status.available_now) == (False, 700, 1000, None)
    text = render_status(status)
    assert "Used 700 of 2,000,000 tokens (1,000 reserved for jobs in progress)" in text
    assert "Live rate data is unavailable right now" in text


async def test_the_budget_can_still_be_changed(cut_off: QuotaService, app_db: Database, org_id: uuid.UUID) -> None:
    await cut_off.set_budget(org_id, 5000, actor="UADMIN")
    async with app_db.tenant(org_id) as session:
        assert (await session.execute(select(QuotaSettings.monthly_budget))).scalar_one() == 5000
        actions = (await session.execute(select(AuditEvent.action))).scalars().all()
    assert "quota.budget_set" in actions
    assert (await cut_off.status(org_id)).budget == 5000


async def test_a_settlement_reaches_the_ledger_and_waits_for_redis(
    cut_off: QuotaService, quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 1000)
    await insert_job(app_db, org_id, job, 1000, state=JobState.RUNNING)

    result = await cut_off.settle(org_id, job, 600)

    assert (result.recorded, result.synced, result.reserved) == (True, False, 1000)
    assert await ledger_used(app_db, org_id) == (600, 0)
    # Once Redis answers again, the same settle (or the reaper) applies it there, once.
    again = await quota.settle(org_id, job, 600)
    assert (again.recorded, again.applied, again.refunded) == (False, True, 400)
    status = await quota.status(org_id)
    assert (status.used, status.reserved) == (600, 0)
