"""A job whose row never reached PostgreSQL gives its reservation back at once, in Redis alone,
instead of holding the organization's tokens until the reaper's lease runs out."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.jobs.queueing import JobSender
from bot.jobs.service import JobRequest, JobService
from bot.orgs.service import load_org_policy
from bot.quota import QuotaService
from bot.quota.keys import org_keys
from db.crypto import SecretBox
from db.engine import Database, is_database_outage
from db.models import JobKind
from sandbox.local_services import free_port


@pytest.fixture
async def dead_db() -> AsyncIterator[Database]:
    database = Database(f"postgresql+asyncpg://nobody:x@127.0.0.1:{free_port()}/nothing")
    yield database
    await database.dispose()


async def test_a_job_the_database_never_stored_releases_its_reservation(
    app_db: Database,
    dead_db: Database,
    aredis: aioredis.Redis,
    redis_url: str,
    encryption_key: str,
    org_id: uuid.UUID,
    quota: QuotaService,
    unlimited_rate: None,
) -> None:
    policy = await load_org_policy(app_db, org_id)
    # Redis already knows the organization (its limits and month), as it does in a running service.
    warm_up = uuid.uuid4()
    await quota.reserve(org_id, warm_up, 10)
    await quota.release(org_id, warm_up)
    sender = JobSender(redis_url)
    service = JobService(dead_db, QuotaService(aredis, dead_db), sender, SecretBox(encryption_key))
    request = JobRequest(
        org_id=org_id, requester_id="UEDITOR", kind=JobKind.TEXT, prompt="Write a note", target_channel="C1"
    )
    try:
        with pytest.raises(Exception) as raised:
            await service.submit(request, policy)
    finally:
        sender.close()

    assert is_database_outage(raised.value)
    assert await aredis.hlen(org_keys(org_id).reservations) == 0
    status = await quota.status(org_id)
    assert status.reserved == 0
