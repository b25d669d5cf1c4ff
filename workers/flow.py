"""One job from claim to its end: generate, hand to approvers or post, and tell the requester.

The steps are services (lifecycle, generation, posting); this module only orders them and decides
what a failure means. A job's lease is renewed while it runs, and every write after the claim is
fenced by the claim's attempt number, so a worker that lost its job can never overwrite the
attempt that took it over.

Many jobs share one event loop, so a job's time limit is an asyncio deadline rather than a signal
to its process: past it the job is cancelled, failed, its reservation released and its requester
told, and nothing else on the loop notices. The deadline covers the work up to a result; once
there is one, what follows (storing it, posting it) runs to its end, because stopping between
Slack's answer and the stored ts is what would post a job twice. An answer the deadline stops while
it is being shown in the DM ends as the failure note the requester is sent.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

from opentelemetry import trace
from slack_sdk.web.async_client import AsyncWebClient

from bot.guard import check_output_async, new_canary, restore_placeholders
from bot.jobs.queueing import PRIORITY_INTERACTIVE
from bot.orgs.service import OrgPolicy
from bot.quota.models import Spend
from bot.telemetry import link_current_span
from db.engine import is_database_outage
from db.models import Job, JobKind
from workers import dm_thread, lifecycle, views, warming
from workers.approval import request_approval
from workers.generation import GenerationFailed, generate_content
from workers.lifecycle import Claim, JobResult, Lease, LeaseLost
from workers.loop import WorkerContext
from workers.outcomes import finish_failed, reconcile_quota, tell_of_failure
from workers.posting import (
    TOKEN_ERRORS,
    PostRefused,
    SlackUnavailable,
    post_result,
    slack_client,
    tell_requester,
)

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

T = TypeVar("T")
HEARTBEATS_PER_LEASE = 3
# After the time limit, how long the job's own clean-up (fail, release, tell) may take.
CLEANUP_LIMIT_SECONDS = 60.0


class Outcome(StrEnum):
    SKIPPED = "skipped"  # nothing to claim: a duplicate delivery or a job already past queued
    POSTED = "posted"
    AWAITING_APPROVAL = "awaiting_approval"
    HELD = "held"  # a warmed scheduled run, generated ahead and posted at its due time
    CACHED = "cached"  # pre-generated into the result cache; nothing posted
    REQUEUED = "requeued"
    FAILED = "failed"
    LOST = "lost"  # the lease ran out mid-job and another attempt owns the job now


# Called with the claim and the outcome once a claimed job's attempt is over.
AfterJob = Callable[[Claim, "Outcome"], Awaitable[None]]


async def run_admitted_job(
    context: WorkerContext,
    job_id: uuid.UUID,
    org_id: uuid.UUID,
    priority: int = PRIORITY_INTERACTIVE,
    *,
    after: AfterJob | None = None,
) -> Outcome:
    """Wait for the gate's turn, then run the job (fair_gate.HandedBack when the process stops first)."""
    async with context.gate.slot(org_id, priority):
        return await run_job(context, job_id, org_id, after=after)


async def run_job(
    context: WorkerContext, job_id: uuid.UUID, org_id: uuid.UUID, *, after: AfterJob | None = None
) -> Outcome:
    """Claim the job and carry it out; ``after`` follows a claimed job's attempt, whatever its outcome."""
    claim = await lifecycle.claim_job(context.runtime.database, org_id, job_id, context.lease_seconds)
    if claim is None:
        log.info("job %s: nothing to claim (a duplicate delivery, or the job is past queued)", job_id)
        return Outcome.SKIPPED
    job, lease = claim.job, claim.lease
    with tracer.start_as_current_span(
        "job.run",
        attributes={"job.id": str(job.id), "org.id": str(org_id), "job.kind": job.kind, "job.attempt": lease.attempt},
    ) as span:
        # A job re-sent by the sweeper or retried after a crash runs in a trace of its own; the
        # link leads back to the command that created it.
        link_current_span(job.trace_context)
        try:
            outcome = await _within_time_limit(context, claim)
        except LeaseLost:
            log.warning("job %s: lease lost during attempt %d; the newer attempt owns it", job_id, lease.attempt)
            outcome = Outcome.LOST
        span.set_attribute("job.outcome", str(outcome))
    if after is not None:
        await after(claim, outcome)
    return outcome


# The running job's deadline; switched off once the job has a result (see the module's docstring).
_deadline: ContextVar[asyncio.Timeout | None] = ContextVar("job_deadline", default=None)


@dataclass
class _Shown:
    """The DM reply the running attempt shows its answer in, once it has one."""

    live: dm_thread.LiveReply | None = None


async def _within_time_limit(context: WorkerContext, claim: Claim) -> Outcome:
    limit = context.time_limit(claim.job.kind)
    shown = _Shown()
    try:
        async with asyncio.timeout(limit) as deadline:
            token = _deadline.set(deadline)
            try:
                return await _with_heartbeat(context, claim.lease, _carry_out(context, claim, shown))
            finally:
                _deadline.reset(token)
    except TimeoutError:
        if not deadline.expired():
            raise
    reason = f"the job did not finish within its time limit of {limit:g} seconds"
    log.warning("job %s: %s; stopped", claim.job.id, reason)
    async with asyncio.timeout(CLEANUP_LIMIT_SECONDS):
        failed = await fail_job(context, claim.lease, reason, tokens_used=None, time_limit=limit)
        if shown.live is not None:
            # The half-shown answer becomes the note its requester was sent.
            await shown.live.abandon(reason, note=views.failure_message(failed, reason))
    return Outcome.FAILED


def switch_off_deadline() -> None:
    deadline = _deadline.get()
    if deadline is not None:
        deadline.reschedule(None)


@dataclass
class _AttemptState:
    """What the running work tells its heartbeat.

    ``finishing``: the attempt started the step that ends it (a Slack post on its way, or a
    fenced transition being written); from then on a lost lease no longer cancels it, because
    cancelling between Slack's answer and the stored ts, or between a stored state and the quota
    settled after it, is what leaves a job posted twice or its reservation open. Renewal goes on
    (a post may wait out Slack's rate limit for minutes).

    ``handed_back``: the job left ``running`` through this attempt (posted, failed, requeued,
    awaiting approval); there is no lease left to renew.

    ``lost``: a renewal found the job no longer this attempt's while it was finishing. Nothing is
    cancelled, but no further request that may put the result in Slack goes out (``before_send``):
    a post still waiting out Slack's rate limit is abandoned, since the newer attempt posts it.
    """

    finishing: bool = False
    handed_back: bool = False
    lost: bool = False


_attempt: ContextVar[_AttemptState | None] = ContextVar("job_attempt", default=None)


def begin_finishing() -> None:
    state = _attempt.get()
    if state is not None:
        state.finishing = True


def before_send() -> None:
    """Called right before each request that may put the result in Slack (a post, each resend
    after a 429, an upload): the attempt is finishing from then on, unless its lease is already
    known lost, when LeaseLost stops the request instead."""
    state = _attempt.get()
    if state is not None and state.lost and not state.handed_back:
        raise LeaseLost("the job's lease was taken over before its post went out")
    begin_finishing()


def hand_back_lease() -> None:
    state = _attempt.get()
    if state is not None:
        state.finishing = True
        state.handed_back = True


async def _with_heartbeat(context: WorkerContext, lease: Lease, work: Awaitable[T]) -> T:
    """Run ``work`` while renewing the job's lease and its quota reservation's lease; cancel it
    when the job turns out to be someone else's before it began finishing."""
    state = _AttemptState()
    token = _attempt.set(state)
    try:
        task = asyncio.ensure_future(work)  # copies the context: the work sees ``state``
    finally:
        _attempt.reset(token)
    interval = lease.seconds / HEARTBEATS_PER_LEASE
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=interval)
            if done:
                return task.result()
            if state.handed_back:
                continue
            try:
                held = await lifecycle.extend_lease(context.runtime.database, lease)
                await context.quota.extend_lease(lease.org_id, lease.job_id)
            except Exception:
                # A database or Redis hiccup: the lease has slack for two more tries.
                log.warning("job %s: lease renewal failed", lease.job_id, exc_info=True)
                continue
            # Read after the awaits: the work may have started finishing meanwhile (a renewal that
            # finds the job posted may be finding this attempt's own post).
            if not held:
                if not state.finishing:
                    task.cancel()
                    raise LeaseLost(str(lease.job_id))
                state.lost = True
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _carry_out(context: WorkerContext, claim: Claim, shown: _Shown) -> Outcome:
    job, lease, policy = claim.job, claim.lease, claim.policy
    mapping: dict[str, str] = context.runtime.secrets.decrypt_json(job.pii_mapping_enc) if job.pii_mapping_enc else {}
    if job.pregenerated:
        return await _pregenerate(context, claim)
    result = lifecycle.stored_result(job)
    fresh = result is None
    live: dm_thread.LiveReply | None = None
    if result is None:
        await _tell_thread(context, job, dm_thread.show_generating)
        canary = new_canary()
        live = await _live_reply(context, job, lease, policy, mapping, canary)
        if live is not None:
            shown.live = live
            await live.take_over()
        try:
            result = await generate_content(context, job, mapping, policy, stream=live, canary=canary, kit=claim.kit)
        except GenerationFailed as failure:
            if live is not None:
                await live.abandon(failure.reason)
            if warming.worth_retrying_before_due(job, failure.tokens_used):
                await lifecycle.requeue_job(context.runtime.database, lease, failure.reason)
                hand_back_lease()
                return Outcome.REQUEUED
            await fail_job(
                context, lease, failure.reason, tokens_used=failure.tokens_used, spend=failure.spend, **failure.detail
            )
            return Outcome.FAILED
    elif job.quota_state == "reserved":
        # An earlier attempt kept the result and stopped before settling.
        await reconcile_quota(context.quota, job.org_id, job.id, result.tokens_used, spend=result.spend)
    switch_off_deadline()
    # The new result is written with whatever state comes next, in one transaction; the quota is
    # settled after it (a crash in between leaves the tokens used on the job for the reaper).
    new = result if fresh else None
    if policy.approvals_required and job.decided_at is None:
        outcome = await _hand_to_approvers(context, lease, policy, new)
    elif warming.posts_later(job):
        begin_finishing()
        await lifecycle.mark_held(context.runtime.database, lease, result=new)
        hand_back_lease()
        outcome = Outcome.HELD
    else:
        await warming.wait_until_due(job)
        outcome = await _post(context, job, lease, policy, result, new, mapping, live)
    # Settled by the attempt that moved the job on: one that lost the race to record a post leaves
    # the settling to the attempt that won it.
    if fresh and outcome is not Outcome.LOST:
        await reconcile_quota(context.quota, job.org_id, job.id, result.tokens_used, spend=result.spend)
    return outcome


async def _pregenerate(context: WorkerContext, claim: Claim) -> Outcome:
    """A popular image prompt drawn into the result cache, under the key a real request of it
    has; charged like any job and never posted. Settled before its state moves on: a retry after
    a crash in between finds the image in the cache and the settlement already written."""
    job, lease, policy = claim.job, claim.lease, claim.policy
    if not policy.result_cache:
        await fail_job(context, lease, "the result cache was turned off before the image was drawn", tokens_used=None)
        return Outcome.FAILED
    try:
        result = await generate_content(context, job, {}, policy, kit=claim.kit)
    except GenerationFailed as failure:
        await fail_job(
            context, lease, failure.reason, tokens_used=failure.tokens_used, spend=failure.spend, **failure.detail
        )
        return Outcome.FAILED
    switch_off_deadline()
    begin_finishing()
    await reconcile_quota(context.quota, job.org_id, job.id, result.tokens_used, spend=result.spend)
    await lifecycle.mark_cached(context.runtime.database, lease, reused=result.reused)
    hand_back_lease()
    return Outcome.CACHED


async def _hand_to_approvers(context: WorkerContext, lease: Lease, policy: OrgPolicy, new: JobResult | None) -> Outcome:
    begin_finishing()
    job = await lifecycle.mark_awaiting_approval(
        context.runtime.database, lease, approvers_channel=policy.approvers_channel, result=new
    )
    hand_back_lease()
    try:
        await request_approval(job)
    except Exception:
        # The job waits in awaiting_approval either way; asking again is workers.approval's (the beat's) job.
        log.exception("job %s: the approval request failed", job.id)
    await _tell_thread(context, job, dm_thread.show_awaiting_approval)
    return Outcome.AWAITING_APPROVAL


async def _live_reply(
    context: WorkerContext, job: Job, lease: Lease, policy: OrgPolicy, mapping: dict[str, str], canary: str
) -> dm_thread.LiveReply | None:
    """Where a text answer is shown in the bot's DM while the model writes it: a job asked for
    there that goes straight to its requester (no approval first). None for every other job, and
    where no client can be had (the post then says why). The reply's ts is kept on the job under
    the lease; a reply an earlier attempt opened is this attempt's to end."""
    if not job.thread_ts or job.kind != JobKind.TEXT or (policy.approvals_required and job.decided_at is None):
        return None
    try:
        client = await slack_client(context.runtime, job)
    except Exception:
        log.info("job %s: no Slack client to stream with; the answer follows whole", job.id, exc_info=True)
        return None
    restore = partial(restore_placeholders, mapping=mapping) if policy.restore_pii and mapping else None
    return dm_thread.LiveReply(
        client,
        job,
        partial(_check_streamed, job.masked_prompt, mapping, canary),
        on_send=before_send,
        restore=restore,
        on_open=partial(lifecycle.record_stream_ts, context.runtime.database, lease),
        earlier_ts=job.stream_ts,
    )


async def _check_streamed(prompt: str, mapping: dict[str, str], canary: str, text: str) -> None:
    """The output guard on what the model has written so far (masked, as it wrote it)."""
    await check_output_async(text, input_mapping=mapping, canary=canary, prompt=prompt)


async def _tell_thread(
    context: WorkerContext, job: Job, tell: Callable[[AsyncWebClient, Job], Awaitable[None]]
) -> None:
    """The DM thread's status for a job asked for there; nothing for any other job, never raises."""
    if not job.thread_ts:
        return
    try:
        await tell(await slack_client(context.runtime, job), job)
    except Exception:
        log.info("job %s: could not update its DM thread", job.id, exc_info=True)


async def _post(
    context: WorkerContext,
    job: Job,
    lease: Lease,
    policy: OrgPolicy,
    result: JobResult,
    new: JobResult | None,
    mapping: dict[str, str],
    live: dm_thread.LiveReply | None = None,
) -> Outcome:
    """Post ``result``; ``new`` is the same result when this attempt generated it (to be stored)."""
    database = context.runtime.database
    text = result.text
    if text is not None and policy.restore_pii and mapping:
        # Into what Slack shows only: the stored result keeps its placeholders.
        text = restore_placeholders(text, mapping)
    await lifecycle.confirm_lease(database, lease)
    try:
        posted = await post_result(
            context.runtime,
            job,
            result,
            text=text,
            on_send=before_send,
            check=partial(_check_shown, job.masked_prompt, mapping),
            live=live,
            on_open=partial(lifecycle.record_stream_ts, database, lease),
        )
    except PostRefused as refused:
        begin_finishing()
        failed = await lifecycle.mark_failed(database, lease, refused.reason, result=new, slack_error=refused.code)
        hand_back_lease()
        await tell_of_failure(
            context.runtime,
            failed,
            views.failure_message(failed, refused.reason, refused.fix),
            token_gone=refused.code in TOKEN_ERRORS,
        )
        return Outcome.FAILED
    except SlackUnavailable as outage:
        begin_finishing()
        if lease.attempt < context.max_attempts:
            await lifecycle.requeue_job(database, lease, str(outage), result=new)
            hand_back_lease()
            return Outcome.REQUEUED
        reason = f"Slack did not accept the post after {lease.attempt} tries ({outage})"
        failed = await lifecycle.mark_failed(database, lease, reason, result=new)
        hand_back_lease()
        await tell_of_failure(context.runtime, failed, views.failure_message(failed, reason, "Try again later."))
        return Outcome.FAILED
    recorded = await _record_post(context, lease, posted.ts, posted.channel, result, store_result=new is not None)
    # Out of ``running`` now: a heartbeat finding the job posted must not cancel the settling that follows.
    hand_back_lease()
    if not recorded:
        log.error("job %s: posted as %s but another attempt had recorded a post first", job.id, posted.ts)
        return Outcome.LOST
    if job.source_channel and job.source_channel != posted.channel:
        await tell_requester(context.runtime, job, views.posted_elsewhere_message(job))
    return Outcome.POSTED


async def _check_shown(prompt: str, mapping: dict[str, str], text: str) -> None:
    """The output guard on text about to be streamed (the canary was checked on the whole answer)."""
    await check_output_async(text, input_mapping=mapping, canary="", prompt=prompt)


POST_RECORD_PATIENCE_SECONDS = 120.0


async def _record_post(
    context: WorkerContext, lease: Lease, ts: str, channel: str, result: JobResult, *, store_result: bool
) -> bool:
    """Slack has the message now; its ts is what stops a retry from posting again, so keep trying
    to record it through a database outage rather than leave the job to be run twice."""
    deadline = asyncio.get_running_loop().time() + POST_RECORD_PATIENCE_SECONDS
    delay = 0.5
    while True:
        try:
            return await lifecycle.mark_posted(
                context.runtime.database, lease, ts=ts, channel=channel, result=result, store_result=store_result
            )
        except Exception as error:
            if not is_database_outage(error) or asyncio.get_running_loop().time() > deadline:
                raise
            log.warning("job %s: posted as %s but the database is unreachable; retrying", lease.job_id, ts)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def fail_job(
    context: WorkerContext,
    lease: Lease,
    reason: str,
    *,
    tokens_used: int | None,
    spend: Spend | None = None,
    **detail: Any,
) -> Job:
    """``failed`` with its reason audited, the quota reconciled, and the requester told."""
    begin_finishing()
    job = await lifecycle.mark_failed(context.runtime.database, lease, reason, spent=(tokens_used, spend), **detail)
    hand_back_lease()
    await finish_failed(context.runtime, context.quota, job, reason, tokens_used=tokens_used, spend=spend)
    return job
