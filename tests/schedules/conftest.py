"""Schedules against the run's PostgreSQL and Redis, with an in-loop Slack sandbox (shared with the
approval tests through tests/support/approvals.py) and a sender that records instead of reaching a
broker."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis

from bot.jobs.service import JobService
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.schedules import ScheduleLimits, ScheduleService
from db.engine import Database
from tests.support.approvals import RecordingSender, leave_nothing_pending, org, runtime, sandbox, sender, slack
from tests.support.schedules import Beat

__all__ = ["leave_nothing_pending", "org", "runtime", "sandbox", "sender", "slack"]


@pytest.fixture
def quota(aredis: aioredis.Redis, app_db: Database) -> QuotaService:
    return QuotaService(aredis, app_db)


@pytest.fixture
def jobs(app_db: Database, quota: QuotaService, sender: RecordingSender, runtime: Runtime) -> JobService:
    return JobService(app_db, quota, sender, runtime.secrets)


@pytest.fixture
def schedules(runtime: Runtime, jobs: JobService) -> ScheduleService:
    return ScheduleService(runtime, jobs, limits=ScheduleLimits(max_active=5))


@pytest.fixture
def beat(
    schedules: ScheduleService, runtime: Runtime, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> Beat:
    return Beat(schedules, runtime, sender, app_db, org)
