"""Real services for every test: PostgreSQL (a fresh database per run) and Redis (a private db index)."""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from sqlalchemy.engine import make_url

from bot.orgs.service import create_organization
from db.crypto import generate_key
from db.engine import Database
from sandbox.local_services import LocalServices, start_local_services
from tests.support.database import TestDatabase, drop_orphaned_databases, migrated_database, new_team_id
from tests.support.redis_index import emptied
from workers.posting import close_http_session

# Says at the end of a run how many tests started workers, used PostgreSQL/Redis, or neither; and
# the one telemetry set-up of the process, for any test that asks for it.
pytest_plugins = ["tests.suite_report", "tests.support.telemetry"]

# Nothing in a test run may reach the network for the public suffix list.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def services() -> Iterator[LocalServices]:
    # Runs at once (`make test` runs lanes side by side) each need their own embedded services.
    state = ROOT / ".services" / os.environ.get("TEST_SERVICES_DIR", "test")
    local = start_local_services(state, redis_url=os.environ.get("REDIS_URL") or None)
    yield local
    local.stop()


@pytest.fixture(scope="session")
def test_database(services: LocalServices) -> Iterator[TestDatabase]:
    orphaned = asyncio.run(drop_orphaned_databases(services.postgres_url))
    if orphaned:
        print(f"dropped {len(orphaned)} database(s) of test runs that are gone: {', '.join(orphaned)}")
    with migrated_database(services.postgres_url) as database:
        yield database


@pytest.fixture(scope="session")
def redis_url(services: LocalServices) -> Iterator[str]:
    """A Redis database index of this run's own, emptied before and after."""
    # Two test runs on one Redis can pin distinct indexes so neither empties the other's queues.
    index = int(os.environ.get("TEST_REDIS_DB") or random.randint(1, 15))
    url = make_url(services.redis_url.replace("redis://", "redis+x://"))
    base = services.redis_url.rsplit("/", 1)[0] if url.database else services.redis_url
    with emptied(f"{base}/{index}") as dedicated:
        yield dedicated


@pytest.fixture(scope="module")
def own_redis_url(redis_url: str) -> Iterator[str]:
    """A Redis database no other test's worker listens on: a job sent here reaches our worker only."""
    base, index = redis_url.rsplit("/", 1)
    # Test runs side by side on one Redis (make test's lanes) name a spare index apiece: the
    # next index could be the other run's own, and emptying it would drop that run's queues.
    spare = os.environ.get("TEST_SPARE_REDIS_DB") or str((int(index) % 15) + 1 if int(index) != 15 else 1)
    assert f"{base}/{spare}" != redis_url
    with emptied(f"{base}/{spare}") as url:
        yield url


@pytest.fixture(scope="session")
def encryption_key() -> str:
    return generate_key()


@pytest.fixture(scope="session")
def service_env(test_database: TestDatabase, redis_url: str, encryption_key: str) -> dict[str, str]:
    """The environment a service process of this test run gets."""
    return {
        "DATABASE_URL": test_database.app_url,
        "DATABASE_ADMIN_URL": test_database.admin_url,
        "REDIS_URL": redis_url,
        "TOKEN_ENCRYPTION_KEY": encryption_key,
        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
    }


@pytest.fixture(scope="session")
async def app_db(test_database: TestDatabase) -> AsyncIterator[Database]:
    """The application role's pool, as the service uses it."""
    database = Database(test_database.app_url)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
async def owner_db(test_database: TestDatabase) -> AsyncIterator[Database]:
    """The owner's pool: for tampering and checks the application must not be able to do."""
    database = Database(test_database.admin_url)
    yield database
    await database.dispose()


@pytest.fixture(scope="session", autouse=True)
async def slack_connections_closed() -> AsyncIterator[None]:
    """In-process posting keeps one HTTP session per event loop, as a worker does; a worker closes
    it when its process stops, and the test run when it ends."""
    yield
    await close_http_session()


@pytest.fixture(scope="session")
async def aredis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def org_id(app_db: Database) -> uuid.UUID:
    """A fresh organization (with one workspace and admin U_ADMIN) for each test."""
    return await create_organization(app_db, name="Test org", team_id=new_team_id(), admin_user_id="UADMIN")
