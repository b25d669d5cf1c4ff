"""Events that end an installation: ``app_uninstalled`` and ``tokens_revoked`` (of the bot token).

The installation and the workspace are revoked, the organization's active schedules paused, and
the audit trail, which stays, says so. The next request from that workspace is refused politely.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.services import AppServices
from bot.slack.installation_store import revoke_workspace, workspace_key


def register(app: AsyncApp, services: AppServices) -> None:
    async def app_uninstalled(context: AsyncBoltContext) -> None:
        await revoke(services, context, reason="app_uninstalled")

    async def tokens_revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        # Only the bot token matters: the app holds no user tokens.
        if (event.get("tokens") or {}).get("bot"):
            await revoke(services, context, reason="tokens_revoked")

    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)


async def revoke(services: AppServices, context: AsyncBoltContext, *, reason: str) -> None:
    org_id = context["org_id"]
    key = workspace_key(context.team_id, context.enterprise_id)
    await revoke_workspace(services.runtime.database, org_id, key, reason=reason, actor="slack")
    services.tenants.forget_org(org_id)
    services.roles.forget(org_id)
    if services.installation_store is not None:
        services.installation_store.on_change(key)
