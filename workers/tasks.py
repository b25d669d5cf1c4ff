"""The task bodies: ids in, one call into the async flow, nothing else.

Arguments are strings (JSON), never content: the job row is the only place a prompt lives.
"""

from __future__ import annotations

import uuid

from bot.queueing import TASK_GENERATE, TASK_POST_APPROVED
from workers import loop
from workers.beat import beat_tick
from workers.celery_app import TASK_SWEEP, app
from workers.flow import run_job


@app.task(name=TASK_GENERATE)
def generate_job(job_id: str, org_id: str) -> str:
    context = loop.worker_context()
    return str(loop.run(run_job(context, uuid.UUID(job_id), uuid.UUID(org_id))))


@app.task(name=TASK_POST_APPROVED)
def post_approved_job(job_id: str, org_id: str) -> str:
    """An approved job is ``queued`` again with its result and decision: the same flow posts it
    without calling a model (and a lost send is re-sent by the sweeper as a generate_job)."""
    context = loop.worker_context()
    return str(loop.run(run_job(context, uuid.UUID(job_id), uuid.UUID(org_id))))


@app.task(name=TASK_SWEEP)
def sweep_jobs() -> str:
    """The beat tick as a task on the maintenance queue, for deployments that schedule it there."""
    context = loop.worker_context()
    return loop.run(beat_tick(context.runtime, quota=context.quota)).summary()
