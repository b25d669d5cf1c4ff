"""A job that belongs to a Workflow Builder step completes the step as it ends, in the worker
that ended it; what this misses (a crash, Slack unreachable) the beat's sweep sends later."""

from __future__ import annotations

import logging
import uuid

from bot.jobs.queueing import PRIORITY_INTERACTIVE
from bot.workflows.completion import complete_steps_of_job
from workers.flow import Outcome, run_admitted_job
from workers.lifecycle import Claim
from workers.loop import WorkerContext

log = logging.getLogger(__name__)

# The outcomes that leave a job in a final state through this attempt.
_ENDED = frozenset({Outcome.POSTED, Outcome.FAILED})


async def run_job_and_complete_step(
    context: WorkerContext, job_id: uuid.UUID, org_id: uuid.UUID, priority: int = PRIORITY_INTERACTIVE
) -> Outcome:
    async def complete_step(claim: Claim, outcome: Outcome) -> None:
        # The claim said whether the job runs a step (its row is written before the job): the
        # other jobs, nearly all of them, skip the look-up.
        if outcome not in _ENDED or not claim.in_workflow_step:
            return
        try:
            await complete_steps_of_job(context.runtime, org_id, job_id)
        except Exception:
            log.warning("job %s: its workflow step is completed by the beat instead", job_id, exc_info=True)

    return await run_admitted_job(context, job_id, org_id, priority, after=complete_step)
