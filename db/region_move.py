"""`content-factory region move`: an organization's rows from the region it is pinned to into
another, as the owner role of each region (Row-Level Security holds for owners too here, so every
statement runs with the organization as the tenant).

Each run is safe to repeat after a crash at any point, and holds no state of its own:

1. While the directory still names the old region: copy every row into the new region in one
   transaction (rows already there are kept), then compare each table's count and the audit
   chain (the new region's copy must verify and end at the same head). Nothing is deleted from
   the old region; a copy that does not match is deleted from the new one again.
2. Switch the directory's pins to the new region (one statement). From here on requests and work
   go there.
3. Delete the organization's rows from every other region, each region in one transaction, but
   only where that region's counts and head still equal the new region's: rows written there
   after the copy (work that was still running) stop the run with a message instead.

A crash before 2 leaves the old region whole and the directory unchanged (a rerun copies what is
missing); after 2, a rerun finds the pins switched and finishes 3.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from db.audit import GENESIS_HASH
from db.models import TENANT_TABLES

# Tables whose id comes from a sequence of each database: the copy leaves the id to the new
# region's sequence (another organization may hold the same number there). Nothing refers to these
# ids (the audit chain links by ``seq``), and as the copy is one transaction a table already holding
# the organization's rows holds all of them.
_SEQUENCE_TABLES = frozenset({"audit_events", "installations"})


class BrokenChain(Exception):
    """The source's audit events do not form one chain: the copy stopped and left nothing."""


class MoveRefused(Exception):
    """The move cannot go on; the message says why and what to do, on one line."""


@dataclass
class MoveReport:
    org_id: uuid.UUID
    source: str | None
    target: str
    copied: dict[str, int] = field(default_factory=dict)
    deleted_from: list[str] = field(default_factory=list)
    audit_events: int = 0
    head: str = GENESIS_HASH


def _column(table: str) -> str:
    return "id" if table == "organizations" else "org_id"


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def _tenant(url: str, org_id: uuid.UUID) -> Any:
    """An owner connection whose transaction sees only ``org_id``'s rows."""
    connection = await asyncpg.connect(_dsn(url))
    try:
        async with connection.transaction():
            await connection.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
            yield connection
    finally:
        await connection.close()


async def _counts(connection: asyncpg.Connection, org_id: uuid.UUID) -> dict[str, int]:
    counts = {}
    for table in TENANT_TABLES:
        counts[table] = int(
            await connection.fetchval(f"SELECT count(*) FROM {table} WHERE {_column(table)} = $1", org_id)
        )
    return counts


async def _head(connection: asyncpg.Connection, org_id: uuid.UUID) -> str:
    head = await connection.fetchval(
        "SELECT hash FROM audit_events WHERE org_id = $1 ORDER BY seq DESC LIMIT 1", org_id
    )
    return str(head) if head else GENESIS_HASH


async def _chain_holds(connection: asyncpg.Connection, org_id: uuid.UUID) -> bool:
    """The copied chain verifies: each event's hash recomputed, each linked to the one before."""
    rows = await connection.fetch(
        "SELECT seq, prev_hash, hash, cf_audit_hash(prev_hash, org_id, seq, at, actor, action, job_id, detail) AS expected "
        "FROM audit_events WHERE org_id = $1 ORDER BY seq",
        org_id,
    )
    previous = GENESIS_HASH
    for expected_seq, row in enumerate(rows, start=1):
        if row["seq"] != expected_seq or row["prev_hash"] != previous or row["hash"] != row["expected"]:
            return False
        previous = row["hash"]
    return True


async def _pinned_region(home_url: str, org_id: uuid.UUID) -> tuple[str | None, int]:
    async with _tenant(home_url, org_id) as home:
        rows = await home.fetch("SELECT DISTINCT region FROM region_directory WHERE org_id = $1", org_id)
        pins = int(await home.fetchval("SELECT count(*) FROM region_directory WHERE org_id = $1", org_id))
    regions = [row["region"] for row in rows]
    if len(regions) > 1:
        raise MoveRefused(
            f"organization {org_id} is pinned to several regions ({', '.join(regions)}); fix the directory"
        )
    return (regions[0] if regions else None), pins


async def _holds_org(url: str, org_id: uuid.UUID) -> bool:
    async with _tenant(url, org_id) as connection:
        return bool(await connection.fetchval("SELECT count(*) FROM organizations WHERE id = $1", org_id))


async def _copy(source_url: str, target_url: str, org_id: uuid.UUID) -> dict[str, int]:
    """Every row of the organization into the target in one transaction; rows there already stay.
    Raises ``BrokenChain`` when the source's audit events do not form one chain."""
    copied: dict[str, int] = {}
    async with _tenant(source_url, org_id) as source, _tenant(target_url, org_id) as target:
        # The chain trigger keeps each copied event as it is when it continues the chain (migration
        # 0017), instead of re-linking and re-timing it; no lock on the table, which every other
        # organization of the region writes to.
        await target.execute("SELECT set_config('cf.audit_copy', 'on', true)")
        for table in TENANT_TABLES:
            order = " ORDER BY seq" if table == "audit_events" else ""
            rows = await source.fetch(f"SELECT * FROM {table} WHERE {_column(table)} = $1{order}", org_id)
            if not rows:
                continue
            names = list(rows[0].keys())
            if table in _SEQUENCE_TABLES:
                if await target.fetchval(f"SELECT count(*) FROM {table} WHERE org_id = $1", org_id):
                    continue
                names.remove("id")
                rows = [[row[name] for name in names] for row in rows]
            placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
            try:
                await target.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders}) ON CONFLICT DO NOTHING",
                    [tuple(row) for row in rows],
                )
            except asyncpg.DataError as error:
                raise BrokenChain(str(error)) from error
            copied[table] = len(rows)
    return copied


async def _same_data(source_url: str, target_url: str, org_id: uuid.UUID) -> tuple[bool, str]:
    async with _tenant(source_url, org_id) as source, _tenant(target_url, org_id) as target:
        source_counts, target_counts = await _counts(source, org_id), await _counts(target, org_id)
        if source_counts != target_counts:
            differ = [t for t in TENANT_TABLES if source_counts[t] != target_counts[t]]
            return False, "row counts differ in " + ", ".join(
                f"{t} ({source_counts[t]} there, {target_counts[t]} in the new region)" for t in differ
            )
        if await _head(source, org_id) != await _head(target, org_id):
            return False, "the audit chains end at different heads"
        if not await _chain_holds(target, org_id):
            return False, "the copied audit chain does not verify"
    return True, ""


async def _switch(home_url: str, target_url: str, org_id: uuid.UUID, target: str) -> None:
    async with _tenant(home_url, org_id) as home:
        updated = await home.execute(
            "UPDATE region_directory SET region = $2, pinned_at = now() WHERE org_id = $1", org_id, target
        )
        if updated.endswith(" 0"):
            # An organization made before it had a pin (single-workspace mode): pin its workspaces.
            async with _tenant(target_url, org_id) as moved:
                teams = [
                    row["team_id"]
                    for row in await moved.fetch("SELECT team_id FROM workspaces WHERE org_id = $1", org_id)
                ]
            for team in teams:
                await home.execute(
                    "INSERT INTO region_directory (kind, slack_key, org_id, region) VALUES ('workspace', $1, $2, $3) "
                    "ON CONFLICT (kind, slack_key) DO UPDATE SET region = EXCLUDED.region, org_id = EXCLUDED.org_id",
                    team,
                    org_id,
                    target,
                )


async def _delete(url: str, org_id: uuid.UUID) -> None:
    async with _tenant(url, org_id) as connection:
        for table in reversed(TENANT_TABLES):
            await connection.execute(f"DELETE FROM {table} WHERE {_column(table)} = $1", org_id)


async def move_organization(
    org_id: uuid.UUID,
    target: str,
    *,
    admin_urls: Mapping[str, str],
    home: str,
    on_step: Callable[[str], None] = lambda _step: None,
) -> MoveReport:
    """Move ``org_id`` to region ``target``; ``admin_urls``: each region's owner URL, ``home``: the
    region whose database holds the directory. ``on_step`` hears "copied", "verified", "switched"
    and "deleted <region>" as each is done."""
    if target not in admin_urls:
        raise MoveRefused(f"--to: no region {target!r} (known: {', '.join(admin_urls)})")
    pinned, _pins = await _pinned_region(admin_urls[home], org_id)
    source = pinned or (home if await _holds_org(admin_urls[home], org_id) else None)
    report = MoveReport(org_id, source, target)
    if source is None:
        raise MoveRefused(f"--org: no organization {org_id} in the directory or the default region")
    if source != target:
        try:
            report.copied = await _copy(admin_urls[source], admin_urls[target], org_id)
        except BrokenChain as broken:
            raise MoveRefused(
                f"the audit chain in region {source} does not verify ({broken}); nothing was copied to {target} "
                f"and nothing was deleted from {source}"
            ) from broken
        on_step("copied")
        same, why = await _same_data(admin_urls[source], admin_urls[target], org_id)
        if not same:
            # The directory still names the source, which is whole: the copy goes, so that a refused
            # move leaves the organization's rows in one region only.
            await _delete(admin_urls[target], org_id)
            raise MoveRefused(
                f"the copy does not match region {source}: {why}; the copy was removed from {target} "
                f"and nothing was deleted from {source}"
            )
        on_step("verified")
        await _switch(admin_urls[home], admin_urls[target], org_id, target)
        on_step("switched")
    if not await _holds_org(admin_urls[target], org_id):
        raise MoveRefused(f"organization {org_id} is pinned to {target} but has no rows there; nothing was deleted")
    for region, url in admin_urls.items():
        if region == target or not await _holds_org(url, org_id):
            continue
        same, why = await _same_data(url, admin_urls[target], org_id)
        if not same:
            raise MoveRefused(
                f"region {region} still differs from {target} ({why}): stop its work for the organization, "
                "then run the move again; nothing was deleted there"
            )
        await _delete(url, org_id)
        report.deleted_from.append(region)
        on_step(f"deleted {region}")
    async with _tenant(admin_urls[target], org_id) as moved:
        report.audit_events = (await _counts(moved, org_id))["audit_events"]
        report.head = await _head(moved, org_id)
    return report
