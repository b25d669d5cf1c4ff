"""The shared resources of one process: settings, the database pool, Redis, the secret box."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from bot.process.settings import ConfigError, Settings, get_settings
from db.crypto import SecretBox
from db.engine import Database


@dataclass
class Runtime:
    settings: Settings
    database: Database
    redis: aioredis.Redis
    secrets: SecretBox

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        pre_ping: bool = True,
        ping_idle_after: float | None = None,
        pool_size: int = 10,
        max_overflow: int | None = None,
    ) -> Runtime:
        """``ping_idle_after`` for workers; the pool's shape: see ``Database``."""
        settings.require("database_url", "redis_url", "token_encryption_key")
        assert settings.database_url and settings.redis_url and settings.token_encryption_key
        return cls(
            settings=settings,
            database=Database(
                settings.database_url,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pre_ping=pre_ping,
                ping_idle_after=ping_idle_after,
            ),
            redis=aioredis.Redis.from_url(
                settings.redis_url, socket_timeout=2.0, socket_connect_timeout=1.0, health_check_interval=30
            ),
            secrets=SecretBox(settings.token_encryption_key),
        )

    @classmethod
    def for_web(cls, settings: Settings) -> Runtime:
        """A web process's: no ping on checkout (a round trip on every command; see ``Database``),
        and no overflow connections. Under a burst the loop is busy and each connection is held
        for longer than its one statement, so the default pool overflowed, and every overflow
        connection was opened (TLS attempt, startup, SQLAlchemy's type set-up) and closed again
        for a command or two (one process under 50 concurrent commands: a new connection for about
        one command in five, on the web tier and on PostgreSQL). A command now waits its turn for
        a kept connection; the pool's size is ``WEB_DATABASE_POOL_SIZE``."""
        return cls.from_settings(settings, pre_ping=False, pool_size=settings.web_database_pool_size, max_overflow=0)

    async def close(self) -> None:
        await self.database.dispose()
        await self.redis.aclose()


_runtime: Runtime | None = None


def dev_mode() -> bool:
    """`content-factory dev` marks its children; they log for a terminal instead of a collector."""
    return get_settings().content_factory_dev


def get_runtime(*, ping_idle_after: float | None = None) -> Runtime:
    """The process's runtime, made from the environment on first use (after fork in workers);
    ``ping_idle_after`` applies when this call makes it (see ``Database``)."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime.from_settings(get_settings(), ping_idle_after=ping_idle_after)
    return _runtime


def set_runtime(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


__all__ = ["ConfigError", "Runtime", "dev_mode", "get_runtime", "set_runtime"]
