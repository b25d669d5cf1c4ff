"""Data residency on the request path: which region a Slack team's organization lives in, asked
once per request before anything else touches a database, and the region's own bolt app (with its
own engine, Redis and queues) then handles the request alone.

The directory (``db.directory``, in the default region's database) is read through
``RegionDirectory``, cached in-process. Every committed change to it is announced by the database
(``bot.slack.directory_changes``), and the entry is dropped at once in every process that listens;
while a process is not listening (its connection lost), it does not cache at all, so a region move
is never routed to the old region from a stale entry. A team the directory does not know goes to
the default region, whose tenancy refuses it as not installed (or, in single-workspace mode, makes
its organization there).

``RegionRouter`` picks the app: a request whose signature does not verify is handed to the default
region's app untouched (bolt answers 401 there) without a directory look-up, so a forger cannot
make this process query the directory. OAuth installs carry their region in the ``state`` they
were issued with (``RegionOAuthStateStore``).
"""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Mapping

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.slack.installation_store import PostgresOAuthStateStore
from bot.slack.middleware.ttl_cache import TtlCache
from db.directory import RegionEntry, pin_region, region_of
from db.engine import Database, is_database_outage

log = logging.getLogger(__name__)

DIRECTORY_TTL_SECONDS = 30.0
# An OAuth state's region prefix: "eu.<state>"; region names have no dot.
STATE_SEPARATOR = "."


class RegionPinned(Exception):
    """A workspace already pinned to one region tried to install into another."""

    def __init__(self, key: str, pinned: str, requested: str) -> None:
        super().__init__(f"workspace {key} is pinned to region {pinned}; it cannot install into {requested}")
        self.key = key
        self.pinned = pinned
        self.requested = requested


class RegionDirectory:
    """Team or enterprise -> organization and region, from the default region's database."""

    def __init__(self, database: Database, *, ttl_seconds: float = DIRECTORY_TTL_SECONDS) -> None:
        """Caches from the start, each entry for ``ttl_seconds``; a process that follows the
        database's announcements calls ``stop_caching`` until it listens, ``follow_changes`` then."""
        self.database = database
        self._cache: TtlCache[tuple[str, str | None], RegionEntry] = TtlCache(ttl_seconds)

    @property
    def caching(self) -> bool:
        return self._cache.keeping

    def is_cached(self, team_id: str, enterprise_id: str | None) -> bool:
        return self._cache.get((team_id, enterprise_id)) is not None

    async def find(self, team_id: str, enterprise_id: str | None) -> RegionEntry | None:
        return await self._cache.read_through((team_id, enterprise_id), lambda: self._load(team_id, enterprise_id))

    async def _load(self, team_id: str, enterprise_id: str | None) -> RegionEntry | None:
        # One statement, one round trip: no BEGIN or COMMIT around a read of one row.
        async with self.database.single_statement() as connection:
            return await region_of(connection, team_id, enterprise_id)

    async def check_install(self, key: str, enterprise_id: str | None, region: str) -> None:
        """Raise ``RegionPinned`` when ``key`` belongs in another region: its organization was
        pinned there, or the operator set its enterprise's region."""
        self.forget(key)
        entry = await self.find(key, enterprise_id)
        if entry is not None and entry.region != region:
            raise RegionPinned(key, entry.region, region)

    async def claim(self, key: str, enterprise_id: str | None, org_id: uuid.UUID, region: str) -> RegionEntry:
        """Pin ``key`` to ``region`` before its organization is made there (``org_id``: the id it
        gets, unless a pin names one already); raise ``RegionPinned`` when the pin that holds is
        another region's, as when another region's install got in first."""
        entry = await self.pin(key, enterprise_id, org_id, region)
        if entry.region != region:
            raise RegionPinned(key, entry.region, region)
        return entry

    async def pin(self, key: str, enterprise_id: str | None, org_id: uuid.UUID, region: str) -> RegionEntry:
        async with self.database.system() as session:
            entry = await pin_region(session, key, enterprise_id, org_id, region)
        self.forget(key)
        return entry

    def forget(self, key: str) -> None:
        """``key`` (a team or an enterprise) changed: installed or uninstalled in this process, or
        announced by the database."""
        self._cache.discard_where(lambda cached, _entry: key in (cached[0], cached[1]))

    def stop_caching(self) -> None:
        """Changes can no longer be heard: every look-up asks the database until they can."""
        self._cache.stop_keeping()

    def follow_changes(self) -> None:
        """Changes are heard from now on; what was cached before may have missed some."""
        self._cache.keep_again()


class RegionOAuthStateStore(PostgresOAuthStateStore):
    """OAuth states issued by one region's install page carry the region, so the redirect that
    comes back from Slack is handled by the same region's app."""

    def __init__(self, database: Database, region: str) -> None:
        super().__init__(database)
        self.region = region

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        state = await super().async_issue(*args, **kwargs)
        # Only the prefix is added after the row is stored: consume strips it again.
        return f"{self.region}{STATE_SEPARATOR}{state}"

    async def async_consume(self, state: str) -> bool:
        region, _, plain = state.partition(STATE_SEPARATOR)
        if region != self.region:
            return False
        return await super().async_consume(plain)


class RegionRouter:
    """One bolt app per region; each request goes to its team's region's app."""

    def __init__(
        self, directory: RegionDirectory, apps: Mapping[str, AsyncApp], home: str, signing_secret: str | None
    ) -> None:
        self.directory = directory
        self.apps = dict(apps)
        self.home = home
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None

    @property
    def home_app(self) -> AsyncApp:
        return self.apps[self.home]

    async def app_for(self, request: AsyncBoltRequest) -> tuple[str, AsyncApp]:
        """The region of the request's team and its app (the default region's when unknown)."""
        if self._verifier is not None and not self._verifier.is_valid(
            request.raw_body, _header(request, "x-slack-request-timestamp"), _header(request, "x-slack-signature")
        ):
            return self.home, self.home_app
        team_id = request.context.team_id or request.context.enterprise_id
        if team_id is None:
            return self.home, self.home_app
        try:
            entry = await self.directory.find(team_id, request.context.enterprise_id)
        except Exception as error:
            if not is_database_outage(error):
                raise
            # The directory's database is the default region's: its app says the database is down.
            log.warning("region look-up failed for workspace %s: database unreachable", team_id)
            return self.home, self.home_app
        region = entry.region if entry is not None else self.home
        app = self.apps.get(region)
        if app is None:
            log.error("workspace %s is pinned to region %s, which this service does not serve", team_id, region)
            return self.home, self.home_app
        return region, app

    def app_for_state(self, state: str | None) -> AsyncApp:
        """The app whose install page issued an OAuth ``state``."""
        region = (state or "").partition(STATE_SEPARATOR)[0]
        return self.apps.get(region, self.home_app)

    def install_page(self) -> str:
        """The installer's choice of region, the default region first."""
        names = [self.home, *(name for name in self.apps if name != self.home)]
        links = "".join(
            f'<li><a href="/slack/install?region={html.escape(name)}">{html.escape(name)}</a>'
            + (" (default)" if name == self.home else "")
            + "</li>"
            for name in names
        )
        return (
            "<!doctype html><html><head><meta charset='utf-8'><title>Install Content Factory</title></head>"
            "<body><h1>Install Content Factory</h1><p>Choose the region your organization's data lives in. "
            "Everything it stores (jobs, prompts, results, audit, tokens) stays there; the choice cannot "
            f"change while the organization has data.</p><ul>{links}</ul></body></html>"
        )


def _header(request: AsyncBoltRequest, name: str) -> str | None:
    values = request.headers.get(name)
    return values[0] if values else None
