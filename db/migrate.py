"""Bring a database up to date as its owner, then make sure the application role exists and holds
exactly its grants. Safe to run any number of times.

The cross-tenant functions are owned by the definer role, and a role that is not a superuser may
hand a function to a role only while it is a member of it. The migrating role therefore becomes a
member for the length of the migration and stops being one before it ends: a lasting (inheriting)
membership would carry the definer's ``USING (true)`` policies, so whoever connects as the owner
would see every organization. Running ``migrate`` also removes a membership older releases left.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Row, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from db.rls import CREATE_DEFINER_ROLE_SQL, DEFINER_ROLE, app_role_grants

log = logging.getLogger(__name__)

# unique_violation: the other CREATE ROLE committed while this one waited; duplicate_object: before.
_ROLE_CREATED_MEANWHILE = frozenset({"23505", "42710"})


class MigrationRefused(ValueError):
    """The roles given cannot be made safe; the message says what to set, on one line."""


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


async def _open_definer_window(connection: AsyncConnection, superuser: bool) -> None:
    """Let the migrating role hand functions to the definer role (see the module's docstring)."""
    await connection.execute(text(CREATE_DEFINER_ROLE_SQL))
    if superuser:
        return  # a superuser may give anything to anyone
    version = int((await connection.execute(text("SHOW server_version_num"))).scalar_one())
    # From PostgreSQL 16 a membership can be granted without inheritance; before, it inherits
    # (if the role does) until it is revoked below.
    options = " WITH INHERIT FALSE, SET TRUE" if version >= 160000 else ""
    await connection.execute(text(f"GRANT {DEFINER_ROLE} TO CURRENT_USER{options}"))
    # A new owner must be able to create in the function's schema.
    await connection.execute(text(f"GRANT CREATE ON SCHEMA public TO {DEFINER_ROLE}"))


async def _close_definer_window(connection: AsyncConnection, owner: str, superuser: bool) -> None:
    await connection.execute(text(f"REVOKE CREATE ON SCHEMA public FROM {DEFINER_ROLE}"))
    member = (
        await connection.execute(
            text(
                "SELECT 1 FROM pg_auth_members m JOIN pg_roles d ON d.oid = m.roleid "
                "WHERE d.rolname = :definer AND m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
            ),
            {"definer": DEFINER_ROLE},
        )
    ).first()
    if member is not None:
        await connection.execute(text(f"REVOKE {DEFINER_ROLE} FROM CURRENT_USER"))
    if superuser:
        return
    still = (
        await connection.execute(text("SELECT pg_has_role(current_user, :definer, 'USAGE')"), {"definer": DEFINER_ROLE})
    ).scalar_one()
    if still:
        # Granted by another role, which alone can take it back.
        log.error(
            "%s still inherits %s and sees every organization; a superuser must run REVOKE %s FROM %s",
            owner,
            DEFINER_ROLE,
            DEFINER_ROLE,
            owner,
        )


def _role_of(url: str) -> tuple[str, str | None, str]:
    parsed = make_url(url)
    role, database = parsed.username, parsed.database
    if not role or not database:
        raise MigrationRefused("DATABASE_URL must name a user and a database")
    return role, parsed.password, database


async def _create_app_role(connection: AsyncConnection, role: str, password: str | None) -> bool:
    """Create the application role; False when another migrator created it first (see
    ``db.rls.create_role_once_sql``: the two may be migrating different databases of one server)."""
    secret = f" PASSWORD {_quote_literal(password)}" if password else ""
    try:
        async with connection.begin_nested():
            await connection.execute(
                text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE{secret}')
            )
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) not in _ROLE_CREATED_MEANWHILE:
            raise
        return False
    return True


async def _role_attributes(connection: AsyncConnection, role: str) -> Row[Any] | None:
    return (
        await connection.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role})
    ).first()


async def _ensure_app_role(connection: AsyncConnection, app_url: str) -> bool:
    role, password, database = _role_of(app_url)
    found = await _role_attributes(connection, role)
    created = False
    if found is None:
        created = await _create_app_role(connection, role, password)
        if not created:
            found = await _role_attributes(connection, role)
    if found is not None and (found.rolsuper or found.rolbypassrls):
        raise MigrationRefused(
            f"DATABASE_URL's role {role} is a superuser or has BYPASSRLS, so Row-Level Security would not hold "
            "for it; name a role of its own in DATABASE_URL and run migrate again"
        )
    for statement in app_role_grants(role, database):
        await connection.execute(text(statement))
    inherits = (
        await connection.execute(
            text("SELECT pg_has_role(:r, :definer, 'USAGE')"), {"r": role, "definer": DEFINER_ROLE}
        )
    ).scalar_one()
    if inherits:
        await connection.execute(text(f'REVOKE {DEFINER_ROLE} FROM "{role}"'))
    return created


async def migrate(admin_url: str, app_url: str | None = None) -> MigrationReport:
    """Upgrade as ``admin_url``'s role (the owner) and, given ``app_url``, create or re-grant the
    application role it names. Raises ``MigrationRefused`` when both name the same role."""
    if app_url and _role_of(app_url)[0] == make_url(admin_url).username:
        raise MigrationRefused(
            "DATABASE_URL and DATABASE_ADMIN_URL name the same role; the application role must own nothing: "
            "give DATABASE_URL a role of its own (migrate creates it)"
        )
    engine = create_async_engine(admin_url)
    try:
        async with engine.connect() as connection:
            owner, superuser = (
                await connection.execute(
                    text("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
                )
            ).one()
            # One migrator at a time: two processes starting at once must not race on DDL.
            await connection.execute(text("SELECT pg_advisory_lock(7358201)"))
            await connection.commit()
            try:
                await _open_definer_window(connection, superuser)
                await connection.commit()
                try:
                    config = _alembic_config(admin_url)
                    before, after = await connection.run_sync(_upgrade, config)
                    await connection.commit()
                    # Granting EXECUTE on the definer's functions needs the membership too.
                    created = await _ensure_app_role(connection, app_url) if app_url else False
                    await connection.commit()
                finally:
                    await connection.rollback()
                    await _close_definer_window(connection, owner, superuser)
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
