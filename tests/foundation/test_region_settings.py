"""REGIONS: each region's databases and Redis; a process serves one region unless asked for another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.process.regions import IMPLICIT_REGION
from bot.process.settings import ConfigError, load_settings

REGIONS = json.dumps(
    {
        "us": {"database_url": "postgresql://app@pg-us/cf", "admin_url": "postgresql://owner@pg-us/cf"},
        "eu": {
            "database_url": "postgresql://app@pg-eu/cf",
            "admin_url": "postgresql://owner@pg-eu/cf",
            "redis_url": "redis://redis-eu:6379/0",
        },
    }
)


def test_without_regions_there_is_one_implicit_region_of_the_plain_variables() -> None:
    settings = load_settings(_env_file=None, database_url="postgresql://app@pg/cf", redis_url="redis://r:6379/0")
    assert not settings.regional
    assert settings.process_region == settings.home_region == IMPLICIT_REGION
    (region,) = settings.region_map().values()
    assert region.database_url == "postgresql+asyncpg://app@pg/cf" and region.redis_url == "redis://r:6379/0"
    assert settings.for_region(IMPLICIT_REGION) is settings
    with pytest.raises(ConfigError, match="REGION"):
        settings.for_region("eu")


def test_a_process_serves_its_region_and_the_shared_redis_is_kept_for_regions_without_their_own() -> None:
    settings = load_settings(_env_file=None, regions=REGIONS, default_region="us", redis_url="redis://shared:6379/1")
    assert settings.regional and settings.process_region == "us" and settings.home_region == "us"
    assert settings.database_url == "postgresql+asyncpg://app@pg-us/cf"
    assert settings.database_admin_url == "postgresql+asyncpg://owner@pg-us/cf"
    assert settings.redis_url == "redis://shared:6379/1"
    eu = settings.for_region("eu")
    assert eu.process_region == "eu" and eu.database_url == "postgresql+asyncpg://app@pg-eu/cf"
    assert eu.redis_url == "redis://redis-eu:6379/0"
    # From an EU process back to the US: the US has no Redis of its own, so REDIS_URL it is.
    assert eu.for_region("us").redis_url == "redis://shared:6379/1"
    assert list(settings.region_map()) == ["us", "eu"]


def test_regions_may_be_read_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "regions.json"
    path.write_text(REGIONS)
    settings = load_settings(_env_file=None, regions=str(path), default_region="eu")
    assert settings.database_url == "postgresql+asyncpg://app@pg-eu/cf"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"regions": "/no/such/file"}, "REGIONS: must be a JSON object"),
        ({"regions": "{}"}, "REGIONS: must be a JSON object with at least one region"),
        ({"regions": '{"eu": {"database_url": "mysql://x"}}'}, "REGIONS: region eu: database URLs must start"),
        ({"regions": '{"eu": {"database_url": "postgresql://a@b/c", "token": "x"}}'}, "unknown field 'token'"),
        ({"regions": REGIONS}, "DEFAULT_REGION: must name one of the regions in REGIONS (us, eu)"),
        ({"regions": REGIONS, "default_region": "us", "region": "ap"}, "REGION: must name one"),
        ({"region": "eu"}, "REGION: names a region of REGIONS, which is not set"),
    ],
)
def test_a_wrong_region_setting_is_one_line_naming_it(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None, **overrides)
    assert message in str(caught.value) and "\n" not in str(caught.value)
