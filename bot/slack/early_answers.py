"""What the server can tell about a request before bolt reads it: whether it is a slash command,
and whether Slack signed it (the same check as bolt's request verification)."""

from __future__ import annotations

from functools import lru_cache

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier


def is_slash_command(body: str) -> bool:
    """A slash command's form carries a ``command`` field (an interaction's carries ``payload``).
    In a form body ``&`` and ``=`` inside values are percent-encoded, so a field name can only
    stand at the start or after an ``&``."""
    return body.startswith("command=") or "&command=" in body


@lru_cache(maxsize=4)
def _verifier(signing_secret: str) -> SignatureVerifier:
    return SignatureVerifier(signing_secret)


def signed_by_slack(request: AsyncBoltRequest, signing_secret: str | None) -> bool:
    """Slack's signature over the raw body, made less than five minutes ago."""
    if not signing_secret:
        return False
    timestamp = request.headers.get("x-slack-request-timestamp", ["0"])[0]
    signature = request.headers.get("x-slack-signature", [""])[0]
    return _verifier(signing_secret).is_valid(request.raw_body, timestamp, signature)
