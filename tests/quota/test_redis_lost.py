"""Redis loses everything (FLUSHDB on the run's own index): PostgreSQL brings it back, never zero."""

import uuid

import pytest
import redis.asyncio as aioredis

from bot.errors import QuotaDenied
from bot.orgs.service import create_organization
from bot.quota import QuotaService
from bot.quota.keys import month_label, month_start
from bot.quota.ledger import record_settlement
from db.engine import Database
from db.models import JobState
from tests.quota.rows import insert_job, ledger_used

pytestmark = pytest.mark.usefixtures("unlimited_rate")


async def reserve_job(quota: QuotaService, app_db: Database, org_id: uuid.UUID, tokens: int) -> uuid.UUID:
    """The command path: reserve, then write the job row."""
    job = uuid.uuid4()
    await quota.reserve(org_id, job, tokens)
    await insert_job(app_db, org_id, job, tokens, state=JobState.RUNNING)
    return job


async def redis_and_ledger(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> tuple[tuple[int, int], tuple[int, int]]:
    """(used, reserved) as the quota reads them from Redis, and (used, overrun) as the ledger has them."""
    status = await quota.status(org_id)
    return (status.used, status.reserved), await ledger_used(app_db, org_id)


async def spend_until_denied(quota: QuotaService, app_db: Database, org_id: uuid.UUID, size: int) -> int:
    granted = 0
    while True:
        try:
            await reserve_job(quota, app_db, org_id, size)
        except QuotaDenied:
            return granted
        granted += size


async def test_a_flush_mid_month_is_rebuilt_from_the_ledger(
    quota: QuotaService, app_db: Database, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    await quota.set_budget(org_id, 10_000, actor="UADMIN")
    jobs = [await reserve_job(quota, app_db, org_id, 1000) for _ in range(5)]
    await quota.settle(org_id, jobs[0], 800)
    await quota.settle(org_id, jobs[1], 1200)  # an overrun
    before = await quota.status(org_id)

    await aredis.flushdb()

    after = await quota.status(org_id)
    assert (after.used, after.reserved, after.overrun, after.left) == (2000, 3000, 200, 5000)
    assert (before.used, before.reserved) == (after.used, after.reserved)
    # the jobs still running settle normally after the rebuild, charged once
    await quota.settle(org_id, jobs[2], 500)
    await quota.release(org_id, jobs[3])
    assert await redis_and_ledger(quota, app_db, org_id) == ((2500, 1000), (2500, 200))


async def test_no_organization_spends_past_its_budget_across_a_flush(
    quota: QuotaService, app_db: Database, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    other = await create_organization(app_db, name="Other org", team_id="T" + uuid.uuid4().hex[:10].upper())
    for org, budget in ((org_id, 10_000), (other, 5_000)):
        await quota.set_limits(org, rate_per_minute=10**9, burst=10**9, actor="test")
        await quota.set_budget(org, budget, actor="UADMIN")
    first = await reserve_job(quota, app_db, org_id, 1000)
    await quota.settle(org_id, first, 1000)
    spent = {
        org_id: 1000 + await spend_until_denied(quota, app_db, org_id, 700),
        other: await spend_until_denied(quota, app_db, other, 700),
    }

    await aredis.flushdb()

    for org, budget in ((org_id, 10_000), (other, 5_000)):
        spent[org] += await spend_until_denied(quota, app_db, org, 700)
        status = await quota.status(org)
        assert spent[org] <= budget
        assert status.used + status.reserved == spent[org]
        assert status.left < 700
    assert (await quota.status(org_id)).used == 1000


async def test_a_settlement_written_before_the_flush_but_not_applied_counts_once(
    quota: QuotaService, app_db: Database, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    job = await reserve_job(quota, app_db, org_id, 1000)
    # The worker wrote the ledger, then died before telling Redis.
    async with app_db.tenant_driver(org_id) as driver:
        await record_settlement(
            driver,
            org_id,
            job,
            actual=400,
            outcome="settled",
            reserved=1000,
            month=None,
            default_month=month_start(month_label(quota.clock())),
        )
    await aredis.flushdb()

    result = await quota.settle(org_id, job, 400)

    assert (result.recorded, result.applied) == (False, False)
    assert await redis_and_ledger(quota, app_db, org_id) == ((400, 0), (400, 0))


async def test_a_reservation_redis_forgot_is_still_charged_when_it_settles(
    quota: QuotaService, app_db: Database, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 1000)  # its job row was not written yet
    await aredis.flushdb()
    await quota.status(org_id)  # someone rebuilds the month meanwhile

    await quota.settle(org_id, job, 300)

    assert await redis_and_ledger(quota, app_db, org_id) == ((300, 0), (300, 0))


async def test_lost_settings_are_read_again_from_postgresql(
    quota: QuotaService, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    await quota.set_budget(org_id, 1234, actor="UADMIN")
    await aredis.flushdb()
    status = await quota.status(org_id)
    assert (status.budget, status.rate_per_minute) == (1234, 10**9)
