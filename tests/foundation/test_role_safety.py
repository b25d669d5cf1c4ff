"""A process never runs as a role that Row-Level Security does not hold for, and migrating never
leaves the owner able to see every organization.

Each test makes roles of its own (roles are shared by every database of the server, so the
session's application role is never altered here)."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.orgs.service import create_organization
from db.engine import Database
from db.migrate import MigrationRefused, migrate
from db.models import Organization
from db.rls import DEFINER_ROLE
from tests.support.cli import run_cli
from tests.support.database import TestDatabase, admin_execute, fetch_value, new_team_id, run_database_name

PASSWORD = "role-safety-test"


def _url_as(base: str, role: str, database: str | None = None) -> str:
    url = make_url(base).set(username=role, password=PASSWORD)
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@dataclass(frozen=True)
class UnsafeRoles:
    """Roles on the session's database, one per way RLS can fail to hold, and a safe one."""

    superuser: str
    bypass_rls: str
    owner: str
    definer_member: str
    plain: str


@pytest.fixture(scope="module")
def unsafe_roles(test_database: TestDatabase) -> Iterator[UnsafeRoles]:
    tag = uuid.uuid4().hex[:8]
    names = {kind: f"cf_{kind}_{tag}" for kind in ("super", "bypass", "owner", "member", "plain")}
    table = f"owned_by_{tag}"
    admin = test_database.admin_url
    asyncio.run(
        admin_execute(
            admin,
            f"CREATE ROLE {names['super']} LOGIN SUPERUSER PASSWORD '{PASSWORD}'",
            f"CREATE ROLE {names['bypass']} LOGIN BYPASSRLS PASSWORD '{PASSWORD}'",
            f"CREATE ROLE {names['owner']} LOGIN PASSWORD '{PASSWORD}'",
            f"CREATE TABLE {table} (id integer)",
            f"ALTER TABLE {table} OWNER TO {names['owner']}",
            f"CREATE ROLE {names['member']} LOGIN PASSWORD '{PASSWORD}'",
            f"GRANT {DEFINER_ROLE} TO {names['member']}",
            f"CREATE ROLE {names['plain']} LOGIN PASSWORD '{PASSWORD}'",
        )
    )
    yield UnsafeRoles(
        superuser=_url_as(admin, names["super"]),
        bypass_rls=_url_as(admin, names["bypass"]),
        owner=_url_as(admin, names["owner"]),
        definer_member=_url_as(admin, names["member"]),
        plain=_url_as(admin, names["plain"]),
    )
    asyncio.run(
        admin_execute(
            admin, f"DROP TABLE IF EXISTS {table}", *(f"DROP ROLE IF EXISTS {name}" for name in names.values())
        )
    )


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli(args, env, timeout=120)


def _process_env(service_env: dict[str, str], database_url: str) -> dict[str, str]:
    return {
        **service_env,
        "DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": "role-safety-secret",
        "SLACK_BOT_TOKEN": "xoxb-role-safety",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "PORT": "9",
    }


def _refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = [line for line in result.stderr.splitlines() if line.startswith("configuration error: ")]
    assert len(lines) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return lines[0]


# -- what the check sees -------------------------------------------------------------------------


async def _problem(url: str) -> str | None:
    database = Database(url, pool_size=1)
    try:
        return (await database.inspect_role()).problem
    finally:
        await database.dispose()


async def test_each_unsafe_role_is_named_with_its_fix(unsafe_roles: UnsafeRoles, test_database: TestDatabase) -> None:
    superuser = await _problem(unsafe_roles.superuser)
    assert superuser and "superuser" in superuser and "DATABASE_ADMIN_URL" in superuser
    bypass = await _problem(unsafe_roles.bypass_rls)
    assert bypass and "BYPASSRLS" in bypass and "NOBYPASSRLS" in bypass
    owner = await _problem(unsafe_roles.owner)
    assert owner and "owns tables (owned_by_" in owner
    member = await _problem(unsafe_roles.definer_member)
    assert member and f"REVOKE {DEFINER_ROLE} FROM" in member


async def test_the_application_role_and_a_plain_role_are_safe(
    unsafe_roles: UnsafeRoles, test_database: TestDatabase
) -> None:
    assert await _problem(test_database.app_url) is None
    assert await _problem(unsafe_roles.plain) is None


# -- the processes refuse to start ---------------------------------------------------------------


@pytest.mark.parametrize("command", [["serve"], ["worker", "--concurrency", "1"], ["beat"]])
def test_processes_refuse_a_superuser(
    command: list[str], unsafe_roles: UnsafeRoles, service_env: dict[str, str]
) -> None:
    line = _refusal(_run(command, _process_env(service_env, unsafe_roles.superuser)))
    assert "superuser" in line and "DATABASE_URL" in line


@pytest.mark.parametrize(
    ("command", "kind", "says"),
    [
        (["worker", "--concurrency", "1"], "bypass_rls", "BYPASSRLS"),
        (["beat"], "owner", "owns tables"),
        (["serve"], "definer_member", DEFINER_ROLE),
    ],
)
def test_processes_refuse_a_role_rls_does_not_hold_for(
    command: list[str], kind: str, says: str, unsafe_roles: UnsafeRoles, service_env: dict[str, str]
) -> None:
    line = _refusal(_run(command, _process_env(service_env, getattr(unsafe_roles, kind))))
    assert says in line


# -- migrating -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnedDatabase:
    """A database owned by a role that is not a superuser, migrated by it (as on a managed server)."""

    owner_url: str
    app_url: str
    owner: str


@pytest.fixture(scope="module")
async def owned_database(test_database: TestDatabase) -> AsyncIterator[OwnedDatabase]:
    tag = uuid.uuid4().hex[:8]
    owner, app, name = f"cf_owner_{tag}", f"cf_app_{tag}", run_database_name("cf_owned")
    admin = test_database.admin_url
    await admin_execute(
        admin,
        f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{PASSWORD}'",
        f'CREATE DATABASE "{name}" OWNER {owner}',
        # What older releases left behind: the migrating role an inheriting member of the definer.
        f"GRANT {DEFINER_ROLE} TO {owner}",
    )
    owned = OwnedDatabase(owner_url=_url_as(admin, owner, name), app_url=_url_as(admin, app, name), owner=owner)
    try:
        yield owned
    finally:
        await admin_execute(
            admin,
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f"DROP ROLE IF EXISTS {app}",
            f"DROP ROLE IF EXISTS {owner}",
        )


async def test_migrating_leaves_the_owner_no_member_of_the_definer(
    owned_database: OwnedDatabase, test_database: TestDatabase
) -> None:
    owner = owned_database.owner
    inherits = f"SELECT pg_has_role('{owner}', '{DEFINER_ROLE}', 'USAGE')"
    assert await fetch_value(test_database.admin_url, inherits) is True
    await migrate(owned_database.owner_url, owned_database.app_url)
    assert await fetch_value(test_database.admin_url, inherits) is False
    await migrate(owned_database.owner_url, owned_database.app_url)  # and again: still not
    assert await fetch_value(test_database.admin_url, inherits) is False
    # The application role can still use every cross-tenant step.
    assert await fetch_value(owned_database.app_url, "SELECT count(*) FROM cf_list_org_ids()") == 0


async def test_the_owner_sees_one_organization_after_migrating(owned_database: OwnedDatabase) -> None:
    """Older releases left the owner inheriting the definer's ``USING (true)`` policies: as the
    README's simplest configuration (one role for everything) it read every organization."""
    await migrate(owned_database.owner_url, owned_database.app_url)
    app = Database(owned_database.app_url, pool_size=1)
    owner = Database(owned_database.owner_url, pool_size=1)
    try:
        first = await create_organization(app, name="First", team_id=new_team_id(), admin_user_id="UADMIN")
        second = await create_organization(app, name="Second", team_id=new_team_id(), admin_user_id="UADMIN")
        async with owner.tenant(first) as session:
            seen = set((await session.execute(select(Organization.id))).scalars())
        assert seen == {first} and second not in seen
        # And as a process it is refused outright: it owns the tables.
        problem = (await owner.inspect_role()).problem
        assert problem and "owns tables" in problem
    finally:
        await app.dispose()
        await owner.dispose()


async def test_migrate_refuses_one_role_for_both(owned_database: OwnedDatabase) -> None:
    with pytest.raises(MigrationRefused, match="same role"):
        await migrate(owned_database.owner_url, owned_database.owner_url)


def test_migrate_with_only_database_url_says_what_to_set(owned_database: OwnedDatabase) -> None:
    line = _refusal(_run(["migrate"], {"DATABASE_URL": owned_database.owner_url}))
    assert "DATABASE_ADMIN_URL is not set" in line


def test_migrate_with_one_role_in_both_variables_is_refused(owned_database: OwnedDatabase) -> None:
    url = owned_database.owner_url
    line = _refusal(_run(["migrate"], {"DATABASE_URL": url, "DATABASE_ADMIN_URL": url}))
    assert "same role" in line


def test_serve_as_the_owner_is_refused(owned_database: OwnedDatabase, service_env: dict[str, str]) -> None:
    line = _refusal(_run(["serve"], _process_env(service_env, owned_database.owner_url)))
    assert "owns tables" in line
