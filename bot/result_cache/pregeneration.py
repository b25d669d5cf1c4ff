"""Popular image prompts pre-generated off-peak into the result cache (the beat's step).

For each organization whose admin turned it on (``/content pregenerate on``, which needs the
result cache and an off-peak window), while its off-peak window holds the beat's clock:

1. its most used image prompts of the last ``POPULAR_IMAGES_LOOKBACK_DAYS``, read from its own jobs
   in its tenant session (Row-Level Security), masked as they were stored, never the people's data
   behind a placeholder; a prompt counts once it was asked ``POPULAR_MIN_USES`` times, and not while
   a pre-generation of it from the last result-cache TTL stands;
2. at most ``POPULAR_IMAGES_PER_DAY`` a UTC day, counting what was pre-generated earlier that day;
3. each becomes an ordinary image job (``jobs.pregenerated``): the quota reserves and settles it as
   any job, and the worker draws it with the seed a real request of that prompt gets
   (``bot.result_cache.key.request_seed``), stores it under the same key, and posts nothing.

A later identical ``/content image`` is then served from the cache without a model call.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import QuotaDenied
from bot.guard import GuardedPrompt
from bot.jobs.queueing import JobSender
from bot.jobs.service import JobRequest, JobService
from bot.orgs.service import load_org_policy
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.result_cache.settings import load_cache_settings
from db.models import JobKind
from db.system import orgs_pregenerating_images

log = logging.getLogger(__name__)
POPULAR_MIN_USES = 2
# Who a pre-generated job is requested by in the audit trail and on the job.
PREGENERATION_REQUESTER = "pregeneration"
# How often the beat looks (a window is minutes wide, a day's bound small).
PREGENERATION_INTERVAL = timedelta(minutes=10)


@dataclass(frozen=True)
class PopularPrompt:
    masked_prompt: str
    brand_voice: bool
    uses: int


_POPULAR = text(
    """
    SELECT j.masked_prompt, j.brand_voice, count(*) AS uses
      FROM jobs j
     WHERE j.org_id = CAST(:org AS uuid) AND j.kind = 'image' AND NOT j.pregenerated
       AND j.created_at >= :since
       AND NOT EXISTS (SELECT 1 FROM jobs p
                        WHERE p.org_id = j.org_id AND p.pregenerated AND p.kind = 'image'
                          AND p.masked_prompt = j.masked_prompt AND p.brand_voice = j.brand_voice
                          AND p.created_at >= :fresh_since AND p.state NOT IN ('failed', 'cancelled'))
     GROUP BY j.masked_prompt, j.brand_voice
    HAVING count(*) >= :min_uses
     ORDER BY uses DESC, max(j.created_at) DESC
     LIMIT :limit
    """
)
_DONE_TODAY = text(
    """
    SELECT count(*) FROM jobs
     WHERE org_id = CAST(:org AS uuid) AND pregenerated AND kind = 'image' AND created_at >= :day_start
    """
)


async def popular_image_prompts(
    session: AsyncSession, org_id: uuid.UUID, *, since: datetime, fresh_since: datetime, limit: int
) -> list[PopularPrompt]:
    """The organization's most used image prompts since ``since``, most used first (in its tenant session)."""
    rows = await session.execute(
        _POPULAR,
        {"org": org_id, "since": since, "fresh_since": fresh_since, "min_uses": POPULAR_MIN_USES, "limit": limit},
    )
    return [PopularPrompt(row.masked_prompt, row.brand_voice, int(row.uses)) for row in rows]


async def pregenerated_since(session: AsyncSession, org_id: uuid.UUID, day_start: datetime) -> int:
    return int((await session.execute(_DONE_TODAY, {"org": org_id, "day_start": day_start})).scalar_one())


@dataclass
class PregenerationReport:
    submitted: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)  # (organization, job)
    denied: list[uuid.UUID] = field(default_factory=list)  # organizations whose quota said no


async def pregenerate_popular_images(
    runtime: Runtime, now: datetime, *, sender: JobSender, quota: QuotaService
) -> PregenerationReport:
    """Submit today's share of each organization's popular image prompts, off-peak only."""
    settings = runtime.settings
    report = PregenerationReport()
    if settings.popular_images_per_day <= 0:
        return report
    async with runtime.database.system() as session:
        org_ids = await orgs_pregenerating_images(session)
    if not org_ids:
        return report
    catalogue = settings.catalogue()
    # Priced and held against a money budget like any job.
    jobs = JobService(runtime.database, quota, sender, runtime.secrets, catalogue=catalogue)
    for org_id in org_ids:
        try:
            await _pregenerate_for(runtime, jobs, org_id, now, report)
        except Exception:
            log.warning("pre-generation for organization %s failed; tried again later", org_id, exc_info=True)
    return report


async def _pregenerate_for(
    runtime: Runtime, jobs: JobService, org_id: uuid.UUID, now: datetime, report: PregenerationReport
) -> None:
    cache = await load_cache_settings(runtime.database, org_id)
    if not (cache.pregenerate_images and cache.result_cache and cache.off_peak and cache.off_peak.contains(now)):
        return
    settings = runtime.settings
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    async with runtime.database.tenant(org_id) as session:
        left = settings.popular_images_per_day - await pregenerated_since(session, org_id, day_start)
        if left <= 0:
            return
        popular = await popular_image_prompts(
            session,
            org_id,
            since=now - timedelta(days=settings.popular_images_lookback_days),
            fresh_since=now - timedelta(seconds=settings.result_cache_ttl_seconds),
            limit=left,
        )
    if not popular:
        return
    policy = await load_org_policy(runtime.database, org_id)
    for prompt in popular:
        request = JobRequest(
            org_id=org_id,
            requester_id=PREGENERATION_REQUESTER,
            kind=JobKind.IMAGE,
            prompt=prompt.masked_prompt,
            target_channel="",
            brand_voice=prompt.brand_voice,
            pregenerated=True,
            # Masked and guarded when it was first asked for; nothing of it is ever posted.
            already_guarded=GuardedPrompt.passed(prompt.masked_prompt),
        )
        try:
            accepted = await jobs.submit(request, policy)
        except QuotaDenied:
            report.denied.append(org_id)
            return
        report.submitted.append((org_id, accepted.job_id))


@dataclass
class PopularImagePregeneration:
    """The beat's step, at most once an ``interval``."""

    interval: timedelta = PREGENERATION_INTERVAL
    last: datetime | None = None

    async def run_if_due(
        self, runtime: Runtime, now: datetime, *, sender: JobSender, quota: QuotaService
    ) -> PregenerationReport | None:
        if self.last is not None and now - self.last < self.interval:
            return None
        self.last = now
        return await pregenerate_popular_images(runtime, now, sender=sender, quota=quota)
