"""What is watched while the load runs: each web process's /readyz, every organization's quota in
Redis (granted never above budget, at any moment), and Redis's contents for planted PII (messages
sit in the broker only for a moment, so a scan at the end alone would miss them)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import redis.asyncio as aioredis
import redis.exceptions

from bot.quota.keys import month_label, org_keys


async def _every(interval: float, stop: asyncio.Event, step: Callable[[], Awaitable[None]]) -> None:
    """Run ``step`` now and then every ``interval`` seconds until ``stop`` is set (at once, not at the next turn)."""
    while not stop.is_set():
        await step()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def _every_with_redis(
    redis_url: str,
    socket_timeout: float,
    interval: float,
    stop: asyncio.Event,
    step: Callable[[aioredis.Redis], Awaitable[None]],
) -> None:
    """:func:`_every` with one Redis client of its own, closed when ``stop`` ends the loop."""
    client = aioredis.Redis.from_url(redis_url, socket_timeout=socket_timeout, socket_connect_timeout=0.5)
    try:
        await _every(interval, stop, lambda: step(client))
    finally:
        await client.aclose()


@dataclass(frozen=True)
class ReadySample:
    at: float
    web: int
    answered: bool  # False: nothing listening (the process is down or still starting)
    ready: bool
    detail: str


@dataclass
class ReadinessProbe:
    session: aiohttp.ClientSession
    web_urls: list[str]
    interval: float = 0.25
    samples: list[ReadySample] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        await _every(self.interval, stop, self._probe_all)

    async def _probe_all(self) -> None:
        await asyncio.gather(*(self._probe(i, url) for i, url in enumerate(self.web_urls)))

    async def _probe(self, index: int, url: str) -> None:
        at = time.time()
        try:
            async with self.session.get(f"{url}/readyz", timeout=aiohttp.ClientTimeout(total=2.5)) as response:
                body = await response.text()
                self.samples.append(
                    ReadySample(at, index, True, response.status == 200, f"{response.status} {body[:120]}")
                )
        except aiohttp.ClientConnectorError as error:
            self.samples.append(ReadySample(at, index, False, False, type(error).__name__))
        except (aiohttp.ClientError, TimeoutError) as error:
            # It took the connection and gave no answer in time: there, but not ready.
            self.samples.append(ReadySample(at, index, True, False, type(error).__name__))

    def ready_after(self, moment: float) -> tuple[float | None, list[int]]:
        """When every web process that was running at ``moment`` answered ready again, and which
        ones were left out because nothing was listening there at that moment (killed, restarting)."""
        first: dict[int, float] = {}
        absent: list[int] = []
        for web in range(len(self.web_urls)):
            mine = sorted((s for s in self.samples if s.web == web and s.at >= moment), key=lambda s: s.at)
            if mine and not mine[0].answered:
                absent.append(web)
                continue
            ready = next((s.at for s in mine if s.ready), None)
            if ready is None:
                return None, absent
            first[web] = ready
        return (max(first.values()) if first else None), absent


@dataclass
class QuotaSample:
    at: float
    org_id: uuid.UUID
    budget: int
    used: int
    reserved: int

    @property
    def granted(self) -> int:
        return self.used + self.reserved


@dataclass
class QuotaProbe:
    """Reads the numbers the reserve script decides on, from Redis itself, once a second."""

    redis_url: str
    org_ids: list[uuid.UUID]
    interval: float = 1.0
    samples: list[QuotaSample] = field(default_factory=list)
    errors: int = 0

    async def run(self, stop: asyncio.Event) -> None:
        await _every_with_redis(self.redis_url, 1.0, self.interval, stop, self._sample)

    async def _sample(self, client: aioredis.Redis) -> None:
        now = time.time()
        label = month_label(now)
        try:
            async with client.pipeline(transaction=False) as pipe:
                for org_id in self.org_ids:
                    keys = org_keys(org_id)
                    pipe.hget(keys.settings, "budget")
                    pipe.hmget(keys.month(label), "used", "reserved")
                answers = await pipe.execute()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            self.errors += 1  # Redis is being restarted: nothing to read, nothing granted either
            return
        for position, org_id in enumerate(self.org_ids):
            budget, month = answers[2 * position], answers[2 * position + 1]
            if budget is None or month[0] is None:
                continue  # not rebuilt yet after a restart
            self.samples.append(QuotaSample(now, org_id, int(budget), int(float(month[0])), int(float(month[1] or 0))))

    def over_budget(self) -> list[QuotaSample]:
        return [s for s in self.samples if s.granted > s.budget]

    def peak(self, org_id: uuid.UUID) -> QuotaSample | None:
        mine = [s for s in self.samples if s.org_id == org_id]
        return max(mine, key=lambda s: s.granted / max(1, s.budget)) if mine else None


def needles_in(text: str, needles: Iterable[str]) -> list[str]:
    """The planted strings found in ``text``. A digits-only needle (a phone or card number without
    separators) counts only where no digit touches it: inside a longer number (a timestamp, a span
    id) it is a coincidence, not a leak."""
    found = []
    for needle in needles:
        position = text.find(needle)
        if position < 0:
            continue
        if not needle.isdigit():
            found.append(needle)
            continue
        if re.search(rf"(?<!\d){needle}(?!\d)", text):
            found.append(needle)
    return found


def redis_value_texts(kind: str, value: Any) -> Iterable[str]:
    """Every string in a Redis value, with kombu's base64 message bodies decoded as well."""
    items: list[Any]
    if kind == "hash":
        items = [*value.keys(), *value.values()]
    elif kind == "zset":
        items = [member for member, _score in value]
    elif isinstance(value, list | set | tuple):
        items = list(value)
    else:
        items = [value]
    for item in items:
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        yield text
        yield from _decoded_bodies(text)


def _decoded_bodies(text: str) -> Iterable[str]:
    if '"body"' not in text:
        return
    try:
        message = json.loads(text)
    except json.JSONDecodeError:
        return
    if isinstance(message, list) and message and isinstance(message[0], dict):
        message = message[0]  # kombu's unacked entries: [message, exchange, routing key]
    if not isinstance(message, dict) or not isinstance(message.get("body"), str):
        return
    if message.get("properties", {}).get("body_encoding") == "base64":
        with contextlib.suppress(ValueError):
            yield base64.b64decode(message["body"]).decode("utf-8", "replace")


async def scan_redis(client: aioredis.Redis, *, max_keys: int = 20_000) -> list[tuple[str, str]]:
    """(key, text) for every key and every string in its value; bounded in keys read."""
    found: list[tuple[str, str]] = []
    readers = {
        "string": client.get,
        "hash": client.hgetall,
        "list": lambda key: client.lrange(key, 0, -1),
        "set": client.smembers,
        "zset": lambda key: client.zrange(key, 0, -1, withscores=True),
    }
    seen = 0
    async for raw_key in client.scan_iter(count=500):
        seen += 1
        if seen > max_keys:
            break
        key = raw_key.decode("utf-8", "replace") if isinstance(raw_key, bytes) else str(raw_key)
        kind = (await client.type(raw_key)).decode()
        reader = readers.get(kind)
        found.append((key, key))
        if reader is None:
            continue
        value = await reader(raw_key)
        found.extend((key, text) for text in redis_value_texts(kind, value))
    return found


@dataclass
class RedisPiiProbe:
    """Scans all of Redis every few seconds for the planted PII sent so far."""

    redis_url: str
    needles: Callable[[], list[str]]
    interval: float = 5.0
    scans: int = 0
    hits: list[tuple[str, str]] = field(default_factory=list)  # (key, needle)

    async def run(self, stop: asyncio.Event) -> None:
        await _every_with_redis(self.redis_url, 2.0, self.interval, stop, self.scan_once)

    async def scan_once(self, client: aioredis.Redis) -> None:
        needles = self.needles()
        try:
            texts = await scan_redis(client)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            return
        self.scans += 1
        for key, text in texts:
            self.hits.extend((key, needle) for needle in needles_in(text, needles))
