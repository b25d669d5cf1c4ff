"""Scheduled posts: `/content schedule|schedules|unschedule`, and the beat's ``tick``."""

from bot.schedules.runs import ScheduleTickReport, tick
from bot.schedules.service import ScheduleInfo, ScheduleLimits, ScheduleService
from bot.schedules.timing import describe, first_run, next_cron_run

__all__ = [
    "ScheduleInfo",
    "ScheduleLimits",
    "ScheduleService",
    "ScheduleTickReport",
    "describe",
    "first_run",
    "next_cron_run",
    "tick",
]
