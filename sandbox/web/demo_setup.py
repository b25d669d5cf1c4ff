"""Install the app into the sandbox's demo workspaces the way a workspace admin would, and give
their people the roles their names promise.

Each workspace goes through the service's own OAuth flow (``/slack/install``, the sandbox's
authorize step as the workspace's admin, ``/slack/oauth_redirect``); then the admin grants roles
and, in the second workspace, turns approvals on, all with signed ``/content`` commands. Running it
again changes nothing: a reinstall keeps everyone's role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import aiohttp

from sandbox.say import SayError, send_command
from sandbox.slack import DEMOS, SECOND_DEMO, DemoWorkspace

_STATE = re.compile(r"[?&;]state=([A-Za-z0-9_.-]+)")  # with REGIONS: "<region>.<state>"
COOKIE = "slack-app-oauth-state"


class DemoSetupError(Exception):
    """The service refused the install or a command; the message says which."""


def demo_commands(demo: DemoWorkspace) -> list[str]:
    """What the demo's admin types once the app is installed."""
    commands = ["role @eddie editor", "role @vera viewer"]
    if demo.team_id == SECOND_DEMO.team_id:
        commands.append("approvals on #approvals")
    return commands


async def install(http: aiohttp.ClientSession, service_url: str, sandbox_url: str, demo: DemoWorkspace) -> None:
    await install_as(http, service_url, sandbox_url, team_id=demo.team_id, user_id=demo.admin)


async def install_as(
    http: aiohttp.ClientSession,
    service_url: str,
    sandbox_url: str,
    *,
    team_id: str,
    user_id: str,
    region: str | None = None,
) -> None:
    """The service's OAuth flow, as ``user_id`` approving it for the sandbox workspace ``team_id``;
    ``region``: the one chosen on the install page (with REGIONS), else the default."""
    service_url, sandbox_url = service_url.rstrip("/"), sandbox_url.rstrip("/")
    params = {"region": region} if region else {}
    async with http.get(f"{service_url}/slack/install", params=params) as response:
        page = await response.text()
        if response.status != 200:
            raise DemoSetupError(f"/slack/install answered {response.status}: {page[:200]}")
    found = _STATE.search(page)
    if found is None:
        raise DemoSetupError("/slack/install showed no install link")
    state = found.group(1)
    async with http.post(
        f"{sandbox_url}/_sandbox/oauth/codes", json={"team_id": team_id, "user_id": user_id}
    ) as response:
        response.raise_for_status()
        code = (await response.json())["code"]
    async with http.get(
        f"{service_url}/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": f"{COOKIE}={state}"},
    ) as response:
        if response.status != 200:
            raise DemoSetupError(
                f"installing into {team_id} failed ({response.status}): {(await response.text())[:200]}"
            )


async def set_up_demos(
    service_url: str, sandbox_url: str, signing_secret: str, demos: Sequence[DemoWorkspace] = DEMOS
) -> None:
    """Install into each demo workspace and run :func:`demo_commands` there as its admin."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        for demo in demos:
            await install(http, service_url, sandbox_url, demo)
    for demo in demos:
        for text in demo_commands(demo):
            try:
                result = await send_command(
                    service_url,
                    text,
                    signing_secret=signing_secret,
                    sandbox_url=sandbox_url,
                    team_id=demo.team_id,
                    user_id=demo.admin,
                    channel_id=demo.general,
                    wait_seconds=0,
                )
            except SayError as error:
                raise DemoSetupError(str(error)) from None
            if not result.acknowledged:
                raise DemoSetupError(f"`/content {text}` in {demo.team_id} answered {result.status}")
