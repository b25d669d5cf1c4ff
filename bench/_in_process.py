"""What the benches that run a worker's flow on their own event loop share: a stage of a scratch
database and Redis, the Slack sandbox with one workspace and its admin, and the fake Gemini; an
organization whose budget and rate never get in the way; and one already-guarded text job taken
from submission to its post."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from bench._scratch import Scratch
from bot.guard import GuardedPrompt
from bot.jobs.service import JobRequest, JobService
from bot.orgs.service import create_organization, load_org_policy
from bot.process.runtime import Runtime
from bot.process.settings import load_settings
from bot.quota import QuotaService
from db.crypto import SecretBox
from db.engine import Database
from db.models import JobKind
from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox
from workers.flow import Outcome, run_job
from workers.loop import WorkerContext
from workers.posting import close_http_session

ADMIN = "U0BENCHADM"
GEMINI_KEY = "bench-gemini-key"


class NoSend:
    """A JobSender that sends nothing: the bench runs each job itself."""

    async def send_job(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass(frozen=True)
class Stage:
    slack: SlackSandbox
    gemini: FakeGemini
    team: str
    runtime: Runtime
    quota: QuotaService

    @property
    def database(self) -> Database:
        return self.runtime.database

    def new_channel(self) -> str:
        channel = f"C{uuid.uuid4().hex[:10].upper()}"
        self.slack.add_channel(self.team, channel, channel.lower())
        return channel


@asynccontextmanager
async def in_process_stage(scratch: Scratch, *, bot_token: str, **settings: Any) -> AsyncIterator[Stage]:
    """The stage, with ``settings`` on top of the scratch services' and the sandbox's; closed after."""
    database = Database(scratch.app_url)
    redis = aioredis.Redis.from_url(scratch.redis_url)
    team = "T" + uuid.uuid4().hex[:10].upper()
    async with SlackSandbox() as slack, FakeGemini(api_key=GEMINI_KEY) as gemini:
        slack.add_workspace(team, bot_token=bot_token, name="Bench")
        slack.add_user(team, ADMIN, name="ada", is_admin=True, tz="UTC")
        loaded = load_settings(
            _env_file=None,
            database_url=scratch.app_url,
            redis_url=scratch.redis_url,
            token_encryption_key=scratch.encryption_key,
            slack_api_url=slack.api_url,
            slack_bot_token=bot_token,
            **settings,
        )
        runtime = Runtime(settings=loaded, database=database, redis=redis, secrets=SecretBox(scratch.encryption_key))
        try:
            yield Stage(slack, gemini, team, runtime, QuotaService(redis, database))
        finally:
            await close_http_session()
            await redis.aclose()
            await database.dispose()


async def unlimited_org(stage: Stage, budget: int = 10**10) -> uuid.UUID:
    """An organization of the stage's workspace, its admin the stage's, no rate limit to speak of."""
    org_id = await create_organization(stage.database, name="Bench", team_id=stage.team, admin_user_id=ADMIN)
    await stage.quota.set_budget(org_id, budget, actor="bench")
    await stage.quota.set_limits(org_id, rate_per_minute=2**31 - 1, burst=2**31 - 1, actor="bench")
    return org_id


async def post_text_jobs(
    context: WorkerContext, jobs: JobService, stage: Stage, org_id: uuid.UUID, prompts: Sequence[str]
) -> list[tuple[uuid.UUID, dict[str, Any]]]:
    """Each prompt as the admin's text job to a channel of its own, run to its post one after the
    other: (job id, the posted message) of each."""
    policy = await load_org_policy(stage.database, org_id)
    posted = []
    for prompt in prompts:
        channel = stage.new_channel()
        request = JobRequest(
            org_id=org_id,
            requester_id=ADMIN,
            kind=JobKind.TEXT,
            prompt=prompt,
            target_channel=channel,
            already_guarded=GuardedPrompt.passed(prompt),
        )
        accepted = await jobs.submit(request, policy)
        outcome = await run_job(context, accepted.job_id, org_id)
        if outcome != Outcome.POSTED:
            raise RuntimeError(f"job {accepted.job_id} ended {outcome}")
        [message] = stage.slack.messages(channel)
        posted.append((accepted.job_id, message))
    return posted


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
