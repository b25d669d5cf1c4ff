"""`content-factory region move` killed (SIGKILL) in the middle of a step, inside its copy into the
new region or its deletion from the old one: what it had done rolls back with its transaction, the
directory names one region that holds every row, and running the command again finishes the move,
the old region's Redis cleared too."""

from __future__ import annotations

import asyncio
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import redis.asyncio as aioredis

from bot.slack.region_directory import RegionDirectory
from db.engine import Database
from db.region_move import move_organization
from tests.support.cli import BARE_ENV, run_cli
from tests.support.database import TestDatabase, connected
from tests.support.regions import organization_in_us, regions_document, tenant_row_counts
from tests.support.waiting import wait_until

LOCK_WAIT_SECONDS = 60


@asynccontextmanager
async def table_held(url: str, table: str) -> AsyncIterator[None]:
    """``table`` locked against writes (reads still pass) until the block ends."""
    async with connected(url) as conn:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute(f"LOCK TABLE {table} IN SHARE MODE")
        try:
            yield
        finally:
            await transaction.rollback()


async def backend_waiting(url: str, statement: str) -> int:
    """The pid of the backend waiting on a lock to run ``statement`` (a prefix of its SQL)."""
    async with connected(url) as conn:
        pid = await wait_until(
            lambda: conn.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE $1",
                f"{statement}%",
            ),
            f"no backend ever waited to run {statement!r}",
            seconds=LOCK_WAIT_SECONDS,
            every=0.1,
        )
    return int(pid)


async def backend_gone(url: str, pid: int) -> None:
    async with connected(url) as conn:

        async def ended() -> bool:
            return not await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid)

        await wait_until(ended, f"backend {pid} of the killed move never ended", seconds=LOCK_WAIT_SECONDS, every=0.1)


async def pinned_region(app_db: Database, org_id: uuid.UUID) -> str | None:
    found = await RegionDirectory(app_db).find(f"T{org_id.hex[:8]}", None)
    return found.region if found is not None else None


async def keys_of(redis_url: str, org_id: uuid.UUID) -> list[bytes]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        return [key async for key in client.scan_iter(match=f"*{org_id}*")]
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    ("killed_in", "held_region", "statement"),
    [("copy", "eu", "INSERT INTO jobs"), ("deletion", "us", "DELETE FROM jobs")],
)
async def test_a_move_killed_inside_a_step_finishes_when_run_again(
    killed_in: str,
    held_region: str,
    statement: str,
    app_db: Database,
    test_database: TestDatabase,
    eu_database: TestDatabase,
    redis_url: str,
    eu_redis_url: str,
) -> None:
    org_id = await organization_in_us(app_db)
    before = await tenant_row_counts(test_database.admin_url, org_id)
    us_redis = aioredis.Redis.from_url(redis_url)
    try:
        await us_redis.set(f"cf:q:{{{org_id}}}:cfg", "1")
    finally:
        await us_redis.aclose()
    env = {
        "REGIONS": regions_document(test_database, redis_url, eu_database, eu_redis_url),
        "DEFAULT_REGION": "us",
    }
    args = ["region", "move", "--org", str(org_id), "--to", "eu"]
    held_url = {"us": test_database.admin_url, "eu": eu_database.admin_url}[held_region]

    async with table_held(held_url, "jobs"):
        move = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            env={**BARE_ENV, **env},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            pid = await backend_waiting(held_url, statement)
        finally:
            move.send_signal(signal.SIGKILL)
            await move.wait()
    await backend_gone(held_url, pid)

    # The killed step left nothing half done: the old region whole, the new one as the step found it.
    assert await tenant_row_counts(test_database.admin_url, org_id) == before
    if killed_in == "copy":
        assert set((await tenant_row_counts(eu_database.admin_url, org_id)).values()) == {0}
        assert await pinned_region(app_db, org_id) == "us"
    else:
        assert await tenant_row_counts(eu_database.admin_url, org_id) == before
        assert await pinned_region(app_db, org_id) == "eu"
    assert await keys_of(redis_url, org_id)

    rerun = run_cli(args, env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"organization {org_id} is in eu" in rerun.stdout
    assert await tenant_row_counts(eu_database.admin_url, org_id) == before
    assert set((await tenant_row_counts(test_database.admin_url, org_id)).values()) == {0}
    assert await pinned_region(app_db, org_id) == "eu"
    assert await keys_of(redis_url, org_id) == []
    # Nothing of the organization reached the new region's Redis either.
    assert await keys_of(eu_redis_url, org_id) == []


async def test_a_rerun_clears_the_old_regions_redis_left_by_a_move_that_died_after_deleting(
    app_db: Database, test_database: TestDatabase, eu_database: TestDatabase, redis_url: str, eu_redis_url: str
) -> None:
    org_id = await organization_in_us(app_db)
    us_redis = aioredis.Redis.from_url(redis_url)
    try:
        await us_redis.set(f"cf:q:{{{org_id}}}:cfg", "1")
    finally:
        await us_redis.aclose()
    # Every row moved and the old ones deleted, then the process died before it reached Redis.
    admin_urls = {"us": test_database.admin_url, "eu": eu_database.admin_url}
    await move_organization(org_id, "eu", admin_urls=admin_urls, home="us")
    assert await keys_of(redis_url, org_id)

    env = {"REGIONS": regions_document(test_database, redis_url, eu_database, eu_redis_url), "DEFAULT_REGION": "us"}
    rerun = run_cli(["region", "move", "--org", str(org_id), "--to", "eu"], env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert await keys_of(redis_url, org_id) == []
