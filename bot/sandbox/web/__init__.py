"""A local Slack in the browser, served by the sandbox: see :mod:`bot.sandbox.web.page`."""

from bot.sandbox.web.page import WebUiConfig, add_web_ui

__all__ = ["WebUiConfig", "add_web_ui"]
