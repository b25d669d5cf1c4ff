"""The "Generate content" Workflow Builder step (``function_executed`` for ``generate_content``):
record the execution, answer Slack at once, and let the step's service ask for the job.

Tenancy has run (an organization that is not installed never gets here: its step is failed by
``bot.slack.middleware.refusal``); the role that applies is the workflow runner's, read by the
service from the step's inputs, since the event itself names no user."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.services import AppServices
from bot.workflows import STEP_CALLBACK_ID
from bot.workflows.service import StepExecution

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: AppServices) -> None:
    async def generate_content_step(event: dict[str, Any], context: AsyncBoltContext) -> None:
        token = context.function_bot_access_token
        execution_id = context.function_execution_id
        if not token or not execution_id:
            log.warning("function_executed without an execution id or its token; ignored")
            return
        execution = StepExecution(
            function_execution_id=execution_id,
            workflow_execution_id=event.get("workflow_execution_id"),
            function_token=token,
            inputs=event.get("inputs") or {},
        )
        job_id = await services.workflow_steps.receive(context["org_id"], execution)
        if job_id is None:
            log.info("workflow step %s delivered again; already recorded", execution_id)
            return
        services.workflow_steps.start(context["org_id"], context["policy"], execution, job_id)

    app.function(STEP_CALLBACK_ID)(generate_content_step)
