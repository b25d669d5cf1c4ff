"""What a workflow's runner reads when the step fails (Slack shows ``functions.completeError``'s
text to them through Slackbot), and what the step hands to the next steps when it succeeds."""

from __future__ import annotations

from typing import Any

from bot.errors import UserError
from bot.slack.blocks import escape_mrkdwn
from db.models import Job, JobKind, JobState

_APOLOGY = "Content Factory could not run this step because of an error on its side (reference {trace_id})."


def refusal_text(error: UserError) -> str:
    return f"Content Factory did not generate anything: {error.message}"


def apology_text(trace_id: str) -> str:
    return _APOLOGY.format(trace_id=trace_id)


def interrupted_text() -> str:
    return "Content Factory was restarted before it could start this step. Run the workflow again."


def job_failure_text(job: Job) -> str:
    """Why a job that did not post ends its step unsuccessfully. A rejection says who rejected it
    and why, an approval request that expired says so: it is all the runner hears of it
    (``bot.approvals.messages`` sends them no note)."""
    if job.state == JobState.REJECTED:
        approver = f"<@{job.decided_by}>" if job.decided_by else "An approver"
        reason = f" Reason: {escape_mrkdwn(job.decision_reason)}" if job.decision_reason else ""
        return f"{approver} rejected the generated content; nothing was posted.{reason}"
    if job.state == JobState.CANCELLED:
        why = f" ({escape_mrkdwn(job.decision_reason)})" if job.decision_reason else ""
        return f"The job was cancelled before it was posted{why}."
    reason = job.error or "it failed"
    return f"Content Factory could not finish the job: {reason}"


def step_outputs(job: Job, *, text: str | None, file_id: str | None) -> dict[str, Any]:
    """The outputs manifest.yml declares: ``job_id`` always, ``text`` for text, ``file`` for images."""
    outputs: dict[str, Any] = {"job_id": str(job.id)}
    if job.kind == JobKind.TEXT and text is not None:
        outputs["text"] = text
    if job.kind == JobKind.IMAGE and file_id is not None:
        outputs["file"] = file_id
    return outputs
