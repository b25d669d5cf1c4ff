"""The audit chain's head, logged hourly by the beat and kept elsewhere, exposes a chain that was
rewritten (every hash recomputed, so it verifies on its own) or cut short."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis
from sqlalchemy import text

from bot.process.runtime import Runtime
from bot.process.settings import load_settings
from db.audit import ChainHead, chain_head
from db.crypto import SecretBox
from db.engine import Database
from tests.support.audit import append_steps, audit_verify
from tests.support.database import TestDatabase
from workers.beat import AuditHeadAnchor, beat_tick


async def _append(app_db: Database, org_id: uuid.UUID, count: int) -> ChainHead:
    await append_steps(app_db, org_id, count)
    async with app_db.tenant(org_id) as session:
        head = await chain_head(session, org_id)
    assert head is not None
    return head


@pytest.fixture
def runtime(
    test_database: TestDatabase, redis_url: str, encryption_key: str, app_db: Database, aredis: aioredis.Redis
) -> Runtime:
    settings = load_settings(
        database_url=test_database.app_url, redis_url=redis_url, token_encryption_key=encryption_key
    )
    return Runtime(settings=settings, database=app_db, redis=aredis, secrets=SecretBox(encryption_key))


async def test_beat_logs_each_head_once_an_hour(
    runtime: Runtime, app_db: Database, org_id: uuid.UUID, caplog: pytest.LogCaptureFixture
) -> None:
    head = await _append(app_db, org_id, 3)
    anchor = AuditHeadAnchor()
    start = datetime.now(UTC)
    with caplog.at_level(logging.INFO, logger="workers.beat"):
        report = await beat_tick(runtime, start, anchor=anchor)
        assert report.audit_heads is not None and report.audit_heads[org_id] == head
        assert f"audit head: org {org_id} head {head.seq}:{head.hash}" in caplog.text
        caplog.clear()
        assert await anchor.log_if_due(runtime, start + timedelta(minutes=59)) is None
        assert "audit head" not in caplog.text
        later = await _append(app_db, org_id, 1)
        again = await anchor.log_if_due(runtime, start + timedelta(minutes=61))
        assert again is not None and again[org_id] == later and later.seq == head.seq + 1
        assert f"audit head: org {org_id} head {later}" in caplog.text


async def test_a_recorded_head_that_holds_passes(
    app_db: Database, org_id: uuid.UUID, test_database: TestDatabase
) -> None:
    head = await _append(app_db, org_id, 3)
    await _append(app_db, org_id, 2)  # the chain grew since the head was kept: still fine
    result = audit_verify(test_database, "--org", str(org_id), "--head", str(head))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"head {head} holds" in result.stdout


async def test_a_rewritten_chain_verifies_alone_but_not_against_its_head(
    app_db: Database, owner_db: Database, org_id: uuid.UUID, test_database: TestDatabase
) -> None:
    head = await _append(app_db, org_id, 4)
    # The owner alters event 2 and recomputes every hash after it: the chain is consistent again.
    async with owner_db.tenant(org_id) as session:
        rows = (
            await session.execute(
                text("SELECT id, seq FROM audit_events WHERE org_id = :o AND seq >= 2 ORDER BY seq"), {"o": org_id}
            )
        ).all()
        previous = (
            await session.execute(text("SELECT hash FROM audit_events WHERE org_id = :o AND seq = 1"), {"o": org_id})
        ).scalar_one()
        for row in rows:
            if row.seq == 2:
                await session.execute(
                    text("UPDATE audit_events SET detail = '{\"i\": 99}' WHERE id = :id"), {"id": row.id}
                )
            previous = (
                await session.execute(
                    text(
                        "UPDATE audit_events SET prev_hash = CAST(:prev AS text), "
                        "hash = cf_audit_hash(CAST(:prev AS text), org_id, seq, at, actor, action, job_id, detail) "
                        "WHERE id = :id RETURNING hash"
                    ),
                    {"prev": previous, "id": row.id},
                )
            ).scalar_one()
    alone = audit_verify(test_database, "--org", str(org_id))
    assert alone.returncode == 0, alone.stdout  # why a head kept elsewhere is needed
    result = audit_verify(test_database, "--org", str(org_id), "--head", str(head))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"BROKEN  {org_id}  event seq {head.seq} has hash" in result.stdout and "rewritten" in result.stdout


async def test_a_chain_cut_short_fails_against_its_head(
    app_db: Database, owner_db: Database, org_id: uuid.UUID, test_database: TestDatabase
) -> None:
    head = await _append(app_db, org_id, 4)
    async with owner_db.tenant(org_id) as session:
        await session.execute(
            text("DELETE FROM audit_events WHERE org_id = :o AND seq > :s"), {"o": org_id, "s": head.seq - 2}
        )
    assert audit_verify(test_database, "--org", str(org_id)).returncode == 0
    result = audit_verify(test_database, "--org", str(org_id), "--head", str(head))
    assert result.returncode == 1
    assert "missing" in result.stdout and "cut short" in result.stdout


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--head", "5:abc"], "SEQ:HASH"),
        (["--head", "x:" + "0" * 64], "SEQ:HASH"),
        ([], "--org"),
    ],
)
def test_a_bad_head_is_one_clear_line(extra: list[str], says: str, test_database: TestDatabase) -> None:
    args = ["--head", "3:" + "a" * 64] if not extra else ["--org", str(uuid.uuid4()), *extra]
    result = audit_verify(test_database, *args)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("configuration error: --head") and says in lines[0]
