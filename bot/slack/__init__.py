"""Slack wiring: the bolt app and the web process around it, and the Slack Web API helpers.

The app and its process: ``app`` (bolt, middleware order), ``server`` (aiohttp, health, drain),
``socket_mode``, ``web_workers`` (``serve --workers N``), ``middleware`` (tenancy, roles, the
response_url check), ``ack_watchdog`` (answer within Slack's three seconds),
``installation_store`` (OAuth installations). Domain services never import these.

The Web API helpers services and workers post with: ``client`` (retry policy), ``bot_tokens``
(per-workspace tokens and rotation), ``channel_access`` (who may have content posted where),
``response_urls`` (which response_url hosts are trusted). See ARCHITECTURE.md, "Dependencies".
"""
