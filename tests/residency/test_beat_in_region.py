"""Each region's beat works on its own database and sends to its own queues: the EU beat re-sends
an EU job whose message was lost, and fires a due EU schedule, into the EU Redis's ``text.eu``
queues; the US beat never sees either."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.orgs.service import create_organization
from bot.process.runtime import Runtime
from bot.process.settings import Settings
from tests.support.database import new_team_id
from tests.support.redis_index import redis_text
from tests.support.rows import active_schedule, queued_job
from tests.support.slack import SlackWorkspace
from workers.beat import beat_tick


async def test_the_eu_beat_resends_an_eu_job_to_the_eu_queues_and_the_us_beat_never_sees_it(
    two_region_settings_of: Callable[..., Settings], redis_url: str, eu_redis_url: str
) -> None:
    settings = two_region_settings_of()
    us, eu = (Runtime.from_settings(settings.for_region(name)) for name in ("us", "eu"))
    try:
        org_id = await create_organization(eu.database, name="EU org", team_id=new_team_id())
        job_id = uuid.uuid4()
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        async with eu.database.tenant(org_id) as session:
            session.add(
                queued_job(org_id, "U1", "C1", "a lost job", id=job_id, created_at=long_ago, updated_at=long_ago)
            )

        us_report = await beat_tick(us)
        assert us_report.sweep is not None and job_id not in us_report.sweep.resent
        eu_report = await beat_tick(eu)
        assert eu_report.sweep is not None and job_id in eu_report.sweep.resent

        queue = f"text.eu.{org_id.int % 32}"
        eu_text = await redis_text(eu_redis_url)
        assert str(job_id) in eu_text and queue in eu_text
        assert str(job_id) not in await redis_text(redis_url)
    finally:
        await us.close()
        await eu.close()


async def test_a_due_eu_schedule_fires_only_from_the_eu_beat_into_the_eu_queues(
    two_region_settings_of: Callable[..., Settings], workspace: SlackWorkspace, redis_url: str, eu_redis_url: str
) -> None:
    settings = two_region_settings_of(slack_bot_token=workspace.bot_token)
    us, eu = (Runtime.from_settings(settings.for_region(name)) for name in ("us", "eu"))
    try:
        creator = workspace.owner
        org_id = await create_organization(eu.database, name="EU org", team_id=workspace.team_id, admin_user_id=creator)
        schedule_id = uuid.uuid4()
        due = datetime.now(UTC) - timedelta(minutes=1)
        async with eu.database.tenant(org_id) as session:
            session.add(
                active_schedule(org_id, creator, workspace.general, "a weekly digest", id=schedule_id, next_run_at=due)
            )

        us_report = await beat_tick(us)
        assert us_report.schedules is not None
        assert schedule_id not in {fired for fired, _ in us_report.schedules.fired}
        eu_report = await beat_tick(eu)
        assert eu_report.schedules is not None, eu_report.errors
        fired = dict(eu_report.schedules.fired)
        assert schedule_id in fired, eu_report.schedules
        job_id = fired[schedule_id]

        assert str(job_id) in await redis_text(eu_redis_url)
        assert str(job_id) not in await redis_text(redis_url)
        assert str(schedule_id) not in await redis_text(redis_url)
    finally:
        await us.close()
        await eu.close()
