"""Approvals against the run's PostgreSQL and Redis, with an in-loop Slack sandbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from sqlalchemy import text

from bot.approvals.service import ApprovalService
from bot.process.runtime import Runtime
from db.engine import Database
from sandbox.slack import SlackSandbox
from tests.approvals.fakes import RecordingSender, make_runtime, new_org, seed_workspace


@pytest.fixture(autouse=True)
async def leave_nothing_pending(owner_db: Database) -> AsyncIterator[None]:
    """Jobs and schedules a test leaves waiting must not be picked up by a later test's beat or
    worker (the outbox sweeper and the schedule claim cross organizations)."""
    async with owner_db.system() as session:
        started = (await session.execute(text("SELECT now()"))).scalar_one()
    yield
    async with owner_db.system() as session:
        await session.execute(
            text(
                "UPDATE jobs SET state = 'cancelled' WHERE created_at >= :t "
                "AND state IN ('queued', 'running', 'awaiting_approval')"
            ),
            {"t": started},
        )
        await session.execute(
            text("UPDATE schedules SET state = 'cancelled' WHERE created_at >= :t AND state = 'active'"),
            {"t": started},
        )


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as running:
        yield running


@pytest.fixture
def slack(sandbox: SlackSandbox) -> SlackSandbox:
    seed_workspace(sandbox)
    return sandbox


@pytest.fixture
def runtime(service_env: dict[str, str], slack: SlackSandbox, app_db: Database, aredis: aioredis.Redis) -> Runtime:
    return make_runtime(service_env, slack, app_db, aredis)


@pytest.fixture
async def org(app_db: Database) -> uuid.UUID:
    return await new_org(app_db)


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def approvals(app_db: Database, sender: RecordingSender) -> ApprovalService:
    return ApprovalService(app_db, sender)  # type: ignore[arg-type]
