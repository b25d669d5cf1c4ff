"""slack-sdk's installation and OAuth state stores, on PostgreSQL under Row-Level Security.

Finding an installation happens before the tenant is known, so it goes through the SECURITY
DEFINER ``cf_find_installation``; every write runs in the organization's own tenant transaction.
Tokens are encrypted at rest with TOKEN_ENCRYPTION_KEY (``runtime.secrets``) and never logged.
The first install creates the organization (``bot.orgs.service.create_organization``) and makes the
installing user its admin. A reinstall changes nobody's role: anyone allowed to install apps in
the workspace can re-authorize, so only an installer whom Slack itself reports as a workspace
admin or owner (``users.info``) is made an admin then. An uninstall revokes rather than deletes,
so the audit trail keeps its history.
"""

from __future__ import annotations

import logging
import secrets as token_source
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from sqlalchemy import Row, delete, select, update
from sqlalchemy.dialects.postgresql import insert

from bot.orgs.service import create_organization, find_org
from bot.slack.bot_tokens import InstallationTokens, refresh_if_expiring, tokens_expiring
from bot.slack.client import make_web_client
from bot.slack.middleware.ttl_cache import TtlCache
from db.audit import record_event
from db.crypto import SecretBox
from db.engine import Database
from db.models import Installation as InstallationRow
from db.models import Member, OAuthState, Role, Schedule, ScheduleState, Workspace
from db.system import find_installation_row

log = logging.getLogger(__name__)

OAUTH_STATE_SECONDS = 600
INSTALLATION_TTL_SECONDS = 30.0
# users.info for a reinstalling user runs inside the OAuth redirect the person is waiting on.
USERS_INFO_TIMEOUT_SECONDS = 5


class RegionPins(Protocol):
    """The data-residency directory as an install sees it (``bot.slack.region_directory``)."""

    async def check_install(self, key: str, enterprise_id: str | None, region: str) -> None: ...

    async def claim(self, key: str, enterprise_id: str | None, org_id: uuid.UUID, region: str) -> Any: ...

    def forget(self, key: str) -> None: ...


def workspace_key(team_id: str | None, enterprise_id: str | None) -> str:
    """The workspaces-table key of an install: the team, or the enterprise for an org-wide install."""
    key = team_id or enterprise_id
    if not key:
        raise ValueError("an installation names neither a team nor an enterprise")
    return key


class PostgresInstallationStore(AsyncInstallationStore):
    def __init__(
        self,
        database: Database,
        secrets: SecretBox,
        *,
        client_id: str | None = None,
        rotator: AsyncTokenRotator | None = None,
        on_change: Callable[[str], None] | None = None,
        slack_api_url: str | None = None,
        region_pins: RegionPins | None = None,
        region: str | None = None,
    ) -> None:
        self.database = database
        # With REGIONS: this store's database is ``region``'s, and every install is pinned there.
        self.region_pins = region_pins
        self.region = region
        self.secrets = secrets
        self.client_id = client_id
        self.slack_api_url = slack_api_url
        self.rotator = rotator
        # Told the workspace key after an install or revocation, so caches can drop it at once.
        self._on_change = on_change or (lambda _key: None)
        # bolt asks for the installation on every request; a revocation or a new install made by
        # this process drops the entry at once, others' within the TTL (as for tenancy).
        self._recent: TtlCache[tuple[str | None, str | None, bool], Installation] = TtlCache(INSTALLATION_TTL_SECONDS)
        self._logger = log

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    def on_change(self, key: str) -> None:
        self._recent.discard_where(lambda cached, _installation: key in (cached[0], cached[1]))
        self._on_change(key)

    # -- save --------------------------------------------------------------------------------

    async def async_save(self, installation: Installation) -> None:
        installation_id = installation.custom_values.get("installation_id")
        if installation_id is not None:
            # A copy of a stored installation with rotated tokens (slack-sdk keeps custom values).
            await self._save_rotated(installation, int(installation_id))
            return
        key = workspace_key(installation.team_id, installation.enterprise_id)
        installer = installation.user_id
        new_org_id: uuid.UUID | None = None
        if self.region_pins is not None and self.region is not None:
            # Before anything is stored: a workspace pinned elsewhere installs nowhere else. The pin
            # is made before the organization, so of two regions' racing installs the one that
            # loses the pin has stored nothing in its region.
            await self.region_pins.check_install(key, installation.enterprise_id, self.region)
            existing = await find_org(self.database, key, installation.enterprise_id)
            candidate = existing.org_id if existing is not None else uuid.uuid4()
            pinned = await self.region_pins.claim(key, installation.enterprise_id, candidate, self.region)
            new_org_id = pinned.org_id
        # Only the install that creates the organization makes its installer an admin (inside
        # create_organization, so of two racing first installs only the winner's installer is).
        org_id = await create_organization(
            self.database,
            name=installation.team_name or installation.enterprise_name or key,
            team_id=key,
            enterprise_id=installation.enterprise_id,
            admin_user_id=installer,
            actor=installer or "system",
            org_id=new_org_id,
        )
        if new_org_id is not None and org_id != new_org_id:
            raise RuntimeError(f"workspace {key} is pinned as organization {new_org_id} but is {org_id} here")
        workspace_admin = bool(installer) and await self._is_workspace_admin(installation)
        async with self.database.tenant(org_id) as session:
            row = InstallationRow(org_id=org_id, **self._columns(installation))
            session.add(row)
            await session.flush()
            # A reinstall after an uninstall brings the workspace back.
            await session.execute(
                update(Workspace)
                .where(Workspace.team_id == key)
                .values(revoked_at=None, name=(installation.team_name or installation.enterprise_name or key)[:200])
            )
            if workspace_admin:
                await session.execute(
                    insert(Member)
                    .values(org_id=org_id, slack_user_id=installer, role=Role.ADMIN)
                    .on_conflict_do_update(index_elements=["org_id", "slack_user_id"], set_={"role": Role.ADMIN})
                )
            installer_role = (
                await session.execute(select(Member.role).where(Member.slack_user_id == installer))
            ).scalar_one_or_none()
            await record_event(
                session,
                org_id,
                "app.installed",
                actor=installer or "system",
                detail={
                    "team_id": installation.team_id,
                    "enterprise_id": installation.enterprise_id,
                    "installation_id": row.id,
                    "scopes": ",".join(installation.bot_scopes or []),
                    "token_rotation": installation.bot_refresh_token is not None,
                    "installer_role": installer_role,
                    "installer_workspace_admin": workspace_admin,
                },
            )
        self.on_change(key)

    async def _is_workspace_admin(self, installation: Installation) -> bool:
        """Whether Slack calls the installer a workspace admin or owner; no answer counts as no."""
        try:
            client = make_web_client(
                installation.bot_token, base_url=self.slack_api_url, timeout=USERS_INFO_TIMEOUT_SECONDS
            )
            user = (await client.users_info(user=installation.user_id))["user"]
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as error:
            log.warning("users.info for the installer failed (%s); their role is left as it is", type(error).__name__)
            return False
        return bool(user.get("is_admin") or user.get("is_owner"))

    async def async_save_bot(self, bot: Bot) -> None:
        installation_id = bot.custom_values.get("installation_id")
        if installation_id is None:
            raise NotImplementedError("bots are saved as part of an installation")
        async with self.database.system() as session:
            row = await find_installation_row(session, bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        if row is None:
            return
        await self._write_tokens(
            row.org_id,
            int(installation_id),
            InstallationTokens(bot.bot_token, bot.bot_refresh_token, _from_timestamp(bot.bot_token_expires_at)),
        )

    async def _save_rotated(self, installation: Installation, installation_id: int) -> None:
        org_id = uuid.UUID(str(installation.custom_values["org_id"]))
        await self._write_tokens(
            org_id,
            installation_id,
            InstallationTokens(
                installation.bot_token,
                installation.bot_refresh_token,
                _from_timestamp(installation.bot_token_expires_at),
            ),
        )

    async def _write_tokens(self, org_id: uuid.UUID, installation_id: int, tokens: InstallationTokens) -> None:
        self._recent.clear()  # rare: rotations come every few hours
        async with self.database.tenant(org_id) as session:
            await session.execute(
                update(InstallationRow)
                .where(InstallationRow.id == installation_id)
                .values(
                    bot_token_enc=self.secrets.encrypt(tokens.bot_token),
                    bot_refresh_token_enc=self.secrets.encrypt(tokens.bot_refresh_token),
                    bot_token_expires_at=tokens.bot_token_expires_at,
                )
            )

    def _columns(self, installation: Installation) -> dict[str, Any]:
        encrypt = self.secrets.encrypt
        return {
            "client_id": self.client_id,
            "app_id": installation.app_id,
            "enterprise_id": installation.enterprise_id,
            "enterprise_name": installation.enterprise_name,
            "team_id": installation.team_id,
            "team_name": installation.team_name,
            "is_enterprise_install": bool(installation.is_enterprise_install),
            "user_id": installation.user_id or "",
            "bot_id": installation.bot_id,
            "bot_user_id": installation.bot_user_id,
            "bot_scopes": ",".join(installation.bot_scopes or []) or None,
            "bot_token_enc": encrypt(installation.bot_token),
            "bot_refresh_token_enc": encrypt(installation.bot_refresh_token),
            "bot_token_expires_at": _from_timestamp(installation.bot_token_expires_at),
            "user_scopes": ",".join(installation.user_scopes or []) or None,
            "user_token_enc": encrypt(installation.user_token),
            "user_refresh_token_enc": encrypt(installation.user_refresh_token),
            "user_token_expires_at": _from_timestamp(installation.user_token_expires_at),
            "incoming_webhook_url_enc": encrypt(installation.incoming_webhook_url),
            "token_type": installation.token_type,
        }

    # -- find --------------------------------------------------------------------------------

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        key = (enterprise_id, team_id, bool(is_enterprise_install))
        installation = self._recent.get(key)
        if installation is None or _expiring(installation):
            async with self.database.system() as session:
                row = await find_installation_row(session, enterprise_id, team_id, bool(is_enterprise_install))
            if row is None:
                return None
            installation = await self._installation_from(row)
            self._recent.put(key, installation)
        # Installs are bot installs: a user's own installation exists only for the installer.
        if user_id is not None and installation.user_id != user_id:
            return None
        return installation

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installation = await self.async_find_installation(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        if installation is None or installation.bot_token is None:
            return None
        return installation.to_bot()

    async def _installation_from(self, row: Row[Any]) -> Installation:
        decrypt = self.secrets.decrypt
        tokens = InstallationTokens(
            decrypt(row.bot_token_enc), decrypt(row.bot_refresh_token_enc), row.bot_token_expires_at
        )
        if self.rotator is not None and tokens_expiring(tokens):
            # Rotated here, under a row lock, so that bolt's own rotation finds nothing to do and
            # two processes never spend the same refresh token.
            tokens = await refresh_if_expiring(self.database, self.secrets, self.rotator, row.org_id, row.id)
        return Installation(
            app_id=row.app_id,
            enterprise_id=row.enterprise_id,
            enterprise_name=row.enterprise_name,
            team_id=row.team_id,
            team_name=row.team_name,
            bot_token=tokens.bot_token,
            bot_id=row.bot_id,
            bot_user_id=row.bot_user_id,
            bot_scopes=row.bot_scopes or "",
            bot_refresh_token=tokens.bot_refresh_token,
            bot_token_expires_at=tokens.bot_token_expires_at,
            user_id=row.user_id,
            user_token=decrypt(row.user_token_enc),
            user_scopes=row.user_scopes or "",
            user_refresh_token=decrypt(row.user_refresh_token_enc),
            user_token_expires_at=row.user_token_expires_at,
            incoming_webhook_url=decrypt(row.incoming_webhook_url_enc),
            is_enterprise_install=row.is_enterprise_install,
            token_type=row.token_type,
            installed_at=row.installed_at,
            custom_values={"installation_id": row.id, "org_id": str(row.org_id)},
        )

    # -- delete (revoke) ---------------------------------------------------------------------

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        key = workspace_key(team_id, enterprise_id)
        found = await find_org(self.database, key, enterprise_id)
        if found is not None:
            await revoke_workspace(self.database, found.org_id, key, reason="deleted", actor="system")
            self.on_change(key)


def _expiring(installation: Installation) -> bool:
    expires_at = _from_timestamp(installation.bot_token_expires_at)
    return tokens_expiring(InstallationTokens(installation.bot_token, installation.bot_refresh_token, expires_at))


async def revoke_workspace(database: Database, org_id: uuid.UUID, team_key: str, *, reason: str, actor: str) -> int:
    """The app was uninstalled or its bot token revoked: revoke the installations and the workspace,
    pause the organization's schedules, and say so in the audit trail (which stays). Returns the
    number of schedules paused."""
    now = datetime.now(UTC)
    async with database.tenant(org_id) as session:
        revoked = await session.execute(
            update(InstallationRow)
            .where(
                InstallationRow.revoked_at.is_(None),
                (InstallationRow.team_id == team_key) | (InstallationRow.enterprise_id == team_key),
            )
            .values(revoked_at=now)
            .returning(InstallationRow.id)
        )
        installation_ids = list(revoked.scalars())
        await session.execute(
            update(Workspace)
            .where(Workspace.team_id == team_key, Workspace.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        paused = await session.execute(
            update(Schedule)
            .where(Schedule.state == ScheduleState.ACTIVE)
            .values(state=ScheduleState.PAUSED)
            .returning(Schedule.id)
        )
        paused_count = len(paused.scalars().all())
        await record_event(
            session,
            org_id,
            "app.uninstalled",
            actor=actor,
            detail={
                "team_id": team_key,
                "reason": reason,
                "installations": installation_ids,
                "schedules_paused": paused_count,
            },
        )
    return paused_count


def _from_timestamp(value: int | float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)


class PostgresOAuthStateStore(AsyncOAuthStateStore):
    """OAuth ``state`` values, usable once and only until they expire (the table's own RLS policy
    hides expired ones, so they need no tenant)."""

    def __init__(self, database: Database, *, expiration_seconds: int = OAUTH_STATE_SECONDS) -> None:
        self.database = database
        self.expiration_seconds = expiration_seconds
        self._logger = log

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = token_source.token_urlsafe(32)
        expire_at = datetime.now(UTC) + timedelta(seconds=self.expiration_seconds)
        async with self.database.system() as session:
            session.add(OAuthState(state=state, expire_at=expire_at))
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 128:
            return False
        async with self.database.system() as session:
            consumed = await session.execute(
                delete(OAuthState).where(OAuthState.state == state).returning(OAuthState.state)
            )
            return consumed.first() is not None


__all__ = [
    "OAUTH_STATE_SECONDS",
    "PostgresInstallationStore",
    "PostgresOAuthStateStore",
    "RegionPins",
    "revoke_workspace",
    "workspace_key",
]
