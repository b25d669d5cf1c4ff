"""The schedule sub-commands from parsed text to the answer the user sees (handlers.schedules)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from bot.commands.parser import parse_command
from bot.errors import NotAllowed
from bot.orgs.service import load_org_policy
from bot.process.runtime import Runtime
from bot.services import AppServices, build_services
from db.engine import Database
from handlers.invocation import Invocation
from handlers.schedules import run_schedule_command
from tests.support.approvals import ADMIN, EDITOR, TARGET, RecordingSender

SHORT_ID = re.compile(r"Scheduled `([0-9a-f]{8})`")


@pytest.fixture
def app_services(runtime: Runtime) -> Iterator[AppServices]:
    built = build_services(runtime)
    built.jobs.sender.close()
    built.jobs.sender = RecordingSender()
    yield built


async def say(services: AppServices, database: Database, org: uuid.UUID, text: str, *, who: str = EDITOR) -> str:
    role = "admin" if who == ADMIN else "editor"
    invocation = Invocation(
        org_id=org,
        user_id=who,
        role=role,
        channel_id="C0GENERAL",
        response_url=None,
        policy=await load_org_policy(database, org),
    )
    answer = await run_schedule_command(services, parse_command(text), invocation)
    assert answer["response_type"] == "ephemeral"
    return str(answer["text"])


async def test_schedule_list_and_unschedule(app_services: AppServices, app_db: Database, org: uuid.UUID) -> None:
    created = await say(app_services, app_db, org, f'schedule "0 9 * * 1" text A weekly tip in <#{TARGET}|news>')
    match = SHORT_ID.search(created)
    assert match, created
    short = match.group(1)
    assert f"<#{TARGET}>" in created and "Europe/Berlin" in created and "09:00 CE" in created

    listed = await say(app_services, app_db, org, "schedules", who=ADMIN)
    assert short in listed and "A weekly tip" in listed and "America/New_York" in listed  # the viewer's zone

    with pytest.raises(NotAllowed):
        await say(app_services, app_db, org, f"unschedule {short}", who="U0SOMEONE")
    cancelled = await say(app_services, app_db, org, f"unschedule {short}")
    assert short in cancelled
    assert "No schedules" in await say(app_services, app_db, org, "schedules")


async def test_a_one_off_defaults_to_the_channel_it_was_typed_in(
    app_services: AppServices, app_db: Database, org: uuid.UUID
) -> None:
    created = await say(app_services, app_db, org, "schedule 2027-01-15T08:00 image A winter landscape")
    assert "<#C0GENERAL>" in created and "once" in created and "Fri 2027-01-15 08:00 CET" in created
