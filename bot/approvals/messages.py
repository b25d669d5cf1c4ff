"""Sending what follows a decision (web process after a click, beat after an expiry): every
approval request message updated in place to show the outcome, and the requester told (unless a
Workflow Builder step tells them: ``_told_by_its_step``).

Best effort on purpose: the decision is committed before any of this runs, and a Slack hiccup
here must not turn a made decision into an error for the admin who made it.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import views
from bot.approvals.service import DecidedJob, Decision

log = logging.getLogger(__name__)


async def announce_decision(client: AsyncWebClient, decided: DecidedJob) -> None:
    shown = views.approval_decided(decided)

    async def update(channel: str, ts: str) -> None:
        try:
            await client.chat_update(channel=channel, ts=ts, **shown)
        except Exception:
            log.warning("could not update approval message %s/%s of job %s", channel, ts, decided.job_id, exc_info=True)

    # One copy per admin without an approvers' channel: updated side by side, not one after another.
    await asyncio.gather(*(update(channel, ts) for channel, ts in decided.approval_messages))
    if _told_by_its_step(decided):
        return
    await tell_user(client, decided.requester_id, views.requester_notice(decided), channel=decided.source_channel)


def _told_by_its_step(decided: DecidedJob) -> bool:
    """A rejection or an expiry fails the Workflow Builder step that asked for the job, saying who
    rejected it and why, or that nobody decided in time (``bot.workflows.messages.job_failure_text``),
    which Slack shows the step's runner: a note of ours would tell them twice. An approval posts,
    and the step's success says nothing of who approved: the note stays."""
    return decided.decision != Decision.APPROVE and decided.runs_workflow_step


async def tell_user(client: AsyncWebClient, user_id: str, text: str, *, channel: str | None = None) -> bool:
    """An ephemeral note where the user typed the command, else a DM; False when neither got through."""
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user_id, text=text)
            return True
        except SlackApiError as error:
            log.info("ephemeral note to %s refused (%s); sending a DM", user_id, error.response.get("error"))
        except Exception:
            log.info("ephemeral note to %s failed; sending a DM", user_id, exc_info=True)
    try:
        await client.chat_postMessage(channel=user_id, text=text)
        return True
    except Exception:
        log.warning("could not reach %s", user_id, exc_info=True)
        return False
