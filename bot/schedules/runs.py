"""The beat's step for schedules: every due run becomes one ordinary job.

Due schedules are claimed through ``db.system.claim_warm_schedules`` (``FOR UPDATE SKIP LOCKED``
plus a lease in ``claimed_until``; a lead per kind and the off-peak horizon, ``bot.orgs.off_peak``), so two beat processes never take the same schedule at once.
Each run is submitted like a command's job (quota reserved now, approval policy applied by the
worker) with ``schedule_id`` and ``schedule_run_at`` set: the UNIQUE index on the two makes a
second job for the same run impossible even if a lease runs out mid-run. The schedule then moves
on with a compare-and-set in its organization's tenant session. A run missed while nothing ticked
fires once, and the next run is the first one after now, not after the missed one, nor one closer to
the run just made than the minimum interval (which also holds schedules made before that limit).

A run fires as its creator, so their rights are checked again each time: a creator who is no longer
an editor, or no longer a member of the target channel, gets the schedule paused and a note saying
why. When Slack cannot answer the membership question the run is left to the next beat.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import QuotaDenied, UserError
from bot.guard import DEFAULT_THRESHOLD, GuardedPrompt
from bot.jobs.queueing import JobSender
from bot.jobs.service import JobRequest, JobService
from bot.orgs.off_peak import OFF_PEAK_HORIZON
from bot.orgs.roles import allows
from bot.orgs.service import OrgPolicy, get_role, load_org_policy
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.schedules import views
from bot.schedules.service import DEFAULT_MIN_INTERVAL, ScheduleLimits
from bot.schedules.timing import next_cron_run
from bot.slack.bot_tokens import bot_token_for
from bot.slack.channel_access import MembershipUnchecked, require_member_in_org
from bot.slack.client import make_web_client
from db.audit import record_event
from db.models import Job, JobKind, Schedule, ScheduleState
from db.system import ClaimedSchedule, claim_warm_schedules

log = logging.getLogger(__name__)

# Longer than one run takes (a guard-free submit: milliseconds); a beat that dies mid-run leaves
# the schedule to the next beat after this.
CLAIM_LEASE_SECONDS = 120
CLAIM_LIMIT = 100
UNIQUE_RUN_INDEX = "ix_jobs_schedule_run"


@dataclass
class ScheduleTickReport:
    fired: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)  # (schedule, job)
    skipped: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # (schedule, reason)
    paused: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # (schedule, reason): its creator lost a right
    failed: list[uuid.UUID] = field(default_factory=list)  # tried again once the claim lapses


@dataclass(frozen=True)
class _Skip:
    reason: str  # "paused" | "guard" | "quota"
    notice: str | None  # what the creator is told; None: nobody to tell


@dataclass(frozen=True)
class _RightLost:
    reason: str  # "role" | "channel"
    notice: str


async def tick(
    runtime: Runtime,
    now: datetime | None = None,
    *,
    sender: JobSender | None = None,
    quota: QuotaService | None = None,
    limit: int = CLAIM_LIMIT,
    lead: timedelta = timedelta(0),
    image_lead: timedelta | None = None,
    off_peak_horizon: timedelta = OFF_PEAK_HORIZON,
) -> ScheduleTickReport:
    """Fire every schedule due at ``now`` (the beat's clock; tests inject theirs), and with a
    ``lead`` every text run due before ``now + lead``: its job is generated now and posted at its
    due time (``bot.schedules.warming``). Image runs take ``image_lead`` (default: ``lead``), and
    inside their organization's off-peak window ``off_peak_horizon`` (``bot.orgs.off_peak``)."""
    now = now or datetime.now(UTC)
    report = ScheduleTickReport()
    async with runtime.database.system() as session:
        claimed = await claim_warm_schedules(
            session,
            now,
            text_before=now + lead,
            image_before=now + (lead if image_lead is None else image_lead),
            off_peak_before=now + max(off_peak_horizon, lead if image_lead is None else image_lead),
            lease_seconds=CLAIM_LEASE_SECONDS,
            limit=limit,
        )
    if not claimed:
        return report
    own_sender = sender is None
    if sender is None:
        assert runtime.settings.redis_url, "REDIS_URL is required to send scheduled jobs"
        sender = JobSender(runtime.settings.redis_url, region=runtime.settings.region)
    catalogue = runtime.settings.catalogue()
    jobs = JobService(
        runtime.database,
        quota
        or QuotaService(
            runtime.redis, runtime.database, currency=catalogue.currency, key_space=runtime.settings.quota_key_space
        ),
        sender,
        runtime.secrets,
        # Scheduled runs are priced and held against a money budget like commands.
        catalogue=catalogue,
    )
    min_interval = ScheduleLimits.from_settings(runtime.settings).min_interval
    try:
        for due in claimed:
            try:
                await fire_run(runtime, jobs, due, now, report, min_interval=min_interval)
            except Exception:
                log.exception(
                    "schedule %s: the run at %s failed; retried when its claim lapses", due.id, due.next_run_at
                )
                report.failed.append(due.id)
    finally:
        if own_sender:
            sender.close()
    return report


async def fire_run(
    runtime: Runtime,
    jobs: JobService,
    due: ClaimedSchedule,
    now: datetime,
    report: ScheduleTickReport,
    *,
    min_interval: timedelta = DEFAULT_MIN_INTERVAL,
) -> None:
    async with runtime.database.tenant(due.org_id) as session:
        schedule = (
            await session.scalars(
                select(Schedule).where(
                    Schedule.id == due.id,
                    Schedule.state == ScheduleState.ACTIVE,
                    Schedule.next_run_at == due.next_run_at,
                )
            )
        ).one_or_none()
    if schedule is None:
        return  # cancelled or moved on since the claim
    policy = await load_org_policy(runtime.database, due.org_id)
    run_at = due.next_run_at
    refusal = _refusal(schedule, policy)
    if refusal is None:
        lost = await _right_lost(runtime, schedule)
        if lost is not None:
            if await _pause(runtime, schedule, run_at, lost):
                report.paused.append((schedule.id, lost.reason))
                await _tell_creator(runtime, schedule, lost.notice)
            return
    post_at = run_at if run_at > now else None  # warmed: ahead of its due time
    outcome: uuid.UUID | _Skip = refusal or await _submit(jobs, schedule, run_at, policy, post_at)
    if not await _advance(runtime, schedule, run_at, now, outcome, min_interval):
        return  # another beat moved it on first, and told whoever needed telling
    if isinstance(outcome, _Skip):
        report.skipped.append((schedule.id, outcome.reason))
        if outcome.notice:
            await _tell_creator(runtime, schedule, outcome.notice)
    else:
        report.fired.append((schedule.id, outcome))


def _refusal(schedule: Schedule, policy: OrgPolicy) -> _Skip | None:
    if policy.paused:
        return _Skip("paused", None)
    threshold = DEFAULT_THRESHOLD if policy.injection_threshold is None else policy.injection_threshold
    if schedule.injection_score >= threshold:
        # The prompt passed when it was scheduled; the organization has tightened its guard since.
        return _Skip("guard", views.run_blocked_notice(schedule))
    return None


async def _right_lost(runtime: Runtime, schedule: Schedule) -> _RightLost | None:
    """Whether the creator may still do what the run does in their name: schedule (editor or
    more), and post in the target channel (Slack says they are a member)."""
    role = await get_role(runtime.database, schedule.org_id, schedule.created_by)
    if not allows(role, "schedule"):
        return _RightLost("role", views.paused_for_role_notice(schedule, role))
    try:
        await require_member_in_org(runtime, schedule.org_id, schedule.target_channel, schedule.created_by)
    except MembershipUnchecked:
        raise  # Slack did not answer: the claim lapses and a later beat asks again
    except UserError as refused:
        return _RightLost("channel", views.paused_for_channel_notice(schedule, refused.message))
    return None


async def _move_if_still_due(
    session: AsyncSession, schedule: Schedule, run_at: datetime, values: dict[str, object]
) -> bool:
    """Compare-and-set: update the schedule only while it is still active and due at ``run_at``,
    so two beats never both move it; False when another beat moved it first."""
    moved = (
        await session.execute(
            update(Schedule)
            .where(
                Schedule.id == schedule.id,
                Schedule.state == ScheduleState.ACTIVE,
                Schedule.next_run_at == run_at,
            )
            .values(claimed_until=None, **values)
            .returning(Schedule.id)
        )
    ).first()
    return moved is not None


async def _pause(runtime: Runtime, schedule: Schedule, run_at: datetime, lost: _RightLost) -> bool:
    """Pause the schedule instead of running it; False when another beat moved it first."""
    async with runtime.database.tenant(schedule.org_id) as session:
        if not await _move_if_still_due(session, schedule, run_at, {"state": ScheduleState.PAUSED}):
            return False
        await record_event(
            session,
            schedule.org_id,
            "schedule.paused",
            actor="scheduler",
            detail={"schedule_id": str(schedule.id), "run_at": run_at.isoformat(), "reason": lost.reason},
        )
    return True


async def _submit(
    jobs: JobService, schedule: Schedule, run_at: datetime, policy: OrgPolicy, post_at: datetime | None
) -> uuid.UUID | _Skip:
    mapping = jobs.secrets.decrypt_json(schedule.pii_mapping_enc) if schedule.pii_mapping_enc else {}
    request = JobRequest(
        org_id=schedule.org_id,
        requester_id=schedule.created_by,
        kind=JobKind(schedule.kind),
        prompt=schedule.masked_prompt,
        target_channel=schedule.target_channel,
        schedule_id=schedule.id,
        schedule_run_at=run_at,
        brand_voice=schedule.brand_voice,
        post_at=post_at,
        already_guarded=GuardedPrompt(
            masked_text=schedule.masked_prompt,
            mapping=mapping,
            entities=(),  # found and audited when it was scheduled
            injection_score=schedule.injection_score,
        ),
    )
    try:
        return (await jobs.submit(request, policy)).job_id
    except QuotaDenied as denied:
        return _Skip("quota", views.run_denied_notice(schedule, denied.render()))
    except IntegrityError as error:
        if UNIQUE_RUN_INDEX not in str(error.orig):
            raise
    # This run has its job already (an earlier beat stopped before moving the schedule on).
    async with jobs.database.tenant(schedule.org_id) as session:
        return (
            await session.scalars(select(Job.id).where(Job.schedule_id == schedule.id, Job.schedule_run_at == run_at))
        ).one()


async def _advance(
    runtime: Runtime,
    schedule: Schedule,
    run_at: datetime,
    now: datetime,
    outcome: uuid.UUID | _Skip,
    min_interval: timedelta,
) -> bool:
    """Move the schedule past ``run_at`` (and past ``now``: missed runs are not made up one by one),
    to a run at least ``min_interval`` after this one."""
    if schedule.cron:
        after = max(now, run_at + min_interval - timedelta(microseconds=1))
        values: dict[str, object] = {"next_run_at": next_cron_run(schedule.cron, schedule.timezone, after)}
    else:
        values = {"next_run_at": None, "state": ScheduleState.DONE}
    if not isinstance(outcome, _Skip):
        values["last_run_at"] = run_at
    async with runtime.database.tenant(schedule.org_id) as session:
        if not await _move_if_still_due(session, schedule, run_at, values):
            return False
        if isinstance(outcome, _Skip):
            action, detail = "schedule.skipped", {"reason": outcome.reason}
        else:
            action, detail = "schedule.fired", {"job_id": str(outcome)}
        next_run_at = values["next_run_at"]
        await record_event(
            session,
            schedule.org_id,
            action,
            actor="scheduler",
            job_id=None if isinstance(outcome, _Skip) else outcome,
            detail={
                "schedule_id": str(schedule.id),
                "run_at": run_at.isoformat(),
                "next_run_at": next_run_at.isoformat() if isinstance(next_run_at, datetime) else None,
                **detail,
            },
        )
    return True


async def _tell_creator(runtime: Runtime, schedule: Schedule, text: str) -> None:
    """A DM to whoever made the schedule (a scheduled run has no channel or response_url of its own)."""
    try:
        client = make_web_client(await bot_token_for(runtime, schedule.org_id), base_url=runtime.settings.slack_api_url)
        await client.chat_postMessage(channel=schedule.created_by, text=text)
    except Exception:
        log.warning("could not tell %s about schedule %s", schedule.created_by, schedule.id, exc_info=True)
