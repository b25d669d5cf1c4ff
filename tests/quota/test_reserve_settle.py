import asyncio
import uuid

import pytest
from sqlalchemy import select

from bot.errors import QuotaDenied
from bot.quota import QuotaExceeded, QuotaService, ReservationClosed
from db.engine import Database
from db.models import AuditEvent, JobState
from tests.quota.rows import insert_job, job_quota_state, ledger_used, settlements
from tests.support.clock import FakeClock

pytestmark = pytest.mark.usefixtures("unlimited_rate")


async def test_reserve_then_settle_refunds_the_unused_part(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    job = uuid.uuid4()
    reservation = await quota.reserve(org_id, job, 1000)
    await insert_job(app_db, org_id, job, 1000, state=JobState.RUNNING)
    assert (reservation.tokens, reservation.replayed) == (1000, False)
    assert (await quota.status(org_id)).reserved == 1000

    result = await quota.settle(org_id, job, 300)

    assert (result.reserved, result.actual, result.refunded, result.overrun) == (1000, 300, 700, 0)
    status = await quota.status(org_id)
    assert (status.used, status.reserved) == (300, 0)
    assert await ledger_used(app_db, org_id) == (300, 0)
    assert await job_quota_state(app_db, org_id, job) == ("settled", 300)


async def test_a_second_reserve_for_the_same_job_returns_the_first(quota: QuotaService, org_id: uuid.UUID) -> None:
    job = uuid.uuid4()
    first = await quota.reserve(org_id, job, 500)
    again = await asyncio.gather(*(quota.reserve(org_id, job, 900) for _ in range(5)))
    assert {r.tokens for r in again} == {500}
    assert all(r.replayed for r in again) and not first.replayed
    assert {r.lease_until for r in again} == {first.lease_until}
    assert (await quota.status(org_id)).reserved == 500


async def test_a_settled_job_cannot_reserve_again(quota: QuotaService, org_id: uuid.UUID) -> None:
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 100)
    await quota.settle(org_id, job, 100)
    with pytest.raises(ReservationClosed):
        await quota.reserve(org_id, job, 100)


async def test_concurrent_duplicate_settles_charge_once(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 1000)
    results = await asyncio.gather(*(quota.settle(org_id, job, 400) for _ in range(8)))

    assert sum(r.recorded for r in results) == 1
    assert sum(r.applied for r in results) == 1
    assert {(r.reserved, r.actual) for r in results} == {(1000, 400)}
    assert await ledger_used(app_db, org_id) == (400, 0)
    status = await quota.status(org_id)
    assert (status.used, status.reserved) == (400, 0)


async def test_a_repeat_settle_keeps_the_first_numbers(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 1000)
    await quota.settle(org_id, job, 400)
    repeat = await quota.settle(org_id, job, 999)
    assert (repeat.actual, repeat.recorded, repeat.applied) == (400, False, False)
    assert await quota.release(org_id, job) is False
    assert await ledger_used(app_db, org_id) == (400, 0)
    assert (await quota.status(org_id)).used == 400


async def test_release_gives_everything_back_once(quota: QuotaService, app_db: Database, org_id: uuid.UUID) -> None:
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 700)
    await insert_job(app_db, org_id, job, 700)

    answers = await asyncio.gather(*(quota.release(org_id, job) for _ in range(6)))

    assert answers.count(True) == 1
    status = await quota.status(org_id)
    assert (status.used, status.reserved) == (0, 0)
    assert await job_quota_state(app_db, org_id, job) == ("released", None)
    assert (await settlements(app_db, org_id))[job].actual == 0
    assert await quota.release(org_id, job) is False


async def test_an_overrun_is_charged_and_recorded(quota: QuotaService, app_db: Database, org_id: uuid.UUID) -> None:
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 100)
    result = await quota.settle(org_id, job, 250)

    assert (result.overrun, result.refunded) == (150, -150)
    assert (await settlements(app_db, org_id))[job].overrun == 150
    assert await ledger_used(app_db, org_id) == (250, 150)
    status = await quota.status(org_id)
    assert (status.used, status.overrun, status.reserved) == (250, 150, 0)


async def test_budget_denial_says_what_is_left_and_when_it_refills(quota: QuotaService, org_id: uuid.UUID) -> None:
    await quota.set_budget(org_id, 1000, actor="UADMIN")
    await quota.reserve(org_id, uuid.uuid4(), 800)

    with pytest.raises(QuotaDenied) as denied:
        await quota.reserve(org_id, uuid.uuid4(), 300)

    status = await quota.status(org_id)
    assert isinstance(denied.value, QuotaExceeded)
    assert denied.value.denial.reason == "budget"
    assert denied.value.message == (
        f"Monthly budget reached: 200 of 1,000 tokens left, this request needs 300; "
        f"it refills on {status.refills_on.isoformat()} (UTC)."
    )
    await quota.reserve(org_id, uuid.uuid4(), 200)  # exactly what is left still fits


async def test_a_new_budget_applies_at_once_and_is_audited(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    await quota.set_budget(org_id, 1000, actor="UADMIN")
    await quota.reserve(org_id, uuid.uuid4(), 900)
    with pytest.raises(QuotaDenied):
        await quota.reserve(org_id, uuid.uuid4(), 300)

    await quota.set_budget(org_id, 5000, actor="UADMIN")
    await quota.reserve(org_id, uuid.uuid4(), 300)

    assert (await quota.status(org_id)).budget == 5000
    async with app_db.tenant(org_id) as session:
        events = (
            await session.execute(
                select(AuditEvent.actor, AuditEvent.detail)
                .where(AuditEvent.action == "quota.budget_set")
                .order_by(AuditEvent.seq)
            )
        ).all()
    assert [(e.actor, e.detail) for e in events] == [
        ("UADMIN", {"monthly_budget": 1000}),
        ("UADMIN", {"monthly_budget": 5000}),
    ]


async def test_rate_denial_names_the_wait_and_refills_with_time(
    quota: QuotaService, org_id: uuid.UUID, clock: FakeClock
) -> None:
    await quota.set_limits(org_id, rate_per_minute=600, burst=1000, actor="UADMIN")
    await quota.reserve(org_id, uuid.uuid4(), 900)

    with pytest.raises(QuotaExceeded) as denied:
        await quota.reserve(org_id, uuid.uuid4(), 500)
    assert denied.value.denial.reason == "rate"
    assert denied.value.message == (
        "Rate limit: 100 tokens available now, this request needs 500 (enough in 40 s); full again in 90 s."
    )
    status = await quota.status(org_id)
    assert (status.available_now, round(status.full_in_seconds or 0)) == (100, 90)

    clock.advance(40)
    await quota.reserve(org_id, uuid.uuid4(), 500)


async def test_more_than_the_burst_is_refused_outright(quota: QuotaService, org_id: uuid.UUID) -> None:
    await quota.set_limits(org_id, rate_per_minute=600, burst=1000, actor="UADMIN")
    with pytest.raises(QuotaExceeded) as denied:
        await quota.reserve(org_id, uuid.uuid4(), 1001)
    assert denied.value.denial.reason == "burst"
    assert "more than the rate limit allows at once (1,000)" in denied.value.message


async def test_settling_refunds_the_rate_bucket(quota: QuotaService, org_id: uuid.UUID) -> None:
    await quota.set_limits(org_id, rate_per_minute=600, burst=1000, actor="UADMIN")
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 900)
    await quota.settle(org_id, job, 100)
    assert (await quota.status(org_id)).available_now == 900
    await quota.reserve(org_id, uuid.uuid4(), 900)


async def test_a_reservation_spanning_new_year_is_charged_to_its_own_month(
    aredis, app_db: Database, org_id: uuid.UUID
) -> None:
    clock = FakeClock(1_924_991_990.0)  # 2030-12-31T23:59:50Z
    quota = QuotaService(aredis, app_db, clock=clock)
    await quota.set_limits(org_id, rate_per_minute=10**9, burst=10**9, actor="test")
    await quota.set_budget(org_id, 1000, actor="UADMIN")
    job = uuid.uuid4()
    await quota.reserve(org_id, job, 1000)

    clock.advance(20)  # 2031-01-01
    await quota.settle(org_id, job, 600)

    assert (await settlements(app_db, org_id))[job].month.isoformat() == "2030-12-01"
    january = await quota.status(org_id)
    assert (january.month, january.used, january.left) == ("2031-01", 0, 1000)
