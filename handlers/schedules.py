"""`/content schedule|schedules|unschedule`, called from handlers.commands once the role is checked:
parse (done) -> call the schedule service -> render."""

from __future__ import annotations

from bot.commands.parser import CancelSchedule, CreateSchedule, ListSchedules
from bot.commands.views import Message
from bot.schedules import views
from bot.services import AppServices
from handlers.invocation import Invocation


async def run_schedule_command(
    services: AppServices, command: CreateSchedule | ListSchedules | CancelSchedule, who: Invocation
) -> Message:
    schedules = services.schedules
    match command:
        case CreateSchedule():
            created = await schedules.create(
                who.org_id,
                who.user_id,
                kind=command.kind,
                prompt=command.prompt,
                target_channel=command.channel_id or who.channel_id,
                cron=command.cron,
                run_at=command.run_at,
                policy=who.policy,
                typed_in=who.channel_id,
                brand_voice=not command.plain,
            )
            return views.schedule_created(created)
        case ListSchedules():
            listed = await schedules.list(who.org_id)
            return views.schedule_list(listed, await schedules.timezone_of(who.org_id, who.user_id))
        case CancelSchedule(schedule_ref=ref):
            return views.schedule_cancelled(await schedules.cancel(who.org_id, ref, actor=who.user_id, role=who.role))
