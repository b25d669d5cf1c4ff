"""A "Generate content" step from Slack's event to its job: record it once, then ask for the job
exactly as ``/content`` does (role, channel, guard, quota, approvals through ``JobService``).

Slack redelivers an event it did not see acknowledged, and a step may be delivered twice in any
case; the execution id is the primary key of ``workflow_steps``, so only the first delivery is
recorded and only it asks for a job. The job's id is chosen and stored before the job exists:
a job that ends at once still finds its step (the trigger on ``jobs`` marks it due), and a process
that dies between the record and the job leaves a ``received`` step that the beat settles
(``bot.workflows.sweeper``). The event is acknowledged as soon as the step is recorded; the rest
runs after the answer, since the guard alone may take longer than Slack waits.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert

from bot.errors import DatabaseUnavailable, NotAllowed, UserError
from bot.jobs.service import JobRequest, JobService
from bot.orgs import members
from bot.orgs.roles import require_role
from bot.orgs.service import OrgPolicy
from bot.process.runtime import Runtime
from bot.slack.bot_tokens import NoBotToken, bot_token_for
from bot.slack.channel_access import require_member_in_org
from bot.slack.client import make_web_client
from bot.workflows import messages
from bot.workflows.channels import require_bot_can_post
from bot.workflows.completion import complete_step, complete_steps_of_job
from bot.workflows.inputs import StepInputs, parse_step_inputs
from db.audit import record_event
from db.engine import is_database_outage
from db.models import WorkflowStep, WorkflowStepState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepExecution:
    """One ``function_executed`` event, as much of it as the step keeps."""

    function_execution_id: str
    workflow_execution_id: str | None
    function_token: str  # never logged; stored encrypted until the completion is sent
    inputs: dict[str, Any]


@dataclass
class WorkflowStepService:
    runtime: Runtime
    jobs: JobService
    _in_flight: set[asyncio.Task[None]] = field(default_factory=set)

    async def receive(self, org_id: uuid.UUID, execution: StepExecution) -> uuid.UUID | None:
        """Record the execution with the id its job will have; None when it was recorded before
        (a redelivered event), which must then change nothing."""
        job_id = uuid.uuid4()
        async with self.runtime.database.tenant(org_id) as session:
            inserted = await session.execute(
                insert(WorkflowStep)
                .values(
                    function_execution_id=execution.function_execution_id,
                    org_id=org_id,
                    job_id=job_id,
                    workflow_execution_id=execution.workflow_execution_id,
                    state=WorkflowStepState.RECEIVED,
                    function_token_enc=self.runtime.secrets.encrypt(execution.function_token),
                )
                .on_conflict_do_nothing(index_elements=["function_execution_id"])
                .returning(WorkflowStep.job_id)
            )
            if inserted.scalar_one_or_none() is None:
                return None
            await record_event(
                session,
                org_id,
                "workflow.step_received",
                actor="slack",
                job_id=job_id,
                detail={
                    "function_execution_id": execution.function_execution_id,
                    "workflow_execution_id": execution.workflow_execution_id,
                },
            )
        return job_id

    def start(self, org_id: uuid.UUID, policy: OrgPolicy, execution: StepExecution, job_id: uuid.UUID) -> None:
        """Run the step after the event's answer (see the module's docstring)."""
        task = asyncio.get_running_loop().create_task(self.run(org_id, policy, execution, job_id))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    def job_ended(self, org_id: uuid.UUID, job_id: uuid.UUID) -> None:
        """A job ended in the web process (an approver rejected it): complete its step now, after
        the click's answer, rather than at the beat's next tick (which still finishes what this
        could not)."""
        task = asyncio.get_running_loop().create_task(self._complete_step_of(org_id, job_id))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _complete_step_of(self, org_id: uuid.UUID, job_id: uuid.UUID) -> None:
        try:
            await complete_steps_of_job(self.runtime, org_id, job_id)
        except Exception:
            log.warning("job %s: its workflow step waits for the beat", job_id, exc_info=True)

    async def drain(self) -> None:
        """Wait for the steps started so far (a server stopping, a test reading the outcome)."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)

    async def run(self, org_id: uuid.UUID, policy: OrgPolicy, execution: StepExecution, job_id: uuid.UUID) -> None:
        """Ask for the job; a step that cannot have one is failed at once, with the reason."""
        execution_id = execution.function_execution_id
        try:
            inputs = parse_step_inputs(execution.inputs)
            await self._submit(org_id, policy, inputs, job_id)
        except Exception as error:
            text = self._failure_text(error, execution_id)
            try:
                await self._refuse(org_id, execution_id, text, error)
                await complete_step(self.runtime, org_id, execution_id)
            except Exception:
                # Whatever was not recorded or sent, the beat finishes (bot.workflows.sweeper).
                log.exception("workflow step %s: could not record its refusal", execution_id)
            return
        try:
            await self._mark_running(org_id, execution_id, inputs)
        except Exception:
            log.warning("workflow step %s: job %s queued; the step's record waits for the beat", execution_id, job_id)

    async def _submit(self, org_id: uuid.UUID, policy: OrgPolicy, inputs: StepInputs, job_id: uuid.UUID) -> None:
        if policy.paused:
            raise NotAllowed("Generation is paused for this organization. An admin can tell you more.")
        role = await self._role_of_runner(org_id, policy, inputs.runner_id)
        require_role(role, str(inputs.kind))
        await require_member_in_org(self.runtime, org_id, inputs.channel_id, inputs.runner_id)
        await require_bot_can_post(self.runtime, org_id, inputs.channel_id)
        await self.jobs.submit(
            JobRequest(
                org_id=org_id,
                requester_id=inputs.runner_id,
                kind=inputs.kind,
                prompt=inputs.prompt,
                target_channel=inputs.channel_id,
                job_id=job_id,
            ),
            policy,
        )

    async def _role_of_runner(self, org_id: uuid.UUID, policy: OrgPolicy, runner_id: str) -> str:
        """The runner's role by the same rule as for anyone using ``/content`` (``bot.orgs.members``):
        a workspace admin seen for the first time starts as an admin, anyone else with the default."""
        try:
            token = await bot_token_for(self.runtime, org_id)
        except NoBotToken as missing:
            raise NotAllowed("Content Factory is no longer installed in this workspace.") from missing
        client = make_web_client(token, base_url=self.runtime.settings.slack_api_url)
        return await members.role_of(self.runtime.database, client, org_id, runner_id, policy.default_role)

    def _failure_text(self, error: Exception, execution_id: str) -> str:
        if is_database_outage(error):
            error = DatabaseUnavailable()
        if isinstance(error, UserError):
            return messages.refusal_text(error)
        trace_id = _trace_id()
        log.error("workflow step %s failed (trace %s)", execution_id, trace_id, exc_info=error)
        return messages.apology_text(trace_id)

    async def _refuse(self, org_id: uuid.UUID, execution_id: str, text: str, error: Exception) -> None:
        async with self.runtime.database.tenant(org_id) as session:
            refused = await session.execute(
                update(WorkflowStep)
                .where(
                    WorkflowStep.function_execution_id == execution_id,
                    WorkflowStep.state == WorkflowStepState.RECEIVED,
                )
                .values(state=WorkflowStepState.DUE, error=text)
                .returning(WorkflowStep.job_id)
            )
            job_id = refused.scalar_one_or_none()
            if job_id is not None:
                await record_event(
                    session,
                    org_id,
                    "workflow.step_refused",
                    actor="slack",
                    job_id=job_id,
                    detail={
                        "function_execution_id": execution_id,
                        "reason": error.kind if isinstance(error, UserError) else "error",
                    },
                )

    async def _mark_running(self, org_id: uuid.UUID, execution_id: str, inputs: StepInputs) -> None:
        # A job that already ended has turned its step due (the trigger); that stands.
        async with self.runtime.database.tenant(org_id) as session:
            await session.execute(
                update(WorkflowStep)
                .where(WorkflowStep.function_execution_id == execution_id)
                .values(
                    state=_still_received_or(WorkflowStepState.RUNNING),
                    runner_id=inputs.runner_id,
                    kind=str(inputs.kind),
                    target_channel=inputs.channel_id,
                )
            )


def _still_received_or(new_state: str) -> Any:
    return case((WorkflowStep.state == WorkflowStepState.RECEIVED, new_state), else_=WorkflowStep.state)


def _trace_id() -> str:
    context = trace.get_current_span().get_span_context()
    return f"{context.trace_id:032x}" if context.trace_id else uuid.uuid4().hex
