"""`content-factory rekey`: after it, the newest key alone decrypts every stored secret."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.orgs.service import create_organization
from db.crypto import SecretBox, generate_key
from db.engine import Database
from db.migrate import migrate
from db.models import AuditEvent, Installation, Job, Schedule
from tests.support.database import TestDatabase, admin_execute, new_team_id, run_database_name
from tests.support.rows import active_schedule, queued_job

BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "SLACK_", "TOKEN_"))}
OLD_KEY, NEW_KEY = generate_key(), generate_key()


@pytest.fixture(scope="module")
async def own_database(test_database: TestDatabase) -> AsyncIterator[Database]:
    """A database of this module's own: rekey walks every organization, and other tests store
    placeholder bytes that no key decrypts."""
    name = run_database_name("cf_rekey")
    server = make_url(test_database.admin_url).set(drivername="postgresql", database="postgres")
    await admin_execute(server.render_as_string(hide_password=False), f'CREATE DATABASE "{name}"')
    admin_url = make_url(test_database.admin_url).set(database=name).render_as_string(hide_password=False)
    app_url = make_url(test_database.app_url).set(database=name).render_as_string(hide_password=False)
    await migrate(admin_url, app_url)
    database = Database(app_url, pool_size=2)
    yield database
    await database.dispose()
    await admin_execute(server.render_as_string(hide_password=False), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _store_secrets(database: Database, box: SecretBox) -> dict[str, object]:
    """An installation, a schedule and a job, their secrets encrypted with ``box``."""
    org_id = await create_organization(database, name="Rekey", team_id=new_team_id(), admin_user_id="UADMIN")
    schedule_id, job_id = uuid.uuid4(), uuid.uuid4()
    async with database.tenant(org_id) as session:
        install = Installation(
            org_id=org_id,
            team_id="T1",
            user_id="UADMIN",
            is_enterprise_install=False,
            bot_token_enc=box.encrypt("xoxb-secret-bot-token"),
            bot_refresh_token_enc=box.encrypt("xoxe-1-refresh"),
            incoming_webhook_url_enc=box.encrypt("https://hooks.slack.com/services/T1/B1/x"),
        )
        session.add(install)
        session.add(
            active_schedule(
                org_id,
                "UADMIN",
                "C1",
                "hello <PERSON_1>",
                id=schedule_id,
                pii_mapping_enc=box.encrypt_json({"<PERSON_1>": "Ada Lovelace"}),
            )
        )
        await session.flush()
        session.add(
            queued_job(
                org_id,
                "UADMIN",
                "C1",
                "hi <EMAIL_1>",
                id=job_id,
                schedule_id=schedule_id,
                pii_mapping_enc=box.encrypt_json({"<EMAIL_1>": "ada@example.com"}),
            )
        )
        await session.flush()
        install_id = install.id
    return {"org": org_id, "install": install_id, "schedule": schedule_id, "job": job_id}


async def _read_all(database: Database, box: SecretBox, ids: dict[str, object]) -> dict[str, object]:
    async with database.tenant(ids["org"]) as session:
        install = (await session.execute(select(Installation).where(Installation.id == ids["install"]))).scalar_one()
        schedule = (await session.execute(select(Schedule).where(Schedule.id == ids["schedule"]))).scalar_one()
        job = (await session.execute(select(Job).where(Job.id == ids["job"]))).scalar_one()
    return {
        "bot": box.decrypt(install.bot_token_enc),
        "refresh": box.decrypt(install.bot_refresh_token_enc),
        "webhook": box.decrypt(install.incoming_webhook_url_enc),
        "user": box.decrypt(install.user_token_enc),
        "schedule": box.decrypt_json(schedule.pii_mapping_enc),
        "job": box.decrypt_json(job.pii_mapping_enc),
    }


def _rekey(database: Database, keys: str) -> subprocess.CompletedProcess[str]:
    url = database.engine.url.render_as_string(hide_password=False)
    return subprocess.run(
        [sys.executable, "-m", "bot", "rekey"],
        env={**BASE_ENV, "DATABASE_URL": url, "TOKEN_ENCRYPTION_KEY": keys},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_rekey_lets_the_old_key_go(own_database: Database) -> None:
    ids = await _store_secrets(own_database, SecretBox(OLD_KEY))
    expected = await _read_all(own_database, SecretBox(OLD_KEY), ids)
    assert expected["bot"] == "xoxb-secret-bot-token" and expected["job"] == {"<EMAIL_1>": "ada@example.com"}
    with pytest.raises(ValueError, match="cannot be decrypted"):
        await _read_all(own_database, SecretBox(NEW_KEY), ids)  # the new key alone reads nothing yet

    result = _rekey(own_database, f"{NEW_KEY},{OLD_KEY}")
    assert result.returncode == 0, result.stderr
    assert "5 secrets of 1 organizations" in result.stdout

    assert await _read_all(own_database, SecretBox(NEW_KEY), ids) == expected
    async with own_database.tenant(ids["org"]) as session:
        actions = (await session.execute(select(AuditEvent.action))).scalars().all()
    assert actions.count("secrets.rekeyed") == 3  # one per table that held secrets

    # Running it again (now with the new key alone) changes nothing a reader could see.
    again = _rekey(own_database, NEW_KEY)
    assert again.returncode == 0, again.stderr
    assert await _read_all(own_database, SecretBox(NEW_KEY), ids) == expected


async def test_rekey_without_the_old_key_fails_and_says_so(own_database: Database) -> None:
    ids = await _store_secrets(own_database, SecretBox(OLD_KEY))
    stranger = generate_key()
    result = _rekey(own_database, stranger)
    assert result.returncode == 1
    assert "cannot be decrypted" in result.stderr and "Traceback" not in result.stderr
    # Nothing was lost: the old key still reads everything.
    assert (await _read_all(own_database, SecretBox(OLD_KEY), ids))["bot"] == "xoxb-secret-bot-token"
