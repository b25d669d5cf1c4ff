"""The task bodies: ids in, one call into the async flow, nothing else.

Arguments are strings (JSON), never content: the job row is the only place a prompt lives.
"""

from __future__ import annotations

import uuid
from typing import Any

from celery import Task
from celery.exceptions import Reject

from bot.jobs.queueing import PRIORITY_INTERACTIVE, TASK_GENERATE, TASK_POST_APPROVED
from workers import loop
from workers.beat import beat_tick
from workers.celery_app import TASK_SWEEP, app
from workers.fair_gate import HandedBack
from workers.workflow_steps import run_job_and_complete_step


def message_priority(request: Any) -> int:
    """The broker priority the job was sent with (bot.jobs.queueing): interactive unless it says so."""
    for source in (request.delivery_info, request.properties):
        priority = (source or {}).get("priority")
        if isinstance(priority, int):
            return priority
    return PRIORITY_INTERACTIVE


def _run(task: Task[Any, Any], job_id: str, org_id: str) -> str:
    context = loop.worker_context()
    try:
        outcome = loop.run(
            run_job_and_complete_step(context, uuid.UUID(job_id), uuid.UUID(org_id), message_priority(task.request))
        )
    except HandedBack as stopping:
        # Never started: straight back to the broker for another worker (late acks make that safe).
        raise Reject("the worker is shutting down", requeue=True) from stopping
    return str(outcome)


@app.task(name=TASK_GENERATE, bind=True)
def generate_job(self: Task[Any, Any], job_id: str, org_id: str) -> str:
    return _run(self, job_id, org_id)


@app.task(name=TASK_POST_APPROVED, bind=True)
def post_approved_job(self: Task[Any, Any], job_id: str, org_id: str) -> str:
    """An approved job is ``queued`` again with its result and decision: the same flow posts it
    without calling a model (and a lost send is re-sent by the sweeper as a generate_job)."""
    return _run(self, job_id, org_id)


@app.task(name=TASK_SWEEP)
def sweep_jobs() -> str:
    """The beat tick as a task on the maintenance queue, for deployments that schedule it there."""
    context = loop.worker_context()
    return loop.run(beat_tick(context.runtime, quota=context.quota)).summary()
