"""Hear the region directory's changes as they commit (``LISTEN cf_region_directory``; the
trigger is revision 0016) and drop the changed keys from this process's ``RegionDirectory``.

One connection of its own per web process, outside the pool: a pooled connection held for the
process's life would be one fewer for requests. While it is not connected the directory does not
cache (a look-up per request, as before the cache existed), and on every (re)connection the cache
starts empty: a change made while nobody listened is never served from memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bot.process.stopping import cancel_and_wait
from bot.slack.region_directory import RegionDirectory

log = logging.getLogger(__name__)

CHANNEL = "cf_region_directory"
RECONNECT_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 5.0


class DirectoryChanges:
    """Keeps ``directory`` coherent with the database: ``start`` once the loop runs, ``stop`` at
    shutdown. A lost connection is retried every ``reconnect_seconds``."""

    def __init__(self, directory: RegionDirectory, url: str, *, reconnect_seconds: float = RECONNECT_SECONDS) -> None:
        self.directory = directory
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._reconnect_seconds = reconnect_seconds
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._connection: Any = None

    async def start(self) -> None:
        self.directory.stop_caching()
        self._task = asyncio.create_task(self._follow(), name="region-directory-changes")

    async def wait_listening(self) -> bool:
        """Wait until changes are heard; the caller bounds the wait (``asyncio.timeout``)."""
        await self._listening.wait()
        return True

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    @property
    def backend_pid(self) -> int | None:
        """The listening connection's server process (a test ends it to prove the fallback)."""
        return None if self._connection is None else int(self._connection.get_server_pid())

    async def _follow(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen_until_lost()
                failures = 0
            except (OSError, asyncpg.PostgresError, TimeoutError) as error:
                failures += 1
                # Once per outage, not once a second: the request path says the same thing already.
                if failures == 1:
                    log.warning("region directory changes unheard (%s); every request asks the directory", error)
            await asyncio.sleep(self._reconnect_seconds)

    async def _listen_until_lost(self) -> None:
        lost = asyncio.Event()
        connection = await asyncpg.connect(
            self._dsn, timeout=CONNECT_TIMEOUT_SECONDS, server_settings={"application_name": "content-factory"}
        )
        self._connection = connection
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(CHANNEL, self._changed)
            # Only now: whatever changed before LISTEN took effect is dropped with the rest.
            self.directory.follow_changes()
            self._listening.set()
            log.info("region directory changes heard; the directory caches")
            while not lost.is_set() and not connection.is_closed():
                # A connection killed without a clean close tells nobody: check it now and then.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self._reconnect_seconds * 5)
                if not lost.is_set():
                    await connection.execute("SELECT 1")
        finally:
            self._listening.clear()
            self.directory.stop_caching()
            self._connection = None
            if not connection.is_closed():
                connection.terminate()
        log.warning("region directory changes unheard (connection lost); every request asks the directory")

    def _changed(self, _connection: object, _pid: int, _channel: str, key: str) -> None:
        self.directory.forget(key)
