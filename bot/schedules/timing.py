"""When a schedule runs: wall-clock times in the schedule's own zone, stored and compared in UTC.

Cron fields mean local wall-clock time ("0 9 * * *" is nine in the morning all year), so the
expression is stepped on naive local times and each candidate converted to UTC afterwards; stepping
on UTC would move the run by an hour twice a year. Across a daylight-saving change:

- a repeated hour (clocks go back) yields one run, at the first occurrence: a candidate that is not
  strictly after the previous run in UTC is passed over, so the second 01:30 never fires again;
- a missing hour (clocks go forward) yields one run too: the missing 02:30 is read with the offset
  before the change (``fold=0``), which lands an hour later on the new clock (03:30).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

from bot.errors import BadInput

CRON_FIELDS = 5
# Candidates passed over in a row can only be the few runs inside one repeated hour; this bound
# only stops a malformed expression from spinning.
MAX_PASSED_OVER = 120


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall-clock time in ``tz`` as UTC (first occurrence in a repeated hour; a time in a
    skipped hour is read with the offset before the change)."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def check_cron(expression: str) -> str:
    expression = " ".join(expression.split())
    if len(expression.split()) != CRON_FIELDS or not croniter.is_valid(expression):
        raise BadInput(
            f'"{expression}" is not a 5-field cron expression (minute hour day month weekday), e.g. "0 9 * * 1".'
        )
    return expression


def shortest_gap(expression: str) -> timedelta:
    """The shortest time between two runs of a 5-field cron expression, read from its minute and
    hour fields. The step from a day's last run to the next day's first counts as if both days
    matched, so the answer may be shorter than any real gap but never longer."""
    minutes, hours = croniter(check_cron(expression)).expanded[:2]
    minute_set = range(60) if "*" in minutes else [int(m) for m in minutes]
    hour_set = range(24) if "*" in hours else [int(h) for h in hours]
    times = sorted(h * 60 + m for h in hour_set for m in minute_set)
    gaps = [later - earlier for earlier, later in pairwise(times)]
    gaps.append(times[0] + 24 * 60 - times[-1])
    return timedelta(minutes=min(gaps))


def check_interval(expression: str, floor: timedelta) -> None:
    """Refuse a cron expression whose runs can come closer together than ``floor``."""
    gap = shortest_gap(expression)
    if gap < floor:
        raise BadInput(
            f'"{expression}" would run every {_minutes(gap)} at its closest; schedules run at most every '
            f'{_minutes(floor)}. Spread the runs out, e.g. "0 9 * * 1-5" (09:00 on weekdays).'
        )


def _minutes(span: timedelta) -> str:
    count = int(span.total_seconds() // 60)
    return "minute" if count == 1 else f"{count} minutes"


def next_cron_run(expression: str, tz_name: str, after: datetime) -> datetime:
    """The first run of ``expression`` in ``tz_name`` strictly after ``after`` (aware), in UTC."""
    tz = zone(tz_name)
    runs = croniter(expression, after.astimezone(tz).replace(tzinfo=None))
    try:
        for _ in range(MAX_PASSED_OVER):
            candidate = local_to_utc(runs.get_next(datetime), tz)
            if candidate > after:
                return candidate
    except (CroniterBadDateError, CroniterBadCronError) as error:
        raise BadInput(f'"{expression}" never matches a date (is the day of the month possible?).') from error
    raise BadInput(f'"{expression}" does not give a next run.')  # pragma: no cover - see MAX_PASSED_OVER


def first_run(
    *, cron: str | None, run_at: datetime | None, tz_name: str, now: datetime, horizon: timedelta
) -> datetime:
    """The first run of a new schedule (UTC), or BadInput for a past time, an impossible cron, or a
    first run further ahead than ``horizon``. A naive ``run_at`` is wall-clock time in ``tz_name``."""
    if cron is not None:
        first = next_cron_run(check_cron(cron), tz_name, now)
        if first > now + horizon:
            raise BadInput(
                f'"{cron}" would first run on {describe(first, tz_name)}; schedules reach at most a year ahead.'
            )
        return first
    if run_at is None:
        raise BadInput("A schedule needs a time: an ISO date-time or a quoted cron expression.")
    when = local_to_utc(run_at, zone(tz_name)) if run_at.tzinfo is None else run_at.astimezone(UTC)
    if when <= now:
        raise BadInput(f"{describe(when, tz_name)} is in the past. Pick a time ahead of now.")
    if when > now + horizon:
        raise BadInput(f"{describe(when, tz_name)} is more than a year ahead; schedules reach at most a year ahead.")
    return when


def describe(moment: datetime, tz_name: str | None) -> str:
    """A moment as people in ``tz_name`` read it: ``Mon 2026-03-09 09:00 EDT``."""
    return moment.astimezone(zone(tz_name)).strftime("%a %Y-%m-%d %H:%M %Z")
