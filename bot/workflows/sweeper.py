"""The beat's step for workflow steps: send the completions nobody sent, and settle steps whose
process died between recording the event and asking for the job.

Completions are usually sent by the worker that ends the job; this catches the rest: a job an
approver rejected (decided in the web process), a worker that died after the job's last write,
Slack unreachable at the time. A step still ``received`` after ``RECEIVED_PATIENCE`` belongs to
a process that stopped mid-way: if its job was committed the step follows the job, otherwise it
fails and the runner is told to run the workflow again."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.process.runtime import Runtime
from bot.process.sweeping import sweep_each
from bot.workflows import messages
from bot.workflows.completion import complete_step
from db.models import FINAL_JOB_STATES, Job, WorkflowStep, WorkflowStepState
from db.system import OpenWorkflowStep, open_workflow_steps

log = logging.getLogger(__name__)

RECEIVED_PATIENCE = timedelta(minutes=2)
SWEEP_LIMIT = 200


@dataclass
class WorkflowSweepReport:
    completed: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)  # interrupted steps put back on their way
    skipped: list[str] = field(default_factory=list)


async def sweep_workflow_steps(
    runtime: Runtime, now: datetime, *, received_patience: timedelta = RECEIVED_PATIENCE, limit: int = SWEEP_LIMIT
) -> WorkflowSweepReport:
    report = WorkflowSweepReport()
    async with runtime.database.system() as session:
        found = await open_workflow_steps(session, received_before=now - received_patience, now=now, limit=limit)

    async def sweep_one(step: OpenWorkflowStep) -> None:
        if step.state == WorkflowStepState.RECEIVED:
            await _settle_interrupted(runtime, step.org_id, step.function_execution_id, now - received_patience)
            report.settled.append(step.function_execution_id)
        if await complete_step(runtime, step.org_id, step.function_execution_id) is not None:
            report.completed.append(step.function_execution_id)

    await sweep_each(
        found,
        sweep_one,
        key=lambda step: step.function_execution_id,
        skipped=report.skipped,
        log=log,
        what="workflow sweep: step",
    )
    return report


async def _settle_interrupted(runtime: Runtime, org_id: uuid.UUID, execution_id: str, before: datetime) -> None:
    async with runtime.database.tenant(org_id) as session:
        step = (
            await session.execute(
                select(WorkflowStep)
                .where(
                    WorkflowStep.function_execution_id == execution_id,
                    WorkflowStep.state == WorkflowStepState.RECEIVED,
                    WorkflowStep.updated_at < before,
                )
                .with_for_update()
            )
        ).scalar_one_or_none()
        if step is None:
            return
        job_state = (await session.execute(select(Job.state).where(Job.id == step.job_id))).scalar_one_or_none()
        if job_state is None:
            values = {"state": WorkflowStepState.DUE, "error": messages.interrupted_text()}
        elif job_state in FINAL_JOB_STATES:
            values = {"state": WorkflowStepState.DUE}
        else:
            values = {"state": WorkflowStepState.RUNNING}
        await session.execute(
            update(WorkflowStep).where(WorkflowStep.function_execution_id == execution_id).values(**values)
        )
