"""The workers' side of approvals: ask the approvers for a decision once a result waits for one
(``workers.flow`` calls ``request_approval`` after marking the job ``awaiting_approval``), and the
beat's step that expires old requests and asks again where a request never got out.

The request goes to the organization's approvers' channel, or, without one, to every admin by
DM. Where each message landed is stored (the job's ``approval_channel``/``approval_ts`` and the
``approval.requested`` audit event), so the decision can later replace every copy in place.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.approvals import views
from bot.approvals.messages import announce_decision
from bot.approvals.service import REDELIVER_AFTER, ApprovalService, ExpiryReport
from bot.guard import restore_placeholders
from bot.orgs.service import load_org_policy
from bot.process.runtime import Runtime
from bot.slack.bot_tokens import NoBotToken, bot_token_for
from bot.slack.client import make_web_client
from db.engine import Database
from db.models import Job, JobKind, JobState, Member, Role
from workers.loop import worker_context
from workers.posting import TRANSIENT_ERRORS, tell_requester

log = logging.getLogger(__name__)

MAX_ADMIN_DMS = 20  # without an approvers' channel; past this, an organization wants a channel
REASK_KEY = "cf:approval-reask:{job_id}"


async def request_approval(
    job: Job, runtime: Runtime | None = None, *, first_try: bool = True
) -> list[tuple[str, str]]:
    """Post the approval request for ``job``; returns where it landed as (channel, ts) pairs.

    Where no approver could be reached the beat asks again later. The requester hears of it once,
    on the first try, and only when a person has to act (the bot is not in the approvers' channel,
    say): a rate limit or a Slack outage passes by itself."""
    runtime = runtime or _process_runtime()
    policy = await load_org_policy(runtime.database, job.org_id)
    client = await _client(runtime, job.org_id)
    if policy.approvers_channel:
        destinations = [policy.approvers_channel]
    else:
        destinations = await _admin_dms(runtime.database, client, job.org_id)
    text = job.result_text
    if text is not None and policy.restore_pii and job.pii_mapping_enc:
        # Approvers judge what would be posted, so they see what the channel would see.
        text = restore_placeholders(text, runtime.secrets.decrypt_json(job.pii_mapping_enc))
    messages: list[tuple[str, str]] = []
    refusals: list[tuple[str, str]] = []
    for channel in destinations:
        try:
            messages.append(await _post_request(client, job, channel, text))
        except SlackApiError as error:
            refusals.append((channel, str(error.response.get("error") or "unknown_error")))
    if not messages:
        where, reason = refusals[0] if refusals else ("the admins", "no_admins")
        log.warning("job %s: no approver could be reached (%s: %s); asking again later", job.id, where, reason)
        if first_try and reason not in TRANSIENT_ERRORS:
            shown = f"<#{where}>" if where.startswith(("C", "G")) else where
            await tell_requester(runtime, job, views.undeliverable_notice(job, shown, reason))
        return []
    if not await ApprovalService(runtime.database, None).record_request(job.org_id, job.id, messages):
        log.info("job %s was decided while its approval request went out", job.id)
    return messages


def _process_runtime() -> Runtime:
    # The Celery process's context (built after fork); workers.flow calls with the job alone.
    return worker_context().runtime


async def _client(runtime: Runtime, org_id: uuid.UUID) -> AsyncWebClient:
    return make_web_client(await bot_token_for(runtime, org_id), base_url=runtime.settings.slack_api_url)


async def _admin_dms(database: Database, client: AsyncWebClient, org_id: uuid.UUID) -> list[str]:
    async with database.tenant(org_id) as session:
        admins = (
            await session.scalars(
                select(Member.slack_user_id).where(Member.role == Role.ADMIN).order_by(Member.slack_user_id)
            )
        ).all()
    channels: list[str] = []
    for admin in admins[:MAX_ADMIN_DMS]:
        try:
            # The DM's own id, not the user's: chat.update later needs the channel the message is in.
            opened = await client.conversations_open(users=admin)
            channels.append(str(opened["channel"]["id"]))
        except SlackApiError as error:
            log.info("could not open a DM with admin %s: %s", admin, error.response.get("error"))
    return channels


async def _post_request(client: AsyncWebClient, job: Job, channel: str, text: str | None) -> tuple[str, str]:
    if job.kind == JobKind.IMAGE and job.result_image is not None:
        await client.files_upload_v2(
            content=job.result_image,
            filename=f"preview-{job.id}.png",
            title=views.image_preview_comment(job),
            channel=channel,
            initial_comment=views.image_preview_comment(job),
        )
    posted = await client.chat_postMessage(
        channel=channel, **views.approval_request(job, text), unfurl_links=False, unfurl_media=False
    )
    return str(posted["channel"]), str(posted["ts"])


async def sweep_approvals(runtime: Runtime, now: datetime | None = None) -> ExpiryReport:
    """The beat's step: expire requests nobody decided in time (their messages and requesters are
    told), and ask again where a request never reached anyone."""
    now = now or datetime.now(UTC)
    report = await ApprovalService(runtime.database, None).expire_pending(now)
    for decided in report.expired:
        try:
            await announce_decision(await _client(runtime, decided.org_id), decided)
        except NoBotToken:
            log.info("job %s expired in an organization without a bot token", decided.job_id)
    for org_id, job_id in report.undelivered:
        if not await _time_to_ask_again(runtime, job_id):
            continue
        async with runtime.database.tenant(org_id) as session:
            job = (
                await session.scalars(
                    select(Job).where(
                        Job.id == job_id, Job.state == JobState.AWAITING_APPROVAL, Job.approval_ts.is_(None)
                    )
                )
            ).one_or_none()
        if job is not None:
            try:
                await request_approval(job, runtime, first_try=False)
            except Exception:
                log.warning("job %s: asking the approvers again failed", job_id, exc_info=True)
    return report


async def _time_to_ask_again(runtime: Runtime, job_id: uuid.UUID) -> bool:
    """At most one try per job every REDELIVER_AFTER, whichever beat process gets there first: a
    request that keeps failing (the bot never invited) must not be sent again on every tick."""
    key = REASK_KEY.format(job_id=job_id)
    seconds = int(REDELIVER_AFTER.total_seconds())
    try:
        return bool(await runtime.redis.set(key, "1", nx=True, ex=seconds))
    except RedisError:
        log.warning("job %s: Redis unreachable; its approval request waits for the next tick", job_id)
        return False
