"""The in-process cache behind tenancy and roles: entries expire, can be dropped at once, and a
read-through keeps what it found but never a miss."""

from __future__ import annotations

import asyncio

from bot.slack.middleware.ttl_cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_their_ttl() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(30, clock=clock)
    cache.put("T1", 1)
    clock.now = 29.9
    assert cache.get("T1") == 1
    clock.now = 30.0
    assert cache.get("T1") is None


def test_discard_where_drops_matching_entries() -> None:
    cache: TtlCache[tuple[str, str], str] = TtlCache(30)
    cache.put(("org1", "U1"), "admin")
    cache.put(("org1", "U2"), "viewer")
    cache.put(("org2", "U1"), "editor")
    cache.discard_where(lambda key, _role: key[0] == "org1")
    assert cache.get(("org1", "U1")) is None and cache.get(("org2", "U1")) == "editor"


def test_the_oldest_entry_makes_room() -> None:
    cache: TtlCache[int, int] = TtlCache(30, max_entries=2)
    cache.put(1, 1)
    cache.put(2, 2)
    cache.put(3, 3)
    assert cache.get(1) is None and cache.get(2) == 2 and cache.get(3) == 3


async def test_read_through_keeps_what_it_found_but_asks_again_after_a_miss() -> None:
    cache: TtlCache[str, str] = TtlCache(30)
    answers: list[str | None] = [None, "org1", "org2"]
    asked: list[str] = []

    async def load() -> str | None:
        asked.append("T1")
        return answers.pop(0)

    assert await cache.read_through("T1", load) is None  # not installed yet
    assert await cache.read_through("T1", load) == "org1"  # installed since: seen at once
    assert await cache.read_through("T1", load) == "org1"  # kept: not asked again
    assert len(asked) == 2


async def test_a_value_loaded_across_a_drop_or_while_not_keeping_is_returned_but_not_kept() -> None:
    cache: TtlCache[str, str] = TtlCache(30)

    async def load_during_a_drop() -> str:
        cache.discard("other")  # a change announced while the load was reading
        return "stale?"

    assert await cache.read_through("T1", load_during_a_drop) == "stale?"
    assert cache.get("T1") is None

    async def load() -> str:
        return "org1"

    cache.stop_keeping()
    assert await cache.read_through("T1", load) == "org1" and cache.get("T1") is None
    cache.keep_again()
    assert await cache.read_through("T1", load) == "org1" and cache.get("T1") == "org1"


async def test_reads_that_miss_together_share_one_load() -> None:
    cache: TtlCache[str, str] = TtlCache(30)
    go_ahead = asyncio.Event()
    asked: list[str] = []

    async def load() -> str:
        asked.append("T1")
        await go_ahead.wait()
        return "org1"

    reads = [asyncio.ensure_future(cache.read_through("T1", load)) for _ in range(5)]
    await asyncio.sleep(0)
    go_ahead.set()
    assert await asyncio.gather(*reads) == ["org1"] * 5
    assert asked == ["T1"] and cache.get("T1") == "org1"


async def test_a_read_after_a_drop_does_not_share_a_load_that_started_before_it() -> None:
    cache: TtlCache[str, str] = TtlCache(30)
    go_ahead = asyncio.Event()
    answers = ["before the change", "after the change"]

    async def load() -> str:
        answer = answers.pop(0)
        await go_ahead.wait()
        return answer

    before = asyncio.ensure_future(cache.read_through("T1", load))
    await asyncio.sleep(0)
    cache.discard("T1")  # an uninstall, say, announced while the first load was reading
    after = asyncio.ensure_future(cache.read_through("T1", load))
    await asyncio.sleep(0)
    go_ahead.set()
    assert await before == "before the change" and await after == "after the change"
    assert cache.get("T1") == "after the change"


async def test_a_reader_that_gives_up_leaves_the_shared_load_to_the_others() -> None:
    cache: TtlCache[str, str] = TtlCache(30)
    go_ahead = asyncio.Event()

    async def load() -> str:
        await go_ahead.wait()
        return "org1"

    first = asyncio.ensure_future(cache.read_through("T1", load))
    second = asyncio.ensure_future(cache.read_through("T1", load))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    go_ahead.set()
    assert await second == "org1"
    assert first.cancelled()


async def test_a_failed_load_fails_every_reader_sharing_it_and_the_next_read_asks_again() -> None:
    cache: TtlCache[str, str] = TtlCache(30)
    go_ahead = asyncio.Event()
    outcomes: list[str | None] = [None, "org1"]

    async def load() -> str:
        await go_ahead.wait()
        outcome = outcomes.pop(0)
        if outcome is None:
            raise ConnectionError("database unreachable")
        return outcome

    reads = [asyncio.ensure_future(cache.read_through("T1", load)) for _ in range(3)]
    await asyncio.sleep(0)
    go_ahead.set()
    results = await asyncio.gather(*reads, return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in results)
    assert await cache.read_through("T1", load) == "org1"
