"""Workflow steps against the run's PostgreSQL and Redis and an in-loop Slack sandbox (the
approval tests' workspace, people and runtime: tests/support/approvals.py)."""

from __future__ import annotations

from tests.support.approvals import leave_nothing_pending, org, runtime, sandbox, sender, slack

__all__ = ["leave_nothing_pending", "org", "runtime", "sandbox", "sender", "slack"]
