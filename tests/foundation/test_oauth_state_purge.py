"""Abandoned OAuth states: the application role cannot see them (RLS), the beat deletes them
through the one narrow SECURITY DEFINER function, and nothing unexpired goes with them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
from sqlalchemy import delete, select, text

from bot.process.runtime import Runtime
from bot.process.settings import load_settings
from db.crypto import SecretBox
from db.engine import Database
from db.models import OAuthState
from db.system import purge_oauth_states
from workers.beat import purge_abandoned_oauth_states


async def states_left(owner_db: Database, *states: str) -> set[str]:
    async with owner_db.system() as session:
        found = await session.scalars(select(OAuthState.state).where(OAuthState.state.in_(states)))
        return set(found)


async def test_the_beat_deletes_expired_states_and_keeps_live_ones(
    app_db: Database, owner_db: Database, service_env: dict[str, str], aredis: aioredis.Redis
) -> None:
    now = datetime.now(UTC)
    old, live = f"old-{uuid.uuid4().hex}", f"live-{uuid.uuid4().hex}"
    async with owner_db.system() as session:
        session.add_all(
            [
                OAuthState(state=old, expire_at=now - timedelta(hours=2)),
                OAuthState(state=live, expire_at=now + timedelta(minutes=10)),
            ]
        )

    # The application role sees only live states, so it can neither read nor delete the old one.
    async with app_db.system() as session:
        assert set(await session.scalars(select(OAuthState.state).where(OAuthState.state.in_([old, live])))) == {live}
        assert (await session.execute(delete(OAuthState).where(OAuthState.state == old))).rowcount == 0
    assert await states_left(owner_db, old, live) == {old, live}

    settings = load_settings(
        _env_file=None,
        database_url=service_env["DATABASE_URL"],
        redis_url=service_env["REDIS_URL"],
        token_encryption_key=service_env["TOKEN_ENCRYPTION_KEY"],
    )
    runtime = Runtime(
        settings=settings, database=app_db, redis=aredis, secrets=SecretBox(settings.token_encryption_key)
    )
    assert await purge_abandoned_oauth_states(runtime, now) >= 1
    assert await states_left(owner_db, old, live) == {live}


async def test_a_future_cut_off_still_spares_unexpired_states(app_db: Database, owner_db: Database) -> None:
    live = f"live-{uuid.uuid4().hex}"
    async with owner_db.system() as session:
        session.add(OAuthState(state=live, expire_at=datetime.now(UTC) + timedelta(minutes=10)))
    async with app_db.system() as session:
        await purge_oauth_states(session, expired_before=datetime.now(UTC) + timedelta(days=1), limit=1000)
    assert await states_left(owner_db, live) == {live}


async def test_the_function_runs_as_the_definer_not_as_its_caller(owner_db: Database) -> None:
    async with owner_db.system() as session:
        row = (
            await session.execute(
                text(
                    "SELECT p.prosecdef, r.rolname FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner "
                    "WHERE p.proname = 'cf_purge_oauth_states'"
                )
            )
        ).one()
    assert row.prosecdef and row.rolname == "content_factory_definer"
