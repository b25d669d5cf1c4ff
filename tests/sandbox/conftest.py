"""One Slack sandbox per session; every test starts from the demo workspace and no records."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.slack import SlackSandbox

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "sandbox-client-secret"


@pytest.fixture(scope="session")
async def slack_sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as sandbox:
        yield sandbox


@pytest.fixture
def sb(slack_sandbox: SlackSandbox) -> SlackSandbox:
    slack_sandbox.reset(workspaces=True)
    slack_sandbox.seed_demo()
    return slack_sandbox
