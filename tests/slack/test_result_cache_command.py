"""`/content cache on|off`: admins only, audited, and read by the next job's policy."""

from __future__ import annotations

import uuid

from bot.orgs.service import load_org_policy
from tests.support.slack import Service, audit_actions


async def test_an_admin_turns_the_result_cache_on_and_off(single: Service, org: uuid.UUID) -> None:
    assert "*on*" in (await single.command("cache on")).text
    assert (await load_org_policy(single.database, org)).result_cache
    assert "*off*" in (await single.command("cache OFF")).text
    assert not (await load_org_policy(single.database, org)).result_cache
    assert (await audit_actions(single.database, org)).count("result_cache.set") == 2


async def test_editors_cannot_switch_the_cache_and_wrong_forms_change_nothing(single: Service, org: uuid.UUID) -> None:
    assert "needs the admin role" in (await single.command("cache on", user=single.workspace.editor)).text
    assert "takes `on` or `off`, not nothing" in (await single.command("cache")).text
    assert "not `sometimes`" in (await single.command("cache sometimes")).text
    assert not (await load_org_policy(single.database, org)).result_cache
