"""The workers' Redis transport: kombu's own, with two per-message costs taken out.

kombu's Redis channel reads the queues with one BRPOP per message, naming every list the worker
consumes (each queue's sub-queues at each priority step: 132 lists for ``text``), and acknowledges
each message through a Redis client it builds for that one call (and another to record the
message as unacknowledged). redis-py packs a command argument by argument into a growing buffer,
and a new client fills a table of some two hundred reply parsers: together about a millisecond
of a worker's CPU per job, a tenth of all of it.

Here the same BRPOP goes out byte for byte, built from each list's name encoded once, and the
channel keeps one client for its acks (a redis-py client is safe to share between the pool's
threads; each pipeline is still its own). What the broker sees, and the order it serves the
lists in (every sub-queue at the best priority first, the last one served moved to the back),
is unchanged, and so are late acks and the restore of a lost worker's messages.

``transport_for`` names it in Celery's settings for plain ``redis://`` brokers; any other URL
(``rediss://``, whose TLS kombu sets up from the scheme) keeps kombu's transport as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from time import monotonic
from typing import Any
from urllib.parse import urlparse

from kombu.transport import redis as kombu_redis

TRANSPORT = "workers.broker:Transport"


def transport_for(broker_url: str) -> str | None:
    """The transport a worker uses for ``broker_url``: this module's for ``redis://``, else
    None (kombu's own for the URL's scheme)."""
    return TRANSPORT if urlparse(broker_url).scheme == "redis" else None


def _bulk(value: bytes) -> bytes:
    """One argument of a command in the Redis protocol (RESP bulk string)."""
    return b"$%d\r\n%s\r\n" % (len(value), value)


def packed_brpop(lists: Sequence[bytes], timeout: int | float) -> bytes:
    """``BRPOP list... timeout`` as redis-py would send it, from lists already in bulk form."""
    return b"".join((b"*%d\r\n$5\r\nBRPOP\r\n" % (len(lists) + 2), *lists, _bulk(repr(timeout).encode())))


# kombu's stubs leave out the channel's private methods overridden here.
_RedisChannel: Any = kombu_redis.Channel


class Channel(_RedisChannel):  # type: ignore[misc]  # a subclass of Any (above), which strict refuses
    _list_bulks: dict[str, tuple[bytes, ...]]
    _acks_client: Any = None

    def _lists_of(self, queue: str) -> tuple[bytes, ...]:
        """``queue``'s list at each priority step, in bulk form (encoded on first use)."""
        try:
            cache = self._list_bulks
        except AttributeError:
            cache = self._list_bulks = {}
        lists = cache.get(queue)
        if lists is None:
            lists = cache[queue] = tuple(_bulk(self._q_for_pri(queue, step).encode()) for step in self.priority_steps)
        return lists

    def _brpop_start(self, timeout: int | float | None = None) -> None:
        if self.global_keyprefix:
            # Every key is prefixed by the client: kombu's own path.
            super()._brpop_start(timeout)
            return
        if timeout is None:
            timeout = self.brpop_timeout
        # Every queue (``active_queues`` without fanout ones, which the cycle holds; rebuilding that
        # list on each poll was its own cost): the cycle returns them all in serving order.
        queues = self._queue_cycle.consume(len(self._active_queues))
        if not queues:
            return
        # kombu's order: every queue at the best priority step, then every queue at the next.
        by_queue = [self._lists_of(queue) for queue in queues]
        lists = [bulks[step] for step in range(len(self.priority_steps)) for bulks in by_queue]
        connection = self.client.connection
        self._in_poll = connection
        self._brpop_sent_at = monotonic()
        # A list of pieces, as redis-py's own packer hands over (bare bytes would be sent byte by byte).
        connection.send_packed_command([packed_brpop(lists, timeout or 0)])

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        """kombu makes a new client on every call (two per message); one per connection pool does."""
        if client:
            yield client
            return
        shared = self._acks_client
        if shared is None or shared.connection_pool is not self.pool:
            shared = self._acks_client = self._create_client()
        yield shared


class Transport(kombu_redis.Transport):
    Channel = Channel
