"""The audit chain in tests: appending events and running `content-factory audit verify`."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

from db.audit import record_event
from db.engine import Database
from tests.support.database import TestDatabase


def audit_verify(test_database: TestDatabase, *extra: str) -> subprocess.CompletedProcess[str]:
    """`content-factory audit verify` in its own process, as the application role of ``test_database``."""
    env = {**os.environ, "DATABASE_URL": test_database.app_url}
    return subprocess.run(
        [sys.executable, "-m", "bot", "audit", "verify", *extra], env=env, capture_output=True, text=True, timeout=60
    )


async def append_steps(app_db: Database, org_id: uuid.UUID, count: int, **detail: Any) -> None:
    """``count`` `test.step` events, each in its own transaction, numbered ``i`` in their detail."""
    for i in range(count):
        async with app_db.tenant(org_id) as session:
            await record_event(session, org_id, "test.step", actor="U1", detail={"i": i, **detail})
