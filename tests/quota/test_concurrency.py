import multiprocessing
import random
import uuid

import pytest

from bot.quota import QuotaService
from db.engine import Database
from tests.quota.contenders import contend
from tests.quota.rows import ledger_used, settlements
from tests.support.database import TestDatabase

PROCESSES = 4
RESERVATIONS_EACH = 100
BUDGET = 20_000


@pytest.mark.usefixtures("unlimited_rate")
async def test_competing_processes_never_spend_past_the_budget(
    quota: QuotaService, app_db: Database, org_id: uuid.UUID, test_database: TestDatabase, redis_url: str
) -> None:
    await quota.set_budget(org_id, BUDGET, actor="UADMIN")
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    plans = [[rng.randint(10, 600) for _ in range(RESERVATIONS_EACH)] for _ in range(PROCESSES)]

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(
            target=contend, args=(test_database.app_url, redis_url, str(org_id), plan, seed + n, barrier, results)
        )
        for n, plan in enumerate(plans)
    ]
    for process in processes:
        process.start()
    try:
        outcomes = [results.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(10)
            assert process.exitcode == 0
    finally:
        # A contender that failed leaves the others at the barrier holding their connections:
        # none may outlive the test, or later tests find the server's slots taken.
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join(10)

    granted = [tokens for outcome in outcomes for _, tokens in outcome["granted"]]
    denied = [size for outcome in outcomes for size in outcome["denied"]]
    actuals = {uuid.UUID(job): actual for outcome in outcomes for job, actual in outcome["actuals"]}
    left = BUDGET - sum(granted)
    assert sum(granted) <= BUDGET, f"seed {seed}"
    assert denied, f"seed {seed}: the budget never ran out"
    # Each denial saw at least what was left at the end: a refusal always had a reason.
    assert min(denied) > left, f"seed {seed}"

    total = sum(actuals.values())
    assert await ledger_used(app_db, org_id) == (total, 0)
    recorded = await settlements(app_db, org_id)
    assert {job: s.actual for job, s in recorded.items()} == actuals
    status = await quota.status(org_id)
    assert (status.used, status.reserved) == (total, 0)
