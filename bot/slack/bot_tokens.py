"""The bot token to act for an organization with, and its rotation.

``bot_token_for`` is what the workers call before posting: the organization's latest installation
(decrypted in its own tenant transaction, refreshed when it is about to expire), else the
single-workspace SLACK_BOT_TOKEN for an organization that was never installed through OAuth.
Rotation takes a row lock, so two processes never spend the same refresh token.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from sqlalchemy import select, update

from bot.process.runtime import Runtime
from bot.process.settings import Settings
from bot.slack.client import make_web_client
from db.audit import record_event
from db.crypto import SecretBox
from db.engine import Database
from db.models import Installation as InstallationRow

log = logging.getLogger(__name__)

# Refresh this long before expiry (bolt's default too), so a token never expires mid-job.
ROTATE_MINUTES_BEFORE_EXPIRY = 120


class NoBotToken(LookupError):
    """Nothing to act with: the app was uninstalled, or no token is configured."""


@dataclass(frozen=True)
class InstallationTokens:
    bot_token: str | None
    bot_refresh_token: str | None
    bot_token_expires_at: datetime | None


def tokens_expiring(tokens: InstallationTokens, *, now: datetime | None = None) -> bool:
    if tokens.bot_refresh_token is None or tokens.bot_token_expires_at is None:
        return False
    now = now or datetime.now(UTC)
    return tokens.bot_token_expires_at <= now + timedelta(minutes=ROTATE_MINUTES_BEFORE_EXPIRY)


def make_token_rotator(settings: Settings) -> AsyncTokenRotator | None:
    """None without OAuth credentials: a single-workspace token does not rotate."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        return None
    return AsyncTokenRotator(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        client=make_web_client(base_url=settings.slack_api_url),
    )


async def refresh_if_expiring(
    database: Database, secrets: SecretBox, rotator: AsyncTokenRotator, org_id: uuid.UUID, installation_id: int
) -> InstallationTokens:
    """Rotate one installation's bot token if it is (still) about to expire; returns what is current."""
    async with database.tenant(org_id) as session:
        row = (
            await session.execute(
                select(InstallationRow).where(InstallationRow.id == installation_id).with_for_update()
            )
        ).scalar_one()
        current = InstallationTokens(
            secrets.decrypt(row.bot_token_enc), secrets.decrypt(row.bot_refresh_token_enc), row.bot_token_expires_at
        )
        # Whoever held the lock before us may have rotated already.
        if not tokens_expiring(current):
            return current
        bot = Bot(
            enterprise_id=row.enterprise_id,
            team_id=row.team_id,
            bot_token=current.bot_token or "",
            bot_id=row.bot_id or "",
            bot_user_id=row.bot_user_id or "",
            bot_refresh_token=current.bot_refresh_token,
            bot_token_expires_at=current.bot_token_expires_at,
            installed_at=row.installed_at,
        )
        try:
            refreshed = await rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE_EXPIRY
            )
        except SlackTokenRotationError as error:
            # The old token may still work for a while; the next caller tries again.
            log.error("token rotation failed for installation %s: %s", installation_id, error.api_error)
            return current
        if refreshed is None:
            return current
        rotated = InstallationTokens(
            refreshed.bot_token,
            refreshed.bot_refresh_token,
            datetime.fromtimestamp(refreshed.bot_token_expires_at, tz=UTC) if refreshed.bot_token_expires_at else None,
        )
        await session.execute(
            update(InstallationRow)
            .where(InstallationRow.id == installation_id)
            .values(
                bot_token_enc=secrets.encrypt(rotated.bot_token),
                bot_refresh_token_enc=secrets.encrypt(rotated.bot_refresh_token),
                bot_token_expires_at=rotated.bot_token_expires_at,
            )
        )
        await record_event(
            session, org_id, "token.rotated", actor="system", detail={"installation_id": installation_id}
        )
    return rotated


async def bot_token_for(runtime: Runtime, org_id: uuid.UUID) -> str:
    """The organization's current bot token. Raises NoBotToken when it has none any more."""
    async with runtime.database.tenant(org_id) as session:
        row = (
            await session.execute(
                select(InstallationRow)
                .order_by(
                    InstallationRow.revoked_at.is_not(None),
                    InstallationRow.installed_at.desc(),
                    InstallationRow.id.desc(),
                )
                .limit(1)
            )
        ).scalar_one_or_none()
    if row is None:
        if runtime.settings.slack_bot_token:
            return runtime.settings.slack_bot_token
        raise NoBotToken(f"organization {org_id} has no installation and SLACK_BOT_TOKEN is not set")
    if row.revoked_at is not None:
        raise NoBotToken(f"organization {org_id} uninstalled the app")
    tokens = InstallationTokens(
        runtime.secrets.decrypt(row.bot_token_enc),
        runtime.secrets.decrypt(row.bot_refresh_token_enc),
        row.bot_token_expires_at,
    )
    rotator = make_token_rotator(runtime.settings) if tokens_expiring(tokens) else None
    if rotator is not None:
        tokens = await refresh_if_expiring(runtime.database, runtime.secrets, rotator, org_id, row.id)
    if not tokens.bot_token:
        raise NoBotToken(f"organization {org_id}'s installation holds no bot token")
    return tokens.bot_token
