"""Bring a database up to date as its owner, then make sure the application role exists and holds
exactly its grants. Safe to run any number of times."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from db.rls import app_role_grants

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MigrationReport:
    before: str | None
    after: str | None
    role_created: bool

    @property
    def changed(self) -> bool:
        return self.before != self.after or self.role_created


def _alembic_config(url: str) -> Config:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = Config()
    config.set_main_option("script_location", "db:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection, config: Config) -> tuple[str | None, str | None]:
    before = MigrationContext.configure(connection).get_current_revision()
    config.attributes["connection"] = connection
    head = ScriptDirectory.from_config(config).get_current_head()
    if before != head:
        command.upgrade(config, "head")
    return before, head


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def _ensure_app_role(connection, app_url: str, owner: str) -> bool:  # type: ignore[no-untyped-def]
    url = make_url(app_url)
    role, password, database = url.username, url.password, url.database
    if not role or not database:
        raise ValueError("DATABASE_URL must name a user and a database")
    if role == owner:
        log.warning("DATABASE_URL uses the owner role %s: Row-Level Security will not hold for it", role)
        return False
    exists = (await connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})).first()
    created = False
    if exists is None:
        secret = f" PASSWORD {_quote_literal(password)}" if password else ""
        await connection.execute(
            text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE{secret}')
        )
        created = True
    for statement in app_role_grants(role, database):
        await connection.execute(text(statement))
    return created


async def migrate(admin_url: str, app_url: str | None = None) -> MigrationReport:
    engine = create_async_engine(admin_url)
    try:
        async with engine.connect() as connection:
            owner = (await connection.execute(text("SELECT current_user"))).scalar_one()
            # One migrator at a time: two processes starting at once must not race on DDL.
            await connection.execute(text("SELECT pg_advisory_lock(7358201)"))
            await connection.commit()
            try:
                config = _alembic_config(admin_url)
                before, after = await connection.run_sync(_upgrade, config)
                await connection.commit()
                created = False
                if app_url:
                    created = await _ensure_app_role(connection, app_url, owner)
                await connection.commit()
            except BaseException:
                await connection.rollback()
                raise
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(7358201)"))
                await connection.commit()
    finally:
        await engine.dispose()
    return MigrationReport(before=before, after=after, role_created=created)


def migrate_sync(admin_url: str, app_url: str | None = None) -> MigrationReport:
    return asyncio.run(migrate(admin_url, app_url))
