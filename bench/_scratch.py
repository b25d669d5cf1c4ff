"""A scratch database for one benchmark run: created on the local server, migrated, dropped after."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from db.crypto import generate_key
from db.migrate import migrate_sync
from sandbox.local_services import EmbeddedRedis, LocalServices, port_open, start_local_services

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Scratch:
    services: LocalServices
    admin_url: str
    app_url: str
    encryption_key: str

    @property
    def redis_url(self) -> str:
        return self.services.redis_url


async def server_execute(server_url: str, statement: str) -> None:
    """Run ``statement`` on the server's maintenance database (CREATE/DROP DATABASE cannot run in a transaction)."""
    import asyncpg

    url = make_url(server_url)
    conn = await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username, database=url.database)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@contextmanager
def scratch_database(prefix: str) -> Iterator[Scratch]:
    services = start_local_services(ROOT / ".services" / "bench")
    name = f"cf_bench_{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(server_execute(services.postgres_url, f'CREATE DATABASE "{name}"'))
    admin_url = make_url(services.postgres_url).set(drivername="postgresql+asyncpg", database=name)
    app_url = admin_url.set(username="cf_app", password="cf_app_test")
    admin, app = admin_url.render_as_string(hide_password=False), app_url.render_as_string(hide_password=False)
    try:
        migrate_sync(admin, app)
        yield Scratch(services, admin, app, generate_key())
    finally:
        asyncio.run(server_execute(services.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        services.stop()


def start_private_services(state: Path) -> tuple[LocalServices, EmbeddedRedis, str]:
    """PostgreSQL as this machine has it (embedded under ``state`` when none answers) and a Redis
    of the bench's own under ``state``, with its URL: a shared Redis has its database indexes
    flushed by test runs. Stopping the services stops that Redis too."""
    private_redis = EmbeddedRedis(state / "redis")
    redis_url = private_redis.start()
    services = start_local_services(state, redis_url=redis_url)
    services.embedded.append(private_redis)
    return services, private_redis, redis_url


def wait_for_ports(ports: list[int], what: str, seconds: float = 30) -> None:
    """Return once every port on 127.0.0.1 accepts connections; RuntimeError naming ``what``
    after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not all(port_open("127.0.0.1", port) for port in ports):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


def service_env(
    database_url: str,
    redis_url: str,
    sandbox_port: int,
    *,
    encryption_key: str | None = None,
    dropped: tuple[str, ...] = ("GEMINI_", "DIFFUSION_", "SLACK_"),
    **settings: str,
) -> dict[str, str]:
    """The environment of a process a bench starts: this one's without the variables named by a
    ``dropped`` prefix (the bench sets those itself), pointed at the bench's database and Redis and
    at the Slack sandbox on ``sandbox_port`` as its demo workspace's bot, plus ``settings``. A new
    encryption key unless one is given; the public suffix list stays offline, as in tests."""
    from sandbox.slack import DEMO

    return {
        **{name: value for name, value in os.environ.items() if not name.startswith(dropped)},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TOKEN_ENCRYPTION_KEY": encryption_key or generate_key(),
        "SLACK_API_URL": f"http://127.0.0.1:{sandbox_port}/api/",
        "SLACK_BOT_TOKEN": DEMO.bot_token,
        **settings,
        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
    }
