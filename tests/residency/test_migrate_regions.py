"""`content-factory migrate` with REGIONS brings every region's database to the same schema: an empty
new region's database is migrated, one already at head is left as it is."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from sandbox.local_services import LocalServices
from tests.support.cli import run_cli
from tests.support.database import (
    APP_PASSWORD,
    APP_ROLE,
    TestDatabase,
    admin_execute,
    fetch_value,
    run_database_name,
    with_database,
)


@pytest.fixture
async def empty_database(services: LocalServices) -> AsyncIterator[TestDatabase]:
    name = run_database_name("cf_ap")
    await admin_execute(services.postgres_url, f'CREATE DATABASE "{name}"')
    admin_url = with_database(services.postgres_url, name)
    app_url = make_url(admin_url).set(username=APP_ROLE, password=APP_PASSWORD).render_as_string(hide_password=False)
    yield TestDatabase(name=name, admin_url=admin_url, app_url=app_url)
    await admin_execute(services.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_migrate_brings_every_regions_database_to_the_same_head(
    test_database: TestDatabase, empty_database: TestDatabase
) -> None:
    regions = {
        "us": {"database_url": test_database.app_url, "admin_url": test_database.admin_url},
        "ap": {"database_url": empty_database.app_url, "admin_url": empty_database.admin_url},
    }
    done = run_cli(["migrate"], {"REGIONS": json.dumps(regions), "DEFAULT_REGION": "us"}, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    head = await fetch_value(test_database.admin_url, "SELECT version_num FROM alembic_version")
    assert f"region us: up to date at {head}" in done.stdout
    assert f"region ap: migrated: empty -> {head}" in done.stdout
    assert await fetch_value(empty_database.admin_url, "SELECT version_num FROM alembic_version") == head
    # The new region's database has the directory's table too, under Row-Level Security.
    assert await fetch_value(
        empty_database.admin_url, "SELECT relrowsecurity FROM pg_class WHERE relname = 'region_directory'"
    )
