"""Real worker processes against the fakes: a Slack sandbox and a fake Gemini on their own threads,
the test run's PostgreSQL and Redis, and Celery workers started as `content-factory worker`
(fixtures in tests/support/workers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox
from tests.support.workers import (
    gemini,
    quota,
    rig,
    runtime,
    secrets_box,
    sender,
    slack,
    start_worker,
    submitter,
    worker_env,
)

__all__ = [
    "gemini",
    "quota",
    "rig",
    "runtime",
    "secrets_box",
    "sender",
    "slack",
    "start_worker",
    "submitter",
    "worker_env",
]


@pytest.fixture(autouse=True)
def clean_faults(slack: SlackSandbox, gemini: FakeGemini) -> Iterator[None]:
    yield
    slack.clear_faults()
    gemini.reset()
