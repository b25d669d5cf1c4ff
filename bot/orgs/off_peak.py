"""The organization's off-peak window: the hours in which it lets image work run ahead of need.

The window is wall-clock time in a named time zone (the admin's Slack zone, or one they name),
``start`` inclusive and ``end`` exclusive, in minutes after midnight; a window whose end is before
its start wraps past midnight (22:00-06:00). Inside it:

- a scheduled image run due within ``OFF_PEAK_HORIZON`` is generated at once and held until its due
  time (``bot.schedules.runs``), instead of ``SCHEDULE_IMAGE_WARM_LEAD_MINUTES`` before it;
- the organization's popular image prompts are pre-generated into the result cache, when its admin
  turned that on (``bot.result_cache.pregeneration``).

Without a window, image runs are generated at their lead and nothing is pre-generated. The same
test runs in SQL, in the claim of due schedules (migration ``0012``); ``contains`` is its twin.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update

from bot.errors import BadInput
from db.audit import record_event
from db.engine import Database
from db.models import Organization

OFF_PEAK_USAGE = "/content offpeak <HH:MM>-<HH:MM> [time zone]|off"
# How far ahead of its due time an image run may be generated inside the window: a run due
# tomorrow morning is drawn tonight, not one due next week (its brand kit may change meanwhile).
OFF_PEAK_HORIZON = timedelta(hours=24)
_WINDOW = re.compile(r"(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})(?:\s+(\S+))?")


@dataclass(frozen=True)
class OffPeakWindow:
    start: int  # minutes after midnight, inclusive
    end: int  # exclusive; before ``start``: the window wraps past midnight
    timezone: str

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end

    def describe(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)} ({self.timezone})"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_window(text: str, default_timezone: str) -> OffPeakWindow:
    """``22:00-06:00`` (in ``default_timezone``) or ``22:00-06:00 Europe/Paris``."""
    match = _WINDOW.fullmatch(text.strip())
    if match is None:
        raise BadInput("Give the off-peak window as two times, like `22:00-06:00`.", usage=OFF_PEAK_USAGE)
    start_h, start_m, end_h, end_m, named = match.groups()
    if int(start_h) > 23 or int(end_h) > 23 or int(start_m) > 59 or int(end_m) > 59:
        raise BadInput("Times run from 00:00 to 23:59.", usage=OFF_PEAK_USAGE)
    start, end = int(start_h) * 60 + int(start_m), int(end_h) * 60 + int(end_m)
    if start == end:
        raise BadInput("The window's start and end must differ.", usage=OFF_PEAK_USAGE)
    timezone = named or default_timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise BadInput(f"`{timezone[:64]}` is not a time zone name (like `Europe/Paris`).") from error
    return OffPeakWindow(start, end, timezone)


def window_of(org: Organization) -> OffPeakWindow | None:
    if org.off_peak_start is None or org.off_peak_end is None:
        return None
    return OffPeakWindow(org.off_peak_start, org.off_peak_end, org.off_peak_timezone or "UTC")


async def set_off_peak(database: Database, org_id: uuid.UUID, window: OffPeakWindow | None, *, actor: str) -> None:
    """Set the window, or remove it (``None``: which also stops pre-generation); audited ``off_peak.set``."""
    values: dict[str, object] = {
        "off_peak_start": window.start if window else None,
        "off_peak_end": window.end if window else None,
        "off_peak_timezone": window.timezone if window else None,
    }
    if window is None:
        values["pregenerate_images"] = False
    async with database.tenant(org_id) as session:
        await session.execute(update(Organization).where(Organization.id == org_id).values(**values))
        await record_event(
            session,
            org_id,
            "off_peak.set",
            actor=actor,
            detail={"window": window.describe() if window else None},
        )


async def load_off_peak(database: Database, org_id: uuid.UUID) -> OffPeakWindow | None:
    async with database.tenant(org_id) as session:
        org = (await session.execute(select(Organization).where(Organization.id == org_id))).scalar_one()
    return window_of(org)
