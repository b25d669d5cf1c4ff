"""Approvals against the run's PostgreSQL and Redis, with an in-loop Slack sandbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals import ApprovalService
from bot.runtime import Runtime
from bot.sandbox.slack import SlackSandbox
from db.engine import Database
from tests.approvals.fakes import RecordingSender, make_runtime, new_org, seed_workspace


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
