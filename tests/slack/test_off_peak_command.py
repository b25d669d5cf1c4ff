"""`/content offpeak` and `/content pregenerate`: admins only, audited, read against the admin's
time zone, and shown in App Home beside the result cache."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import update

from bot.orgs.off_peak import OffPeakWindow, load_off_peak
from bot.result_cache import load_cache_settings
from db.models import Member
from tests.support.slack import Service, audit_actions


async def test_an_admin_sets_the_window_in_their_time_zone_and_turns_pregeneration_on_and_off(
    single: Service, org: uuid.UUID
) -> None:
    ws = single.workspace
    async with single.database.tenant(org) as session:
        await session.execute(update(Member).where(Member.slack_user_id == ws.owner).values(timezone="Europe/Paris"))

    refused = (await single.command("pregenerate on")).text
    assert "turn it on first with `/content cache on`" in refused
    await single.command("cache on")
    assert "set the window first" in (await single.command("pregenerate on")).text

    answer = (await single.command("offpeak 22:00-06:00")).text
    assert "22:00-06:00 (Europe/Paris)" in answer
    assert await load_off_peak(single.database, org) == OffPeakWindow(22 * 60, 6 * 60, "Europe/Paris")
    assert "*pre-generated*" in (await single.command("pregenerate on")).text
    assert (await load_cache_settings(single.database, org)).pregenerate_images

    await single.event({"type": "app_home_opened", "user": ws.owner, "tab": "home"})
    home = json.dumps(single.sandbox.views(ws.owner)[-1]["view"])
    assert "Result cache: *on*" in home and "22:00-06:00 (Europe/Paris)" in home
    assert "Popular images pre-generated: *on*" in home

    # A window named in another zone; then none at all, which stops pre-generation too.
    assert "(Asia/Tokyo)" in (await single.command("offpeak 01:00-05:30 Asia/Tokyo")).text
    assert "No off-peak window" in (await single.command("offpeak off")).text
    settings = await load_cache_settings(single.database, org)
    assert settings.off_peak is None and not settings.pregenerate_images
    actions = await audit_actions(single.database, org)
    assert actions.count("off_peak.set") == 3 and actions.count("pregeneration.set") == 1


async def test_editors_cannot_change_them_and_wrong_forms_change_nothing(single: Service, org: uuid.UUID) -> None:
    editor = single.workspace.editor
    assert "needs the admin role" in (await single.command("offpeak 22:00-06:00", user=editor)).text
    assert "needs the admin role" in (await single.command("pregenerate on", user=editor)).text
    assert "two times" in (await single.command("offpeak tonight")).text
    assert "must differ" in (await single.command("offpeak 06:00-06:00")).text
    assert "not a time zone" in (await single.command("offpeak 22:00-06:00 Mars/Olympus")).text
    assert "not `maybe`" in (await single.command("pregenerate maybe")).text
    assert await load_off_peak(single.database, org) is None
    assert "off_peak.set" not in await audit_actions(single.database, org)
