"""The fixtures of two regions on the test server (tests/support/regions.py): the "eu" database and
Redis index, their settings, and the web service of both."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from bot.process.settings import Settings
from sandbox.local_services import LocalServices
from sandbox.slack import SlackSandbox
from tests.support.database import TestDatabase, migrated_database
from tests.support.redis_index import emptied
from tests.support.regions import REGIONAL_CATALOGUE, TwoRegions, serving_two_regions, two_region_settings
from tests.support.slack import CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET, SlackWorkspace, new_workspace, sandbox

__all__ = ["sandbox"]


@pytest.fixture(scope="session")
def eu_database(services: LocalServices) -> Iterator[TestDatabase]:
    with migrated_database(services.postgres_url, prefix="cf_eu") as database:
        yield database


@pytest.fixture(scope="session")
def eu_redis_url(redis_url: str) -> Iterator[str]:
    """The spare Redis index of this run (TEST_SPARE_REDIS_DB), emptied before and after."""
    index = int(os.environ.get("TEST_SPARE_REDIS_DB") or 14)
    url = f"{redis_url.rsplit('/', 1)[0]}/{index}"
    assert url != redis_url, "the EU Redis must be another index than the US one"
    with emptied(url):
        yield url


@pytest.fixture
def workspace(sandbox: SlackSandbox) -> SlackWorkspace:
    return new_workspace(sandbox)


@pytest.fixture
def two_region_settings_of(
    test_database: TestDatabase,
    redis_url: str,
    eu_database: TestDatabase,
    eu_redis_url: str,
    encryption_key: str,
    sandbox: SlackSandbox,
) -> Callable[..., Settings]:
    """Settings of a two-region service with exactly the Slack credentials given."""

    def settings_of(**slack: Any) -> Settings:
        values: dict[str, Any] = {
            "slack_bot_token": None,
            "slack_client_id": None,
            "slack_client_secret": None,
            "slack_app_token": None,
            **slack,
        }
        return two_region_settings(
            test_database,
            redis_url,
            eu_database,
            eu_redis_url,
            token_encryption_key=encryption_key,
            slack_api_url=sandbox.api_url,
            slack_signing_secret=SIGNING_SECRET,
            model_catalogue=REGIONAL_CATALOGUE,
            **values,
        )

    return settings_of


@pytest.fixture
async def two_regions(
    two_region_settings_of: Callable[..., Settings], workspace: SlackWorkspace
) -> AsyncIterator[TwoRegions]:
    """The web service of two regions in single-workspace mode, served on 127.0.0.1."""
    async with serving_two_regions(two_region_settings_of(slack_bot_token=workspace.bot_token)) as service:
        yield service


@pytest.fixture
async def two_regions_oauth(two_region_settings_of: Callable[..., Settings]) -> AsyncIterator[TwoRegions]:
    """The web service of two regions installed through OAuth."""
    async with serving_two_regions(
        two_region_settings_of(slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET)
    ) as service:
        yield service
