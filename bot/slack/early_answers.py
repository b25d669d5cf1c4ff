"""What the server can tell about a request before bolt reads it (whether it is a slash command,
and whether Slack signed it: the same check as bolt's request verification), and the "busy"
answer it gives a command it turns away there."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.commands.views import too_busy

# The same words for every command turned away: encoded once, not once per command of a flood.
_BUSY_BODY = json.dumps(too_busy()).encode()


def is_slash_command(body: bytes) -> bool:
    """A slash command's form carries a ``command`` field (an interaction's carries ``payload``).
    In a form body ``&`` and ``=`` inside values are percent-encoded, so a field name can only
    stand at the start or after an ``&``."""
    return body.startswith(b"command=") or b"&command=" in body


@lru_cache(maxsize=4)
def _verifier(signing_secret: str) -> SignatureVerifier:
    return SignatureVerifier(signing_secret)


def signed_by_slack(body: bytes, headers: Mapping[str, str], signing_secret: str | None) -> bool:
    """Slack's signature over the raw body, made less than five minutes ago."""
    if not signing_secret:
        return False
    timestamp = headers.get("X-Slack-Request-Timestamp", "0")
    signature = headers.get("X-Slack-Signature", "")
    return _verifier(signing_secret).is_valid(body, timestamp, signature)


def busy_answer() -> web.Response:
    """ "Very busy, try again": ephemeral, and the connection closed after it, so that the
    client's next request opens a new one, which the kernel hands to whichever web process
    accepts first (most likely a less loaded one)."""
    response = web.Response(body=_BUSY_BODY, content_type="application/json")
    response.force_close()
    return response
