"""Worker processes against the fakes: starting and stopping `content-factory worker`, the fixtures
that give them a Slack sandbox, a fake Gemini and the run's services, a job submitter, and waiting
for outcomes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from celery import Celery
from sqlalchemy import select, update

from bot.guard import GuardedPrompt
from bot.jobs.queueing import JobSender
from bot.jobs.service import AcceptedJob, JobRequest, JobService
from bot.orgs.service import load_org_policy
from bot.process.runtime import Runtime
from bot.process.settings import load_settings
from bot.quota import QuotaService
from db.crypto import SecretBox
from db.engine import Database
from db.models import FINAL_JOB_STATES, AuditEvent, Job, JobKind, JobState, Organization
from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox, threaded_sandbox
from tests.support.waiting import wait_until
from workers.beat import beat_forever, beat_tick
from workers.celery_app import worker_config
from workers.fair_gate import FairGate
from workers.loop import WorkerContext
from workers.posting import close_http_session
from workers.providers import TextRouter

ROOT = Path(__file__).resolve().parents[2]
GEMINI_KEY = "worker-test-key"
MODELS = ("gemini-a", "gemini-b")
TEAM_ID = "T0WORKERS"
BOT_TOKEN = "xoxb-worker-tests"
REQUESTER = "U0REQUESTER"
WORKER_READY_SECONDS = 60
ALL_QUEUES = "text,image,maintenance"
TEXT_ONLY = "text,maintenance"


class WorkerProcess:
    """`content-factory worker` in its own process group, so a test can kill it and its children."""

    def __init__(self, env: dict[str, str], log_path: Path, *, concurrency: int = 2, queues: str = ALL_QUEUES) -> None:
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "worker",
                "--queues",
                queues,
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, seconds: float = WORKER_READY_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if b" ready." in self.log_path.read_bytes():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker did not start; its log:\n{self.log_path.read_text()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL to the whole group: the main process and every pool child, mid-job or not."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._log.close()

    def terminate(self) -> int:
        """SIGTERM to the main process only (what `docker stop` sends) and wait for it to exit."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(60)
        self.stop()
        return code

    def stop(self) -> None:
        if self._log.closed:
            return
        stop_process_group(self.process, 15)
        self._log.close()


def stop_process_group(process: subprocess.Popen[bytes], seconds: float) -> None:
    """SIGTERM to the process's group (it was started in a session of its own), SIGKILL to the
    group if it has not exited after ``seconds``; returns once the process has exited."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


async def clear_leftover_work(owner_db: Database, redis_url: str) -> None:
    """Empty the broker's queues and cancel every job still queued. Earlier tests queue jobs with
    no worker running; left alone they would run on these workers, take the faults a test aimed at
    its own job, and post into this run's sandbox."""
    purger = Celery("worker-tests-purge")
    purger.conf.update(worker_config(redis_url))
    await asyncio.to_thread(purger.control.purge)
    purger.close()
    async with owner_db.system() as session:
        await session.execute(
            update(Job).where(Job.state == JobState.QUEUED).values(state=JobState.CANCELLED, lease_until=None)
        )


class NoSend:
    """A sender that sends nothing (the jobs stay queued until a test sends them)."""

    async def send_job(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Submitter:
    """Commits jobs the way the web side does (guard, quota, one transaction, then send)."""

    database: Database
    quota: QuotaService
    sender: JobSender
    secrets: SecretBox
    slack: SlackSandbox
    channels: list[str] = field(default_factory=list)

    def new_channel(self, *, bot_member: bool = True) -> str:
        channel = "C" + uuid.uuid4().hex[:10].upper()
        self.slack.add_channel(TEAM_ID, channel, channel.lower(), bot_member=bot_member)
        return channel

    def response_url(self, channel: str) -> str:
        return self.slack.response_url(team_id=TEAM_ID, channel_id=channel, user_id=REQUESTER)

    async def commit_unsent(self, org_id: uuid.UUID, prompts: list[str], channels: list[str]) -> list[uuid.UUID]:
        """Commit queued jobs (already guarded: these prompts carry no personal data) without
        sending them, so a test can put a whole backlog on the broker at once."""
        service = JobService(self.database, self.quota, NoSend(), self.secrets)
        policy = await load_org_policy(self.database, org_id)
        job_ids = []
        for number, prompt in enumerate(prompts):
            channel = channels[number % len(channels)]
            request = self._request(
                org_id, prompt, channel, kind=JobKind.TEXT, already_guarded=GuardedPrompt.passed(prompt)
            )
            job_ids.append((await service.submit(request, policy)).job_id)
        return job_ids

    async def send_all(self, org_id: uuid.UUID, job_ids: list[uuid.UUID]) -> None:
        for job_id in job_ids:
            await self.sender.send_job(job_id, org_id, JobKind.TEXT)

    async def submit(
        self,
        org_id: uuid.UUID,
        prompt: str,
        channel: str,
        *,
        kind: JobKind = JobKind.TEXT,
        sender: JobSender | None = None,
        thread_ts: str | None = None,
    ) -> AcceptedJob:
        service = JobService(self.database, self.quota, sender or self.sender, self.secrets)
        policy = await load_org_policy(self.database, org_id)
        return await service.submit(self._request(org_id, prompt, channel, kind=kind, thread_ts=thread_ts), policy)

    def _request(self, org_id: uuid.UUID, prompt: str, channel: str, **fields: Any) -> JobRequest:
        """The requester's job asked in ``channel`` and answered there (``fields``: the request's
        others); one asked in a DM thread (``thread_ts``) is answered there, without a response_url."""
        return JobRequest(
            org_id=org_id,
            requester_id=REQUESTER,
            prompt=prompt,
            target_channel=channel,
            source_channel=channel,
            response_url=None if fields.get("thread_ts") else self.response_url(channel),
            **fields,
        )


@contextlib.asynccontextmanager
async def beat_running(runtime: Runtime, tick_seconds: float = 1.0) -> AsyncIterator[None]:
    """The beat's own loop (``workers.beat.beat_forever``: every step, the held posts' timers among
    them) on this event loop while the block runs, ticking every ``tick_seconds``."""
    stop = asyncio.Event()
    loop = asyncio.create_task(beat_forever(runtime, tick_seconds, stop))
    try:
        yield
    finally:
        stop.set()
        await loop


@contextlib.asynccontextmanager
async def in_process_worker(
    runtime: Runtime, quota: QuotaService, router: TextRouter, **options: Any
) -> AsyncIterator[WorkerContext]:
    """What a worker process gives its jobs (``options``: the context's other fields), in the
    test's event loop; the router and the posting session are closed after, as a worker's are."""
    try:
        yield WorkerContext(runtime, quota, router, FairGate(4), **options)
    finally:
        await router.aclose()
        await close_http_session()


async def load_job(database: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    async with database.tenant(org_id) as session:
        return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()


async def wait_for_job(
    database: Database,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    states: frozenset[str] = FINAL_JOB_STATES,
    seconds: float = 30.0,
) -> Job:
    """The job once it reached one of ``states`` and its quota was reconciled (a worker settles
    right after the job's last transition)."""
    seen: list[Job] = []

    async def reconciled() -> Job | None:
        job = await load_job(database, org_id, job_id)
        seen.append(job)
        return job if job.state in states and job.quota_state != "reserved" else None

    def still() -> str:
        return f"job {job_id} still {seen[-1].state} (quota {seen[-1].quota_state})"

    return await wait_until(reconciled, still, seconds=seconds)


async def wait_for_scheduled_job(
    database: Database,
    org_id: uuid.UUID,
    schedule_id: uuid.UUID,
    *,
    states: frozenset[str] = FINAL_JOB_STATES,
    seconds: float = 30.0,
) -> Job:
    """The schedule's job once the beat fired it and it reached one of ``states`` (``wait_for_job``),
    all within ``seconds``."""
    deadline = time.monotonic() + seconds

    async def fired() -> uuid.UUID | None:
        async with database.tenant(org_id) as session:
            return (await session.execute(select(Job.id).where(Job.schedule_id == schedule_id))).scalar_one_or_none()

    job_id = await wait_until(fired, f"schedule {schedule_id} fired no job", seconds=seconds)
    return await wait_for_job(database, org_id, job_id, states=states, seconds=deadline - time.monotonic())


def notes_about(slack: SlackSandbox, job_id: uuid.UUID) -> list[str]:
    """The texts of the response_url posts (the requester's notes) that name ``job_id``."""
    return [r["text"] for r in slack.responses() if str(job_id) in r.get("text", "")]


async def failure_note(slack: SlackSandbox, job_id: uuid.UUID) -> str:
    """The one note the requester got about ``job_id`` (failed), once it has arrived: a worker sends
    it just after it releases or settles the quota, after the job's last transition."""
    await wait_until(lambda: notes_about(slack, job_id), "the requester was never told the job failed", seconds=10)
    notes = notes_about(slack, job_id)
    assert len(notes) == 1, notes
    return notes[0]


async def audit_actions(database: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> list[AuditEvent]:
    async with database.tenant(org_id) as session:
        return list(
            (
                await session.execute(select(AuditEvent).where(AuditEvent.job_id == job_id).order_by(AuditEvent.seq))
            ).scalars()
        )


async def set_policy(database: Database, org_id: uuid.UUID, **values: Any) -> None:
    async with database.tenant(org_id) as session:
        await session.execute(update(Organization).where(Organization.id == org_id).values(**values))


def requests_with(gemini: FakeGemini, marker: str) -> list[Any]:
    """Model calls whose prompt carries ``marker`` (each test's prompts are unique)."""
    return [r for r in gemini.requests if marker in str(r.body.get("contents"))]


def broker_messages_naming(redis_url: str, job_id: uuid.UUID) -> int:
    """Messages for ``job_id`` the broker still holds: waiting in a queue, or delivered to a worker
    and not yet acknowledged (tasks ack late, so a message leaves ``unacked`` only once its run is
    over). Zero means every delivery of the job was consumed. (Kombu moves a message from its
    queue to ``unacked`` in two steps a few microseconds apart; a read landing between them sees
    it in neither, which is why callers also check what the deliveries did.)"""
    import redis

    needle = str(job_id).encode()
    client = redis.Redis.from_url(redis_url)
    try:
        held = [m for queue in client.scan_iter(_type="list") for m in client.lrange(queue, 0, -1)]
        held += client.hvals("unacked")
        return sum(needle in message for message in held)
    finally:
        client.close()


def marker() -> str:
    return uuid.uuid4().hex[:12]


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

    def start(env: dict[str, str], *, concurrency: int = 2, queues: str = ALL_QUEUES) -> WorkerProcess:
        worker = WorkerProcess(env, logs / f"worker-{len(started)}.log", concurrency=concurrency, queues=queues)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="module")
def worker(worker_env: dict[str, str], start_worker: Callable[..., WorkerProcess]) -> Iterator[WorkerProcess]:
    """One worker on every queue for a module's tests, ready before the first one (a module that
    imports it lists it in `pytest.mark.usefixtures`)."""
    process = start_worker(worker_env)
    process.wait_ready()
    yield process
    process.stop()


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


def hosted_image_catalogue(gemini_url: str, images: dict[str, tuple[str, float]]) -> str:
    """A model catalogue (``MODEL_CATALOGUE``) of one Gemini text model and the hosted image models
    ``images`` (name -> Gemini model id and price per image), all served by the fake Gemini."""

    def model(name: str, provider: str, model_id: str, price: dict[str, float]) -> dict[str, object]:
        return {
            "name": name,
            "provider": provider,
            "model": model_id,
            "base_url": gemini_url,
            "api_key_env": "GEMINI_API_KEY",
            "price": price,
        }

    return json.dumps(
        {
            "currency": "USD",
            "models": [
                model("flash", "gemini", "gemini-a", {"input": 0.30, "output": 2.50}),
                *(
                    model(name, "gemini-image", model_id, {"image": price})
                    for name, (model_id, price) in images.items()
                ),
            ],
        }
    )


@dataclass
class WorkerRig:
    """One test's worker processes and what they work against. Every process started through it
    is stopped when the test ends (the ``rig`` fixture), passed or failed, so none is left
    consuming the next test's jobs."""

    env: dict[str, str]
    submitter: Submitter
    org_id: uuid.UUID
    app_db: Database
    owner_db: Database
    gemini: FakeGemini
    slack: SlackSandbox
    quota: QuotaService
    runtime: Runtime
    sender: JobSender
    start_worker: Callable[..., WorkerProcess]
    started: list[WorkerProcess] = field(default_factory=list)

    def start(
        self, env: dict[str, str] | None = None, *, concurrency: int = 2, queues: str = ALL_QUEUES, ready: bool = True
    ) -> WorkerProcess:
        """A worker with this rig's environment (or ``env``); ``ready``: wait until it consumes."""
        worker = self.start_worker(env or self.env, concurrency=concurrency, queues=queues)
        self.started.append(worker)
        if ready:
            worker.wait_ready()
        return worker

    async def take_over_after_lease(
        self, env: dict[str, str], job_id: uuid.UUID, lease_seconds: float
    ) -> WorkerProcess:
        """A second worker (the first was killed) that gets ``job_id`` once its lease has run out
        and the beat's sweeper has queued it again."""
        second = self.start(env, concurrency=1, ready=False)
        await asyncio.sleep(lease_seconds + 0.5)
        report = await beat_tick(self.runtime, datetime.now(UTC), sender=self.sender, quota=self.quota)
        assert report.sweep is not None and job_id in report.sweep.requeued
        second.wait_ready()
        return second

    async def roomy_quota(self, org_id: uuid.UUID | None = None) -> None:
        """Budget and rate enough that a burst is never refused by the organization's own quota."""
        org_id = org_id or self.org_id
        await self.quota.set_budget(org_id, 10**9, actor="test")
        await self.quota.set_limits(org_id, rate_per_minute=2**31 - 1, burst=2**31 - 1, actor="test")

    async def burst(self, tag: str, count: int, *, channels: int | None = None) -> tuple[list[uuid.UUID], list[str]]:
        """``count`` jobs committed and then sent at once, one channel each unless ``channels`` says fewer."""
        await self.roomy_quota()
        names = [self.submitter.new_channel() for _ in range(channels or count)]
        prompts = [f"Write team note {n} {tag}" for n in range(count)]
        job_ids = await self.submitter.commit_unsent(self.org_id, prompts, names)
        await self.submitter.send_all(self.org_id, job_ids)
        return job_ids, names

    async def all_posted(self, job_ids: list[uuid.UUID], seconds: float, org_id: uuid.UUID | None = None) -> list[Job]:
        return [await wait_for_job(self.app_db, org_id or self.org_id, job_id, seconds=seconds) for job_id in job_ids]

    def posted_once_each(self, channels: list[str], jobs: list[Job]) -> None:
        assert all(job.state == JobState.POSTED for job in jobs), [(job.state, job.error) for job in jobs]
        for channel in channels:
            messages = self.slack.messages(channel)
            assert len(messages) == len([job for job in jobs if job.target_channel == channel])
        assert len({job.slack_ts for job in jobs}) == len(jobs)

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture
def rig(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    owner_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    quota: QuotaService,
    runtime: Runtime,
    sender: JobSender,
) -> Iterator[WorkerRig]:
    workers = WorkerRig(
        worker_env, submitter, org_id, app_db, owner_db, gemini, slack, quota, runtime, sender, start_worker
    )
    yield workers
    workers.stop_all()
