"""What secrets look like in text, and how to take them out of it.

The last line of defence for logs and spans: code must not put content or credentials there in
the first place, but a token pasted into a prompt or an exception that quotes a URL must still
not reach a log collector.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

REDACTED = "[redacted]"

# Order matters: URLs go first, so a secret inside one is replaced with the whole URL's secret part.
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"'<>`]+", re.IGNORECASE)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Slack bot, user, app-level, refresh and rotated tokens: xoxb-, xoxp-, xoxa-, xoxr-, xoxe-, xoxe.xoxb-, xapp-.
    ("slack_token", re.compile(r"\bxox[abpre](?:\.xox[abpre])?-[A-Za-z0-9-]+")),
    ("slack_token", re.compile(r"\bxapp-[A-Za-z0-9-]+")),
    # A Workflow Builder step's own token (function_bot_access_token), valid while the step runs.
    ("slack_token", re.compile(r"\bxwfp-[A-Za-z0-9-]+")),
    ("bearer", re.compile(r"\bBearer\s+[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    # A Fernet token (ciphertext) always starts with version byte 0x80, which is "gAAAAA" in base64.
    ("fernet_token", re.compile(r"\bgAAAAA[A-Za-z0-9_-]{20,}={0,2}")),
    # A Fernet key: 32 bytes of url-safe base64, always 43 characters and one "=".
    ("fernet_key", re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])")),
    ("email", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
)

# Slack answers a command or an action on a URL whose path is the credential.
_SLACK_HOOK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com")
# A path segment that carries a secret or an opaque one-time id: long random-looking tokens.
_SECRET_SEGMENT = re.compile(r"[0-9a-fA-F]{12,}|[A-Za-z0-9_-]{24,}")


def redact_text(text: str) -> str:
    """Replace everything that looks like a credential, an email or a secret-bearing URL."""
    text = _URL.sub(lambda match: scrub_url(match.group(0)), text)
    for _, pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def looks_secret(text: str) -> bool:
    """Whether a short value is (or holds) a credential or an email."""
    return any(pattern.search(text) for _, pattern in _PATTERNS)


def scrub_url(url: str) -> str:
    """Keep what says where a request went (scheme, host, port, route); drop what grants access.

    User info, the query's values and the fragment go; on Slack's hook hosts everything after the kind
    (``/commands``, ``/actions``, ``/services``) goes; elsewhere a path segment that looks like a
    token or a one-time id is replaced.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return REDACTED
    if not parts.scheme or not host:
        return REDACTED
    netloc = f"{host}:{port}" if port else host
    segments = parts.path.split("/")
    if host.lower() in _SLACK_HOOK_HOSTS:
        kept = segments[:2]
        path = "/".join(kept) + ("/" + REDACTED if len(segments) > 2 else "")
    else:
        path = "/".join(REDACTED if _SECRET_SEGMENT.search(segment) else segment for segment in segments)
    # The query's presence is worth knowing; its values are not.
    return urlunsplit((parts.scheme, netloc, path, REDACTED if parts.query else "", ""))
