"""The App Home tab: the user's role, the organization's quota gauge, pending approvals (admins),
the user's recent jobs and schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.brand import BrandKit
from bot.brand.views import kit_markdown, open_modal_button
from bot.home.service import HomeSnapshot, JobLine, ScheduleLine
from bot.quota import QuotaStatus
from bot.quota.messages import money_lines
from bot.result_cache.settings import CacheSettings

GAUGE_WIDTH = 20
PROMPT_EXCERPT = 80

_STATE_ICON = {
    "queued": ":hourglass:",
    "running": ":gear:",
    "awaiting_approval": ":raised_hand:",
    "held": ":alarm_clock:",
    "cached": ":package:",
    "posted": ":white_check_mark:",
    "rejected": ":no_entry_sign:",
    "failed": ":x:",
    "cancelled": ":heavy_multiplication_x:",
}


def _section(markdown: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": markdown}}


def _context(markdown: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": markdown}]}


def _escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as markup; a stored prompt must show as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return _escape(flat if len(flat) <= PROMPT_EXCERPT else flat[: PROMPT_EXCERPT - 1] + "…")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def quota_gauge(status: QuotaStatus | None) -> str:
    if status is None:
        return "*Quota*\nUsage can't be read right now; try again in a minute."
    spent = status.used + status.reserved
    share = min(1.0, spent / status.budget) if status.budget else 1.0
    filled = round(share * GAUGE_WIDTH)
    bar = "█" * filled + "░" * (GAUGE_WIDTH - filled)
    return (
        f"*Quota for {status.month}*\n`{bar}` {share:.0%}\n"
        f"{spent:,} of {status.budget:,} tokens used or reserved; {status.left:,} left, "
        f"refills on {status.refills_on:%B} {status.refills_on.day}."
    )


def caching_text(settings: CacheSettings) -> str:
    window = settings.off_peak.describe() if settings.off_peak else "none (image schedules are drawn at their lead)"
    return (
        "*Caching and warming*\n"
        f"Result cache: *{'on' if settings.result_cache else 'off'}* · Off-peak window: *{window}* · "
        f"Popular images pre-generated: *{'on' if settings.pregenerate_images else 'off'}*"
    )


def _job(line: JobLine, *, show_requester: bool) -> str:
    icon = _STATE_ICON.get(line.state, ":grey_question:")
    who = f" by <@{line.requester}>" if show_requester else ""
    return (
        f"{icon} *{line.kind}*{who} for <#{line.channel}> · {line.state.replace('_', ' ')} · {_when(line.created_at)}\n"
        f"> {_excerpt(line.prompt)}\n`{line.id}`"
    )


def _schedule(line: ScheduleLine) -> str:
    rule = f"cron `{line.cron}` ({line.timezone})" if line.cron else "once"
    return f"*{line.kind}* for <#{line.channel}> · {rule} · {line.state} · next {_when(line.next_run_at)}\n`{line.id}`"


def _list(title: str, items: list[str], empty: str) -> list[dict[str, Any]]:
    if not items:
        return [_section(f"*{title}*\n{empty}")]
    return [_section(f"*{title}*"), *(_section(item) for item in items)]


def home_view(
    role: str | None,
    status: QuotaStatus | None,
    snapshot: HomeSnapshot,
    *,
    brand_kit: BrandKit | None = None,
    models: str | None = None,
    caching: CacheSettings | None = None,
) -> dict[str, Any]:
    """``models``: the organization's model policy in words (``bot.routing.views.models_text``);
    ``caching``: its result cache, off-peak window and pre-generation switches."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Content Factory"}},
        _section(f"Your role: *{role or 'none yet'}*"),
        _context("Type `/content help` in any channel to see what you can do."),
        {"type": "divider"},
        _section(quota_gauge(status)),
    ]
    if status is not None and money_lines(status):
        blocks.append(_section("\n".join(money_lines(status))))
    if models:
        blocks += [{"type": "divider"}, _section(models)]
        if role == "admin":
            blocks.append(_context("Change it with `/content models allow …` or `/content models strategy …`."))
    if caching is not None:
        blocks += [{"type": "divider"}, _section(caching_text(caching))]
        if role == "admin":
            blocks.append(
                _context(
                    "Change them with `/content cache on|off`, `/content offpeak …` or `/content pregenerate on|off`."
                )
            )
    if brand_kit is not None:
        blocks += [{"type": "divider"}, _section(kit_markdown(brand_kit))]
        if role == "admin":
            blocks.append(open_modal_button())
    if role == "admin":
        blocks += [
            {"type": "divider"},
            *_list(
                "Waiting for approval",
                [_job(line, show_requester=True) for line in snapshot.pending_approvals],
                "Nothing waits for approval.",
            ),
        ]
    blocks += [
        {"type": "divider"},
        *_list(
            "Your recent jobs",
            [_job(line, show_requester=False) for line in snapshot.recent_jobs],
            "None yet: try `/content text <prompt>`.",
        ),
    ]
    good, bad = snapshot.own_feedback
    feedback = f"*Feedback on your results*\n:thumbsup: {good:,} good · :thumbsdown: {bad:,} bad"
    if snapshot.org_feedback is not None:
        org_good, org_bad = snapshot.org_feedback
        feedback += (
            f"\nWhole organization: :thumbsup: {org_good:,} · :thumbsdown: {org_bad:,} "
            "(`/content feedback` exports them)"
        )
    blocks += [{"type": "divider"}, _section(feedback)]
    blocks += [
        {"type": "divider"},
        *_list(
            "Your schedules",
            [_schedule(line) for line in snapshot.schedules],
            "No schedules.",
        ),
    ]
    return {"type": "home", "blocks": blocks}
