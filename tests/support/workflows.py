"""Running the "Generate content" Workflow Builder step the way Slack does: the sandbox starts an
execution of the function manifest.yml declares and posts its signed ``function_executed`` event
to a running service."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from bot.workflows import STEP_CALLBACK_ID
from db.engine import Database
from db.models import Job, WorkflowStep
from sandbox.functions import FunctionExecution, deliver_event, event_envelope
from sandbox.slack import APP_ID, SandboxState
from tests.support.manifest import load_manifest


def declare_functions(sandbox: SandboxState) -> None:
    """The sandbox learns manifest.yml's functions, as Slack does when the manifest is saved."""
    sandbox.functions.declare(load_manifest()["functions"])


def step_inputs(prompt: str, channel: str, user: str, kind: str = "text") -> dict[str, Any]:
    """What Workflow Builder sends for a well-filled step (``user`` as Slack's user_context)."""
    return {"prompt": prompt, "kind": kind, "channel": channel, "user": {"id": user, "secret": uuid.uuid4().hex}}


async def run_step(
    sandbox: SandboxState, team_id: str, inputs: dict[str, Any], *, service_url: str, signing_secret: str
) -> FunctionExecution:
    """Start an execution and deliver its event once; the HTTP answer must be a plain 200."""
    declare_functions(sandbox)
    execution = sandbox.execute_function(team_id, STEP_CALLBACK_ID, inputs)
    status, _ = await deliver(execution, service_url=service_url, signing_secret=signing_secret)
    assert status == 200
    return execution


async def deliver(
    execution: FunctionExecution, *, service_url: str, signing_secret: str, retry_num: int | None = None
) -> tuple[int, str]:
    envelope = event_envelope(execution, app_id=APP_ID)
    return await deliver_event(
        f"{service_url}/slack/events", envelope, signing_secret=signing_secret, retry_num=retry_num
    )


async def load_step(database: Database, org_id: uuid.UUID, execution_id: str) -> WorkflowStep | None:
    async with database.tenant(org_id) as session:
        return (
            await session.execute(select(WorkflowStep).where(WorkflowStep.function_execution_id == execution_id))
        ).scalar_one_or_none()


async def jobs_of(database: Database, org_id: uuid.UUID) -> list[Job]:
    async with database.tenant(org_id) as session:
        return list((await session.execute(select(Job).order_by(Job.created_at))).scalars())
