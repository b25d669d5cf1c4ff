"""The bolt AsyncApp of this service, configured from settings.

Two questions decide the shape, independently: how Slack reaches us (HTTP on ``/slack/events``,
or Socket Mode when SLACK_APP_TOKEN is set: see ``bot.slack.socket_mode``) and whose token we act with
(one workspace's SLACK_BOT_TOKEN, or per-workspace installations when SLACK_CLIENT_ID/SECRET are
set). The sandbox is single-workspace with the sandbox's bot token. Every Slack client points at
SLACK_API_URL.

Middleware order, as bolt runs it: ssl_check, signature verification (bad or older than five
minutes: 401, nothing runs), tenancy (``before_authorize``), bolt's authorize, the response_url
check (not Slack's: acknowledged, nothing runs), member role, telemetry annotation, then the
listener.
"""

from __future__ import annotations

import contextlib
import logging
import os
import weakref
from collections.abc import Iterator
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from bot.commands.views import not_installed_message
from bot.process.runtime import Runtime
from bot.process.settings import ConfigError, Settings
from bot.services import AppServices, build_services, uses_oauth
from bot.slack.bot_tokens import ROTATE_MINUTES_BEFORE_EXPIRY
from bot.slack.client import make_web_client
from bot.slack.installation_store import PostgresOAuthStateStore
from bot.slack.middleware import MemberRoleMiddleware, TenancyMiddleware
from bot.slack.middleware.request_annotation import RequestAnnotation
from bot.slack.middleware.response_url import ResponseUrlCheck
from bot.slack.region_directory import RegionDirectory, RegionOAuthStateStore, RegionRouter
from handlers import actions, agent_dm, commands, events, feedback, home, workflows

log = logging.getLogger(__name__)

# What manifest.yml asks for, and no more: the slash command, posting, image uploads, users.info
# for first-seen members' roles and time zones, DMs to requesters and admins, and reading who is
# in a channel before posting there for someone (bot.slack.channel_access).
# channels:history and groups:history: a retried job looks for its own earlier post before posting.
# im:history and assistant:write: the bot's DM (handlers/agent_dm.py, workers/dm_thread.py).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "files:write",
    "users:read",
    "im:write",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
    "channels:history",
    "groups:history",
    # The bot's DM: message.im events, and the agent thread's status, title and suggestions.
    "im:history",
    "assistant:write",
)


_services_by_app: weakref.WeakKeyDictionary[AsyncApp, AppServices] = weakref.WeakKeyDictionary()


def authorization_url(settings: Settings) -> str:
    """Slack's install page sits beside its Web API (https://slack.com/api/ ->
    https://slack.com/oauth/v2/authorize); so does the sandbox's."""
    return settings.slack_api_url.removesuffix("/").removesuffix("/api") + "/oauth/v2/authorize"


def create_bolt_app(runtime: Runtime, *, services: AppServices | None = None) -> AsyncApp:
    settings = runtime.settings
    services = services or build_services(runtime)
    oauth = uses_oauth(settings)
    if not oauth and not settings.slack_bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth) is required"
        )
    if not settings.slack_signing_secret and not settings.slack_app_token:
        raise ConfigError("SLACK_SIGNING_SECRET is not set; it is required to verify requests from Slack")
    client = make_web_client(None if oauth else settings.slack_bot_token, base_url=settings.slack_api_url)
    common: dict[str, Any] = {
        "name": "content-factory",
        "logger": logging.getLogger("content_factory.bolt"),
        # Bolt's default acks from a 10 ms polling loop; this way the ack is the listener's answer.
        "process_before_response": True,
        "signing_secret": settings.slack_signing_secret or "",
        "client": client,
        "before_authorize": TenancyMiddleware(services.tenants, create_missing=not oauth),
        "user_facing_authorize_error_message": not_installed_message()["text"],
    }
    if oauth:
        common.update(_oauth_options(settings, services, client))
    with _hidden_from_bolt("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        app = AsyncApp(**common)
    app.use(ResponseUrlCheck(settings.slack_api_url))
    app.use(MemberRoleMiddleware(services.roles))
    app.use(RequestAnnotation())
    for surface in (commands, actions, feedback, agent_dm, home, events, workflows):
        surface.register(app, services)
    _services_by_app[app] = services
    return app


def create_region_router(runtimes: dict[str, Runtime], home: str) -> RegionRouter:
    """With REGIONS: one bolt app per region, each on its region's runtime alone (its engine,
    Redis and queues), and the directory in ``home``'s database that picks among them."""
    directory = RegionDirectory(runtimes[home].database)
    apps = {}
    for name, runtime in runtimes.items():
        services = build_services(runtime, region_pins=directory)
        apps[name] = create_bolt_app(runtime, services=services)
    return RegionRouter(directory, apps, home, runtimes[home].settings.slack_signing_secret)


def services_of(app: AsyncApp) -> AppServices | None:
    """The services behind an app this module built (the server drains and closes them)."""
    return _services_by_app.get(app)


@contextlib.contextmanager
def _hidden_from_bolt(*names: str) -> Iterator[None]:
    """Bolt reads these itself: it switches to OAuth when SLACK_CLIENT_ID/SECRET merely exist (even
    empty), and picks up SLACK_BOT_TOKEN beside the client it is given. The settings have decided
    already, and everything bolt needs is passed explicitly, so it must not see them."""
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _oauth_options(settings: Settings, services: AppServices, client: Any) -> dict[str, Any]:
    store = services.installation_store
    assert store is not None and settings.slack_client_id and settings.slack_client_secret
    oauth_settings = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        authorization_url=authorization_url(settings),
        installation_store=store,
        state_store=(
            RegionOAuthStateStore(services.runtime.database, settings.process_region)
            if settings.regional
            else PostgresOAuthStateStore(services.runtime.database)
        ),
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
    )
    authorize = AsyncInstallationStoreAuthorize(
        logger=log,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
        # Caches auth.test per token (a rotated token is a new key), not the installation lookup.
        cache_enabled=True,
        client=client,
    )
    return {"oauth_settings": oauth_settings, "authorize": authorize, "installation_store": store}
