"""A worker dies holding a reservation: the reaper gives it back after the lease, exactly once."""

import uuid

import pytest
import redis.asyncio as aioredis

from bot.quota import QuotaService, reap_reservations
from bot.quota.keys import month_label, month_start
from bot.quota.ledger import record_settlement
from bot.quota.models import ModelCharge
from db.engine import Database
from db.models import JobState
from tests.quota.rows import insert_job, job_quota_state, ledger_used, set_job, settlements
from tests.support.clock import FakeClock

pytestmark = pytest.mark.usefixtures("unlimited_rate")


async def reserve_job(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID, tokens: int, state: JobState = JobState.RUNNING
) -> uuid.UUID:
    job = uuid.uuid4()
    await quota.reserve(org_id, job, tokens)
    await insert_job(app_db, org_id, job, tokens, state=state)
    return job


async def settle_in_the_ledger_only(
    app_db: Database, org_id: uuid.UUID, job: uuid.UUID, actual: int, reserved: int, clock: FakeClock
) -> None:
    """What a worker that died between the ledger's settlement and Redis's leaves behind."""
    async with app_db.tenant_driver(org_id) as driver:
        await record_settlement(
            driver,
            org_id,
            job,
            actual=actual,
            outcome="settled",
            reserved=reserved,
            month=None,
            default_month=month_start(month_label(clock())),
        )


async def test_dead_workers_reservations_come_back_after_the_lease_once(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID, clock: FakeClock
) -> None:
    failed = await reserve_job(quota, app_db, org_id, 1000)
    await set_job(app_db, org_id, failed, state=JobState.FAILED)  # the sweeper gave up on it
    vanished = uuid.uuid4()
    await quota.reserve(org_id, vanished, 500)  # the web process died before writing the job row
    posted = await reserve_job(quota, app_db, org_id, 800)
    await set_job(app_db, org_id, posted, state=JobState.POSTED, tokens_used=300)  # died before settling
    running = await reserve_job(quota, app_db, org_id, 400)
    half_done = await reserve_job(quota, app_db, org_id, 600)
    await settle_in_the_ledger_only(app_db, org_id, half_done, 250, 600, clock)  # died before Redis
    ours = {failed, vanished, posted, running, half_done}

    early = await reap_reservations(quota, app_db, now=clock() + 30)
    assert not ours & set(early.returned) and not ours & set(early.extended)

    report = await reap_reservations(quota, app_db, now=clock() + 61)
    assert ours & set(report.released) == {failed, vanished}
    assert ours & set(report.settled) == {posted, half_done}
    assert ours & set(report.extended) == {running}

    again = await reap_reservations(quota, app_db, now=clock() + 62)
    assert not ours & set(again.returned)

    status = await quota.status(org_id)
    assert (status.used, status.reserved) == (550, 400)
    assert await ledger_used(app_db, org_id) == (550, 0)
    assert await job_quota_state(app_db, org_id, failed) == ("released", None)
    assert await job_quota_state(app_db, org_id, posted) == ("settled", 300)
    assert await job_quota_state(app_db, org_id, running) == ("reserved", None)


async def test_a_running_job_keeps_its_reservation_while_its_lease_is_extended(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID, clock: FakeClock
) -> None:
    job = await reserve_job(quota, app_db, org_id, 400)
    clock.advance(50)
    await quota.extend_lease(org_id, job)  # the worker's heartbeat

    report = await reap_reservations(quota, app_db, now=clock() + 30)
    assert job not in report.returned and job not in report.extended
    assert (await quota.status(org_id)).reserved == 400


async def test_a_finished_job_still_marked_reserved_is_reconciled(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID, clock: FakeClock
) -> None:
    # Redis never held this reservation (or lost it); only PostgreSQL knows the job is unsettled.
    job = uuid.uuid4()
    await insert_job(app_db, org_id, job, 900, state=JobState.POSTED, tokens_used=120)

    report = await reap_reservations(quota, app_db, now=clock() + 3600)

    assert job in report.settled
    assert await job_quota_state(app_db, org_id, job) == ("settled", 120)
    assert (await quota.status(org_id)).used == 120
    assert await ledger_used(app_db, org_id) == (120, 0)
    assert job not in (await reap_reservations(quota, app_db, now=clock() + 3601)).returned


async def test_a_settlement_the_ledger_has_reaches_redis_after_the_grace_not_the_lease(
    aredis: aioredis.Redis, app_db: Database, org_id: uuid.UUID, clock: FakeClock
) -> None:
    # As deployed: a lease of minutes. The worker died between the ledger's settlement and Redis's.
    quota = QuotaService(aredis, app_db, lease_seconds=900, clock=clock)
    await quota.set_limits(org_id, rate_per_minute=10**9, burst=10**9, actor="test")
    half_done = await reserve_job(quota, app_db, org_id, 600)
    await set_job(app_db, org_id, half_done, state=JobState.POSTED, tokens_used=250)
    await settle_in_the_ledger_only(app_db, org_id, half_done, 250, 600, clock)
    running = await reserve_job(quota, app_db, org_id, 400)  # its lease is left alone
    ours = {half_done, running}

    within_grace = await reap_reservations(quota, app_db, now=clock() + 30)
    assert not ours & set(within_grace.returned)

    report = await reap_reservations(quota, app_db, now=clock() + 61)
    assert ours & set(report.settled) == {half_done}
    assert not ours & set(report.released) and not ours & set(report.extended)
    status = await quota.status(org_id)
    assert (status.used, status.reserved) == (250, 400)


@pytest.mark.parametrize("state", [JobState.POSTED, JobState.FAILED])
async def test_a_job_settled_after_its_worker_died_books_each_attempt_to_its_model(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID, clock: FakeClock, state: JobState
) -> None:
    """Posted, or failed after the models billed calls that produced no answer."""
    failed_over = [
        ModelCharge("flash", 1, 400, 150, 495),
        ModelCharge("llama", 2, 410, 90, 28),
    ]
    job = await reserve_job(quota, app_db, org_id, 2000)
    # Died after keeping the result (with its bill per attempt) and before settling.
    await set_job(
        app_db,
        org_id,
        job,
        state=state,
        tokens_used=1050,
        model="llama",
        input_tokens=410,
        output_tokens=90,
        cost_micros=523,
        model_charges=[charge.to_json() for charge in failed_over],
    )

    report = await reap_reservations(quota, app_db, now=clock() + 61)

    assert job in report.settled
    row = (await settlements(app_db, org_id))[job]
    assert (row.model, row.cost_micros) == ("llama", 523)
    assert [ModelCharge.from_json(line) for line in row.charges or []] == failed_over
    by_model = {line.model: line.cost_micros for line in (await quota.status(org_id)).by_model}
    assert by_model == {"flash": 495, "llama": 28}
