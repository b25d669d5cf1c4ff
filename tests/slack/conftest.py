"""The Slack-facing service, served on 127.0.0.1 with a real port, against the Slack sandbox.

Each test gets a fresh sandbox workspace (its own team id, bot token, users and channels), so its
organization is its own; the sandbox, the database and Redis are shared by the session.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from db.crypto import SecretBox
from db.engine import Database
from sandbox.slack import SlackSandbox
from tests.support.slack import (
    CLIENT_ID,
    CLIENT_SECRET,
    Service,
    ServiceFactory,
    SlackWorkspace,
    new_workspace,
    sandbox,
    workspace_org,
)

__all__ = ["sandbox"]


@pytest.fixture
def workspace(sandbox: SlackSandbox) -> SlackWorkspace:
    return new_workspace(sandbox)


@pytest.fixture(scope="session")
def secret_box(encryption_key: str) -> SecretBox:
    return SecretBox(encryption_key)


@pytest.fixture
def make_service(
    service_env: dict[str, str],
    sandbox: SlackSandbox,
    workspace: SlackWorkspace,
    app_db: Database,
    aredis: aioredis.Redis,
    secret_box: SecretBox,
) -> ServiceFactory:
    return ServiceFactory(service_env, sandbox, workspace, app_db, aredis, secret_box)


@pytest.fixture
async def single(make_service: ServiceFactory, workspace: SlackWorkspace) -> AsyncIterator[Service]:
    """Single-workspace mode with the workspace's bot token; the editor is made an editor."""
    async with make_service.running(slack_bot_token=workspace.bot_token) as service:
        yield service


@pytest.fixture
async def org(single: Service) -> uuid.UUID:
    """The single workspace's organization, made as its first request would, with an editor."""
    return await workspace_org(single)


@pytest.fixture
async def oauth(make_service: ServiceFactory) -> AsyncIterator[Service]:
    async with make_service.running(slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET) as service:
        yield service
