"""A region move made anywhere reaches every web process's directory cache when it commits, and a
process that cannot hear the directory's changes does not cache it at all."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text

from bot.slack.directory_changes import DirectoryChanges
from bot.slack.region_directory import RegionDirectory
from db.engine import Database
from tests.support.database import new_team_id
from tests.support.regions import TwoRegions, directory_changes_heard
from tests.support.waiting import wait_until

# Far below the cache's 30 s: a change seen within this came from the announcement.
HEARD_WITHIN_SECONDS = 5.0


# After a lost connection: long enough for a test to act while the process is deaf.
RECONNECT_SECONDS = 2.0


@pytest.fixture
async def following(app_db: Database) -> AsyncIterator[tuple[RegionDirectory, DirectoryChanges]]:
    directory = RegionDirectory(app_db)
    changes = DirectoryChanges(directory, app_db.url, reconnect_seconds=RECONNECT_SECONDS)
    await changes.start()
    assert not directory.caching, "nothing is cached before the changes are heard"
    async with asyncio.timeout(HEARD_WITHIN_SECONDS):
        await changes.wait_listening()
    yield directory, changes
    await changes.stop()


async def pinned_team(app_db: Database, region: str) -> tuple[str, uuid.UUID]:
    team, org_id = new_team_id(), uuid.uuid4()
    await RegionDirectory(app_db).pin(team, None, org_id, region)
    return team, org_id


@pytest.fixture
async def cached_eu_team(
    app_db: Database, following: tuple[RegionDirectory, DirectoryChanges], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, uuid.UUID]:
    """A team pinned to "eu", once the listening directory of ``following`` has heard the pin and
    has the team cached. The pin's notice, still on its way under load, would otherwise drop the
    entry during the test, as if a change the test makes had been announced."""
    directory, _changes = following
    team, org_id = await pinned_team(app_db, "eu")
    await directory_changes_heard(directory, monkeypatch)
    assert await cached_region(directory, team) == "eu"
    return team, org_id


async def switch_region(owner_db: Database, org_id: uuid.UUID, region: str) -> None:
    """What ``content-factory region move`` does to the directory, as the owner."""
    async with owner_db.tenant(org_id) as session:
        await session.execute(
            text("UPDATE region_directory SET region = :r, pinned_at = now() WHERE org_id = :o"),
            {"r": region, "o": org_id},
        )


async def eventually(condition: Callable[[], bool], failure: str) -> None:
    """``condition`` holds within the time an announced change takes to arrive."""
    await wait_until(condition, failure, seconds=HEARD_WITHIN_SECONDS)


async def cached_region(directory: RegionDirectory, team: str) -> str | None:
    """The team's region once the directory caches it: the pin's own announcement may arrive
    during the first read, and a read overtaken by a change is not cached."""

    async def found_and_cached() -> tuple[str | None] | None:
        region = await region_found(directory, team)
        # A tuple, so that a team found in no region (None) still ends the wait once cached.
        return (region,) if directory.is_cached(team, None) else None

    [region] = await wait_until(
        found_and_cached, f"team {team} was never cached", seconds=HEARD_WITHIN_SECONDS, every=0.02
    )
    return region


async def region_found(directory: RegionDirectory, team: str) -> str | None:
    entry = await directory.find(team, None)
    return None if entry is None else entry.region


async def test_a_move_committed_elsewhere_drops_the_cached_entry_at_once(
    app_db: Database,
    owner_db: Database,
    following: tuple[RegionDirectory, DirectoryChanges],
    cached_eu_team: tuple[str, uuid.UUID],
) -> None:
    directory, _changes = following
    team, org_id = cached_eu_team
    unheard = RegionDirectory(app_db)  # a process as before: the cache alone
    assert await region_found(unheard, team) == "eu"

    await switch_region(owner_db, org_id, "us")

    await eventually(lambda: not directory.is_cached(team, None), "the team's cached region was never dropped")
    assert await region_found(directory, team) == "us"
    # Without the announcement the entry would have stood for its 30 s.
    assert await region_found(unheard, team) == "eu"
    # The new entry is cached again: an announcement drops one entry, it does not stop caching.
    assert directory.caching and directory.is_cached(team, None)


async def test_a_change_rolled_back_is_never_announced(
    owner_db: Database, following: tuple[RegionDirectory, DirectoryChanges], cached_eu_team: tuple[str, uuid.UUID]
) -> None:
    directory, _changes = following
    team, org_id = cached_eu_team
    dropped: list[str] = []
    forget = directory.forget

    def spy(key: str) -> None:
        dropped.append(key)
        forget(key)

    directory.forget = spy
    with pytest.raises(RuntimeError):
        async with owner_db.tenant(org_id) as session:
            await session.execute(text("UPDATE region_directory SET region = 'us' WHERE org_id = :o"), {"o": org_id})
            raise RuntimeError("the move failed before its commit")
    await switch_region(owner_db, org_id, "eu")  # a committed change after it, to wait on
    await eventually(lambda: team in dropped, "the change committed after the failed move was never heard")
    assert dropped.count(team) == 1


async def test_a_process_that_cannot_hear_changes_asks_the_database_until_it_can_again(
    owner_db: Database, following: tuple[RegionDirectory, DirectoryChanges], cached_eu_team: tuple[str, uuid.UUID]
) -> None:
    directory, changes = following
    team, org_id = cached_eu_team
    pid = changes.backend_pid
    assert pid is not None
    async with owner_db.system() as session:
        await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await eventually(lambda: not directory.caching, "the directory kept caching without its listener")

    # Nothing cached while deaf: the next read sees a change at once.
    await switch_region(owner_db, org_id, "us")
    assert await region_found(directory, team) == "us"
    assert not directory.is_cached(team, None)

    async with asyncio.timeout(HEARD_WITHIN_SECONDS):
        await changes.wait_listening()
    assert directory.caching and changes.backend_pid not in (None, pid)
    assert await region_found(directory, team) == "us"
    await switch_region(owner_db, org_id, "eu")
    await eventually(lambda: not directory.is_cached(team, None), "the team's cached region was never dropped")
    assert await region_found(directory, team) == "eu"


async def test_the_web_service_hears_the_directory_of_its_default_region(
    two_regions: TwoRegions, owner_db: Database
) -> None:
    directory = two_regions.router.directory
    assert directory.caching, "serving started listening before it took requests"
    team, org_id = await pinned_team(two_regions.runtime("us").database, "eu")
    assert await cached_region(directory, team) == "eu"
    await switch_region(owner_db, org_id, "us")
    await eventually(lambda: not directory.is_cached(team, None), "the team's cached region was never dropped")
    assert await region_found(directory, team) == "us"
