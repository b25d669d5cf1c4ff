"""Row-Level Security overhead: the same queries as the application role under RLS and as the owner
with a hand-written ``WHERE org_id = …``, on about one million audit events over 100 organizations.

Prints the ratio of medians per query and ends with the verdict on the worst one (target: at most
1.10); exit status 0 met, 1 missed, 2 could not run (bench/verdict.py).

With data residency (REGIONS) every Slack request first asks the directory which region its team
lives in (``bot.slack.region_directory``). The bench pins 10,000 teams and times that step as a
request takes it (``RegionRouter.app_for``: the signature check, then the cached look-up) against
the same request with a single region; target: it adds at most 0.3 ms per command. The uncached
look-up (a team's first request in a process, or after its 30 s entry expired) is printed too."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._scratch import asyncpg_dsn, scratch_database
from bench.verdict import Target, at_most, run_bench

MAX_RATIO = 1.10
MAX_DIRECTORY_MS = 0.3
DIRECTORY_TEAMS = 10_000

QUERIES = {
    "recent jobs": (
        "SELECT id, state, kind, created_at FROM jobs ORDER BY created_at DESC LIMIT 20",
        "SELECT id, state, kind, created_at FROM jobs WHERE org_id = $1 ORDER BY created_at DESC LIMIT 20",
    ),
    "audit page": (
        "SELECT seq, at, actor, action, job_id FROM audit_events ORDER BY seq DESC LIMIT 50",
        "SELECT seq, at, actor, action, job_id FROM audit_events WHERE org_id = $1 ORDER BY seq DESC LIMIT 50",
    ),
    "month usage": (
        "SELECT tokens_used, overrun FROM usage_ledger WHERE month = date_trunc('month', now())::date",
        "SELECT tokens_used, overrun FROM usage_ledger WHERE org_id = $1 AND month = date_trunc('month', now())::date",
    ),
}


async def populate(admin_dsn: str, orgs: int, events: int, jobs: int) -> list[str]:
    conn = await asyncpg.connect(admin_dsn)
    try:
        org_ids = [
            str(r["id"])
            for r in await conn.fetch(
                "INSERT INTO organizations (id, name, default_role, approvals_required, restore_pii, paused) "
                "SELECT gen_random_uuid(), 'bench ' || g, 'viewer', false, false, false FROM generate_series(1, $1) g "
                "RETURNING id",
                orgs,
            )
        ]
        # Bulk rows skip the chaining trigger: hashes are irrelevant to read performance.
        await conn.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_chain")
        await conn.execute(
            """
            INSERT INTO audit_events (org_id, seq, at, actor, action, job_id, detail, prev_hash, hash)
            SELECT o.id, s.n, now() - make_interval(secs => s.n), 'U' || (s.n % 50), 'job.posted', NULL,
                   jsonb_build_object('n', s.n), repeat('0', 64), md5(s.n::text || o.id::text) || md5(o.id::text)
              FROM (SELECT id FROM organizations) o, generate_series(1, $1) s(n)
            """,
            events // orgs,
        )
        await conn.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_chain")
        await conn.execute(
            """
            INSERT INTO jobs (id, org_id, kind, state, requester_id, target_channel, masked_prompt, tokens_reserved,
                              quota_state, attempts, created_at, updated_at)
            SELECT gen_random_uuid(), o.id, 'text', 'posted', 'U1', 'C1', 'bench prompt', 100, 'settled', 1,
                   now() - make_interval(secs => s.n), now()
              FROM (SELECT id FROM organizations) o, generate_series(1, $1) s(n)
            """,
            jobs // orgs,
        )
        await conn.execute(
            """
            INSERT INTO usage_ledger (org_id, month, tokens_used, overrun, updated_at)
            SELECT o.id, (date_trunc('month', now()) - make_interval(months => m))::date, 1000 * m, 0, now()
              FROM (SELECT id FROM organizations) o, generate_series(0, 23) m
            """
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return org_ids


async def measure(
    app_dsn: str, admin_dsn: str, org_ids: list[str], rounds: int
) -> dict[str, tuple[float, float, float, float]]:
    app = await asyncpg.connect(app_dsn)
    owner = await asyncpg.connect(admin_dsn)
    rng = random.Random(7)
    results: dict[str, tuple[float, float, float, float]] = {}
    try:
        for name, (rls_sql, owner_sql) in QUERIES.items():
            rls_query, rls_txn, owner_query, owner_txn = [], [], [], []
            for i in range(rounds):
                org = rng.choice(org_ids)
                for side in (0, 1) if i % 2 else (1, 0):  # alternate order so neither side warms the other
                    if side == 0:
                        t0 = time.perf_counter()
                        async with app.transaction():
                            await app.execute("SELECT set_config('app.org_id', $1, true)", org)
                            t1 = time.perf_counter()
                            rows = await app.fetch(rls_sql)
                            t2 = time.perf_counter()
                        t3 = time.perf_counter()
                        rls_query.append(t2 - t1)
                        rls_txn.append(t3 - t0)
                    else:
                        t0 = time.perf_counter()
                        async with owner.transaction():
                            t1 = time.perf_counter()
                            rows = await owner.fetch(owner_sql, org)
                            t2 = time.perf_counter()
                        t3 = time.perf_counter()
                        owner_query.append(t2 - t1)
                        owner_txn.append(t3 - t0)
                    assert rows is not None
            results[name] = (
                statistics.median(rls_query),
                statistics.median(owner_query),
                statistics.median(rls_txn),
                statistics.median(owner_txn),
            )
    finally:
        await app.close()
        await owner.close()
    return results


async def measure_directory(app_url: str, rounds: int) -> tuple[float, float]:
    """Median ms the region step adds to a request (cached), and one uncached look-up."""
    from slack_bolt.request.async_request import AsyncBoltRequest
    from slack_sdk.signature import SignatureVerifier

    from bot.slack.region_directory import RegionDirectory, RegionRouter
    from db.engine import Database

    database = Database(app_url, pool_size=2)
    try:
        conn = await asyncpg.connect(asyncpg_dsn(app_url))
        try:
            teams = [f"T{n:09d}" for n in range(DIRECTORY_TEAMS)]
            await conn.executemany(
                "SELECT cf_pin_region($1, NULL, gen_random_uuid(), $2)",
                [(team, "eu" if n % 2 else "us") for n, team in enumerate(teams)],
            )
        finally:
            await conn.close()
        secret = "bench-signing-secret"
        directory = RegionDirectory(database)
        router = RegionRouter(directory, {"us": object(), "eu": object()}, "us", secret)
        rng = random.Random(11)

        def request(team: str) -> AsyncBoltRequest:
            body = f"token=x&team_id={team}&user_id=U1&command=%2Fcontent&text=text+hi&channel_id=C1"
            timestamp = str(int(time.time()))
            signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
            headers = {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature}
            return AsyncBoltRequest(body=body, headers=headers)

        hot = [request(team) for team in rng.sample(teams, 50)]
        for each in hot:  # warm the cache, as a team's earlier requests would
            await router.app_for(each)
        cached, uncached, single = [], [], []
        for i in range(rounds):
            each = hot[i % len(hot)]
            t0 = time.perf_counter()
            await router.app_for(each)
            cached.append(time.perf_counter() - t0)
            # A single-region service does nothing here: the baseline is the request as built.
            t0 = time.perf_counter()
            single.append(time.perf_counter() - t0)
        for _ in range(min(rounds, 500)):
            cold = request(rng.choice(teams))
            directory._cache.clear()
            t0 = time.perf_counter()
            await router.app_for(cold)
            uncached.append(time.perf_counter() - t0)
        added = (statistics.median(cached) - statistics.median(single)) * 1e3
        return added, statistics.median(uncached) * 1e3
    finally:
        await database.dispose()


def directory_targets(app_url: str, rounds: int) -> list[Target]:
    added, uncached = asyncio.run(measure_directory(app_url, rounds))
    print(
        f"region directory over {DIRECTORY_TEAMS:,} pinned teams: {added:.4f} ms added per command (cached), "
        f"{uncached:.3f} ms for an uncached look-up (a team's first request per process and 30 s)"
    )
    return [at_most("directory look-up added per command", added, MAX_DIRECTORY_MS, " ms")]


def bench(args: argparse.Namespace) -> list[Target]:
    if args.directory_only:
        with scratch_database("rls") as scratch:
            return directory_targets(scratch.app_url, args.rounds)
    with scratch_database("rls") as scratch:
        admin_dsn, app_dsn = asyncpg_dsn(scratch.admin_url), asyncpg_dsn(scratch.app_url)
        started = time.perf_counter()
        org_ids = asyncio.run(populate(admin_dsn, args.orgs, args.events, args.jobs))
        print(
            f"populated {args.events:,} audit events, {args.jobs:,} jobs over {args.orgs} organizations "
            f"in {time.perf_counter() - started:.1f}s"
        )
        results = asyncio.run(measure(app_dsn, admin_dsn, org_ids, args.rounds))
        directory = directory_targets(scratch.app_url, args.rounds)
    worst = 0.0
    print(f"{'query':<14}{'RLS ms':>10}{'owner ms':>10}{'ratio':>8}   {'txn RLS':>9}{'txn owner':>10}{'ratio':>8}")
    for name, (rls, owner, rls_txn, owner_txn) in results.items():
        ratio = rls / owner
        worst = max(worst, ratio)
        print(
            f"{name:<14}{rls * 1e3:>10.3f}{owner * 1e3:>10.3f}{ratio:>8.2f}   "
            f"{rls_txn * 1e3:>9.3f}{owner_txn * 1e3:>10.3f}{rls_txn / owner_txn:>8.2f}"
        )
    print("the transaction columns include the set_config round trip that scopes the tenant")
    return [at_most("worst query ratio RLS/owner", worst, MAX_RATIO), *directory]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=100)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--directory-only", action="store_true", help="only the region directory's look-up")
    args = parser.parse_args()
    return run_bench("rls_overhead", lambda: bench(args))


if __name__ == "__main__":
    sys.exit(main())
