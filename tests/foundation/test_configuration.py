"""A wrong or missing variable gives one clear line naming it, and exit code 2 — no stack trace."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.pool import QueuePool

from bot.process.runtime import Runtime
from bot.process.settings import load_settings
from tests.support.cli import run_cli

_TWO_REGIONS = '{"us": {"database_url": "postgresql://a@b/us"}, "eu": {"database_url": "postgresql://a@b/eu"}}'


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(args, env, cwd="/")


@pytest.mark.parametrize(
    ("args", "env", "names"),
    [
        (["migrate"], {}, "DATABASE_URL"),
        (["migrate"], {"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"),
        (
            ["audit", "verify"],
            {"DATABASE_URL": "postgresql://a@b/c", "TOKEN_ENCRYPTION_KEY": "not-a-key"},
            "TOKEN_ENCRYPTION_KEY",
        ),
        (["worker"], {"DATABASE_URL": "postgresql://a@b/c", "REDIS_URL": "http://nope"}, "REDIS_URL"),
        (["serve"], {"DATABASE_URL": "postgresql://a@b/c", "PORT": "99999"}, "PORT"),
        (["beat"], {"DATABASE_URL": "postgresql://a@b/c", "SCHEDULER_TICK_SECONDS": "-1"}, "SCHEDULER_TICK_SECONDS"),
        (["serve"], {"GEMINI_MODELS": " , "}, "GEMINI_MODELS"),
        (["serve"], {"SLACK_API_URL": "ftp://slack"}, "SLACK_API_URL"),
        (["worker"], {"DATABASE_URL": "postgresql://a@b/c"}, "REDIS_URL"),
        (["audit", "verify", "--org", "not-a-uuid"], {"DATABASE_URL": "postgresql://a@b/c"}, "--org"),
        (["serve"], {"REGIONS": "{not json"}, "REGIONS"),
        (["worker"], {"REGIONS": '{"eu": {"admin_url": "postgresql://o@b/c"}}'}, "REGIONS"),
        (["beat"], {"REGIONS": _TWO_REGIONS}, "DEFAULT_REGION"),
        (["worker", "--region", "mars"], {"REGIONS": _TWO_REGIONS, "DEFAULT_REGION": "us"}, "REGION"),
        (["migrate"], {"REGIONS": _TWO_REGIONS, "DEFAULT_REGION": "us"}, "admin_url"),
        (["serve"], {"DEFAULT_REGION": "eu", "DATABASE_URL": "postgresql://a@b/c"}, "DEFAULT_REGION"),
        (
            ["serve"],
            {"REGIONS": _TWO_REGIONS, "DEFAULT_REGION": "us", "DATABASE_URL": "postgresql://a@b/c"},
            "DATABASE_URL",
        ),
    ],
)
def test_config_error_is_one_clear_line(args: list[str], env: dict[str, str], names: str) -> None:
    result = _run(args, **env)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: ") and names in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("command", "variable", "value", "allowed"),
    [
        ("worker", "JOB_LEASE_SECONDS", "soon", "a number from 1 to 3600"),
        ("worker", "JOB_TIME_LIMIT_SECONDS", "0", "a number from 1 to 3600"),
        ("serve", "APPROVAL_EXPIRY_HOURS", "-2", "a number above 0 and at most 8760"),
        ("beat", "SCHEDULES_MAX_ACTIVE", "lots", "a whole number from 1 to 10000"),
        ("serve", "WEB_MAX_PENDING_COMMANDS", "0", "a whole number from 1 to 100000"),
        ("serve", "WEB_DATABASE_POOL_SIZE", "0", "a whole number from 1 to 500"),
        ("beat", "SCHEDULE_IMAGE_WARM_LEAD_MINUTES", "721", "a number from 0 to 720"),
        ("beat", "POPULAR_IMAGES_PER_DAY", "101", "a whole number from 0 to 100"),
    ],
)
def test_a_knob_out_of_range_names_the_variable_and_its_range(
    command: str, variable: str, value: str, allowed: str
) -> None:
    result = _run([command], DATABASE_URL="postgresql://a@b/c", **{variable: value})
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"configuration error: {variable}: must be {allowed}, got {value!r}"


def test_image_runs_are_warmed_earlier_than_text_runs_by_default() -> None:
    settings = load_settings(_env_file=None)
    assert settings.schedule_image_warm_lead_minutes > settings.schedule_warm_lead_minutes == 10
    assert load_settings(_env_file=None, schedule_image_warm_lead_minutes=0).schedule_image_warm_lead_minutes == 0


def test_help_works_both_ways() -> None:
    assert "content-factory" in _run(["--help"]).stdout
    script = os.path.join(os.path.dirname(sys.executable), "content-factory")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "serve" in result.stdout


async def test_a_web_process_keeps_as_many_database_connections_as_it_is_told() -> None:
    settings = load_settings(
        _env_file=None,
        database_url="postgresql://app@127.0.0.1/cf",
        redis_url="redis://127.0.0.1:6379/0",
        token_encryption_key=Fernet.generate_key().decode(),
        web_database_pool_size=3,
    )
    runtime = Runtime.for_web(settings)
    try:
        pool = runtime.database.engine.sync_engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool._max_overflow) == (3, 0)
        assert load_settings(_env_file=None).web_database_pool_size == 20
    finally:
        await runtime.close()
