"""What approval and schedule tests share: a recording sender, a sandbox workspace with known
people and channels, a runtime pointed at it, and jobs put straight into a state."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select, text, update

from bot.orgs.service import create_organization, set_role
from bot.process.runtime import Runtime
from bot.process.settings import load_settings
from db.crypto import SecretBox
from db.engine import Database
from db.models import AuditEvent, Job, JobKind, JobState, Organization, Role
from sandbox.slack import SlackSandbox

TEAM = "T0APPROVALS"
TOKEN = "xoxb-approvals-and-schedules"
ADMIN = "U0ADMINA"
ADMIN2 = "U0ADMINB"
EDITOR = "U0EDITORA"
VIEWER = "U0VIEWERA"
APPROVERS = "C0APPROVERS"
TARGET = "C0TARGET"
NO_BOT = "C0NOBOT"


@dataclass
class RecordingSender:
    """JobSender's surface without a broker: what was sent, in order."""

    jobs: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)
    approved: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)

    async def send_job(self, job_id: uuid.UUID, org_id: uuid.UUID, kind: str, priority: int = 0) -> None:
        self.jobs.append((job_id, org_id, kind))

    async def send_approved(self, job_id: uuid.UUID, org_id: uuid.UUID) -> None:
        self.approved.append((job_id, org_id))

    def close(self) -> None:
        pass


def seed_workspace(sandbox: SlackSandbox, team: str = TEAM, token: str = TOKEN) -> None:
    """A fresh sandbox with one workspace: two admins, an editor, a viewer and three channels."""
    sandbox.reset(workspaces=True)
    sandbox.add_workspace(team, bot_token=token, name="Approvals")
    sandbox.add_user(team, ADMIN, name="ada", is_admin=True, tz="America/New_York")
    sandbox.add_user(team, ADMIN2, name="abe", is_admin=True, tz="Europe/Paris")
    sandbox.add_user(team, EDITOR, name="eddie", tz="Europe/Berlin")
    sandbox.add_user(team, VIEWER, name="vera", tz="Asia/Tokyo")
    sandbox.add_channel(team, APPROVERS, "approvers")
    sandbox.add_channel(team, TARGET, "news")
    sandbox.add_channel(team, NO_BOT, "quiet", bot_member=False)


def make_runtime(
    service_env: dict[str, str], sandbox: SlackSandbox, database: Database, redis: aioredis.Redis, **settings: Any
) -> Runtime:
    values: dict[str, Any] = {
        "database_url": service_env["DATABASE_URL"],
        "redis_url": service_env["REDIS_URL"],
        "token_encryption_key": service_env["TOKEN_ENCRYPTION_KEY"],
        "slack_api_url": sandbox.api_url,
        "slack_bot_token": TOKEN,
        **settings,
    }
    return Runtime(
        settings=load_settings(_env_file=None, **values),
        database=database,
        redis=redis,
        secrets=SecretBox(service_env["TOKEN_ENCRYPTION_KEY"]),
    )


async def new_org(database: Database, *, team_id: str | None = None) -> uuid.UUID:
    """An organization with two admins, an editor and a viewer (none with a stored time zone)."""
    team_id = team_id or "T" + uuid.uuid4().hex[:10].upper()
    org_id = await create_organization(database, name="Approvals org", team_id=team_id, admin_user_id=ADMIN)
    await set_role(database, org_id, ADMIN2, Role.ADMIN, actor="test")
    await set_role(database, org_id, EDITOR, Role.EDITOR, actor="test")
    await set_role(database, org_id, VIEWER, Role.VIEWER, actor="test")
    return org_id


async def require_approvals(database: Database, org_id: uuid.UUID, channel: str | None, **values: Any) -> None:
    """The organization asks its admins in ``channel`` before anything is posted; ``values`` set
    more of its columns."""
    async with database.tenant(org_id) as session:
        await session.execute(
            update(Organization)
            .where(Organization.id == org_id)
            .values(approvals_required=True, approvers_channel=channel, **values)
        )


async def awaiting_job(
    database: Database,
    org_id: uuid.UUID,
    *,
    kind: JobKind = JobKind.TEXT,
    text: str = "A short announcement for the team.",
    image: bytes | None = None,
    state: JobState = JobState.AWAITING_APPROVAL,
    requester: str = EDITOR,
    target: str = TARGET,
    source: str | None = TARGET,
) -> Job:
    """A generated job as the worker leaves it for approvers (quota already settled)."""
    job = Job(
        id=uuid.uuid4(),
        org_id=org_id,
        kind=kind,
        state=state,
        requester_id=requester,
        source_channel=source,
        target_channel=target,
        masked_prompt="Write an announcement",
        model="gemini-a" if kind == JobKind.TEXT else "tiny-sd",
        tokens_reserved=500,
        tokens_used=120 if kind == JobKind.TEXT else 500,
        quota_state="settled",
        result_text=text if kind == JobKind.TEXT else None,
        result_image=image,
        attempts=1,
    )
    async with database.tenant(org_id) as session:
        session.add(job)
    return job


async def load_job(database: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    async with database.tenant(org_id) as session:
        return (await session.scalars(select(Job).where(Job.id == job_id))).one()


async def actions_of(database: Database, org_id: uuid.UUID, prefix: str = "") -> list[str]:
    async with database.tenant(org_id) as session:
        actions = (await session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))).all()
    return [a for a in actions if a.startswith(prefix)]


@pytest.fixture(autouse=True)
async def leave_nothing_pending(owner_db: Database) -> AsyncIterator[None]:
    """Jobs and schedules a test leaves waiting must not be picked up by a later test's beat or
    worker (the outbox sweeper and the schedule claim cross organizations)."""
    async with owner_db.system() as session:
        started = (await session.execute(text("SELECT now()"))).scalar_one()
    yield
    async with owner_db.system() as session:
        await session.execute(
            text(
                "UPDATE jobs SET state = 'cancelled' WHERE created_at >= :t "
                "AND state IN ('queued', 'running', 'awaiting_approval')"
            ),
            {"t": started},
        )
        await session.execute(
            text("UPDATE schedules SET state = 'cancelled' WHERE created_at >= :t AND state = 'active'"),
            {"t": started},
        )


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as running:
        yield running


@pytest.fixture
def slack(sandbox: SlackSandbox) -> SlackSandbox:
    seed_workspace(sandbox)
    return sandbox


@pytest.fixture
def runtime(service_env: dict[str, str], slack: SlackSandbox, app_db: Database, aredis: aioredis.Redis) -> Runtime:
    return make_runtime(service_env, slack, app_db, aredis)


@pytest.fixture
async def org(app_db: Database) -> uuid.UUID:
    return await new_org(app_db)


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()
