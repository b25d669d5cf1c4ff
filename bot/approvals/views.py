"""What approvers and requesters see of an approval: the request with its buttons, the same message
once decided, the reject-reason modal, and the notes to the requester.

Action ids and the button value are the public contract: ``approve_job`` /
``reject_job`` with the job id as ``value``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.approvals.service import MAX_REASON_CHARS, DecidedJob, Decision
from bot.slack.blocks import (
    actions,
    button,
    escape_mrkdwn,
    modal,
    mrkdwn_context,
    mrkdwn_section,
    optional_text_input,
)
from db.models import Job, JobKind

APPROVE_ACTION = "approve_job"
REJECT_ACTION = "reject_job"
REJECT_MODAL = "reject_job_reason"  # the modal's callback_id
REASON_BLOCK = "reason"
REASON_INPUT = "reason_input"
ACTIONS_BLOCK = "approval_actions"

# Slack refuses a trigger_id 3 s after the click; the modal's own request needs some of that.
TRIGGER_WINDOW_SECONDS = 2.5

PREVIEW_LIMIT = 2800  # room in a section for the note that the preview was cut
CUT_NOTE = "\n_(preview cut short; the whole text is posted)_"


def _facts(job: Job | DecidedJob) -> str:
    parts = [f"Requested by <@{job.requester_id}>", f"for <#{job.target_channel}>"]
    if job.model:
        parts.append(f"model {job.model}")
    if job.tokens_used is not None and job.kind != JobKind.IMAGE:
        parts.append(f"{job.tokens_used:,} tokens")
    job_id = job.id if isinstance(job, Job) else job.job_id
    parts.append(f"job `{job_id}`")
    return " · ".join(parts)


def _preview(text: str | None, kind: str) -> str:
    if kind == JobKind.IMAGE:
        return "_The image is attached above this message._"
    body = escape_mrkdwn((text or "").strip()) or "_(empty result)_"
    if len(body) > PREVIEW_LIMIT:
        body = body[:PREVIEW_LIMIT].rsplit(" ", 1)[0] + CUT_NOTE
    return body


def approval_request(job: Job, text: str | None) -> dict[str, Any]:
    """``text`` and ``blocks`` for chat.postMessage: the result as it would be posted, who asked,
    where it goes, model and cost, and the two buttons."""
    job_id = str(job.id)
    blocks: list[dict[str, Any]] = [
        mrkdwn_section(f":raised_hand: *Approval needed:* a {job.kind} result for <#{job.target_channel}>"),
        mrkdwn_section(_preview(text, job.kind), verbatim=True),
        mrkdwn_context(_facts(job)),
        actions(
            ACTIONS_BLOCK,
            button(APPROVE_ACTION, "Approve", job_id, style="primary"),
            button(REJECT_ACTION, "Reject", job_id, style="danger"),
        ),
    ]
    return {"text": f"Approval needed: a {job.kind} result for <#{job.target_channel}>", "blocks": blocks}


def image_preview_comment(job: Job) -> str:
    return f"Preview for approval (job `{job.id}`)"


def _outcome(decided: DecidedJob) -> str:
    if decided.decision == Decision.APPROVE:
        return f":white_check_mark: *Approved* by <@{decided.decided_by}>: posting to <#{decided.target_channel}>."
    if decided.decision == Decision.REJECT:
        reason = f"\n> {escape_mrkdwn(decided.reason)}" if decided.reason else ""
        return f":no_entry_sign: *Rejected* by <@{decided.decided_by}>; nothing was posted.{reason}"
    return f":hourglass: *Expired*: {decided.reason}; nothing was posted."


def _slack_date(moment: datetime) -> str:
    """Shown in each reader's own time zone by Slack; the fallback is UTC."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def approval_decided(decided: DecidedJob) -> dict[str, Any]:
    """The request message once decided: the buttons are gone, the outcome is in their place."""
    outcome = _outcome(decided)
    return {
        "text": outcome,
        "blocks": [
            mrkdwn_section(f"{decided.kind.capitalize()} result for <#{decided.target_channel}>"),
            mrkdwn_section(outcome),
            mrkdwn_context(f"{_facts(decided)} · decided {_slack_date(decided.decided_at)}"),
        ],
    }


def requester_notice(decided: DecidedJob) -> str:
    job = f"Your {decided.kind} job `{decided.job_id}` for <#{decided.target_channel}>"
    if decided.decision == Decision.APPROVE:
        return f":white_check_mark: {job} was approved by <@{decided.decided_by}> and is being posted."
    if decided.decision == Decision.REJECT:
        reason = f" Reason: {escape_mrkdwn(decided.reason)}" if decided.reason else ""
        return f":no_entry_sign: {job} was rejected by <@{decided.decided_by}>; nothing was posted.{reason}"
    return f":hourglass: {job} expired waiting for an admin's approval; nothing was posted."


def undeliverable_notice(job: Job, where: str, error: str) -> str:
    return (
        f":warning: Your {job.kind} result (job `{job.id}`) waits for an admin's approval, but I could not "
        f"reach the approvers ({where}: `{error}`). Ask an admin to invite me there, or to turn approvals "
        "off with `/content approvals off`."
    )


@dataclass(frozen=True)
class ModalOrigin:
    """What the reject modal carries in ``private_metadata``: the job, and the clicked message."""

    job_id: str
    channel: str | None
    ts: str | None

    def dump(self) -> str:
        return json.dumps({"job_id": self.job_id, "channel": self.channel, "ts": self.ts})

    @classmethod
    def load(cls, raw: str | None) -> ModalOrigin:
        # Slack returns it as sent; a modal's content is still input, so a bad one is no job.
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        return cls(str(data.get("job_id") or ""), data.get("channel"), data.get("ts"))


def reject_modal(job: Job, origin: ModalOrigin) -> dict[str, Any]:
    question = f"Reject the {job.kind} result for <#{job.target_channel}> requested by <@{job.requester_id}>?"
    reason = optional_text_input(
        REASON_BLOCK, REASON_INPUT, "Reason (the requester sees it)", max_length=MAX_REASON_CHARS
    )
    return modal(
        "Reject result",
        [mrkdwn_section(question), reason],
        submit="Reject",
        close="Cancel",
        callback_id=REJECT_MODAL,
        private_metadata=origin.dump(),
    )


def notice_modal(text: str) -> dict[str, Any]:
    """Replaces the reject modal when the decision could not be made (already decided, no longer admin)."""
    return modal("Reject result", [mrkdwn_section(text)], close="Close")


def reason_from(view: dict[str, Any]) -> str | None:
    values = ((view.get("state") or {}).get("values") or {}).get(REASON_BLOCK) or {}
    value = (values.get(REASON_INPUT) or {}).get("value")
    return str(value) if value is not None else None


def reject_form_not_opened(reason: str) -> str:
    """The clicker's note when the reject button's reason form could not be opened in time."""
    return (
        f":warning: The form for a rejection reason could not be opened ({reason}); nothing was decided. "
        "Please click *Reject* again."
    )
