"""The installer picks the region on the install page; the organization is made there and pinned,
and the workspace cannot install into another region afterwards."""

from __future__ import annotations

import re
import uuid

import aiohttp
import pytest

from bot.orgs.service import find_org
from sandbox.slack import SlackSandbox
from tests.support.regions import TwoRegions, command
from tests.support.slack import SlackWorkspace

STATE = re.compile(r"[?&;]state=([A-Za-z0-9_.-]+)")


async def install(service: TwoRegions, sandbox: SlackSandbox, ws: SlackWorkspace, region: str) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{service.url}/slack/install", params={"region": region}) as response:
            assert response.status == 200
            page = await response.text()
        state = STATE.search(page).group(1)
        assert state.startswith(f"{region}.")
        code = sandbox.issue_oauth_code(ws.team_id, user_id=ws.owner)
        async with http.get(
            f"{service.url}/slack/oauth_redirect",
            params={"code": code, "state": state},
            headers={"Cookie": f"slack-app-oauth-state={state}"},
        ) as response:
            await response.read()
            return response.status


async def test_the_install_page_offers_every_region_the_default_first(two_regions_oauth: TwoRegions) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{two_regions_oauth.url}/slack/install") as response:
        page = await response.text()
    assert response.status == 200
    assert page.index("region=us") < page.index("region=eu") and "(default)" in page


async def test_an_install_into_the_eu_lives_there_and_cannot_move_by_reinstalling(
    two_regions_oauth: TwoRegions, sandbox: SlackSandbox, workspace: SlackWorkspace
) -> None:
    service, ws = two_regions_oauth, workspace
    assert await install(service, sandbox, ws, "eu") == 200
    found = await find_org(service.runtime("eu").database, ws.team_id)
    assert found is not None
    assert await find_org(service.runtime("us").database, ws.team_id) is None
    pinned = await service.router.directory.find(ws.team_id, None)
    assert pinned is not None and (pinned.region, pinned.org_id) == ("eu", found.org_id)

    # The workspace's commands are answered from the EU.
    answer = await command(service, sandbox, ws, "audit 3", ws.owner)
    assert "app.installed" in answer

    # Installing again through the US page stores nothing there.
    assert await install(service, sandbox, ws, "us") != 200
    assert await find_org(service.runtime("us").database, ws.team_id) is None
    # Reinstalling into its own region still works.
    assert await install(service, sandbox, ws, "eu") == 200


async def test_an_install_that_loses_the_pin_to_another_regions_install_stores_nothing(
    two_regions_oauth: TwoRegions, sandbox: SlackSandbox, workspace: SlackWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, ws = two_regions_oauth, workspace
    directory = service.router.directory

    async def eu_install_gets_in_first(key: str, enterprise_id: str | None, region: str) -> None:
        # The EU install pins the workspace just after the US install's check found no pin.
        await directory.pin(key, enterprise_id, uuid.uuid4(), "eu")

    monkeypatch.setattr(directory, "check_install", eu_install_gets_in_first)
    assert await install(service, sandbox, ws, "us") != 200
    assert await find_org(service.runtime("us").database, ws.team_id) is None
    pinned = await directory.find(ws.team_id, None)
    assert pinned is not None and pinned.region == "eu"
