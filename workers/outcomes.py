"""What follows a job's end wherever it was decided (a worker, or the sweeper's lease recovery):
the quota reconciled with what the job used, and the requester told."""

from __future__ import annotations

import uuid

from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.quota.models import Spend
from bot.workflows.completion import job_runs_a_step
from db.models import Job
from workers import views
from workers.posting import tell_requester


async def reconcile_quota(
    quota: QuotaService, org_id: uuid.UUID, job_id: uuid.UUID, tokens_used: int | None, *, spend: Spend | None = None
) -> None:
    """Charge what the model used (tokens, and ``spend``'s money) and refund the rest; release
    everything when no model answered. The quota service makes both exactly-once per job, so a
    retry may call this again."""
    if tokens_used is None:
        await quota.release(org_id, job_id)
    else:
        await quota.settle(org_id, job_id, tokens_used, spend=spend)


async def finish_failed(
    runtime: Runtime, quota: QuotaService, job: Job, reason: str, *, tokens_used: int | None, spend: Spend | None = None
) -> None:
    """A failed job: its quota reconciled (released when no model answered) and its requester told
    why. A pre-generated job has nobody to tell (its failure is in the audit trail); a workflow
    step's runner is told by the step's error, which Slack shows them."""
    await reconcile_quota(quota, job.org_id, job.id, tokens_used, spend=spend)
    await tell_of_failure(runtime, job, views.failure_message(job, reason))


async def tell_of_failure(runtime: Runtime, job: Job, text: str, *, token_gone: bool = False) -> None:
    """``text`` to whoever asked for the failed job, unless nobody did (pre-generation) or a
    Workflow Builder step did: Slack shows its runner the step's error, so a note would say it twice."""
    if job.pregenerated or await job_runs_a_step(runtime, job.org_id, job.id):
        return
    await tell_requester(runtime, job, text, token_gone=token_gone)
