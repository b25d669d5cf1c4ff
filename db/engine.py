"""The async engine and the ways to open a tenant-scoped transaction: an ORM session (``tenant``),
or the pooled connection's asyncpg driver for the statements every job runs (``tenant_driver``)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, AsyncExitStack, asynccontextmanager, nullcontext
from typing import Any, cast

import aiohttp
import asyncpg
from opentelemetry import trace
from sqlalchemy import event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import Pool, PoolProxiedConnection, QueuePool
from sqlalchemy.util import greenlet_spawn

from db.role_safety import RoleSafety, inspect_role

_tracer = trace.get_tracer(__name__)


async def set_tenant(session: AsyncSession, org_id: uuid.UUID) -> None:
    # is_local=true: the setting dies with the transaction, so a pooled connection never
    # carries one tenant into the next transaction.
    await session.execute(text("SELECT set_config('app.org_id', :org, true)"), {"org": str(org_id)})


# SQLSTATEs of a server going away: class 08 (connection exception), and an administrator's or a
# crash's shutdown, or a server still starting (57P01-57P03).
_OUTAGE_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")


def is_database_outage(error: BaseException) -> bool:
    """True when ``error`` says PostgreSQL could not be reached or lost the connection (a restart,
    a failover, a network cut), as opposed to a statement the database refused."""
    if isinstance(error, aiohttp.ClientError):
        # An HTTP call (Slack, a response_url) failing to connect is an OSError too, but not ours.
        return False
    if isinstance(error, OSError | TimeoutError | OperationalError | InterfaceError):
        return True
    if isinstance(error, asyncpg.exceptions.ConnectionDoesNotExistError):
        return True
    if isinstance(error, asyncpg.exceptions.InterfaceError) and "connection is closed" in str(error):
        # A statement sent on the asyncpg driver itself (``Database.tenant_driver``) after its
        # connection died; SQLAlchemy reads the same words as a disconnect.
        return True
    # asyncpg's own error when a new connection is refused (SQLAlchemy does not wrap those), or
    # SQLAlchemy's wrapper of one raised on a connection it already held.
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig or error
    sqlstate = str(getattr(error, "sqlstate", None) or "")
    return sqlstate.startswith(_OUTAGE_SQLSTATE_PREFIXES)


def ping_connections_idle_for(pool: Pool, seconds: float) -> None:
    """Ping a pooled connection on checkout when it was idle at least ``seconds``; one that does
    not answer is discarded and the pool hands out another (SQLAlchemy's disconnect handling)."""

    @event.listens_for(pool, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        checked_in = record.info.get(_CHECKED_IN_AT)
        if checked_in is None or time.monotonic() - checked_in < seconds:
            return  # new, or busy a moment ago
        try:
            alive = cast(Dialect, pool._dialect).do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("the pooled connection did not answer a ping") from error
        if not alive:
            raise DisconnectionError("the pooled connection did not answer a ping")


_CHECKED_IN_AT = "checked_in_at"


def _transaction_span(operation: str) -> AbstractContextManager[object]:
    if not trace.get_current_span().is_recording():
        return nullcontext()
    return _tracer.start_as_current_span(
        f"postgresql {operation}",
        kind=trace.SpanKind.CLIENT,
        attributes={"db.system": "postgresql", "db.operation": operation},
    )


async def _abandon_transaction(connection: AsyncConnection, driver: Any, error: BaseException) -> None:
    """Roll back a ``tenant_driver`` transaction, or close its connection when that cannot be trusted."""
    if not isinstance(error, Exception) or is_database_outage(error) or driver.is_closed():
        # Cancelled (a statement may still be in flight) or the server is gone: the pool forgets it.
        await connection.invalidate()
        return
    try:
        await driver.execute("ROLLBACK")
    except Exception:
        await connection.invalidate()


class Database:
    """A pool of connections as the application role; every query runs in ``tenant`` or ``system``."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int | None = None,
        pre_ping: bool = True,
        ping_idle_after: float | None = None,
    ) -> None:
        """``pre_ping=False`` saves a round trip on every checkout (the web tier's hot path): a
        connection a restart killed then fails its first statement, which SQLAlchemy reports as a
        disconnect (``is_database_outage``), and the whole pool is renewed on the next checkout.

        ``ping_idle_after`` (seconds) pings only a connection that sat in the pool at least that
        long: a busy worker checks its connections out and in hundreds of times a second, and a
        ping each time was a sixth of a job's CPU. A connection idle across a restart is still
        pinged and replaced; one checked in within that moment of a restart fails its first
        statement as with ``pre_ping=False``.

        ``max_overflow``: connections opened beyond ``pool_size`` when all are busy, each closed
        again when it is returned (default: ``pool_size`` more). ``0``: a request waits for a
        pooled connection instead; see ``Runtime.for_web``."""
        self.url = url
        self.engine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size if max_overflow is None else max_overflow,
            pool_pre_ping=pre_ping and ping_idle_after is None,
            pool_recycle=1800,
            connect_args={"server_settings": {"application_name": "content-factory"}},
        )
        if pre_ping and ping_idle_after is not None:
            ping_connections_idle_for(self.engine.sync_engine.pool, ping_idle_after)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def tenant(self, org_id: uuid.UUID) -> AsyncIterator[AsyncSession]:
        """A transaction in which the database shows only ``org_id``'s rows; commits on success."""
        if not isinstance(org_id, uuid.UUID):
            raise TypeError("org_id must be a UUID")
        async with self._sessions() as session, session.begin():
            await set_tenant(session, org_id)
            yield session

    @asynccontextmanager
    async def system(self) -> AsyncIterator[AsyncSession]:
        """A transaction with no tenant: it sees no tenant rows and may only call SECURITY DEFINER
        functions (the narrow cross-tenant steps in ``db.system``)."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def tenant_driver(self, org_id: uuid.UUID, operation: str = "transaction") -> AsyncIterator[Any]:
        """``tenant`` on the pooled connection's asyncpg driver itself (an ``asyncpg.Connection``),
        for the workers' per-job statements: BEGIN and the tenant reach the server in one round
        trip, and the statements inside are plain asyncpg, prepared once per connection. Through
        an ORM session each statement cost about a millisecond of a worker's CPU on top of its own
        work, and a job runs several.

        Commits on success. On any error the transaction is rolled back; a connection whose state
        is unknown (an outage, a statement cancelled mid-flight) is closed instead, so the pool
        never hands out one that is still inside a transaction or still carries this tenant.

        The driver's statements are not seen by the engine's tracing, so the transaction is a
        span of its own (``postgresql <operation>``) under a span that records; under one that
        does not (nothing exports), there is nothing to make."""
        if not isinstance(org_id, uuid.UUID):
            raise TypeError("org_id must be a UUID")
        with _transaction_span(operation):
            async with self._tenant_driver(org_id) as driver:
                yield driver

    @asynccontextmanager
    async def _tenant_driver(self, org_id: uuid.UUID) -> AsyncIterator[Any]:
        # The plain engine, not the autocommit one: SQLAlchemy starts no transaction of its own on
        # a connection it runs nothing on, and setting and resetting the isolation level on every
        # checkout was a tenth of the statement's CPU.
        async with self.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None, "a pooled connection always has its asyncpg connection"
            try:
                # A UUID's text is safe to inline. Two statements in one simple query: one round
                # trip, and is_local=true ends the setting with the transaction, as in ``tenant``.
                await driver.execute(f"BEGIN; SELECT set_config('app.org_id', '{org_id}', true)")
                yield driver
                await driver.execute("COMMIT")
            except BaseException as error:
                await _abandon_transaction(connection, driver, error)
                raise

    @asynccontextmanager
    async def single_statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection whose every statement is its own transaction: one round trip, no BEGIN
        or COMMIT. The statement itself must set the tenant (``set_config(..., true)`` lasts as
        long as that one statement) before any row it touches is checked against RLS."""
        async with self._autocommit.connect() as connection:
            yield connection

    @asynccontextmanager
    async def pooled_driver(self) -> AsyncIterator[PoolProxiedConnection]:
        """A pooled connection as the pool itself hands it out (``.driver_connection`` is its
        ``asyncpg.Connection``), for a statement that is its own transaction and sets its own
        tenant, as under ``single_statement``; returned to the pool afterwards, where the pool's
        events (checkout, checkin, the connection gauge) see it as any other.

        Without the ``AsyncConnection`` around it: building one, setting and resetting its
        isolation level and closing it cost more CPU than the statement itself (half of a
        checkout's), on the web tier's hottest path. A caller that cannot trust the connection
        any more (an outage) calls ``invalidate()`` on it before leaving, and the pool forgets it."""
        pooled = await greenlet_spawn(self.engine.sync_engine.pool.connect)
        try:
            yield pooled
        finally:
            await greenlet_spawn(pooled.close)

    async def open_pool(self) -> None:
        """Open every connection the pool keeps, now: a process that opened them on demand had
        each of its first commands under a burst wait for a connection's start-up (TCP, the
        server's backend, SQLAlchemy's and asyncpg's set-up), all of them at once."""
        pool = self.engine.sync_engine.pool
        kept = pool.size() if isinstance(pool, QueuePool) else 1
        # Held together, so that the pool opens a new one each time; all handed back on the way
        # out, also when the caller gives up half-way (a timeout must not leave some checked out).
        async with AsyncExitStack() as held:
            for _ in range(kept):
                await held.enter_async_context(self.pooled_driver())

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def inspect_role(self) -> RoleSafety:
        """What the connecting role may do that would defeat Row-Level Security."""
        async with self.engine.connect() as conn:
            return await inspect_role(conn)

    async def dispose(self) -> None:
        await self.engine.dispose()
