"""Real worker processes against the fakes: a Slack sandbox and a fake Gemini on their own threads,
the test run's PostgreSQL and Redis, and Celery workers started as `content-factory worker`."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import redis.asyncio as aioredis

from bot.jobs.queueing import JobSender
from bot.process.runtime import Runtime
from bot.process.settings import load_settings
from bot.quota import QuotaService
from db.crypto import SecretBox
from db.engine import Database
from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox, threaded_sandbox
from tests.workers.harness import (
    BOT_TOKEN,
    GEMINI_KEY,
    MODELS,
    REQUESTER,
    TEAM_ID,
    Submitter,
    WorkerProcess,
    clear_leftover_work,
)


@pytest.fixture(scope="session")
def slack() -> Iterator[SlackSandbox]:
    with threaded_sandbox() as sandbox:
        sandbox.add_workspace(TEAM_ID, bot_token=BOT_TOKEN, name="Worker tests")
        sandbox.add_user(TEAM_ID, REQUESTER, name="riley")
        yield sandbox


@pytest.fixture(scope="session")
def gemini() -> Iterator[FakeGemini]:
    fake = FakeGemini(api_key=GEMINI_KEY)
    with fake.running_in_thread():
        yield fake


@pytest.fixture(autouse=True)
def clean_faults(slack: SlackSandbox, gemini: FakeGemini) -> Iterator[None]:
    yield
    slack.clear_faults()
    gemini.reset()


@pytest.fixture(scope="session")
async def worker_env(
    service_env: dict[str, str], slack: SlackSandbox, gemini: FakeGemini, owner_db: Database, redis_url: str
) -> dict[str, str]:
    """What a worker process of this run gets: the run's services plus the two fakes. Made before
    the first worker starts, so that is when work earlier tests left queued is cleared away."""
    await clear_leftover_work(owner_db, redis_url)
    return {
        **os.environ,
        **service_env,
        "SLACK_API_URL": slack.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "GEMINI_API_KEY": GEMINI_KEY,
        "GEMINI_BASE_URL": gemini.url,
        "GEMINI_MODELS": ",".join(MODELS),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="session")
def start_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []
    logs = tmp_path_factory.mktemp("worker-logs")

    def start(env: dict[str, str], *, concurrency: int = 2, queues: str = "text,image,maintenance") -> WorkerProcess:
        worker = WorkerProcess(env, logs / f"worker-{len(started)}.log", concurrency=concurrency, queues=queues)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="session")
def secrets_box(encryption_key: str) -> SecretBox:
    return SecretBox(encryption_key)


@pytest.fixture(scope="session")
def runtime(
    service_env: dict[str, str], app_db: Database, aredis: aioredis.Redis, secrets_box: SecretBox, slack: SlackSandbox
) -> Runtime:
    """The test process's own runtime (for submitting jobs and running beat ticks in-process)."""
    settings = load_settings(
        database_url=service_env["DATABASE_URL"],
        redis_url=service_env["REDIS_URL"],
        token_encryption_key=service_env["TOKEN_ENCRYPTION_KEY"],
        slack_api_url=slack.api_url,
        slack_bot_token=BOT_TOKEN,
    )
    return Runtime(settings=settings, database=app_db, redis=aredis, secrets=secrets_box)


@pytest.fixture(scope="session")
async def sender(redis_url: str) -> AsyncIterator[JobSender]:
    job_sender = JobSender(redis_url)
    yield job_sender
    job_sender.close()


@pytest.fixture(scope="session")
def quota(app_db: Database, aredis: aioredis.Redis) -> QuotaService:
    return QuotaService(aredis, app_db)


@pytest.fixture
def submitter(
    app_db: Database, quota: QuotaService, sender: JobSender, secrets_box: SecretBox, slack: SlackSandbox
) -> Submitter:
    return Submitter(app_db, quota, sender, secrets_box, slack)
