"""Creating, listing and cancelling schedules (`/content schedule|schedules|unschedule`).

The prompt is guarded when it is scheduled, not when it runs: only the masked text is stored (the
PII mapping encrypted, and only for organizations that restore PII), with the injection score so a
run can be refused if the organization tightens its threshold later. The creator must be a member
of the target channel (``bot.slack.channel_access``); a cron expression may not run more often than the
minimum interval, and nobody may hold more than their share of active schedules. The creator can
always cancel their own schedule, whatever their role has become.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from sqlalchemy import String, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import BadInput, NotAllowed, NotFound
from bot.jobs.service import JobRequest, JobService
from bot.orgs.service import OrgPolicy
from bot.process.runtime import Runtime
from bot.process.settings import Settings
from bot.schedules.timing import check_interval, describe, first_run, zone
from bot.slack.bot_tokens import NoBotToken, bot_token_for
from bot.slack.channel_access import require_postable
from bot.slack.client import make_web_client
from db.audit import record_event
from db.models import Job, JobKind, JobState, Member, Organization, Role, Schedule, ScheduleState

log = logging.getLogger(__name__)

DEFAULT_MAX_ACTIVE = 25
DEFAULT_MAX_PER_USER = 5
DEFAULT_MIN_INTERVAL = timedelta(minutes=15)
HORIZON = timedelta(days=366)
# users.info runs inside a command's ack: better a UTC default than a missed deadline.
USERS_INFO_TIMEOUT_SECONDS = 2
LISTED_STATES = (ScheduleState.ACTIVE, ScheduleState.PAUSED)


@dataclass(frozen=True)
class ScheduleLimits:
    max_active: int = DEFAULT_MAX_ACTIVE  # active schedules per organization
    horizon: timedelta = HORIZON  # how far ahead a first run may be
    max_per_user: int = DEFAULT_MAX_PER_USER  # active schedules one person may have
    min_interval: timedelta = DEFAULT_MIN_INTERVAL  # the shortest time between two runs of one schedule

    @classmethod
    def from_settings(cls, settings: Settings) -> ScheduleLimits:
        """SCHEDULES_MAX_ACTIVE, SCHEDULE_MIN_INTERVAL_MINUTES and SCHEDULES_MAX_PER_USER."""
        return cls(
            max_active=settings.schedules_max_active,
            max_per_user=settings.schedules_max_per_user,
            min_interval=timedelta(minutes=settings.schedule_min_interval_minutes),
        )


@dataclass(frozen=True)
class ScheduleInfo:
    id: uuid.UUID
    kind: str
    target_channel: str
    created_by: str
    cron: str | None
    run_at: datetime | None
    timezone: str
    next_run_at: datetime | None
    last_run_at: datetime | None
    state: str
    masked_prompt: str

    @property
    def short_id(self) -> str:
        """Enough of the id to cancel by (``unschedule`` takes a prefix)."""
        return str(self.id)[:8]

    def next_run_in(self, tz_name: str | None) -> str:
        return describe(self.next_run_at, tz_name) if self.next_run_at else "—"

    @classmethod
    def of(cls, row: Schedule) -> ScheduleInfo:
        return cls(
            id=row.id,
            kind=row.kind,
            target_channel=row.target_channel,
            created_by=row.created_by,
            cron=row.cron,
            run_at=row.run_at,
            timezone=row.timezone,
            next_run_at=row.next_run_at,
            last_run_at=row.last_run_at,
            state=row.state,
            masked_prompt=row.masked_prompt,
        )


class ScheduleService:
    def __init__(self, runtime: Runtime, jobs: JobService, *, limits: ScheduleLimits | None = None) -> None:
        self.runtime = runtime
        self.database = runtime.database
        self.jobs = jobs
        self.limits = limits or ScheduleLimits.from_settings(runtime.settings)

    async def create(
        self,
        org_id: uuid.UUID,
        creator: str,
        *,
        kind: JobKind,
        prompt: str,
        target_channel: str,
        cron: str | None,
        run_at: datetime | None,
        policy: OrgPolicy,
        typed_in: str | None = None,
        now: datetime | None = None,
        brand_voice: bool = True,
    ) -> ScheduleInfo:
        """``typed_in``: where the command was typed (a target elsewhere is checked with Slack)."""
        if policy.paused:
            raise NotAllowed("Scheduling is paused for this organization. An admin can tell you more.")
        now = now or datetime.now(UTC)
        if cron is not None:
            check_interval(cron, self.limits.min_interval)
        tz_name = await self.timezone_of(org_id, creator)
        # The time first: a wrong time is cheaper to refuse than a prompt is to guard.
        next_run_at = first_run(cron=cron, run_at=run_at, tz_name=tz_name, now=now, horizon=self.limits.horizon)
        await require_postable(self.runtime, org_id, creator, target_channel, typed_in=typed_in)
        guarded = await self.jobs.guard_prompt(
            JobRequest(org_id=org_id, requester_id=creator, kind=kind, prompt=prompt, target_channel=target_channel),
            policy,
        )
        async with self.database.tenant(org_id) as session:
            await self._check_room(session, org_id, creator)
            row = Schedule(
                id=uuid.uuid4(),
                org_id=org_id,
                created_by=creator,
                kind=kind,
                masked_prompt=guarded.masked_text,
                pii_mapping_enc=self.runtime.secrets.encrypt_json(guarded.mapping) if policy.restore_pii else None,
                target_channel=target_channel,
                cron=" ".join(cron.split()) if cron else None,
                run_at=None if cron else next_run_at,
                timezone=tz_name,
                next_run_at=next_run_at,
                state=ScheduleState.ACTIVE,
                injection_score=guarded.injection_score,
                brand_voice=brand_voice,
            )
            session.add(row)
            await session.flush()
            await record_event(
                session,
                org_id,
                "schedule.created",
                actor=creator,
                detail={
                    "schedule_id": str(row.id),
                    "kind": str(kind),
                    "channel": target_channel,
                    "cron": row.cron,
                    "timezone": tz_name,
                    "next_run_at": next_run_at.isoformat(),
                    "pii": list(guarded.entities),
                },
            )
        return ScheduleInfo.of(row)

    async def _check_room(self, session: AsyncSession, org_id: uuid.UUID, creator: str) -> None:
        # The organization's row lock serializes its creations, so two at once can't both take the last place.
        await session.execute(select(Organization.id).where(Organization.id == org_id).with_for_update())
        active_by = (
            await session.execute(
                select(Schedule.created_by, func.count())
                .where(Schedule.state == ScheduleState.ACTIVE)
                .group_by(Schedule.created_by)
            )
        ).all()
        active = sum(count for _, count in active_by)
        if active >= self.limits.max_active:
            raise BadInput(
                f"This organization already has {active} active schedules, the most it can have. "
                "Cancel one with `/content unschedule <id>` (`/content schedules` lists them)."
            )
        yours = next((count for who, count in active_by if who == creator), 0)
        if yours >= self.limits.max_per_user:
            raise BadInput(
                f"You already have {yours} active schedules, the most one person can have. "
                "Cancel one with `/content unschedule <id>` (`/content schedules` lists them)."
            )

    async def list(self, org_id: uuid.UUID) -> list[ScheduleInfo]:
        async with self.database.tenant(org_id) as session:
            rows = (
                await session.scalars(
                    select(Schedule)
                    .where(Schedule.state.in_(LISTED_STATES))
                    .order_by(Schedule.next_run_at.asc().nulls_last(), Schedule.created_at)
                )
            ).all()
        return [ScheduleInfo.of(row) for row in rows]

    async def cancel(self, org_id: uuid.UUID, ref: str, *, actor: str, role: str | None) -> ScheduleInfo:
        """Cancel by id or id prefix; the creator (whatever their role now) or an admin may, anyone
        else is told who can."""
        ref = ref.strip().lower()
        async with self.database.tenant(org_id) as session:
            rows = (
                await session.scalars(
                    select(Schedule)
                    .where(
                        cast(Schedule.id, String).startswith(ref, autoescape=True), Schedule.state.in_(LISTED_STATES)
                    )
                    .limit(2)
                    .with_for_update()
                )
            ).all()
            if not rows:
                raise NotFound(f"No active schedule has the id `{ref}`. `/content schedules` lists them.")
            if len(rows) > 1:
                raise BadInput(f"`{ref}` matches more than one schedule; give more of its id.")
            row = rows[0]
            if row.created_by != actor and role != Role.ADMIN:
                raise NotAllowed(f"Only <@{row.created_by}>, who made this schedule, or an admin can cancel it.")
            row.state, row.next_run_at, row.claimed_until = ScheduleState.CANCELLED, None, None
            await session.flush()
            await record_event(session, org_id, "schedule.cancelled", actor=actor, detail={"schedule_id": str(row.id)})
            await _withdraw_held_runs(session, org_id, row.id, actor=actor)
        return ScheduleInfo.of(row)

    async def timezone_of(self, org_id: uuid.UUID, user_id: str) -> str:
        """The member's Slack time zone: as stored on their member row, else asked from Slack
        (users.info) and stored; UTC when neither knows."""
        async with self.database.tenant(org_id) as session:
            stored = (
                await session.execute(select(Member.timezone).where(Member.slack_user_id == user_id))
            ).scalar_one_or_none()
        if stored and zone(stored).key == stored:
            return stored
        asked = await self._ask_slack_timezone(org_id, user_id)
        if asked is None:
            return "UTC"
        async with self.database.tenant(org_id) as session:
            await session.execute(update(Member).where(Member.slack_user_id == user_id).values(timezone=asked))
        return asked

    async def _ask_slack_timezone(self, org_id: uuid.UUID, user_id: str) -> str | None:
        try:
            token = await bot_token_for(self.runtime, org_id)
            client = make_web_client(
                token, base_url=self.runtime.settings.slack_api_url, timeout=USERS_INFO_TIMEOUT_SECONDS
            )
            tz = (await client.users_info(user=user_id))["user"].get("tz")
        except (NoBotToken, SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.info("no time zone from Slack for %s (%s); using UTC", user_id, type(error).__name__)
            return None
        return tz if tz and zone(tz).key == tz else None


async def _withdraw_held_runs(session: AsyncSession, org_id: uuid.UUID, schedule_id: uuid.UUID, *, actor: str) -> None:
    """A run generated ahead and held for its due time is cancelled with its schedule, not left
    waiting to be cancelled when it falls due. A run still being generated is held later; the
    release at its due time sees the schedule cancelled and cancels it then."""
    withdrawn = (
        await session.scalars(
            update(Job)
            .execution_options(synchronize_session=False)
            .where(Job.schedule_id == schedule_id, Job.state == JobState.HELD)
            .values(state=JobState.CANCELLED, updated_at=func.now())
            .returning(Job.id)
        )
    ).all()
    for job_id in withdrawn:
        await record_event(
            session,
            org_id,
            "job.cancelled",
            actor=actor,
            job_id=job_id,
            detail={"reason": "its schedule was cancelled"},
        )
