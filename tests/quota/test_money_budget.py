"""A monthly budget in money, reserved and settled by the same scripts as tokens: a job whose
estimate exceeds what is left is refused, the ledger records each job's model, tokens and cost,
and a Redis that lost everything is rebuilt with the money spent and held."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select

from bot.quota import QuotaExceeded, QuotaService, render_status
from bot.quota.models import Spend
from db.engine import Database
from db.models import AuditEvent, JobState, QuotaSettlement
from tests.quota.rows import insert_job

pytestmark = pytest.mark.usefixtures("unlimited_rate")

DOLLAR = 1_000_000


async def test_a_reservation_past_the_money_left_is_refused_and_takes_nothing(
    quota: QuotaService, org_id: uuid.UUID
) -> None:
    await quota.set_money_budget(org_id, 1 * DOLLAR, "USD", actor="UADMIN")
    await quota.reserve(org_id, uuid.uuid4(), 100, cost_micros=600_000)

    with pytest.raises(QuotaExceeded) as refused:
        await quota.reserve(org_id, uuid.uuid4(), 100, cost_micros=500_000)

    denial = refused.value.denial
    assert (denial.reason, denial.money_left, denial.money_budget) == ("money", 400_000, DOLLAR)
    assert "Monthly money budget reached: $0.40 of $1.00 left" in str(refused.value)
    status = await quota.status(org_id)
    assert (status.reserved, status.cost_reserved_micros, status.money_left) == (100, 600_000, 400_000)


async def test_settling_charges_the_cost_and_gives_back_the_rest_of_the_hold(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    await quota.set_money_budget(org_id, 5 * DOLLAR, "USD", actor="UADMIN")
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 1000, cost_micros=2 * DOLLAR)
    await insert_job(app_db, org_id, job, 1000, state=JobState.RUNNING)

    await quota.settle(org_id, job, 700, spend=Spend("llama-70b", 500, 200, 123_457))
    again = await quota.settle(org_id, job, 700, spend=Spend("llama-70b", 500, 200, 999_999))

    assert not again.recorded
    status = await quota.status(org_id)
    assert (status.spent_micros, status.cost_reserved_micros) == (123_457, 0)
    assert status.money_left == 5 * DOLLAR - 123_457
    [line] = status.by_model
    assert (line.model, line.jobs, line.input_tokens, line.output_tokens, line.cost_micros) == (
        "llama-70b",
        1,
        500,
        200,
        123_457,
    )
    async with app_db.tenant(org_id) as session:
        row = (await session.execute(select(QuotaSettlement).where(QuotaSettlement.job_id == job))).scalar_one()
    assert (row.model, row.input_tokens, row.output_tokens, row.cost_micros) == ("llama-70b", 500, 200, 123_457)
    assert "• `llama-70b`: $0.13 for 1 job (500 in, 200 out)" in render_status(status)


async def test_a_release_charges_no_money(quota: QuotaService, app_db: Database, org_id: uuid.UUID) -> None:
    await quota.set_money_budget(org_id, DOLLAR, "USD", actor="UADMIN")
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 100, cost_micros=300_000)
    await insert_job(app_db, org_id, job, 100, state=JobState.RUNNING)

    await quota.release(org_id, job)

    status = await quota.status(org_id)
    assert (status.spent_micros, status.cost_reserved_micros, status.money_left) == (0, 0, DOLLAR)


async def test_money_spent_and_held_survive_a_redis_flush(
    quota: QuotaService, app_db: Database, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    await quota.set_money_budget(org_id, DOLLAR, "USD", actor="UADMIN")
    settled, running = uuid.uuid4(), uuid.uuid4()
    await quota.reserve(org_id, settled, 100, cost_micros=400_000)
    await insert_job(app_db, org_id, settled, 100, state=JobState.RUNNING)
    await quota.settle(org_id, settled, 90, spend=Spend("flash", 60, 30, 250_000))
    await quota.reserve(org_id, running, 100, cost_micros=300_000)
    await insert_job(app_db, org_id, running, 100, state=JobState.RUNNING, cost_reserved_micros=300_000)

    await aredis.flushdb()

    with pytest.raises(QuotaExceeded) as refused:
        await quota.reserve(org_id, uuid.uuid4(), 10, cost_micros=450_001)
    assert refused.value.denial.money_left == DOLLAR - 250_000 - 300_000
    status = await quota.status(org_id)
    assert (status.spent_micros, status.cost_reserved_micros) == (250_000, 300_000)


async def test_turning_the_money_budget_off_lifts_the_limit_and_is_audited(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    await quota.set_money_budget(org_id, 0, "USD", actor="UADMIN")
    with pytest.raises(QuotaExceeded):
        await quota.reserve(org_id, uuid.uuid4(), 10, cost_micros=1)

    await quota.set_money_budget(org_id, None, None, actor="UADMIN")

    await quota.reserve(org_id, uuid.uuid4(), 10, cost_micros=10 * DOLLAR)
    async with app_db.tenant(org_id) as session:
        actions = (
            await session.execute(select(AuditEvent.action).where(AuditEvent.action == "quota.money_budget_set"))
        ).scalars()
        assert len(list(actions)) == 2


async def test_an_unpriced_job_is_never_refused_for_money(quota: QuotaService, org_id: uuid.UUID) -> None:
    await quota.set_money_budget(org_id, 0, "USD", actor="UADMIN")
    reservation = await quota.reserve(org_id, uuid.uuid4(), 10)
    assert (reservation.tokens, reservation.cost_micros) == (10, 0)
