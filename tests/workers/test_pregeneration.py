"""Popular image prompts pre-generated off-peak, in one worker's event loop against the run's
PostgreSQL and Redis: the beat's step picks an organization's most used masked image prompts from
its own jobs, within a daily bound, and the worker draws each into the result cache, charged like
any job; a later identical `/content image` is then posted from the cache without drawing again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.guard import GuardedPrompt
from bot.jobs.service import JobRequest, JobService
from bot.orgs.off_peak import OffPeakWindow, set_off_peak
from bot.orgs.service import create_organization, load_org_policy
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.result_cache import request_seed, set_image_pregeneration, set_result_cache
from bot.result_cache.pregeneration import (
    PREGENERATION_REQUESTER,
    PopularImagePregeneration,
    pregenerate_popular_images,
)
from db.engine import Database
from db.models import Job, JobKind, JobState, QuotaSettlement
from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox
from tests.support.database import new_team_id
from tests.support.fakes import RecordingImagePipeline
from tests.support.waiting import wait_until
from tests.support.workers import (
    GEMINI_KEY,
    MODELS,
    REQUESTER,
    NoSend,
    Submitter,
    audit_actions,
    beat_running,
    in_process_worker,
    load_job,
    wait_for_job,
    worker,
)
from workers.beat import beat_tick
from workers.flow import Outcome, run_job
from workers.loop import WorkerContext
from workers.providers import TextRouter
from workers.providers.offline import OfflineImageProvider

__all__ = ["worker"]


@pytest.fixture
def pipeline() -> RecordingImagePipeline:
    return RecordingImagePipeline()


@pytest.fixture
async def context(
    runtime: Runtime, quota: QuotaService, gemini: FakeGemini, pipeline: RecordingImagePipeline
) -> AsyncIterator[WorkerContext]:
    router = TextRouter.from_settings(MODELS, GEMINI_KEY, gemini.url)
    async with in_process_worker(runtime, quota, router) as context:
        context.__dict__["image_provider"] = pipeline  # in place of the configured pipeline
        yield context


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[uuid.UUID] = []

    async def send_job(self, job_id: uuid.UUID, org_id: uuid.UUID, kind: str, priority: int = 0) -> None:
        self.sent.append(job_id)


def _window_around(now: datetime) -> OffPeakWindow:
    minute = now.hour * 60 + now.minute
    return OffPeakWindow((minute - 60) % 1440, (minute + 60) % 1440, "UTC")


async def _opt_in(app_db: Database, org_id: uuid.UUID, now: datetime) -> None:
    await set_result_cache(app_db, org_id, enabled=True, actor="UADMIN")
    await set_off_peak(app_db, org_id, _window_around(now), actor="UADMIN")
    await set_image_pregeneration(app_db, org_id, enabled=True, actor="UADMIN")


async def _asked(app_db: Database, quota: QuotaService, secrets: object, org_id: uuid.UUID, prompts: list[str]) -> None:
    """Image requests made earlier (queued and never run: only their prompts matter here)."""
    service = JobService(app_db, quota, NoSend(), secrets)
    policy = await load_org_policy(app_db, org_id)
    for prompt in prompts:
        request = JobRequest(
            org_id=org_id,
            requester_id=REQUESTER,
            kind=JobKind.IMAGE,
            prompt=prompt,
            target_channel="C0EARLIER",
            already_guarded=GuardedPrompt.passed(prompt),
        )
        await service.submit(request, policy)


def _with(runtime: Runtime, **settings: object) -> Runtime:
    return Runtime(
        settings=runtime.settings.model_copy(update=settings),
        database=runtime.database,
        redis=runtime.redis,
        secrets=runtime.secrets,
    )


async def _pregenerated(app_db: Database, org_id: uuid.UUID) -> list[Job]:
    async with app_db.tenant(org_id) as session:
        return list((await session.scalars(select(Job).where(Job.pregenerated).order_by(Job.created_at))).all())


async def test_a_popular_prompt_is_drawn_off_peak_once_and_a_later_identical_request_posts_it_without_drawing(
    context: WorkerContext,
    runtime: Runtime,
    quota: QuotaService,
    submitter: Submitter,
    app_db: Database,
    org_id: uuid.UUID,
    pipeline: RecordingImagePipeline,
    slack: SlackSandbox,
) -> None:
    now = datetime.now(UTC)
    tag = uuid.uuid4().hex[:8]
    popular, once = f"a lighthouse at dawn {tag}", f"a one-off drawing {tag}"
    await _opt_in(app_db, org_id, now)
    await _asked(app_db, quota, runtime.secrets, org_id, [popular, popular, popular, once])
    sender = RecordingSender()

    report = await pregenerate_popular_images(runtime, now, sender=sender, quota=quota)

    [(_, job_id)] = [entry for entry in report.submitted if entry[0] == org_id]
    assert sender.sent == [job_id]
    job = await load_job(app_db, org_id, job_id)
    assert job.masked_prompt == popular and job.requester_id == PREGENERATION_REQUESTER
    assert job.seed == request_seed(org_id, popular)  # the seed a real request of this prompt gets
    assert await run_job(context, job_id, org_id) == Outcome.CACHED
    assert len(pipeline.drawn) == 1
    cached = await load_job(app_db, org_id, job_id)
    assert cached.state == JobState.CACHED and cached.result_image is None and cached.slack_ts is None
    async with app_db.tenant(org_id) as session:
        settlement = await session.get(QuotaSettlement, job_id)
    assert settlement is not None and settlement.actual == job.tokens_reserved > 0  # charged like any job

    # A later identical request is posted from the cache: no drawing, no tokens.
    channel = submitter.new_channel()
    accepted = await submitter.submit(org_id, popular, channel, kind=JobKind.IMAGE, sender=NoSend())
    assert await run_job(context, accepted.job_id, org_id) == Outcome.POSTED
    assert len(pipeline.drawn) == 1
    posted = await load_job(app_db, org_id, accepted.job_id)
    assert posted.state == JobState.POSTED and posted.tokens_used == 0
    assert posted.seed == job.seed
    [upload] = [f for f in slack.uploaded_files() if channel in f.shares]
    assert upload.data == OfflineImageProvider().generate_image(pipeline.drawn[0]).png
    audited = await audit_actions(app_db, org_id, accepted.job_id)
    assert any(event.action == "job.posted" for event in audited)

    # Pre-generated already: the next look (same day, same window) submits nothing more.
    again = await pregenerate_popular_images(runtime, now, sender=sender, quota=quota)
    assert [entry for entry in again.submitted if entry[0] == org_id] == []


async def test_pregeneration_is_bounded_per_day_off_peak_only_and_reads_no_other_organization(
    runtime: Runtime, quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    tag = uuid.uuid4().hex[:8]
    prompts = [f"theme {n} {tag}" for n in range(3)]
    await _opt_in(app_db, org_id, now)
    await _asked(app_db, quota, runtime.secrets, org_id, [p for p in prompts for _ in range(2)])
    other = await create_organization(app_db, name="Other", team_id=new_team_id(), admin_user_id="UOTHER")
    theirs = f"their secret campaign {tag}"
    await _asked(app_db, quota, runtime.secrets, other, [theirs] * 5)
    sender = RecordingSender()

    outside = now + timedelta(hours=12)  # the window is two hours around now
    off_hours = await pregenerate_popular_images(runtime, outside, sender=sender, quota=quota)
    assert [entry for entry in off_hours.submitted if entry[0] == org_id] == []

    bounded = _with(runtime, popular_images_per_day=2)
    first = await pregenerate_popular_images(bounded, now, sender=sender, quota=quota)
    second = await pregenerate_popular_images(bounded, now, sender=sender, quota=quota)
    assert len([entry for entry in first.submitted if entry[0] == org_id]) == 2
    assert [entry for entry in second.submitted if entry[0] == org_id] == []
    drawn = await _pregenerated(app_db, org_id)
    assert len(drawn) == 2 and {job.masked_prompt for job in drawn} <= set(prompts)
    assert await _pregenerated(app_db, other) == []  # the other organization never turned it on
    assert all(theirs not in job.masked_prompt for job in drawn)


async def test_the_beat_looks_for_popular_prompts_once_an_interval(
    runtime: Runtime, quota: QuotaService, app_db: Database, org_id: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    prompt = f"the spring campaign poster {uuid.uuid4().hex[:8]}"
    await _opt_in(app_db, org_id, now)
    await _asked(app_db, quota, runtime.secrets, org_id, [prompt, prompt])
    step = PopularImagePregeneration()
    sender = RecordingSender()

    first = await beat_tick(runtime, now, sender=sender, quota=quota, pregeneration=step)
    soon = await beat_tick(runtime, now + timedelta(minutes=1), sender=sender, quota=quota, pregeneration=step)

    assert first.pregenerated is not None and soon.pregenerated is None
    [(_, job_id)] = [entry for entry in first.pregenerated.submitted if entry[0] == org_id]
    assert job_id in sender.sent
    assert [job.masked_prompt for job in await _pregenerated(app_db, org_id)] == [prompt]


@pytest.mark.slow  # starts a Celery worker
@pytest.mark.usefixtures("worker")
async def test_the_beat_and_a_real_worker_draw_a_popular_prompt_off_peak_and_a_later_request_is_posted_from_it(
    runtime: Runtime, submitter: Submitter, app_db: Database, org_id: uuid.UUID, slack: SlackSandbox
) -> None:
    tag = uuid.uuid4().hex[:8]
    popular = f"a lighthouse at dawn {tag}"
    # Asked twice before the organization opted in: drawn each time with a seed of its own.
    for _ in range(2):
        asked = await submitter.submit(org_id, popular, submitter.new_channel(), kind=JobKind.IMAGE)
        assert (await wait_for_job(app_db, org_id, asked.job_id)).state == JobState.POSTED
    await _opt_in(app_db, org_id, datetime.now(UTC))

    async with beat_running(runtime):
        [drawn] = await _wait_for_pregenerated(app_db, org_id)
        drawn = await wait_for_job(app_db, org_id, drawn.id)

    assert drawn.state == JobState.CACHED and drawn.masked_prompt == popular and drawn.slack_ts is None
    assert drawn.seed == request_seed(org_id, popular) and drawn.tokens_used

    channel = submitter.new_channel()
    later = await wait_for_job(
        app_db, org_id, (await submitter.submit(org_id, popular, channel, kind=JobKind.IMAGE)).job_id
    )
    assert later.state == JobState.POSTED and later.tokens_used == 0 and later.seed == drawn.seed
    [upload] = [message for message in slack.messages(channel) if message.get("files")]
    assert "reused from an identical request" in upload["text"]


async def _wait_for_pregenerated(app_db: Database, org_id: uuid.UUID, seconds: float = 30.0) -> list[Job]:
    return await wait_until(
        lambda: _pregenerated(app_db, org_id), "the beat pre-generated nothing", seconds=seconds, every=0.1
    )
