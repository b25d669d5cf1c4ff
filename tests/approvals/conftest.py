"""Approvals against the run's PostgreSQL and Redis, with an in-loop Slack sandbox (fixtures shared
with the schedule tests in tests/support/approvals.py)."""

from __future__ import annotations

import pytest

from bot.approvals.service import ApprovalService
from db.engine import Database
from tests.support.approvals import RecordingSender, leave_nothing_pending, org, runtime, sandbox, sender, slack

__all__ = ["leave_nothing_pending", "org", "runtime", "sandbox", "sender", "slack"]


@pytest.fixture
def approvals(app_db: Database, sender: RecordingSender) -> ApprovalService:
    return ApprovalService(app_db, sender)
