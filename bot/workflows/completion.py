"""Telling Slack how a step ended: ``functions.completeSuccess`` or ``functions.completeError``,
exactly once per execution.

A step is ``due`` once its outcome is decided (its job ended, or it was refused). Whoever
completes it first claims it for a short lease (a compare-and-set), so a worker and the beat
never both call Slack for it; a process that dies after Slack's answer and before recording it
leaves the claim to lapse, and the next try hears ``execution_not_in_running_state``, which
means the completion is already there. So Slack gets one completion, and the record says so.
The execution's token is decrypted only for the call, and dropped from the row with the record.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.guard import restore_placeholders
from bot.orgs.service import load_org_policy
from bot.process.runtime import Runtime
from bot.slack.bot_tokens import NoBotToken, bot_token_for
from bot.slack.client import make_web_client
from bot.workflows import messages
from db.audit import record_event
from db.models import Job, JobKind, JobState, WorkflowStep, WorkflowStepState

log = logging.getLogger(__name__)

COMPLETION_LEASE = timedelta(seconds=60)
# Slack's answers that mean the completion is already there, or can never be sent.
ALREADY_COMPLETED = frozenset({"execution_not_in_running_state"})
NEVER_COMPLETABLE = frozenset(
    {"function_execution_not_found", "invalid_auth", "not_authed", "token_revoked", "token_expired", "access_denied"}
)


@dataclass(frozen=True)
class Completion:
    success: bool
    outputs: dict[str, Any] | None = None
    error: str | None = None


async def complete_step(runtime: Runtime, org_id: uuid.UUID, execution_id: str) -> str | None:
    """Send a due step's completion; its outcome (success, error, abandoned), or None when there
    was nothing to send here (not due, or another process is sending it)."""
    step = await _claim(runtime, org_id, execution_id)
    if step is None:
        return None
    job = await _load_job(runtime, org_id, step.job_id)
    completion = await _completion_of(runtime, step, job)
    token = runtime.secrets.decrypt(step.function_token_enc)
    outcome = await _send(runtime, execution_id, token, completion) if token else "abandoned"
    if outcome is None:
        await _release(runtime, org_id, execution_id)
        return None
    await _record(runtime, org_id, step, outcome)
    return outcome


async def complete_steps_of_job(runtime: Runtime, org_id: uuid.UUID, job_id: uuid.UUID) -> None:
    """Complete the step a job belongs to, if it has one and it is due (called as the job ends)."""
    async with runtime.database.tenant(org_id) as session:
        execution_id = (
            await session.execute(
                select(WorkflowStep.function_execution_id).where(
                    WorkflowStep.job_id == job_id, WorkflowStep.state == WorkflowStepState.DUE
                )
            )
        ).scalar_one_or_none()
    if execution_id is not None:
        await complete_step(runtime, org_id, execution_id)


async def job_runs_a_step(runtime: Runtime, org_id: uuid.UUID, job_id: uuid.UUID) -> bool:
    """Was the job asked for by a Workflow Builder step? Its runner then hears how it ended from the
    step's completion, which Slack shows them."""
    async with runtime.database.tenant(org_id) as session:
        return await runs_a_step(session, job_id)


async def runs_a_step(session: AsyncSession, job_id: uuid.UUID) -> bool:
    """``job_runs_a_step`` in the caller's tenant session (the step's row is written before its job,
    so a job that has one already has it)."""
    found = await session.execute(select(WorkflowStep.function_execution_id).where(WorkflowStep.job_id == job_id))
    return found.first() is not None


async def _claim(runtime: Runtime, org_id: uuid.UUID, execution_id: str) -> WorkflowStep | None:
    async with runtime.database.tenant(org_id) as session:
        return (
            await session.execute(
                update(WorkflowStep)
                .where(
                    WorkflowStep.function_execution_id == execution_id,
                    WorkflowStep.state == WorkflowStepState.DUE,
                    or_(WorkflowStep.completing_until.is_(None), WorkflowStep.completing_until < func.now()),
                )
                .values(completing_until=func.now() + COMPLETION_LEASE)
                .returning(WorkflowStep)
            )
        ).scalar_one_or_none()


async def _load_job(runtime: Runtime, org_id: uuid.UUID, job_id: uuid.UUID) -> Job | None:
    async with runtime.database.tenant(org_id) as session:
        return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one_or_none()


async def _completion_of(runtime: Runtime, step: WorkflowStep, job: Job | None) -> Completion:
    if step.error is not None:
        return Completion(success=False, error=step.error)
    if job is None:
        return Completion(success=False, error=messages.interrupted_text())
    if job.state != JobState.POSTED:
        return Completion(success=False, error=messages.job_failure_text(job))
    text = await _shown_text(runtime, job)
    file_id = await _posted_file(runtime, job) if job.kind == JobKind.IMAGE else None
    return Completion(success=True, outputs=messages.step_outputs(job, text=text, file_id=file_id))


async def _shown_text(runtime: Runtime, job: Job) -> str | None:
    """The text as the channel shows it: masked names restored only where the organization asked
    for that when posting (the stored result keeps its placeholders)."""
    text = job.result_text
    if text is None or job.pii_mapping_enc is None:
        return text
    policy = await load_org_policy(runtime.database, job.org_id)
    if not policy.restore_pii:
        return text
    return restore_placeholders(text, runtime.secrets.decrypt_json(job.pii_mapping_enc))


async def _posted_file(runtime: Runtime, job: Job) -> str | None:
    """The Slack file an image job posted: its stored ts is the file id when Slack had not yet
    shared it, else the ts of the message that carries it."""
    ts = job.slack_ts or ""
    if ts.startswith("F"):
        return ts
    try:
        client = make_web_client(await bot_token_for(runtime, job.org_id), base_url=runtime.settings.slack_api_url)
        history = await client.conversations_history(
            channel=job.target_channel, latest=ts, oldest=ts, inclusive=True, limit=1
        )
    except (NoBotToken, SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError):
        log.warning("job %s: could not find the file it posted; the step completes without it", job.id)
        return None
    for message in history.get("messages") or []:
        for shared in message.get("files") or []:
            if shared.get("id"):
                return str(shared["id"])
    return None


async def _send(runtime: Runtime, execution_id: str, token: str, completion: Completion) -> str | None:
    """The outcome Slack's answer means, or None to try again later (Slack unreachable)."""
    client = make_web_client(token, base_url=runtime.settings.slack_api_url)
    try:
        if completion.success:
            await client.functions_completeSuccess(function_execution_id=execution_id, outputs=completion.outputs or {})
            return "success"
        await client.functions_completeError(function_execution_id=execution_id, error=completion.error or "")
        return "error"
    except SlackApiError as refused:
        code = str(refused.response.get("error") or "unknown_error")
    except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as error:
        log.warning("workflow step %s: Slack unreachable (%s); tried again later", execution_id, type(error).__name__)
        return None
    if code in ALREADY_COMPLETED:
        log.info("workflow step %s: Slack has its completion already", execution_id)
        return "success" if completion.success else "error"
    if code in NEVER_COMPLETABLE:
        log.warning("workflow step %s: Slack refused its completion for good (%s)", execution_id, code)
        return "abandoned"
    if completion.success and code == "parameter_validation_failed":
        log.error("workflow step %s: Slack refused the step's outputs; failing the step instead", execution_id)
        fallback = Completion(success=False, error="Content Factory could not hand its result to the workflow.")
        return await _send(runtime, execution_id, token, fallback)
    log.warning("workflow step %s: completion refused (%s); tried again later", execution_id, code)
    return None


async def _release(runtime: Runtime, org_id: uuid.UUID, execution_id: str) -> None:
    async with runtime.database.tenant(org_id) as session:
        await session.execute(
            update(WorkflowStep).where(WorkflowStep.function_execution_id == execution_id).values(completing_until=None)
        )


async def _record(runtime: Runtime, org_id: uuid.UUID, step: WorkflowStep, outcome: str) -> None:
    async with runtime.database.tenant(org_id) as session:
        await session.execute(
            update(WorkflowStep)
            .where(WorkflowStep.function_execution_id == step.function_execution_id)
            .values(
                state=WorkflowStepState.COMPLETED,
                outcome=outcome,
                completed_at=func.now(),
                completing_until=None,
                function_token_enc=None,
            )
        )
        await record_event(
            session,
            org_id,
            "workflow.step_completed",
            actor="system",
            job_id=step.job_id,
            detail={"function_execution_id": step.function_execution_id, "outcome": outcome},
        )
