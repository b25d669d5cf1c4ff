"""App Home: ``app_home_opened`` -> ``views.publish`` with the user's role, the quota gauge,
pending approvals (admins), and the user's recent jobs and schedules."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import ServiceUnavailable
from bot.home.service import load_home
from bot.home.views import home_view
from bot.orgs.roles import allows
from bot.quota import QuotaStatus
from bot.routing.views import models_text
from bot.services import AppServices

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: AppServices) -> None:
    async def app_home_opened(event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        try:
            await publish_home(services, context, client, event["user"])
        except Exception:
            # An event is acked whatever happens: Slack would only retry into the same failure.
            log.exception("could not publish the App Home of %s", event.get("user"))

    app.event("app_home_opened")(app_home_opened)


async def publish_home(services: AppServices, context: AsyncBoltContext, client: AsyncWebClient, user_id: str) -> None:
    org_id, role = context["org_id"], context.get("role")
    status: QuotaStatus | None
    try:
        status = await services.quota.status(org_id)
    except ServiceUnavailable:
        status = None
    snapshot = await load_home(services.runtime.database, org_id, user_id, with_approvals=allows(role, "approve"))
    models = models_text(services.catalogue, context["policy"].routing)
    await client.views_publish(user_id=user_id, view=home_view(role, status, snapshot, models))
