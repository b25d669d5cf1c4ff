"""What Slack shows of schedules: the answers to `schedule`, `schedules` and `unschedule`, and the
notes a schedule's creator gets when a run is skipped or the schedule is paused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.commands.views import Message, ephemeral
from bot.schedules.timing import describe

if TYPE_CHECKING:
    from bot.schedules.service import ScheduleInfo
    from db.models import Schedule

PROMPT_EXCERPT = 60
SHOWN = 25  # a section holds 3,000 characters; this many lines stay well inside it


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return _escape(flat if len(flat) <= PROMPT_EXCERPT else flat[: PROMPT_EXCERPT - 1] + "…")


def _rule(info: ScheduleInfo) -> str:
    return f"every `{info.cron}` ({info.timezone})" if info.cron else "once"


def schedule_created(info: ScheduleInfo) -> Message:
    return ephemeral(
        f":calendar: Scheduled `{info.short_id}`: {info.kind} for <#{info.target_channel}>, {_rule(info)}. "
        f"Next run: *{info.next_run_in(info.timezone)}*. Cancel it with `/content unschedule {info.short_id}`."
    )


def _line(info: ScheduleInfo, viewer_tz: str) -> str:
    paused = " · _paused_" if info.state == "paused" else ""
    return (
        f"`{info.short_id}` *{info.kind}* for <#{info.target_channel}> · {_rule(info)} · "
        f"next {info.next_run_in(viewer_tz)} · by <@{info.created_by}>{paused}\n> {_excerpt(info.masked_prompt)}"
    )


def schedule_list(infos: Sequence[ScheduleInfo], viewer_tz: str) -> Message:
    if not infos:
        return ephemeral("No schedules yet. Make one with `/content schedule <when> text|image <prompt>`.")
    lines = [_line(info, viewer_tz) for info in infos[:SHOWN]]
    more = f"\n…and {len(infos) - SHOWN} more." if len(infos) > SHOWN else ""
    title = f"{len(infos)} schedule{'s' if len(infos) != 1 else ''} (times in {viewer_tz}):"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:2900] + more}},
    ]
    return ephemeral(title + "\n" + "\n".join(lines) + more, blocks)


def schedule_cancelled(info: ScheduleInfo) -> Message:
    return ephemeral(f":wastebasket: Cancelled schedule `{info.short_id}` ({info.kind} for <#{info.target_channel}>).")


def _run(schedule: Schedule) -> str:
    when = describe(schedule.next_run_at, schedule.timezone) if schedule.next_run_at else "now"
    return (
        f"The {schedule.kind} run of your schedule `{str(schedule.id)[:8]}` for <#{schedule.target_channel}> ({when})"
    )


def run_denied_notice(schedule: Schedule, why: str) -> str:
    return f":warning: {_run(schedule)} was skipped: {why}"


def run_blocked_notice(schedule: Schedule) -> str:
    return (
        f":warning: {_run(schedule)} was skipped: the organization's prompt guard now refuses its prompt. "
        f"Cancel it with `/content unschedule {str(schedule.id)[:8]}` and schedule a reworded prompt."
    )


def _paused(schedule: Schedule) -> str:
    return (
        f":double_vertical_bar: Your schedule `{str(schedule.id)[:8]}` ({schedule.kind} for "
        f"<#{schedule.target_channel}>) is paused and its runs stop"
    )


def paused_for_role_notice(schedule: Schedule, role: str | None) -> str:
    now = f"you are {'an' if role == 'admin' else 'a'} {role} now" if role else "you have no role here now"
    return (
        f"{_paused(schedule)}: a run posts in your name and needs the editor role, and {now}. "
        f"An admin can grant it again; you can cancel the schedule with `/content unschedule {str(schedule.id)[:8]}`."
    )


def paused_for_channel_notice(schedule: Schedule, why: str) -> str:
    return (
        f"{_paused(schedule)}: a run posts in your name only where you are a member. {why} "
        f"You can cancel the schedule with `/content unschedule {str(schedule.id)[:8]}`."
    )
