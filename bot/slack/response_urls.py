"""Which ``response_url`` the app posts to: Slack's own hosts over https (``hooks.slack.com`` and
any other ``*.slack.com``), and the host of SLACK_API_URL (the local sandbox, or a gateway an
operator put in front of Slack).

The URL arrives in the request body, and what is posted to it can carry a user's error, a job's
result note or an approval refusal. Taken as given, a request that is not Slack's (or a Slack
whose signing was misconfigured) would make the app post to any host it names, from inside the
network it runs in. Anything else is refused and logged with its host only: the path of a real
response_url is a credential.

URLs are read with yarl, the parser aiohttp (and so slack-sdk's webhook client) uses, so the host
checked here is the host connected to.
"""

from __future__ import annotations

import logging

from yarl import URL

log = logging.getLogger(__name__)

SLACK_DOMAIN = "slack.com"
HTTPS_PORT = 443


def is_trusted_response_url(url: str, slack_api_url: str) -> bool:
    try:
        parsed = URL(url)
        api = URL(slack_api_url)
    except (ValueError, TypeError):
        return False
    if not parsed.is_absolute() or parsed.user is not None or parsed.password is not None:
        return False
    host = (parsed.host or "").lower()
    if parsed.scheme == "https" and host.endswith("." + SLACK_DOMAIN) and parsed.explicit_port in (None, HTTPS_PORT):
        return True
    return (parsed.scheme, host, parsed.port) == (api.scheme, (api.host or "").lower(), api.port)


def trusted_response_url(url: object, slack_api_url: str) -> str | None:
    """``url`` when the app may post to it; None (and a warning) for anything else."""
    if url is None or url == "":
        return None
    if isinstance(url, str) and is_trusted_response_url(url, slack_api_url):
        return url
    log.warning("refused a response_url on host %r: not Slack's", _host_of(url))
    return None


def _host_of(url: object) -> str | None:
    try:
        return URL(str(url)).host
    except (ValueError, TypeError):
        return None
