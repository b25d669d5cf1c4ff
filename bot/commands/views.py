"""What `/content` answers: help, acks, refusals and errors, as Slack message payloads.

Every payload is a dict that works both as an ack body and as a response_url post. Errors a
user can fix are rendered here and nowhere else (:func:`error_message`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.commands.parser import help_lines
from bot.errors import UserError
from bot.orgs.off_peak import OffPeakWindow
from bot.result_cache.settings import CacheSettings

if TYPE_CHECKING:
    from bot.orgs.audit_log import AuditLine

Message = dict[str, Any]

_ROLE_BADGE = {"viewer": "everyone", "editor": "editors and admins", "admin": "admins"}


def ephemeral(text: str, blocks: list[dict[str, Any]] | None = None) -> Message:
    message: Message = {"response_type": "ephemeral", "text": text}
    if blocks:
        message["blocks"] = blocks
    return message


def _section(markdown: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": markdown}}


def _context(markdown: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": markdown}]}


def help_message(role: str | None = None) -> Message:
    lines = [f"`{usage}`\n{summary} _({_ROLE_BADGE[needed]})_" for usage, summary, needed in help_lines()]
    blocks = [_section("*Content Factory* turns prompts into posts, checked and within your quota.")]
    # Sections hold at most 3,000 characters: split the list in two to stay well inside.
    half = (len(lines) + 1) // 2
    blocks += [_section("\n\n".join(lines[:half])), _section("\n\n".join(lines[half:]))]
    if role:
        blocks.append(_context(f"Your role here: *{role}*."))
    text = "Content Factory: " + "; ".join(usage for usage, _summary, _role in help_lines())
    return ephemeral(text, blocks)


def result_cache_set(enabled: bool) -> Message:
    if enabled:
        return ephemeral(
            "The result cache is *on*: an identical request reuses the stored result, charged no tokens and "
            "marked as reused in the post."
        )
    return ephemeral("The result cache is *off*: every request calls a model.")


def off_peak_set(window: OffPeakWindow | None) -> Message:
    if window is None:
        return ephemeral("No off-peak window: image schedules are drawn at their lead, and nothing is pre-generated.")
    return ephemeral(
        f"Off-peak window: *{window.describe()}*. Image schedules due within a day are drawn in it and held "
        "for their due time; with `/content pregenerate on`, popular images are pre-generated in it."
    )


def pregeneration_set(settings: CacheSettings) -> Message:
    if not settings.pregenerate_images:
        return ephemeral("Popular images are *not* pre-generated.")
    window = settings.off_peak.describe() if settings.off_peak else "the off-peak window"
    return ephemeral(
        f"Popular images are *pre-generated* in {window}: the most asked-for image prompts of the last weeks "
        "are drawn into the result cache, a few a day, charged like any job; the next identical request "
        "is answered from it."
    )


def error_message(error: UserError) -> Message:
    """The one rendering of an error a user can fix."""
    return ephemeral(f":warning: {error.render()}")


def apology(trace_id: str) -> Message:
    return ephemeral(
        f":x: Sorry, something went wrong on our side and nothing was done. "
        f"If it keeps happening, tell your admin this reference: `{trace_id}`."
    )


def not_installed_message() -> Message:
    return ephemeral(
        "Content Factory isn't installed for this workspace yet. Ask a workspace admin to install it, then try again."
    )


def uninstalled_message() -> Message:
    return ephemeral("Content Factory was uninstalled from this workspace. An admin can reinstall it to use it again.")


def still_working() -> Message:
    return ephemeral(":hourglass_flowing_sand: Still working on it; the answer follows here in a moment.")


def too_busy() -> Message:
    return ephemeral(
        ":construction: Content Factory is very busy right now and did nothing with this command. "
        "Please try again in a minute."
    )


def job_accepted(job_id: uuid.UUID, kind: str, channel_id: str, *, approvals_required: bool) -> Message:
    what = "an image" if kind == "image" else "the text"
    after = " An admin approves it before it is posted." if approvals_required else ""
    return ephemeral(f"Working on it — job `{job_id}`. I'll post {what} in <#{channel_id}> when it's ready.{after}")


def role_granted(user_id: str, role: str) -> Message:
    article = "an" if role[:1] in "aeiou" else "a"
    return ephemeral(f"<@{user_id}> is now {article} *{role}*.")


def approvals_set(enabled: bool, channel_id: str | None) -> Message:
    if not enabled:
        return ephemeral("Approvals are *off*: results are posted as soon as they are ready.")
    return ephemeral(f"Approvals are *on*: results wait for an admin's approval in <#{channel_id}>.")


def budget_set(tokens: int) -> Message:
    return ephemeral(f"The monthly budget is now *{tokens:,}* tokens.")


def quota_message(status_text: str) -> Message:
    return ephemeral(status_text)


def audit_message(lines: Sequence[AuditLine]) -> Message:
    if not lines:
        return ephemeral("The audit trail is empty.")
    rows = [
        f"{line.seq:>6}  {line.at:%Y-%m-%d %H:%M:%S}Z  {line.actor[:14]:<14}  {line.action[:22]:<22}  "
        f"{line.job_id or ''}"
        for line in lines
    ]
    header = f"{'seq':>6}  {'time (UTC)':<20}  {'actor':<14}  {'action':<22}  job"
    body = "\n".join([header, *rows])
    return ephemeral(f"Last {len(lines)} audit events:\n```{body}```")


def suggested_prompts_message(prompts: Sequence[str], *, changed: bool) -> Message:
    head = "The bot's DM now opens with these suggestions:" if changed else "The bot's DM opens with these suggestions:"
    lines = "\n".join(f"• {_escape(p)}" for p in prompts)
    return ephemeral(f'{head}\n{lines}\nChange them with `/content prompts set "…" "…"`, or `/content prompts clear`.')


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
