"""Next runs in the schedule's own zone: daylight-saving changes neither skip nor double a run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import BadInput
from bot.schedules.timing import first_run, next_cron_run

NEW_YORK = "America/New_York"
YEAR = timedelta(days=366)


def runs(cron: str, tz: str, start: datetime, count: int) -> list[datetime]:
    found, after = [], start
    for _ in range(count):
        after = next_cron_run(cron, tz, after)
        found.append(after)
    return found


def local(moments: list[datetime], tz: str = NEW_YORK) -> list[str]:
    return [m.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M %Z") for m in moments]


def test_nine_every_morning_stays_nine_when_clocks_go_forward() -> None:
    found = runs("0 9 * * *", NEW_YORK, datetime(2026, 3, 6, 12, tzinfo=UTC), 4)
    assert local(found) == ["03-06 09:00 EST", "03-07 09:00 EST", "03-08 09:00 EDT", "03-09 09:00 EDT"]
    assert [m.hour for m in found] == [14, 14, 13, 13]


def test_nine_every_morning_stays_nine_when_clocks_go_back() -> None:
    found = runs("0 9 * * *", NEW_YORK, datetime(2026, 10, 30, 12, tzinfo=UTC), 4)
    assert local(found) == ["10-30 09:00 EDT", "10-31 09:00 EDT", "11-01 09:00 EST", "11-02 09:00 EST"]


def test_half_past_one_runs_once_on_the_day_clocks_go_forward() -> None:
    found = runs("30 1 * * *", NEW_YORK, datetime(2026, 3, 7, 12, tzinfo=UTC), 3)
    assert local(found) == ["03-08 01:30 EST", "03-09 01:30 EDT", "03-10 01:30 EDT"]


def test_half_past_one_runs_once_in_the_repeated_hour_when_clocks_go_back() -> None:
    found = runs("30 1 * * *", NEW_YORK, datetime(2026, 10, 31, 12, tzinfo=UTC), 3)
    # 01:30 happens twice on 11-01 (EDT, then EST); the run is at the first and only there.
    assert local(found) == ["11-01 01:30 EDT", "11-02 01:30 EST", "11-03 01:30 EST"]
    assert found[1] - found[0] == timedelta(hours=25)


def test_asking_from_inside_the_repeated_hour_does_not_run_it_again() -> None:
    second_one_ten = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 01:10 EST, after 01:30 EDT has passed
    assert local([next_cron_run("30 1 * * *", NEW_YORK, second_one_ten)]) == ["11-02 01:30 EST"]


def test_a_run_in_the_skipped_hour_happens_once_an_hour_later() -> None:
    found = runs("30 2 * * *", NEW_YORK, datetime(2026, 3, 7, 12, tzinfo=UTC), 3)
    assert local(found) == ["03-08 03:30 EDT", "03-09 02:30 EDT", "03-10 02:30 EDT"]


def test_cron_is_read_in_the_schedule_zone_not_utc() -> None:
    [berlin] = runs("0 9 * * 1", "Europe/Berlin", datetime(2026, 6, 1, tzinfo=UTC), 1)
    assert berlin == datetime(2026, 6, 1, 7, tzinfo=UTC)


NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def test_one_off_naive_time_is_local_wall_clock() -> None:
    when = first_run(cron=None, run_at=datetime(2026, 5, 2, 9), tz_name=NEW_YORK, now=NOW, horizon=YEAR)
    assert when == datetime(2026, 5, 2, 13, tzinfo=UTC)


def test_one_off_with_an_offset_keeps_it() -> None:
    when = first_run(
        cron=None, run_at=datetime.fromisoformat("2026-05-02T09:00+02:00"), tz_name=NEW_YORK, now=NOW, horizon=YEAR
    )
    assert when == datetime(2026, 5, 2, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cron", "run_at", "message"),
    [
        (None, datetime(2026, 5, 1, 7), "in the past"),
        (None, datetime(2027, 6, 1, 9), "more than a year ahead"),
        ("61 9 * * *", None, "not a 5-field cron"),
        ("0 9 * * * *", None, "not a 5-field cron"),
        ("0 0 30 2 *", None, "never matches"),
        (None, None, "needs a time"),
    ],
)
def test_bad_times_are_refused_clearly(cron: str | None, run_at: datetime | None, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        first_run(cron=cron, run_at=run_at, tz_name=NEW_YORK, now=NOW, horizon=YEAR)


def test_unknown_zone_falls_back_to_utc() -> None:
    assert next_cron_run("0 9 * * *", "Mars/Olympus", datetime(2026, 5, 1, tzinfo=UTC)) == datetime(
        2026, 5, 1, 9, tzinfo=UTC
    )
