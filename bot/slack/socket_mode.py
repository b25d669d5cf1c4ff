"""Socket Mode: Slack pushes requests over a websocket the app opens (no public URL needed).

Enabled by SLACK_APP_TOKEN (``xapp-…``, scope ``connections:write``). The same bolt app handles
what arrives, so tenancy, roles, the watchdog and the answers are exactly those of HTTP mode;
only signature verification is skipped, as the websocket itself is authenticated.
"""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.process.settings import Settings
from bot.slack.client import make_web_client


def create_socket_mode_handler(
    app: AsyncApp, settings: Settings, *, web_client: AsyncWebClient | None = None
) -> AsyncSocketModeHandler:
    """``web_client`` answers ``apps.connections.open``; by default Slack's API at SLACK_API_URL."""
    settings.require("slack_app_token")
    return AsyncSocketModeHandler(
        app,
        app_token=settings.slack_app_token,
        web_client=web_client or make_web_client(base_url=settings.slack_api_url),
    )
