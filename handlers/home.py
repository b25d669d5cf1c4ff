"""App Home: ``app_home_opened`` -> ``views.publish`` with the user's role, the quota gauge, the
brand kit (and, for admins, its edit button and modal), pending approvals (admins), and the
user's recent jobs and schedules."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.brand import views as brand_views
from bot.errors import ServiceUnavailable, UserError
from bot.home.service import load_home
from bot.home.views import home_view
from bot.orgs.roles import allows, require_role
from bot.quota import QuotaStatus
from bot.result_cache import load_cache_settings
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

    async def open_brand_kit(ack: Any, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        await ack()
        try:
            require_role(context.get("role"), "brand set")
        except UserError:
            return  # the button is shown to admins only; a forged click gets nothing
        kit = await services.brand.show(context["org_id"])
        await client.views_open(trigger_id=body["trigger_id"], view=brand_views.brand_kit_modal(kit))

    async def submit_brand_kit(
        ack: Any, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        user_id = context.user_id or ""
        try:
            require_role(context.get("role"), "brand set")
            await services.brand.replace_kit(
                context["org_id"], brand_views.draft_from_submission(view), actor=user_id, policy=context["policy"]
            )
        except UserError as error:
            await ack(**brand_views.modal_errors(error.message))
            return
        await ack()
        try:
            await publish_home(services, context, client, user_id)
        except Exception:
            log.exception("could not refresh the App Home of %s", user_id)

    app.event("app_home_opened")(app_home_opened)
    app.action(brand_views.OPEN_MODAL_ACTION_ID)(open_brand_kit)
    app.view(brand_views.MODAL_CALLBACK_ID)(submit_brand_kit)


async def publish_home(services: AppServices, context: AsyncBoltContext, client: AsyncWebClient, user_id: str) -> None:
    org_id, role = context["org_id"], context.get("role")
    status: QuotaStatus | None
    try:
        status = await services.quota.status(org_id)
    except ServiceUnavailable:
        status = None
    snapshot = await load_home(services.runtime.database, org_id, user_id, with_approvals=allows(role, "approve"))
    kit = await services.brand.show(org_id)
    models = models_text(services.catalogue, context["policy"].routing)
    caching = await load_cache_settings(services.runtime.database, org_id)
    await client.views_publish(
        user_id=user_id, view=home_view(role, status, snapshot, brand_kit=kit, models=models, caching=caching)
    )
