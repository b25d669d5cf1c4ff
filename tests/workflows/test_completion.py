"""A step's completion: sent once when its job ends (posted, failed, rejected), whoever tries and
however often; kept due through a Slack outage; and a step whose process died is settled by the beat."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text, update

from bot.approvals.messages import announce_decision
from bot.approvals.service import EXPIRED_REASON, ApprovalService, DecidedJob, Decision
from bot.process.runtime import Runtime
from bot.slack.client import make_web_client
from bot.workflows import STEP_CALLBACK_ID
from bot.workflows.completion import complete_step, complete_steps_of_job
from bot.workflows.sweeper import sweep_workflow_steps
from db.engine import Database
from db.models import Job, JobState, WorkflowStep, WorkflowStepState
from sandbox.functions import FunctionExecution
from sandbox.slack import SlackSandbox
from tests.support.approvals import (
    ADMIN,
    APPROVERS,
    EDITOR,
    TEAM,
    TOKEN,
    RecordingSender,
    awaiting_job,
    require_approvals,
)
from tests.support.workflows import declare_functions, load_step
from workers.approval import request_approval


async def a_step(
    runtime: Runtime,
    slack: SlackSandbox,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    state: WorkflowStepState = WorkflowStepState.RUNNING,
) -> FunctionExecution:
    """A step Slack started for the job, recorded in `state` with its function token."""
    declare_functions(slack)
    execution = slack.execute_function(TEAM, STEP_CALLBACK_ID, {})
    async with runtime.database.tenant(org_id) as session:
        session.add(
            WorkflowStep(
                function_execution_id=execution.id,
                org_id=org_id,
                job_id=job_id,
                state=state,
                function_token_enc=runtime.secrets.encrypt(execution.token),
            )
        )
    return execution


async def a_job_and_its_step(
    runtime: Runtime, slack: SlackSandbox, org_id: uuid.UUID, **job: Any
) -> tuple[Job, FunctionExecution]:
    """A job awaiting approval (`job` as for `awaiting_job`) and a running step for it."""
    made = await awaiting_job(runtime.database, org_id, **job)
    return made, await a_step(runtime, slack, org_id, made.id)


async def end_job(database: Database, org_id: uuid.UUID, job_id: uuid.UUID, state: JobState, **values: object) -> None:
    async with database.tenant(org_id) as session:
        await session.execute(update(Job).where(Job.id == job_id).values(state=state, **values))


async def test_a_posted_job_completes_its_step_with_its_text_and_id(
    runtime: Runtime, slack: SlackSandbox, org: uuid.UUID
) -> None:
    job, execution = await a_job_and_its_step(runtime, slack, org, text="Tea is a **hug** in a cup.")

    await end_job(runtime.database, org, job.id, JobState.POSTED, slack_ts="1700000000.000100")
    await complete_steps_of_job(runtime, org, job.id)

    assert execution.state == "completed" and execution.completions == ["ok"]
    assert execution.outputs == {"job_id": str(job.id), "text": "Tea is a **hug** in a cup."}
    step = await load_step(runtime.database, org, execution.id)
    assert step is not None and (step.state, step.outcome) == (WorkflowStepState.COMPLETED, "success")
    assert step.function_token_enc is None and step.completed_at is not None


async def test_a_failed_job_fails_its_step_with_the_jobs_reason(
    runtime: Runtime, slack: SlackSandbox, org: uuid.UUID
) -> None:
    job, execution = await a_job_and_its_step(runtime, slack, org)
    await end_job(runtime.database, org, job.id, JobState.FAILED, error="I am not a member of <#C0TARGET>")
    await complete_steps_of_job(runtime, org, job.id)
    assert execution.state == "failed" and "I am not a member of" in (execution.error or "")


async def test_an_approvers_rejection_fails_the_step_with_the_reason_at_the_next_sweep(
    runtime: Runtime, slack: SlackSandbox, org: uuid.UUID
) -> None:
    job, execution = await a_job_and_its_step(runtime, slack, org)

    approvals = ApprovalService(runtime.database, RecordingSender())
    await approvals.decide(org, job.id, ADMIN, Decision.REJECT, "off-brand")
    report = await sweep_workflow_steps(runtime, datetime.now(UTC))

    assert execution.id in report.completed
    assert execution.state == "failed" and "rejected" in (execution.error or "") and "off-brand" in execution.error


async def _reject(runtime: Runtime, org: uuid.UUID, job_id: uuid.UUID) -> DecidedJob | None:
    approvals = ApprovalService(runtime.database, RecordingSender())
    return await approvals.decide(org, job_id, ADMIN, Decision.REJECT, "off-brand")


async def _expire(runtime: Runtime, org: uuid.UUID, job_id: uuid.UUID) -> DecidedJob | None:
    return await ApprovalService(runtime.database, None).expire_one(org, job_id)


@pytest.mark.parametrize(
    ("decide", "in_the_error", "on_the_request"),
    [(_reject, (f"<@{ADMIN}>", "off-brand"), "Rejected"), (_expire, (EXPIRED_REASON,), "Expired")],
    ids=["rejected", "expired"],
)
async def test_a_step_whose_job_was_not_approved_tells_its_runner_once_through_the_steps_error(
    runtime: Runtime,
    slack: SlackSandbox,
    org: uuid.UUID,
    decide: Callable[[Runtime, uuid.UUID, uuid.UUID], Awaitable[DecidedJob | None]],
    in_the_error: tuple[str, ...],
    on_the_request: str,
) -> None:
    await require_approvals(runtime.database, org, APPROVERS)
    job, execution = await a_job_and_its_step(runtime, slack, org)
    [(channel, ts)] = await request_approval(job, runtime)

    decided = await decide(runtime, org, job.id)
    assert decided is not None
    # What the web process does after the reason modal, or the beat with an expired request:
    # announce the decision, then complete the step.
    await announce_decision(make_web_client(TOKEN, base_url=slack.api_url), decided)
    await complete_steps_of_job(runtime, org, job.id)

    assert execution.state == "failed" and execution.completions == ["ok"]
    assert all(words in (execution.error or "") for words in in_the_error)
    # Slack shows the runner the step's error; a note of ours would say it twice.
    assert slack.ephemerals(EDITOR) == []
    assert [call for call in slack.calls("chat.postMessage") if call.channel == EDITOR] == []
    request = slack.message(channel, ts)
    assert request is not None and on_the_request in request["text"]


async def test_two_completers_at_once_send_one_completion(
    runtime: Runtime, slack: SlackSandbox, org: uuid.UUID
) -> None:
    job, execution = await a_job_and_its_step(runtime, slack, org)
    await end_job(runtime.database, org, job.id, JobState.POSTED, slack_ts="1700000000.000200")

    outcomes = await asyncio.gather(*(complete_step(runtime, org, execution.id) for _ in range(4)))

    assert sorted(outcomes, key=str) == [None, None, None, "success"]
    assert execution.completions == ["ok"]


async def test_a_completion_slack_took_before_a_crash_is_not_sent_twice(
    runtime: Runtime, slack: SlackSandbox, org: uuid.UUID
) -> None:
    job, execution = await a_job_and_its_step(runtime, slack, org)
    await end_job(runtime.database, org, job.id, JobState.POSTED, slack_ts="1700000000.000300")
    # A process that completed the step and died before recording it:
    slack.functions.complete(
        TEAM, execution.token, {"function_execution_id": execution.id, "outputs": {"job_id": "x"}}, success=True
    )

    assert await complete_step(runtime, org, execution.id) == "success"
    assert execution.completions == ["ok", "execution_not_in_running_state"]
    step = await load_step(runtime.database, org, execution.id)
    assert step is not None and step.state == WorkflowStepState.COMPLETED


async def test_slack_unreachable_keeps_the_step_due_for_the_next_sweep(
    runtime: Runtime, slack: SlackSandbox, org: uuid.UUID
) -> None:
    job, execution = await a_job_and_its_step(runtime, slack, org)
    await end_job(runtime.database, org, job.id, JobState.POSTED, slack_ts="1700000000.000400")
    slack.inject("functions.completeSuccess", error="fatal_error", count=None)
    try:
        assert await complete_step(runtime, org, execution.id) is None
    finally:
        slack.clear_faults()
    step = await load_step(runtime.database, org, execution.id)
    assert step is not None and step.state == WorkflowStepState.DUE and step.completing_until is None

    report = await sweep_workflow_steps(runtime, datetime.now(UTC))
    assert execution.id in report.completed and execution.state == "completed"


async def test_a_step_whose_process_died_before_its_job_fails_at_the_sweep(
    runtime: Runtime, slack: SlackSandbox, org: uuid.UUID, owner_db: Database
) -> None:
    execution = await a_step(runtime, slack, org, uuid.uuid4(), state=WorkflowStepState.RECEIVED)
    await _age(owner_db, execution.id)

    report = await sweep_workflow_steps(runtime, datetime.now(UTC))

    assert execution.id in report.settled and execution.id in report.completed
    assert execution.state == "failed" and "restarted" in (execution.error or "")


async def test_a_step_whose_process_died_after_its_job_was_queued_follows_the_job(
    runtime: Runtime, slack: SlackSandbox, org: uuid.UUID, owner_db: Database
) -> None:
    job = await awaiting_job(runtime.database, org, state=JobState.QUEUED)
    execution = await a_step(runtime, slack, org, job.id, state=WorkflowStepState.RECEIVED)
    await _age(owner_db, execution.id)

    await sweep_workflow_steps(runtime, datetime.now(UTC))
    step = await load_step(runtime.database, org, execution.id)
    assert step is not None and step.state == WorkflowStepState.RUNNING and execution.state == "running"

    await end_job(runtime.database, org, job.id, JobState.POSTED, slack_ts="1700000000.000500")
    await sweep_workflow_steps(runtime, datetime.now(UTC))
    assert execution.state == "completed"


async def test_the_beat_cannot_look_up_steps_as_the_application_role_of_a_tenant(
    runtime: Runtime, slack: SlackSandbox, org: uuid.UUID
) -> None:
    await a_step(runtime, slack, org, uuid.uuid4())
    async with runtime.database.tenant(uuid.uuid4()) as session:
        seen = (await session.execute(text("SELECT count(*) FROM workflow_steps"))).scalar_one()
    assert seen == 0


async def _age(owner_db: Database, execution_id: str) -> None:
    async with owner_db.system() as session:
        await session.execute(
            text("UPDATE workflow_steps SET updated_at = :t WHERE function_execution_id = :id"),
            {"t": datetime.now(UTC) - timedelta(hours=1), "id": execution_id},
        )
