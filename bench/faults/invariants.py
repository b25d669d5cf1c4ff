"""What must hold after the faults, each read from real state: PostgreSQL as its owner (past Row-Level
Security), the Slack sandbox's and the fake Gemini's own records over HTTP, Redis's keys, and the
log files of every process the suite started.

Each check returns a figure and the lines that explain it; a check fails when its figure is not 0.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import redis.asyncio as aioredis

from bench._scratch import asyncpg_dsn
from bench.faults.cluster import Cluster
from bench.faults.load import Click, LoadRecord, OrgPlan, Sent
from bench.faults.probes import QuotaProbe, needles_in, scan_redis
from bench.faults.timetable import FaultEvent
from bot.orgs.service import DEFAULT_MONTHLY_BUDGET
from bot.quota.keys import month_label, org_keys
from sandbox.gemini import generate_content, prompt_of

FINAL_STATES = frozenset({"posted", "rejected", "failed", "cancelled"})
# A scheduled run generated ahead of its due time waits, held, until then: not lost while its due
# time is still to come (after the run, for the schedules the load creates late).
HELD_FOR_LATER = "held_for_later"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RESULT_FILE = re.compile(r"^content-([0-9a-f-]{36})\.png$")
CHANNEL_MENTION = re.compile(r"<#(C[A-Z0-9]+)")
USER_MENTION = re.compile(r"<@(U[A-Z0-9]+)")
SAMPLES = 5  # example lines printed per failing check
# A click turned away by a middleware (its organization or role could not be read while the
# database was unreachable) is acknowledged at once with an empty body, and hears why through its
# response_url only after that (bot.slack.middleware.refusal). A web process SIGKILLed in between
# takes the refusal with it. A listener's own refusal goes out before its ack (bolt runs with
# process_before_response), so a kill later than this after the ack silenced nobody.
REFUSAL_AFTER_ACK_SECONDS = 5.0


@dataclass
class CheckResult:
    name: str
    figure: int
    summary: str
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.figure == 0


# -- reading the state ----------------------------------------------------------------------------


@dataclass
class Snapshot:
    """Everything the checks read, taken once the system has settled."""

    jobs: dict[str, dict[str, Any]]
    settlements: dict[str, dict[str, Any]]
    ledger: list[dict[str, Any]]
    quota_settings: dict[str, dict[str, Any]]
    organizations: dict[str, dict[str, Any]]
    org_of_team: dict[str, str]
    schedules: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    calls: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    ephemerals: list[dict[str, Any]]
    gemini_requests: list[dict[str, Any]]
    redis_open: dict[str, tuple[int, int, list[tuple[str, float]]]]  # org -> (hlen res, zcard open, leases)
    redis_month_reserved: dict[str, int]
    taken_at: float = field(default_factory=time.time)


def _row(record: asyncpg.Record) -> dict[str, Any]:
    return {key: (str(value) if isinstance(value, uuid.UUID) else value) for key, value in record.items()}


async def read_database(admin_url: str, held_after: datetime) -> dict[str, Any]:
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        jobs = {
            r["id"]: r
            for r in map(
                _row,
                await conn.fetch(
                    "SELECT id, org_id, kind, state, requester_id, source_channel, target_channel, masked_prompt, "
                    "schedule_id, schedule_run_at, tokens_reserved, tokens_used, quota_state, slack_ts, decided_by, "
                    "decided_at, attempts, error, model, created_at, updated_at, "
                    "(state = 'held' AND post_at > $1) AS held_for_later FROM jobs",
                    held_after,
                ),
            )
        }
        settlements = {r["job_id"]: r for r in map(_row, await conn.fetch("SELECT * FROM quota_settlements"))}
        ledger = [_row(r) for r in await conn.fetch("SELECT * FROM usage_ledger")]
        quota_settings = {r["org_id"]: r for r in map(_row, await conn.fetch("SELECT * FROM quota_settings"))}
        organizations = {r["id"]: r for r in map(_row, await conn.fetch("SELECT * FROM organizations"))}
        org_of_team = {
            r["team_id"]: str(r["org_id"]) for r in await conn.fetch("SELECT team_id, org_id FROM workspaces")
        }
        schedules = [_row(r) for r in await conn.fetch("SELECT * FROM schedules")]
        audit = [
            _row(r)
            for r in await conn.fetch(
                "SELECT org_id, seq, action, actor, job_id, detail::text AS detail FROM audit_events ORDER BY org_id, seq"
            )
        ]
    finally:
        await conn.close()
    for event in audit:
        event["detail"] = json.loads(event["detail"]) if event["detail"] else {}
    return {
        "jobs": jobs,
        "settlements": settlements,
        "ledger": ledger,
        "quota_settings": quota_settings,
        "organizations": organizations,
        "org_of_team": org_of_team,
        "schedules": schedules,
        "audit": audit,
    }


async def read_redis(redis_url: str, org_ids: Iterable[str]) -> tuple[dict[str, Any], dict[str, int]]:
    client = aioredis.Redis.from_url(redis_url, socket_timeout=3.0)
    label = month_label(time.time())
    try:
        open_reservations: dict[str, Any] = {}
        reserved: dict[str, int] = {}
        for org in org_ids:
            keys = org_keys(uuid.UUID(org))
            held = await client.hlen(keys.reservations)
            leases = [
                (m.decode() if isinstance(m, bytes) else str(m), float(score))
                for m, score in await client.zrange(keys.leases, 0, -1, withscores=True)
            ]
            open_reservations[org] = (int(held), len(leases), leases)
            value = await client.hget(keys.month(label), "reserved")
            reserved[org] = int(float(value)) if value is not None else 0
    finally:
        await client.aclose()
    return open_reservations, reserved


async def read_fakes(session: aiohttp.ClientSession, sandbox_url: str, gemini_url: str) -> dict[str, Any]:
    async def get(url: str, key: str) -> list[dict[str, Any]]:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=60)) as response:
            response.raise_for_status()
            return list((await response.json())[key])

    return {
        "messages": await get(f"{sandbox_url}/_sandbox/messages", "messages"),
        "calls": await get(f"{sandbox_url}/_sandbox/calls", "calls"),
        "responses": await get(f"{sandbox_url}/_sandbox/responses", "responses"),
        "ephemerals": await get(f"{sandbox_url}/_sandbox/ephemerals", "ephemerals"),
        "gemini_requests": await get(f"{gemini_url}/_fake/requests", "requests"),
    }


async def take_snapshot(cluster: Cluster, session: aiohttp.ClientSession, held_after: datetime) -> Snapshot:
    """Every region's database, and each organization's Redis keys in its own region's Redis, read
    into one snapshot (ids are unique across regions). A run held for a due time after
    ``held_after`` (when the run settled, before the schedulers were stopped) is held for later."""
    database: dict[str, Any] = {}
    redis_open: dict[str, Any] = {}
    month_reserved: dict[str, int] = {}
    for region in cluster.region_stores:
        regional = await read_database(region.admin_url, held_after)
        for key, value in regional.items():
            if isinstance(value, dict):
                database.setdefault(key, {}).update(value)
            else:
                database.setdefault(key, []).extend(value)
        opened, reserved = await read_redis(region.redis_url, regional["organizations"])
        redis_open.update(opened)
        month_reserved.update(reserved)
    fakes = await read_fakes(session, cluster.sandbox_url, cluster.gemini_url)
    return Snapshot(**database, **fakes, redis_open=redis_open, redis_month_reserved=month_reserved)


# -- where a result was posted ------------------------------------------------------------------------


def result_job_ids(message: dict[str, Any]) -> list[str]:
    """The job a message is the posted result of: the metadata of a text post, the file name of an
    image upload. Approval requests and notes to requesters are neither."""
    found = []
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") == "content_factory_job":
        job_id = (metadata.get("event_payload") or {}).get("job_id")
        if job_id:
            found.append(str(job_id))
    for file in message.get("files") or []:
        matched = RESULT_FILE.match(str(file.get("name") or ""))
        if matched:
            found.append(matched.group(1))
    return found


def result_posts(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]]:
    posts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in snapshot.messages:
        for job_id in result_job_ids(message):
            posts[job_id].append(message)
    return posts


def _samples(lines: list[str]) -> list[str]:
    return lines[:SAMPLES] + ([f"... and {len(lines) - SAMPLES} more"] if len(lines) > SAMPLES else [])


# -- the checks -------------------------------------------------------------------------------------


def check_lost(snapshot: Snapshot, record: LoadRecord) -> CheckResult:
    accepted = record.accepted_job_ids()
    posts = result_posts(snapshot)
    missing = [
        f"acknowledged job {j} ({s.kind}, {s.outcome}) is not in the database"
        for j, s in accepted.items()
        if j not in snapshot.jobs
    ]
    unfinished = [
        f"job {j} is still {job['state']} ({'acknowledged' if j in accepted else 'not acknowledged'}, "
        f"{job['kind']}, attempts {job['attempts']})"
        for j, job in snapshot.jobs.items()
        if job["state"] not in FINAL_STATES and not job.get(HELD_FOR_LATER)
    ]
    held_for_later = sum(1 for job in snapshot.jobs.values() if job.get(HELD_FOR_LATER))
    unposted = [
        f"job {j} is posted (ts {job['slack_ts']}) but no message carries it"
        for j, job in snapshot.jobs.items()
        if job["state"] == "posted" and j not in posts
    ]
    lost = missing + unfinished + unposted
    finals = Counter(job["state"] for job in snapshot.jobs.values())
    summary = (
        f"{len(accepted)} acknowledged with a job id, {len(snapshot.jobs)} jobs in the database "
        f"({', '.join(f'{k} {v}' for k, v in sorted(finals.items()))}); {len(missing)} missing, "
        f"{len(unfinished)} not final, {held_for_later} held for a due time still to come, "
        f"{len(unposted)} marked posted without a post"
    )
    return CheckResult("lost", len(lost), summary, _samples(lost))


def check_duplicates(snapshot: Snapshot, record: LoadRecord) -> CheckResult:
    posts = result_posts(snapshot)
    lines = []
    extra = 0
    for job_id, messages in posts.items():
        if len(messages) > 1:
            extra += len(messages) - 1
            lines.append(
                f"job {job_id} posted {len(messages)} times: "
                + ", ".join(f"{m['channel']}@{m['ts']}" for m in messages)
            )
    runs = Counter(
        (job["schedule_id"], str(job["schedule_run_at"])) for job in snapshot.jobs.values() if job["schedule_id"]
    )
    for (schedule_id, run_at), count in runs.items():
        if count > 1:
            extra += count - 1
            lines.append(f"schedule {schedule_id} run {run_at} has {count} jobs")
    fired = Counter(
        (e["detail"].get("schedule_id"), e["detail"].get("run_at"))
        for e in snapshot.audit
        if e["action"] == "schedule.fired"
    )
    for (schedule_id, run_at), count in fired.items():
        if count > 1:
            extra += count - 1
            lines.append(f"schedule {schedule_id} run {run_at} fired {count} times (audit)")
    scheduled_jobs = sum(runs.values())
    due, fired_jobs = schedule_runs(snapshot, record)
    summary = (
        f"{sum(len(m) for m in posts.values())} result posts for {len(posts)} jobs; "
        f"{len(runs)} schedule runs -> {scheduled_jobs} jobs, {sum(fired.values())} fired events "
        f"({due} runs were due during the load, {fired_jobs} of them fired)"
    )
    return CheckResult("duplicates", extra, summary, _samples(lines))


def schedule_runs(snapshot: Snapshot, record: LoadRecord) -> tuple[int, int]:
    """Runs that fell due while the schedules were active, and how many of those have a job: a
    run missed (its claim held by a killed scheduler) shows here, a run fired twice above."""
    due = fired = 0
    for made in record.schedules:
        row = next((r for r in snapshot.schedules if str(r["id"]).startswith(made.short_id)), None)
        if row is None:
            continue
        until = made.cancelled_at or record.ended_at
        if made.cron is not None:
            wanted = {minute * 60.0 for minute in range(int(made.created_at // 60) + 1, int(until // 60) + 1)}
        else:
            wanted = {made.run_at.timestamp()} if made.run_at and made.run_at.timestamp() <= until else set()
        runs = {
            job["schedule_run_at"].timestamp()
            for job in snapshot.jobs.values()
            if job["schedule_id"] == str(row["id"]) and job["schedule_run_at"] is not None
        }
        due += len(wanted)
        fired += len(wanted & runs)
    return due, fired


def _current_month(snapshot: Snapshot) -> date:
    return date.fromisoformat(month_label(snapshot.taken_at) + "-01")


def check_overspend(snapshot: Snapshot, record: LoadRecord, quota: QuotaProbe) -> CheckResult:
    """Granted never above the budget: the durable ledger at the end, and Redis's used + reserved
    (what the reserve script decides on) at every sample during the run."""
    month = _current_month(snapshot)
    over = 0
    lines = []
    parts = []
    for plan in record.plans:
        org = str(plan.org_id)
        settings = snapshot.quota_settings.get(org)
        budget = int(settings["monthly_budget"]) if settings else DEFAULT_MONTHLY_BUDGET
        used = sum(int(row["tokens_used"]) for row in snapshot.ledger if row["org_id"] == org and row["month"] == month)
        peak = quota.peak(uuid.UUID(org))
        worst = max(used - budget, (peak.granted - budget) if peak else 0, 0)
        over += worst
        if worst:
            lines.append(
                f"{plan.team_id}: budget {budget:,}, ledger {used:,}, peak granted {peak.granted if peak else 0:,}"
            )
        if plan.budget is not None:
            parts.append(
                f"{plan.team_id} budget {budget:,}: ledger {used:,}, peak used+reserved {peak.granted if peak else 0:,}"
            )
    summary = f"{len(quota.samples)} Redis samples, {len(quota.over_budget())} over budget; " + "; ".join(parts)
    return CheckResult("overspend", over, summary, _samples(lines))


def model_reported_usage(snapshot: Snapshot) -> dict[str, set[int]]:
    """Per masked prompt, the usage the fake Gemini reported for it: recomputed from each recorded
    request with the fake's own (deterministic) answer function."""
    reported: dict[str, set[int]] = defaultdict(set)
    for request in snapshot.gemini_requests:
        if request.get("method") not in ("generateContent", "streamGenerateContent"):  # same usage either way
            continue
        body = request.get("body") or {}
        answer = generate_content(str(request.get("model")), body, None, 0)
        total = (answer.get("usageMetadata") or {}).get("totalTokenCount")
        if total is not None:
            reported[prompt_of(body)].add(int(total))
    return reported


def check_ledger(snapshot: Snapshot) -> CheckResult:
    """usage_ledger == sum of quota_settlements; each settlement == its job's tokens_used; each text
    job's tokens_used == what the model reported for it."""
    lines = []
    sums: Counter[tuple[str, Any]] = Counter()
    for entry in snapshot.settlements.values():
        sums[(entry["org_id"], entry["month"])] += int(entry["actual"])
    ledger = {(row["org_id"], row["month"]): int(row["tokens_used"]) for row in snapshot.ledger}
    for key in set(sums) | set(ledger):
        if sums.get(key, 0) != ledger.get(key, 0):
            lines.append(f"org {key[0]} {key[1]}: ledger {ledger.get(key, 0):,} != settlements {sums.get(key, 0):,}")
    for job_id, entry in snapshot.settlements.items():
        job = snapshot.jobs.get(job_id)
        if job is None:
            continue  # a reservation released for a job that was never written (its web process died)
        expected = int(job["tokens_used"]) if job["quota_state"] == "settled" and job["tokens_used"] is not None else 0
        if int(entry["actual"]) != expected:
            lines.append(
                f"job {job_id} ({job['quota_state']}): settlement {entry['actual']} != job {job['tokens_used']}"
            )
    reported = model_reported_usage(snapshot)
    compared = 0
    for job_id, job in snapshot.jobs.items():
        if job["kind"] != "text" or job["quota_state"] != "settled" or job["tokens_used"] is None:
            continue
        usage = reported.get(job["masked_prompt"])
        if not usage:
            lines.append(f"job {job_id} charged {job['tokens_used']} with no model answer on record")
            continue
        compared += 1
        if int(job["tokens_used"]) not in usage:
            lines.append(f"job {job_id} charged {job['tokens_used']}, the model reported {sorted(usage)}")
    total = sum(ledger.values())
    summary = (
        f"ledger {total:,} tokens = {len(snapshot.settlements)} settlements; {compared} text jobs "
        f"compared with the model's reported usage"
    )
    return CheckResult("ledger", len(lines), summary, _samples(lines))


def check_leaked(snapshot: Snapshot) -> CheckResult:
    lines = []
    leaked = 0
    for job_id, job in snapshot.jobs.items():
        if job["state"] not in FINAL_STATES:
            continue
        if job["quota_state"] == "reserved":
            leaked += 1
            lines.append(f"job {job_id} is {job['state']} but still holds {job['tokens_reserved']} reserved tokens")
        elif job_id not in snapshot.settlements and job["tokens_reserved"]:
            leaked += 1
            lines.append(f"job {job_id} is {job['state']}/{job['quota_state']} with no settlement row")
    unwritten = 0
    for org, (held, leases, entries) in snapshot.redis_open.items():
        tokens = snapshot.redis_month_reserved.get(org, 0)
        for job_id, deadline in entries:
            leaked += 1
            if job_id not in snapshot.jobs:
                # Reserved for a command whose job row was never written (its web process died, or
                # PostgreSQL was down and the release needs the ledger): held until the lease ends.
                unwritten += 1
                lines.append(
                    f"Redis holds a reservation of org {org} for job {job_id}, which was never written; "
                    f"its lease ends in {max(0.0, deadline - snapshot.taken_at) / 60:.0f} min "
                    f"({tokens:,} tokens reserved in the org)"
                )
            else:
                state = snapshot.jobs[job_id]["state"]
                lines.append(f"Redis holds a reservation of org {org} for job {job_id} ({state})")
        if held != leases:
            leaked += abs(held - leases)
            lines.append(f"org {org}: {held} reservations but {leases} leases in Redis")
    reserved = sum(snapshot.redis_month_reserved.values())
    summary = (
        f"{sum(1 for j in snapshot.jobs.values() if j['state'] in FINAL_STATES)} final jobs checked; "
        f"Redis: {sum(h for h, _, _ in snapshot.redis_open.values())} open reservations ({unwritten} for jobs "
        f"never written), {reserved:,} tokens reserved"
    )
    return CheckResult("leaked", leaked, summary, _samples(lines))


def silenced_by_kill(sent: Sent, faults: Iterable[FaultEvent]) -> bool:
    """Whether the web process that answered ``sent`` was SIGKILLed before a refusal sent after
    that answer could have reached the response_url. A modal's submission has none: all it hears
    is in its ack, so no later kill silenced it."""
    if sent.response_id is None:
        return False
    answered_at = sent.sent_at + sent.ack_ms / 1000
    return any(
        event.kind == "kill_web"
        and event.target == sent.web
        and event.down_at is not None
        and sent.sent_at <= event.down_at <= answered_at + REFUSAL_AFTER_ACK_SECONDS
        for event in faults
    )


def _latest_refusal_after_ack(snapshot: Snapshot, clicks: Iterable[Click]) -> float | None:
    """How long after its ack the slowest refusal reached a click's response_url: what
    ``REFUSAL_AFTER_ACK_SECONDS`` has to cover. None when every refusal came before its ack (a
    listener's own do)."""
    # Only clicks answered 200: a listener still at work when its click timed out or failed posts
    # its refusal after that, which says nothing of a refusal after a real ack.
    answered_at = {
        c.sent.response_id: c.sent.sent_at + c.sent.ack_ms / 1000
        for c in clicks
        if c.sent.response_id and c.sent.status == 200
    }
    delays = [
        float(post["at"]) - answered_at[str(post.get("response_id"))]
        for post in snapshot.responses
        if str(post.get("response_id")) in answered_at
        and post.get("replace_original") in (None, False)
        and post.get("at") is not None
    ]
    return max((d for d in delays if d > 0), default=None)


def check_approvals(snapshot: Snapshot, record: LoadRecord, faults: Sequence[FaultEvent]) -> CheckResult:
    """Every job handed to approvers got exactly one decision; no click race had two winners; a
    rejected result was never posted. ``faults``: what the timetable did (its web process kills)."""
    awaiting = {e["job_id"] for e in snapshot.audit if e["action"] == "job.awaiting_approval" and e["job_id"]}
    decisions: Counter[str] = Counter()
    decider: dict[str, str] = {}
    for event in snapshot.audit:
        if event["action"] in ("approval.approved", "approval.rejected", "approval.expired") and event["job_id"]:
            decisions[event["job_id"]] += 1
            decider[event["job_id"]] = str(event.get("actor"))
    posts = result_posts(snapshot)
    lines = []
    for job_id in sorted(awaiting):
        count = decisions.get(job_id, 0)
        job = snapshot.jobs.get(job_id, {})
        if count != 1:
            lines.append(f"job {job_id}: {count} decisions (state {job.get('state')})")
        elif job.get("state") == "rejected" and job_id in posts:
            lines.append(f"job {job_id} was rejected and posted anyway")
    by_job: dict[str, list[Click]] = defaultdict(list)
    for case in record.approvals:
        by_job[case.job_id].extend(case.clicks)
    # A loser's refusal travels through its response_url; where Slack (the sandbox) refused that
    # post, or the web process died before it went out, the click heard nothing back, which is not
    # the same as being told it decided.
    refused_posts = {
        str(call["params"].get("response_id"))
        for call in snapshot.calls
        if call.get("method") == "response_url" and call.get("status") != 200
    }
    races = unanswered = unheard = silenced = 0
    scenarios = Counter(case.scenario for case in record.approvals)
    for job_id, clicks in by_job.items():
        deciding = [c for c in clicks if c.action in ("approve_job", "reject_submit")]
        silent = [c for c in deciding if c.sent.status == 200 and c.refusal is None]
        heard = [c for c in silent if c.sent.response_id not in refused_posts]
        winners = [c for c in heard if not silenced_by_kill(c.sent, faults)]
        unheard += len(silent) - len(heard)
        silenced += len(heard) - len(winners)
        unanswered += sum(1 for c in clicks if c.sent.status != 200)
        if len(deciding) > 1:
            races += 1
        if len(winners) > 1:
            told = ", ".join(f"#{c.sent.seq} {c.action} by {c.user} on web-{c.sent.web}" for c in winners)
            lines.append(
                f"job {job_id}: {len(winners)} clicks were each told they decided ({told}; "
                f"decided by {decider.get(job_id)})"
            )
    problems = [case for case in record.approvals if case.problem]
    lines += [f"job {case.job_id} ({case.scenario}): {case.problem}" for case in problems]
    click_count = sum(len(c) for c in by_job.values())
    refused_rejects = sum(1 for case in record.approvals if case.refused_reject)
    unanswered_rejects = sum(1 for case in record.approvals if case.unanswered_reject)
    latest = _latest_refusal_after_ack(snapshot, (c for cs in by_job.values() for c in cs))
    summary = (
        f"{len(awaiting)} results sent for approval, {sum(1 for j in awaiting if decisions.get(j) == 1)} "
        f"decided exactly once; {click_count} clicks ({unanswered} not answered 200, {unheard} losers' refusals "
        f"dropped by Slack's 429, {silenced} clicks silenced by their web process's kill, {refused_rejects} "
        f"reject buttons answered with a message instead of a modal, {unanswered_rejects} shown as failed "
        f"by Slack, not answered 200), {races} races "
        f"({', '.join(f'{k} {v}' for k, v in sorted(scenarios.items()))}); "
        + (
            f"the slowest refusal came {latest:.1f}s after its ack"
            if latest is not None
            else "no refusal came after its ack"
        )
    )
    return CheckResult("approvals", len(lines), summary, _samples(lines))


def run_audit_verify(cluster: Cluster) -> CheckResult:
    """``content-factory audit verify`` as an operator runs it (the application role, every org),
    once per region (``--region``)."""
    figure, parts, broken = 0, [], []
    for region in cluster.config.regions:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "audit", "verify", *(["--region", region] if cluster.regional else [])],
            cwd=cluster.run_dir,
            env=cluster.env(),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        output = (done.stdout + done.stderr).strip().splitlines()
        last = output[-1] if output else "(no output)"
        found = [line for line in output if line.startswith("BROKEN")]
        figure += 0 if done.returncode == 0 and not found else max(1, len(found))
        broken += found
        parts.append(f"{region + ': ' if cluster.regional else ''}exit {done.returncode}, {last}")
    return CheckResult("audit", figure, "content-factory audit verify: " + "; ".join(parts), broken[:SAMPLES])


def _plan_of_team(record: LoadRecord) -> dict[str, OrgPlan]:
    return {plan.team_id: plan for plan in record.plans}


def _foreign(text: str, plan: OrgPlan, record: LoadRecord, job_org: dict[str, str]) -> list[str]:
    """What in ``text`` belongs to an organization other than ``plan``'s."""
    found = []
    mine = str(plan.org_id)
    for other in record.plans:
        if other.index != plan.index and other.marker in text:
            found.append(f"marker of {other.team_id}")
    for job_id in UUID.findall(text):
        owner = job_org.get(job_id)
        if owner is not None and owner != mine:
            found.append(f"job {job_id} of org {owner}")
    for channel in CHANNEL_MENTION.findall(text):
        if channel not in plan.channels:
            found.append(f"channel {channel}")
    for user in USER_MENTION.findall(text):
        if user not in plan.users:
            found.append(f"user {user}")
    return found


def check_cross_tenant(snapshot: Snapshot, record: LoadRecord) -> CheckResult:
    job_org = {job_id: job["org_id"] for job_id, job in snapshot.jobs.items()}
    plans = _plan_of_team(record)
    plan_of_org = {str(plan.org_id): plan for plan in record.plans}
    channel_team = {channel: plan.team_id for plan in record.plans for channel in plan.channels}
    lines: list[str] = []
    looked = Counter[str]()

    def look(kind: str, where: str, text: str, plan: OrgPlan) -> None:
        """Count one more thing of ``kind`` read, and note what in its ``text`` is another org's."""
        looked[kind] += 1
        lines.extend(f"{where}: {what}" for what in _foreign(text, plan, record, job_org))

    for job_id, job in snapshot.jobs.items():
        plan = plan_of_org.get(job["org_id"])
        if plan is None:
            continue
        looked["jobs"] += 1
        for channel in (job["target_channel"], job["source_channel"]):
            if channel and channel not in plan.channels:
                lines.append(f"job {job_id} of {plan.team_id} names channel {channel}")
        if job["requester_id"] not in plan.users:
            lines.append(f"job {job_id} of {plan.team_id} was requested by {job['requester_id']}")
        lines += [f"job {job_id} prompt: {what}" for what in _foreign(job["masked_prompt"], plan, record, job_org)]
    for event in snapshot.audit:
        owner = job_org.get(event["job_id"]) if event["job_id"] else None
        looked["audit events"] += 1
        if owner is not None and owner != event["org_id"]:
            lines.append(
                f"audit event {event['action']} of org {event['org_id']} is about job {event['job_id']} of {owner}"
            )
    for message in snapshot.messages:
        plan = plans.get(str(message.get("team")))
        if plan is None:
            continue
        where = f"post {message['channel']}@{message['ts']} in {plan.team_id}"
        look("posts", where, json.dumps(message), plan)
        for job_id in result_job_ids(message):
            job = snapshot.jobs.get(job_id)
            if job is not None and job["target_channel"] != message["channel"]:
                lines.append(f"{where} is the result of job {job_id} meant for {job['target_channel']}")
    org_of_response = {s.response_id: s for s in record.sent if s.response_id}
    for sent in record.sent:
        if sent.body:
            plan = record.plans[sent.org]
            look("acks", f"ack to #{sent.seq} in {plan.team_id}", sent.ack_text, plan)
    for post in snapshot.responses:
        sent = org_of_response.get(str(post.get("response_id")))
        if sent is None:
            continue
        look("response_url posts", f"response to #{sent.seq}", json.dumps(post), record.plans[sent.org])
    for ephemeral in snapshot.ephemerals:
        team = channel_team.get(str(ephemeral.get("channel")))
        if team is None:
            continue
        look("ephemerals", f"ephemeral in {ephemeral['channel']}", json.dumps(ephemeral), plans[team])
    for request in snapshot.gemini_requests:
        text = prompt_of(request.get("body") or {})
        owners = [plan.team_id for plan in record.plans if plan.marker in text]
        looked["model requests"] += 1
        if len(owners) > 1:
            lines.append(f"one model request carries the texts of {', '.join(owners)}")
    summary = "looked at " + ", ".join(f"{v} {k}" for k, v in looked.items())
    return CheckResult("cross-tenant", len(lines), summary, _samples(lines))


def check_refusals(snapshot: Snapshot, record: LoadRecord) -> CheckResult:
    """Forged signatures answered 401; wrong roles and guard blocks refused; none of them left a job,
    a model request or a changed setting behind."""
    lines = []
    prompts = [job["masked_prompt"] for job in snapshot.jobs.values()]
    model_prompts = [prompt_of(r.get("body") or {}) for r in snapshot.gemini_requests]
    counts: Counter[str] = Counter()

    def tag_of(sent: Sent) -> str | None:
        plan = record.plans[sent.org]
        found = re.search(rf"{plan.marker} ([a-z]\d+) ", sent.text + " ")
        return f"{plan.marker} {found.group(1)} " if found else None

    for sent in record.sent:
        tag = tag_of(sent)
        if sent.kind == "forged":
            counts["forged"] += 1
            if sent.status not in (401, None):
                lines.append(f"forged #{sent.seq} answered {sent.status}: {sent.ack_text[:80]!r}")
        elif sent.kind == "wrong_role":
            counts["wrong role"] += 1
            # Refused for the role (not for some other reason that would hide a missing check), in
            # the ack or, when a loaded process acked "still working", in the answer that followed;
            # or never answered at all because its web process was down.
            refused_for_role = (sent.outcome == "refused" and "role" in sent.ack_text) or (
                sent.outcome == "still_working" and "role" in (sent.follow_up or "")
            )
            if not refused_for_role and sent.outcome not in ("no_answer", "http_error", "unavailable", "apology"):
                answer = sent.follow_up if sent.outcome == "still_working" else sent.ack_text
                lines.append(f"wrong-role #{sent.seq} `{sent.text[:40]}` answered {sent.outcome}: {answer or ''!r:.80}")
        elif sent.kind == "blocked":
            counts["blocked"] += 1
            if sent.outcome == "accepted":
                lines.append(f"injection #{sent.seq} was accepted as job {sent.job_id}")
        else:
            continue
        if tag is None:
            continue
        if any(p.startswith(tag) or f" {tag}" in f" {p}" for p in prompts):
            lines.append(f"{sent.kind} #{sent.seq} left a job behind")
        if any(tag in f"{p} " for p in model_prompts):
            lines.append(f"{sent.kind} #{sent.seq} reached the model")
    for plan in record.plans:
        org = snapshot.organizations.get(str(plan.org_id), {})
        if bool(org.get("approvals_required")) != plan.approvals_on:
            lines.append(f"{plan.team_id}: approvals_required is {org.get('approvals_required')}")
        settings = snapshot.quota_settings.get(str(plan.org_id))
        budget = int(settings["monthly_budget"]) if settings else DEFAULT_MONTHLY_BUDGET
        if budget != (plan.budget or DEFAULT_MONTHLY_BUDGET):
            lines.append(f"{plan.team_id}: budget is {budget:,}, set to {plan.budget or DEFAULT_MONTHLY_BUDGET:,}")
    summary = ", ".join(f"{v} {k}" for k, v in counts.items()) + " requests; settings of every org as set up"
    return CheckResult("refusals", len(lines), summary, _samples(lines))


def check_answers(record: LoadRecord) -> CheckResult:
    """A command acknowledged with "still working" must get its answer through the response_url."""
    late = [s for s in record.sent if s.outcome == "still_working"]
    missing = [f"#{s.seq} `{s.text[:50]}`: no answer followed" for s in late if not s.follow_up]
    return CheckResult(
        "answers",
        len(missing),
        f"{len(late)} acks said 'still working', {len(late) - len(missing)} answers followed",
        _samples(missing),
    )


# -- planted PII ------------------------------------------------------------------------------------


def _hex_decoded(text: str) -> Iterable[str]:
    """bytea columns print as \\x...; what they hold is searched too."""
    for match in re.finditer(r"\\\\?x([0-9a-f]{16,})", text):
        try:
            yield bytes.fromhex(match.group(1)).decode("utf-8", "replace")
        except ValueError:
            continue


async def database_dump_texts(admin_url: str) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        tables = [
            r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        found = []
        for table in tables:
            for row in await conn.fetch(f'SELECT t::text AS row FROM "{table}" t'):
                text = row["row"]
                found.append((table, text))
                found.extend((table, decoded) for decoded in _hex_decoded(text))
    finally:
        await conn.close()
    return found


def log_files(cluster: Cluster) -> list[Path]:
    files = sorted(p for p in cluster.log_dir.rglob("*") if p.is_file())
    postgres_log = cluster.postgres_log()
    if postgres_log is not None and postgres_log.exists():
        files.append(postgres_log)
    return files


async def redis_dump_texts(redis_url: str) -> list[tuple[str, str]]:
    client = aioredis.Redis.from_url(redis_url, socket_timeout=5.0)
    try:
        return await scan_redis(client)
    finally:
        await client.aclose()


@dataclass
class Dumps:
    """Every text of each region's database and Redis after the run, read once for the checks."""

    database: dict[str, list[tuple[str, str]]]  # region -> (table, text)
    redis: dict[str, list[tuple[str, str]]]  # region -> (key, text)


async def read_dumps(cluster: Cluster) -> Dumps:
    database, redis = {}, {}
    for region in cluster.region_stores:
        database[region.name] = await database_dump_texts(region.admin_url)
        redis[region.name] = await redis_dump_texts(region.redis_url)
    return Dumps(database, redis)


# The default region's directory names every organization and its team, by design; nothing else may.
DIRECTORY_TABLES = frozenset({"region_directory"})


def check_cross_region(regions: tuple[str, ...], snapshot: Snapshot, record: LoadRecord, dumps: Dumps) -> CheckResult:
    """Nothing of an organization outside its region: each region's database (but the directory)
    and Redis are searched for the organization id, team id, prompt marker and job ids of every
    organization pinned to another region. ``regions``: the default one first. One region: nothing
    to look for."""
    default = regions[0]
    jobs_of: defaultdict[str, list[str]] = defaultdict(list)
    for job_id, job in snapshot.jobs.items():
        jobs_of[job["org_id"]].append(job_id)
    lines: list[str] = []
    searched = 0
    for region in regions:
        foreign = [plan for plan in record.plans if (plan.region or default) != region and plan.org_id is not None]
        needles = {}
        for plan in foreign:
            owner = f"{plan.team_id} ({plan.region or default})"
            needles.update({str(plan.org_id): owner, plan.team_id: owner, plan.marker: owner})
            needles.update((job_id, owner) for job_id in jobs_of[str(plan.org_id)])
        if not needles:
            continue
        texts = [("postgres", where, text) for where, text in dumps.database[region] if where not in DIRECTORY_TABLES]
        texts += [("redis", where, text) for where, text in dumps.redis[region]]
        searched += len(texts)
        for store, where, text in texts:
            lines.extend(
                f"{region} {store} ({where}): {needle[:16]} of {needles[needle]}"
                for needle in needles_in(text, needles)
            )
    unique = sorted(set(lines))
    homes = Counter(plan.region or default for plan in record.plans)
    summary = (
        f"organizations per region: {', '.join(f'{name} {homes[name]}' for name in regions)}; searched "
        f"{searched} database rows and Redis values for the other regions' org ids, team ids, markers and job ids"
    )
    return CheckResult("cross-region", len(unique), summary, _samples(unique))


async def check_pii(
    cluster: Cluster,
    snapshot: Snapshot,
    record: LoadRecord,
    redis_hits: list[tuple[str, str]],
    redis_scans: int,
    dumps: Dumps,
) -> CheckResult:
    assert cluster.stores is not None
    planted = [s.pii for s in record.sent if s.pii is not None]
    needles = sorted({needle for pii in planted for needle in pii.needles()})
    hits: list[str] = []

    def search(location: str, texts: Iterable[tuple[str, str]]) -> None:
        for where, text in texts:
            hits.extend(f"{location} ({where}): {needle[:4]}…" for needle in needles_in(text, needles))

    for region in cluster.config.regions:
        search("postgres", dumps.database[region])
        search("redis", dumps.redis[region])
    hits += [f"redis ({key}, during the run): {needle[:4]}…" for key, needle in redis_hits]
    files = log_files(cluster)
    for path in files:
        search("logs", [(path.name, path.read_text("utf-8", "replace"))])
    search("gemini", [(str(i), json.dumps(r)) for i, r in enumerate(snapshot.gemini_requests)])
    search(
        "slack",
        [
            ("messages", json.dumps(snapshot.messages)),
            ("calls", json.dumps(snapshot.calls)),
            ("responses", json.dumps(snapshot.responses)),
            ("ephemerals", json.dumps(snapshot.ephemerals)),
        ],
    )
    masked = sum(
        1
        for job in snapshot.jobs.values()
        if "<EMAIL_ADDRESS_" in job["masked_prompt"] and "<CREDIT_CARD_" in job["masked_prompt"]
    )
    summary = (
        f"{len(planted)} prompts planted {len(needles)} strings (email, phone, card); searched the "
        f"database dump, Redis ({redis_scans} scans during the run and one after), {len(files)} log files, "
        f"{len(snapshot.gemini_requests)} model requests and the Slack sandbox; {masked} job rows hold the "
        f"masked placeholders instead"
    )
    unique = sorted(set(hits))
    return CheckResult("pii", len(unique), summary, _samples(unique))


async def run_checks(
    cluster: Cluster,
    session: aiohttp.ClientSession,
    record: LoadRecord,
    quota: QuotaProbe,
    redis_hits: list[tuple[str, str]],
    redis_scans: int,
    *,
    held_after: datetime,
    faults: Sequence[FaultEvent],
) -> tuple[Snapshot, list[CheckResult]]:
    snapshot = await take_snapshot(cluster, session, held_after)
    dumps = await read_dumps(cluster)
    results = [
        check_lost(snapshot, record),
        check_answers(record),
        check_duplicates(snapshot, record),
        check_overspend(snapshot, record, quota),
        check_ledger(snapshot),
        check_leaked(snapshot),
        check_approvals(snapshot, record, faults),
        await asyncio.to_thread(run_audit_verify, cluster),
        check_cross_tenant(snapshot, record),
        check_refusals(snapshot, record),
        await check_pii(cluster, snapshot, record, redis_hits, redis_scans, dumps),
        check_cross_region(cluster.config.regions, snapshot, record, dumps),
    ]
    return snapshot, results
