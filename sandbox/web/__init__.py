"""A local Slack in the browser, served by the sandbox: see :mod:`sandbox.web.page`."""

from sandbox.web.page import WebUiConfig, add_web_ui

__all__ = ["WebUiConfig", "add_web_ui"]
