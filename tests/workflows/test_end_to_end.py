"""The "Generate content" step end to end: the Slack sandbox runs the step against the service on
a real port, a real Celery worker generates (fake Gemini) and posts, and the step completes once,
with the text and the job id, even when its event is delivered twice; a rejection fails it with
the approver's reason; a completion the worker could not send survives the worker's death."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from sqlalchemy import update

from bot.approvals.service import ApprovalService, Decision
from bot.approvals.views import ModalOrigin, reject_modal
from bot.jobs.queueing import JobSender
from bot.orgs.service import create_organization, set_role
from bot.process.runtime import Runtime
from bot.process.settings import load_settings
from bot.services import AppServices
from bot.slack.app import create_bolt_app, services_of
from bot.slack.server import create_web_app
from bot.workflows.sweeper import sweep_workflow_steps
from db.crypto import SecretBox
from db.engine import Database
from db.models import FINAL_JOB_STATES, Job, JobState, Organization, Role, WorkflowStepState
from handlers.actions import drain_announcements
from sandbox.functions import FunctionExecution
from sandbox.say import VERIFICATION_TOKEN, encode_form, new_trigger_id, sign_request
from sandbox.slack import APP_ID, Call, SlackSandbox
from tests.support.slack import serve_locally
from tests.support.waiting import wait_until
from tests.support.workers import (
    BOT_TOKEN,
    TEAM_ID,
    WorkerProcess,
    gemini,
    load_job,
    slack,
    start_worker,
    wait_for_job,
    worker_env,
)
from tests.support.workflows import deliver, jobs_of, load_step, run_step, step_inputs

__all__ = ["gemini", "slack", "start_worker", "worker_env"]

pytestmark = pytest.mark.slow  # starts a Celery worker: left out of `make test-fast`

SIGNING_SECRET = "workflow-steps-signing-secret-0123456789"
ADMIN = "U0WFADMIN"
EDITOR = "U0WFEDITOR"


@pytest.fixture(scope="module", autouse=True)
def worker(worker_env: dict[str, str], start_worker: Callable[..., WorkerProcess]) -> Iterator[WorkerProcess]:
    process = start_worker(worker_env)
    process.wait_ready()
    yield process
    process.stop()


@pytest.fixture
def e2e_runtime(service_env: dict[str, str], slack: SlackSandbox, app_db: Database, aredis: aioredis.Redis) -> Runtime:
    settings = load_settings(
        _env_file=None,
        database_url=service_env["DATABASE_URL"],
        redis_url=service_env["REDIS_URL"],
        token_encryption_key=service_env["TOKEN_ENCRYPTION_KEY"],
        slack_api_url=slack.api_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
    )
    return Runtime(
        settings=settings, database=app_db, redis=aredis, secrets=SecretBox(service_env["TOKEN_ENCRYPTION_KEY"])
    )


@dataclass(frozen=True)
class Web:
    """The Slack-facing service on a real port: its URL, its services, and the database it writes."""

    url: str
    services: AppServices
    database: Database


@pytest.fixture
async def web(e2e_runtime: Runtime) -> AsyncIterator[Web]:
    """The Slack-facing service on a real port; its jobs go to the broker the worker reads."""
    bolt = create_bolt_app(e2e_runtime)
    services = services_of(bolt)
    assert services is not None
    url, runner = await serve_locally(create_web_app(e2e_runtime, app=bolt))
    try:
        yield Web(url, services, e2e_runtime.database)
    finally:
        await services.workflow_steps.drain()
        await runner.cleanup()
        await services.close()


async def organization(slack: SlackSandbox, web: Web, *, approvals: bool) -> tuple[uuid.UUID, str, str]:
    """The workers' workspace with an admin, an editor, fresh target and approvers channels, and a
    budget nothing in these tests reaches."""
    suffix = uuid.uuid4().hex[:8].upper()
    target, approvers = f"C{suffix}OUT", f"C{suffix}APR"
    slack.add_user(TEAM_ID, ADMIN, name="ada", is_admin=True)
    slack.add_user(TEAM_ID, EDITOR, name="eddie")
    slack.add_channel(TEAM_ID, target, f"digest-{suffix.lower()}")
    slack.add_channel(TEAM_ID, approvers, f"approvers-{suffix.lower()}")
    database = web.database
    org_id = await create_organization(database, name="Workflows", team_id=TEAM_ID, admin_user_id=ADMIN)
    await set_role(database, org_id, ADMIN, Role.ADMIN, actor="test")
    await set_role(database, org_id, EDITOR, Role.EDITOR, actor="test")
    async with database.tenant(org_id) as session:
        await session.execute(
            update(Organization)
            .where(Organization.id == org_id)
            .values(approvals_required=approvals, approvers_channel=approvers if approvals else None, paused=False)
        )
    await web.services.quota.set_budget(org_id, 10_000_000, actor="test")
    return org_id, target, approvers


async def released(database: Database, org_id: uuid.UUID, execution_id: str) -> None:
    """The worker gave the step back (still due, nobody completing it) after Slack refused it."""

    async def given_back() -> bool:
        step = await load_step(database, org_id, execution_id)
        return step is not None and step.state == WorkflowStepState.DUE and step.completing_until is None

    await wait_until(given_back, "the worker kept its claim on the step", seconds=30, every=0.1)


def completions_sent(slack: SlackSandbox, execution: FunctionExecution) -> list[Call]:
    """The calls that tried to complete ``execution``. The sandbox keeps every earlier test's
    calls: any completion at all would not say that this step's was tried, and the step, due and
    not yet claimed, looks then just as it does once the worker has given it back."""
    return [
        call
        for call in slack.calls("functions.completeSuccess")
        if call.params.get("function_execution_id") == execution.id
    ]


async def finished(execution: FunctionExecution, seconds: float = 90) -> None:
    await wait_until(lambda: execution.state != "running", "the step was never completed", seconds=seconds, every=0.1)


async def test_a_step_posts_once_and_completes_once_with_the_text_and_the_job_id(slack: SlackSandbox, web: Web) -> None:
    org_id, target, _ = await organization(slack, web, approvals=False)
    marker = uuid.uuid4().hex[:8]

    execution = await run_step(
        slack,
        TEAM_ID,
        step_inputs(f"Weekly digest {marker}", target, EDITOR),
        service_url=web.url,
        signing_secret=SIGNING_SECRET,
    )
    # Slack did not see the answer in time and sends the event again.
    status, _ = await deliver(execution, service_url=web.url, signing_secret=SIGNING_SECRET, retry_num=1)
    assert status == 200
    await web.services.workflow_steps.drain()
    await finished(execution)

    jobs = [job for job in await jobs_of(web.database, org_id) if marker in job.masked_prompt]
    assert len(jobs) == 1
    job = await wait_for_job(web.database, org_id, jobs[0].id, seconds=60)
    assert job.requester_id == EDITOR
    posted_once_and_completed_with_it(slack, target, job, execution)


def posted_once_and_completed_with_it(slack: SlackSandbox, target: str, job: Job, execution: FunctionExecution) -> None:
    """``job`` posted its one message to ``target``, and the step completed once with its text and id."""
    assert job.state == JobState.POSTED
    [message] = slack.messages(target)
    assert message["ts"] == job.slack_ts
    assert execution.state == "completed" and execution.completions == ["ok"]
    assert execution.outputs is not None and execution.outputs["job_id"] == str(job.id)
    assert execution.outputs["text"] == job.result_text and job.result_text


async def step_and_its_job(
    slack: SlackSandbox,
    web: Web,
    org_id: uuid.UUID,
    target: str,
    prompt: str,
    *,
    states: frozenset[str] = FINAL_JOB_STATES,
) -> tuple[FunctionExecution, Job]:
    """A step run by the editor into ``target``, and its job once it has reached one of ``states``
    (by default, once it has ended)."""
    execution = await run_step(
        slack, TEAM_ID, step_inputs(prompt, target, EDITOR), service_url=web.url, signing_secret=SIGNING_SECRET
    )
    await web.services.workflow_steps.drain()
    [job] = [j for j in await jobs_of(web.database, org_id) if j.target_channel == target]
    return execution, await wait_for_job(web.database, org_id, job.id, states=states, seconds=60)


async def awaiting_step(
    slack: SlackSandbox, web: Web, prompt: str
) -> tuple[uuid.UUID, str, str, FunctionExecution, Job]:
    """A step whose job waits for an approver: (org, target, approvers channel, execution, job)."""
    org_id, target, approvers = await organization(slack, web, approvals=True)
    awaiting = frozenset({JobState.AWAITING_APPROVAL})
    execution, job = await step_and_its_job(slack, web, org_id, target, prompt, states=awaiting)
    assert execution.state == "running"
    return org_id, target, approvers, execution, job


async def send_signed(url: str, payload: dict[str, Any]) -> None:
    body = encode_form({"payload": json.dumps(payload)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, SIGNING_SECRET)}
    async with aiohttp.ClientSession() as http, http.post(f"{url}/slack/events", data=body, headers=headers) as answer:
        assert answer.status == 200, await answer.text()


async def test_an_approvers_rejection_fails_the_step_at_once_with_their_reason(slack: SlackSandbox, web: Web) -> None:
    _, target, approvers, execution, job = await awaiting_step(slack, web, "Announce the offsite")
    [request] = slack.messages(approvers)
    view = reject_modal(job, ModalOrigin(str(job.id), approvers, str(request["ts"])))
    values = {"reason": {"reason_input": {"type": "plain_text_input", "value": "not this week"}}}

    await send_signed(
        web.url,
        {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "workers"},
            "user": {"id": ADMIN, "username": "ada", "name": "ada", "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": new_trigger_id(),
            "view": {**view, "state": {"values": values}},
            "response_urls": [],
        },
    )
    await web.services.workflow_steps.drain()
    await drain_announcements()

    # Completed by the web process after the click: no beat tick (none runs here) was needed.
    assert execution.state == "failed" and "not this week" in (execution.error or "")
    assert execution.completions == ["ok"]
    assert slack.messages(target) == []
    # The step's error is what the runner reads of it; the approvals' note to the requester is not sent.
    assert not [note for note in slack.ephemerals(EDITOR) if str(job.id) in str(note)]
    assert not [call for call in slack.calls("chat.postMessage", EDITOR) if str(job.id) in str(call.params)]


async def test_an_approved_step_completes_once_posted_with_the_text_and_the_job_id(
    slack: SlackSandbox, web: Web, redis_url: str
) -> None:
    org_id, target, _, execution, job = await awaiting_step(slack, web, "Announce the picnic")

    sender = JobSender(redis_url)
    try:
        await ApprovalService(web.database, sender).decide(org_id, job.id, ADMIN, Decision.APPROVE)
    finally:
        sender.close()
    await finished(execution)

    posted = await wait_for_job(web.database, org_id, job.id, seconds=60)
    posted_once_and_completed_with_it(slack, target, posted, execution)


async def test_a_failed_step_tells_its_runner_once_through_the_step_and_not_again_in_a_direct_message(
    slack: SlackSandbox, web: Web
) -> None:
    org_id, target, _ = await organization(slack, web, approvals=False)
    earlier_calls = len(slack.calls())
    slack.inject("chat.postMessage", error="channel_not_found", count=None)
    try:
        execution, job = await step_and_its_job(slack, web, org_id, target, "Launch teaser")
        await finished(execution)
    finally:
        slack.clear_faults()

    assert job.state == JobState.FAILED
    assert execution.state == "failed" and execution.error
    # Slack shows the step's error to the runner; a note of the worker's own would say it twice.
    since = slack.calls()[earlier_calls:]
    told_directly = [call for call in since if call.method == "chat.postMessage" and call.channel == EDITOR]
    assert told_directly == [] and not [note for note in slack.ephemerals(EDITOR) if str(job.id) in str(note)]


async def test_a_completion_the_worker_could_not_send_is_sent_once_after_the_worker_dies(
    e2e_runtime: Runtime, slack: SlackSandbox, web: Web, worker: WorkerProcess
) -> None:
    org_id, target, _ = await organization(slack, web, approvals=False)
    slack.inject("functions.completeSuccess", error="fatal_error", count=None)
    try:
        execution, job = await step_and_its_job(slack, web, org_id, target, "Release notes")
        await wait_until(
            lambda: completions_sent(slack, execution),
            "the worker never tried to complete the step",
            seconds=30,
            every=0.1,
        )
        await released(web.database, org_id, execution.id)
        worker.kill()  # the worker dies with the completion unsent
    finally:
        slack.clear_faults()
    assert execution.state == "running"

    report = await sweep_workflow_steps(e2e_runtime, datetime.now(UTC))

    assert execution.id in report.completed
    assert execution.state == "completed" and execution.completions == ["ok"]
    assert (await load_job(web.database, org_id, job.id)).state == JobState.POSTED
