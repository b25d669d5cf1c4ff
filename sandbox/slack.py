"""A local stand-in for Slack's Web API that speaks its wire format.

slack-sdk clients are pointed at it by base URL (``SLACK_API_URL``). It models workspaces,
users and channels, checks bot tokens, answers the methods this project calls in Slack's JSON
shapes (errors as ``{"ok": false, "error": ...}`` with HTTP 200; 429 with Retry-After, also for
posting faster than Slack's one message per second per channel, see :class:`PostingLimit`), runs
the three-step file upload, the OAuth code exchange (with token rotation) and response_url
posts, runs Workflow Builder steps (``execute_function``; the functions declared with
``functions.declare``, their events and completions in :mod:`sandbox.functions`), records
everything it received, and injects faults from Python (:meth:`inject`) or over
HTTP (``POST /_sandbox/faults``), so that tests in another process can drive it too.

Embedded::

    async with SlackSandbox() as sb:
        demo = sb.seed_demo()
        client = make_web_client(demo.bot_token, base_url=sb.api_url)

Standalone: ``python -m sandbox.slack_server --port 3001`` (seeds the demo workspaces).

HTTP besides ``/api/<method>``, ``/upload/v1/<file id>`` and ``/oauth/v2/authorize``; every
answer is ``{"ok": true, ...}``:

- ``GET /_sandbox/calls?method=&channel=&team_id=&after=<seq>`` -> ``calls``
- ``GET /_sandbox/messages?channel=&team_id=`` -> ``messages`` (updates applied)
- ``GET /_sandbox/ephemerals?user=&channel=``, ``GET /_sandbox/views?user=``,
  ``GET /_sandbox/files`` (``GET /_sandbox/files/<id>`` gives the bytes)
- ``POST /_sandbox/response_urls`` ``{"team_id", "channel_id", "user_id", "message_ts"}`` -> ``url``, ``id``;
  ``POST /_sandbox/response/<id>`` is the URL itself; ``GET /_sandbox/responses?id=`` -> ``responses``
- ``POST /_sandbox/faults`` one fault or a list (fields of :class:`Fault`); ``GET``; ``DELETE`` clears
- ``POST /_sandbox/workspaces`` ``{"team_id", "bot_token", ..., "users": [...], "channels": [...]}``; ``GET``
- ``POST /_sandbox/reset`` (``{"workspaces": true}`` forgets workspaces too),
  ``POST /_sandbox/tokens/revoke`` ``{"token"}``, ``POST /_sandbox/oauth/codes`` ``{"team_id", ...}`` -> ``code``,
  ``GET /_sandbox/healthz``
- ``POST /_sandbox/functions`` ``{"functions": <a manifest's functions>}``; ``POST /_sandbox/functions/executions``
  ``{"team_id", "callback_id", "inputs", "deliver_to"?, "signing_secret"?}`` -> ``execution`` (and the
  delivery's ``status``); ``GET /_sandbox/functions/executions`` -> ``executions``
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import dataclasses
import hashlib
import itertools
import json
import math
import mimetypes
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from sandbox.functions import FunctionError, FunctionExecution, FunctionRuns, deliver_event, event_envelope

APP_ID = "A0SANDBOX"
DEFAULT_BOT_SCOPES = (
    "commands,chat:write,chat:write.public,files:write,users:read,channels:read,groups:read,im:read,mpim:read,im:write,"
    "channels:history,groups:history,im:history,assistant:write"
)
# conversations.members: Slack's page size when none is asked for, and the most it gives at once.
MEMBERS_DEFAULT_LIMIT = 100
MEMBERS_MAX_LIMIT = 1000
ROTATED_TOKEN_TTL = 43200  # what Slack gives a rotating bot token: 12 hours
RESPONSE_URL_MAX_POSTS = 5  # Slack honours a response_url five times
UPLOAD_METHOD = "upload_url"  # the name calls and faults use for the upload URL itself
MAX_BLOCKS = 50
MAX_TEXT = 40000
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_MARKDOWN_TEXT = 12000  # all markdown blocks of one message together


class ApiError(Exception):
    """A Slack error code; the method answers ``{"ok": false, "error": code}``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RateLimited(ApiError):
    """Answered as Slack answers a rate limit: HTTP 429, ``ratelimited``, Retry-After in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("ratelimited")
        self.retry_after = retry_after


# chat.postMessage: "1 message per second per channel, with short bursts allowed" (Slack's docs).
POST_RATE_PER_SECOND = 1.0
POST_BURST = 4


@dataclass
class PostingLimit:
    """A token bucket per channel, refilled at ``per_second`` and holding at most ``burst``."""

    per_second: float = POST_RATE_PER_SECOND
    burst: int = POST_BURST
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, channel_id: str) -> None:
        """One post to ``channel_id`` now, or RateLimited with the whole seconds until there is room."""
        now = self.clock()
        level, at = self._buckets.get(channel_id, (float(self.burst), now))
        level = min(float(self.burst), level + (now - at) * self.per_second)
        if level < 1:
            raise RateLimited(max(1, math.ceil((1 - level) / self.per_second)))
        self._buckets[channel_id] = (level - 1, now)

    def reset(self) -> None:
        self._buckets.clear()


# ---------------------------------------------------------------------------------------------
# What the sandbox knows


@dataclass
class Workspace:
    team_id: str
    name: str
    domain: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    scopes: str = DEFAULT_BOT_SCOPES

    def team_ref(self) -> dict[str, str]:
        return {"id": self.team_id, "name": self.name}

    def enterprise_ref(self) -> dict[str, str] | None:
        if self.enterprise_id is None:
            return None
        return {"id": self.enterprise_id, "name": self.enterprise_name or self.enterprise_id}


@dataclass
class User:
    id: str
    team_id: str
    name: str
    real_name: str
    tz: str = "America/New_York"
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    email: str | None = None

    def to_slack(self) -> dict[str, Any]:
        label, offset = _tz_label_and_offset(self.tz)
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "team": self.team_id,
            "image_48": f"https://avatars.example.invalid/{self.id}_48.png",
        }
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": False,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }


@dataclass
class Channel:
    id: str
    team_id: str
    name: str
    bot_member: bool = True
    archived: bool = False
    private: bool = False
    # None means every user of the workspace, as in #general.
    members: set[str] | None = None
    im_user: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))

    def has_member(self, user_id: str) -> bool:
        return self.members is None or user_id in self.members

    def to_slack(self) -> dict[str, Any]:
        if self.im_user is not None:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_archived": False,
                "is_open": True,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.private,
            "is_group": self.private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.private,
            "created": self.created,
            "is_archived": self.archived,
            "is_general": self.name == "general",
            "unlinked": 0,
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "context_team_id": self.team_id,
            "shared_team_ids": [self.team_id],
            "is_member": self.bot_member,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }


@dataclass
class Grant:
    """A token the sandbox accepts (seeded bot tokens and ones minted by oauth.v2.access)."""

    token: str
    team_id: str
    expires_at: float | None = None
    revoked: bool = False


@dataclass
class OAuthCode:
    code: str
    team_id: str
    user_id: str | None
    redirect_uri: str | None
    token_rotation: bool
    used: bool = False


@dataclass
class Fault:
    """One injected failure. ``count=None`` keeps it until :meth:`SandboxState.clear_faults`.

    ``error="ratelimited"`` answers 429 with Retry-After (``retry_after``, default 1; Slack and
    slack-sdk use whole seconds). ``status`` alone answers that HTTP status. ``delay`` sleeps
    first (a slow Slack); with neither ``error`` nor ``status`` the call then succeeds.
    """

    method: str = "*"
    error: str | None = None
    status: int | None = None
    retry_after: int | None = None
    count: int | None = 1
    delay: float = 0.0

    def matches(self, method: str) -> bool:
        return self.method in ("*", method)

    def fails(self) -> bool:
        return self.error is not None or self.status is not None

    def http_status(self) -> int:
        if self.status is not None:
            return self.status
        return 429 if self.error == "ratelimited" else 200

    def error_code(self) -> str:
        if self.error is not None:
            return self.error
        return {429: "ratelimited", 503: "service_unavailable"}.get(self.http_status(), "fatal_error")

    def headers(self) -> dict[str, str]:
        if self.http_status() != 429:
            return {}
        return {"Retry-After": str(self.retry_after if self.retry_after is not None else 1)}


@dataclass
class Call:
    """One request the sandbox received, with what it answered."""

    seq: int
    method: str
    params: dict[str, Any]
    token: str | None
    team_id: str | None = None
    status: int = 200
    ok: bool = True
    error: str | None = None
    at: float = field(default_factory=time.time)

    @property
    def channel(self) -> str | None:
        value = self.params.get("channel") or self.params.get("channel_id")
        return str(value) if value is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "channel": self.channel}


@dataclass
class ResponseUrl:
    id: str
    url: str
    team_id: str | None
    channel_id: str | None
    user_id: str | None
    message_ts: str | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StoredFile:
    id: str
    team_id: str
    user_id: str
    filename: str
    length: int
    alt_txt: str | None = None
    title: str | None = None
    data: bytes | None = None
    completed: bool = False
    created: int = field(default_factory=lambda: int(time.time()))
    shares: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel id -> shares

    def to_slack(self, state: SandboxState) -> dict[str, Any]:
        mimetype = mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        filetype = self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else "binary"
        base = state.public_url
        public: dict[str, list[dict[str, Any]]] = {}
        private: dict[str, list[dict[str, Any]]] = {}
        for channel_id, entries in self.shares.items():
            channel = state.channels.get(channel_id)
            (private if channel is not None and channel.private else public)[channel_id] = entries
        shares = {k: v for k, v in (("public", public), ("private", private)) if v}
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": mimetype,
            "filetype": filetype,
            "pretty_type": filetype.upper(),
            "user": self.user_id,
            "user_team": self.team_id,
            "editable": False,
            "size": len(self.data) if self.data is not None else self.length,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": bool(public),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "alt_txt": self.alt_txt or "",
            "url_private": f"{base}/_sandbox/files/{self.id}",
            "url_private_download": f"{base}/_sandbox/files/{self.id}?download=1",
            "permalink": f"{base}/files/{self.user_id}/{self.id}/{self.filename}",
            "permalink_public": f"{base}/files-pub/{self.id}",
            "comments_count": 0,
            "is_starred": False,
            "shares": shares,
            "channels": list(public),
            "groups": [c for c in private if not c.startswith("D")],
            "ims": [c for c in private if c.startswith("D")],
            "has_more_shares": False,
            "has_rich_preview": False,
            "file_access": "visible",
        }

    def to_dict(self) -> dict[str, Any]:
        data = self.data or b""
        return {
            "id": self.id,
            "team_id": self.team_id,
            "filename": self.filename,
            "title": self.title,
            "alt_txt": self.alt_txt,
            "length": self.length,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest() if self.data is not None else None,
            "completed": self.completed,
            "channels": list(self.shares),
        }


@dataclass(frozen=True)
class DemoWorkspace:
    """The ids :meth:`SandboxState.seed_demo` creates; ``say`` and ``dev`` default to them."""

    team_id: str = "T0DEMO"
    team_name: str = "Content Factory Demo"
    bot_token: str = "xoxb-0000000000-sandbox-demo"
    bot_user_id: str = "U0CFBOT"
    admin: str = "U0ADMIN"
    editor: str = "U0EDITOR"
    viewer: str = "U0VIEWER"
    general: str = "C0GENERAL"
    approvals: str = "C0APPROVALS"
    no_bot: str = "C0NOBOT"
    archived: str = "C0ARCHIVED"


DEMO = DemoWorkspace()
# A second tenant, so the local Slack shows that one workspace never sees another's messages.
SECOND_DEMO = DemoWorkspace(
    team_id="T0SECOND",
    team_name="Second Studio",
    bot_token="xoxb-0000000000-sandbox-second",
    bot_user_id="U0CFBOT2",
    admin="U0ADMIN2",
    editor="U0EDITOR2",
    viewer="U0VIEWER2",
    general="C0GENERAL2",
    approvals="C0APPROVALS2",
    no_bot="C0NOBOT2",
    archived="C0ARCHIVED2",
)
DEMOS = (DEMO, SECOND_DEMO)


def _tz_label_and_offset(tz: str) -> tuple[str, int]:
    try:
        now = datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return tz, 0
    offset = now.utcoffset()
    return now.tzname() or tz, int(offset.total_seconds()) if offset else 0


# ---------------------------------------------------------------------------------------------
# State and the Python API over it


# Slack ends a chat stream nobody stopped about this long after it started (tests shorten it).
STREAM_TIMEOUT_SECONDS = 300.0


class SandboxState:
    """Workspaces, what was posted, what was called, and the faults still to inject."""

    stream_timeout_seconds: float = STREAM_TIMEOUT_SECONDS
    # Slack shares an upload after files.completeUploadExternal has answered: the answer's files
    # carry no share of it yet, and the message sharing it lands this much later (0: as the answer
    # goes out, still without the share in it).
    file_share_delay_seconds: float = 0.0

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        posting_limit: PostingLimit | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        # Slack's own per-channel limit on chat.postMessage unless told otherwise (None: no limit,
        # for benchmarks that measure the pipeline rather than Slack).
        self.posting_limit = posting_limit if posting_limit is not None else PostingLimit()
        self.posting_limited = True
        self.public_url = "http://127.0.0.1:0"
        self.workspaces: dict[str, Workspace] = {}
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.grants: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> team id
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        # Called after every request the sandbox records (the web page's live updates).
        self._listeners: list[Callable[[], None]] = []
        # Workflow Builder custom steps (sandbox.functions): declared functions outlive a reset.
        self.functions = FunctionRuns()
        self._reset_records()

    def _reset_records(self) -> None:
        self._calls: list[Call] = []
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: list[dict[str, Any]] = []
        self._responses: dict[str, ResponseUrl] = {}
        self.files: dict[str, StoredFile] = {}
        self.oauth_codes: dict[str, OAuthCode] = {}
        self._faults: list[Fault] = []
        # Chat streams by (channel, ts), and the agent threads' status, title and suggestions.
        self.streams: dict[tuple[str, str], Any] = {}
        self.threads: dict[tuple[str, str], dict[str, Any]] = {}
        self.posting_limit.reset()
        self.functions.reset()

    def reset(self, *, workspaces: bool = False) -> None:
        """Forget calls, messages, files, views, responses and faults; with ``workspaces`` also
        every workspace, user, channel and token."""
        self._reset_records()
        if workspaces:
            self.workspaces.clear()
            self.users.clear()
            self.channels.clear()
            self.grants.clear()
            self.refresh_tokens.clear()

    # -- seeding ------------------------------------------------------------------------------

    def add_workspace(
        self,
        team_id: str,
        *,
        bot_token: str,
        enterprise_id: str | None = None,
        name: str | None = None,
        domain: str | None = None,
        bot_user_id: str | None = None,
        bot_id: str | None = None,
        enterprise_name: str | None = None,
        scopes: str = DEFAULT_BOT_SCOPES,
    ) -> Workspace:
        name = name or f"Workspace {team_id}"
        workspace = Workspace(
            team_id=team_id,
            name=name,
            domain=domain or "".join(c for c in name.lower() if c.isalnum()) or team_id.lower(),
            bot_token=bot_token,
            bot_user_id=bot_user_id or f"U{team_id[1:]}BOT",
            bot_id=bot_id or f"B{team_id[1:]}",
            enterprise_id=enterprise_id,
            enterprise_name=enterprise_name,
            scopes=scopes,
        )
        self.workspaces[team_id] = workspace
        self.grants[bot_token] = Grant(token=bot_token, team_id=team_id)
        self.users[workspace.bot_user_id] = User(
            id=workspace.bot_user_id,
            team_id=team_id,
            name="content-factory",
            real_name="Content Factory",
            is_bot=True,
        )
        return workspace

    def add_user(
        self,
        team_id: str,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        tz: str = "America/New_York",
        is_admin: bool = False,
        is_owner: bool = False,
        email: str | None = None,
    ) -> User:
        self._workspace(team_id)
        user = User(
            id=user_id,
            team_id=team_id,
            name=name,
            real_name=real_name or name.title(),
            tz=tz,
            is_admin=is_admin or is_owner,
            is_owner=is_owner,
            email=email,
        )
        self.users[user_id] = user
        return user

    def add_channel(
        self,
        team_id: str,
        channel_id: str,
        name: str,
        *,
        bot_member: bool = True,
        archived: bool = False,
        private: bool = False,
        members: set[str] | list[str] | None = None,
    ) -> Channel:
        self._workspace(team_id)
        channel = Channel(
            id=channel_id,
            team_id=team_id,
            name=name.lstrip("#"),
            bot_member=bot_member,
            archived=archived,
            private=private,
            members=set(members) if members is not None else None,
        )
        self.channels[channel_id] = channel
        return channel

    def seed_demo(self, demo: DemoWorkspace = DEMO) -> DemoWorkspace:
        """One workspace with an admin, an editor and a viewer, a channel the bot is in, an
        approvers' channel, one without the bot and an archived one."""
        self.add_workspace(
            demo.team_id,
            bot_token=demo.bot_token,
            name=demo.team_name,
            domain="-".join(demo.team_name.lower().split()),
            bot_user_id=demo.bot_user_id,
        )
        self.add_user(demo.team_id, demo.admin, name="ada", real_name="Ada Admin", is_admin=True)
        self.add_user(demo.team_id, demo.editor, name="eddie", real_name="Eddie Editor", tz="Europe/Berlin")
        self.add_user(demo.team_id, demo.viewer, name="vera", real_name="Vera Viewer", tz="Asia/Tokyo")
        self.add_channel(demo.team_id, demo.general, "general")
        self.add_channel(demo.team_id, demo.approvals, "approvals", members={demo.admin})
        self.add_channel(demo.team_id, demo.no_bot, "random", bot_member=False)
        self.add_channel(demo.team_id, demo.archived, "old-news", archived=True)
        return demo

    def execute_function(self, team_id: str, callback_id: str, inputs: dict[str, Any]) -> FunctionExecution:
        """A workflow reaching the app's step ``callback_id`` (declared with ``functions.declare``):
        a new execution with a token of its own, whose ``function_executed`` event is
        ``sandbox.functions.event_envelope(execution, app_id=APP_ID)``."""
        workspace = self._workspace(team_id)
        execution = self.functions.start(workspace.team_id, callback_id, inputs, self.next_ts())
        self.grants[execution.token] = Grant(execution.token, workspace.team_id)
        return execution

    def revoke_token(self, token: str) -> None:
        """Later calls with it answer ``token_revoked`` (an uninstalled app)."""
        self.grants[token].revoked = True

    def expire_token(self, token: str) -> None:
        """Later calls with it answer ``token_expired`` (a rotating token past its 12 hours)."""
        self.grants[token].expires_at = time.time() - 1

    def issue_oauth_code(
        self,
        team_id: str,
        *,
        user_id: str | None = None,
        redirect_uri: str | None = None,
        token_rotation: bool = False,
    ) -> str:
        """A code, as Slack's authorize page would hand the app's redirect URL, that
        ``oauth.v2.access`` exchanges once for the workspace's bot token."""
        workspace = self._workspace(team_id)
        installer = user_id or next(
            (u.id for u in self.users.values() if u.team_id == workspace.team_id and u.is_admin), None
        )
        code = f"{next(self._ids)}.{secrets.token_hex(12)}"
        self.oauth_codes[code] = OAuthCode(code, team_id, installer, redirect_uri, token_rotation)
        return code

    # -- faults -------------------------------------------------------------------------------

    def inject(
        self,
        method: str = "*",
        *,
        error: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        count: int | None = 1,
        delay: float = 0.0,
    ) -> Fault:
        fault = Fault(method, error, status, retry_after, count, delay)
        self._faults.append(fault)
        return fault

    def faults(self) -> list[Fault]:
        return list(self._faults)

    def remove_fault(self, fault: Fault) -> None:
        """Withdraw one injected fault (no error when it was used up already)."""
        with contextlib.suppress(ValueError):
            self._faults.remove(fault)

    def clear_faults(self) -> None:
        self._faults.clear()

    def take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method):
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    # -- records ------------------------------------------------------------------------------

    def record(self, method: str, params: dict[str, Any], token: str | None) -> Call:
        call = Call(seq=len(self._calls) + 1, method=method, params=params, token=token)
        self._calls.append(call)
        self.changed()
        return call

    def on_change(self, listener: Callable[[], None]) -> None:
        """``listener()`` runs whenever a request arrives; what it changed is in place by the time
        the listener's owner next yields to the event loop."""
        self._listeners.append(listener)

    def off_change(self, listener: Callable[[], None]) -> None:
        self._listeners.remove(listener)

    def changed(self) -> None:
        for listener in self._listeners:
            listener()

    def calls(self, method: str | None = None, channel: str | None = None, *, team_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self._calls
            if (method is None or c.method == method)
            and (channel is None or c.channel == channel)
            and (team_id is None or c.team_id == team_id)
        ]

    def expire_streams(self) -> None:
        """Streams past Slack's time-out end the way Slack ends them: the message keeps what it
        shows and is no longer streaming, and the stream takes nothing more."""
        now = time.monotonic()
        for (channel_id, ts), stream in self.streams.items():
            if stream.state == "streaming" and now - stream.started > self.stream_timeout_seconds:
                stream.state = "timed_out"
                for message in self._messages.get(channel_id, []):
                    if message["ts"] == ts:
                        message["streaming"] = False

    def messages(self, channel: str | None = None, *, team_id: str | None = None) -> list[dict[str, Any]]:
        """Messages as they stand now (updates applied, deletions gone), oldest first; each
        carries its ``channel``."""
        self.expire_streams()
        found = [
            {**message, "channel": channel_id}
            for channel_id, messages in self._messages.items()
            if channel is None or channel_id == channel
            for message in messages
            if team_id is None or message.get("team") == team_id
        ]
        return sorted(found, key=lambda m: float(m["ts"]))

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        self.expire_streams()
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def ephemerals(self, user: str | None = None, *, channel: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self._ephemerals
            if (user is None or e["user"] == user) and (channel is None or e["channel"] == channel)
        ]

    def views(self, user: str | None = None) -> list[dict[str, Any]]:
        """Every view published or opened, oldest first: ``{"user", "kind", "view"}``."""
        return [v for v in self._views if user is None or v["user"] == user]

    def uploaded_files(self) -> list[StoredFile]:
        return list(self.files.values())

    def response_url(
        self,
        *,
        team_id: str | None = None,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """A fresh response_url for a command or an action. ``in_channel`` answers land in
        ``channel_id``; ``replace_original`` / ``delete_original`` act on ``message_ts``."""
        return self._new_response_url(team_id, channel_id, user_id, message_ts).url

    def responses(self, response_url: str | None = None) -> list[dict[str, Any]]:
        """JSON bodies posted to response URLs (one URL, given as URL or id, or all)."""
        wanted = response_url.rstrip("/").rsplit("/", 1)[-1] if response_url else None
        return [
            post for rid, entry in self._responses.items() if wanted is None or rid == wanted for post in entry.posts
        ]

    # -- used by the Web API methods ----------------------------------------------------------

    def next_ts(self) -> str:
        """Slack's ts: seconds.microseconds, unique and increasing within the sandbox."""
        self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        seconds, micros = divmod(self._last_ts_us, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def next_id(self, prefix: str) -> str:
        return f"{prefix}0S{next(self._ids):07d}"

    def authenticate(self, token: str | None) -> Workspace:
        if not token:
            raise ApiError("not_authed")
        grant = self.grants.get(token)
        if grant is None:
            raise ApiError("invalid_auth")
        if grant.revoked:
            raise ApiError("token_revoked")
        if grant.expires_at is not None and grant.expires_at < time.time():
            raise ApiError("token_expired")
        return self._workspace(grant.team_id)

    def mint_rotating_token(self, team_id: str) -> tuple[str, str]:
        access = f"xoxe.xoxb-1-{secrets.token_hex(16)}"
        refresh = f"xoxe-1-{secrets.token_hex(16)}"
        self.grants[access] = Grant(access, team_id, expires_at=time.time() + ROTATED_TOKEN_TTL)
        self.refresh_tokens[refresh] = team_id
        return access, refresh

    def find_channel(self, workspace: Workspace, ref: Any) -> Channel:
        """What the bot can see by id, name (with or without '#'), or user id (their DM)."""
        ref = str(ref or "").strip()
        if not ref:
            raise ApiError("channel_not_found")
        channel = self.channels.get(ref)
        if channel is None and ref[0] in "UW" and self._team_user(workspace, ref) is not None:
            channel = self.open_dm(workspace, ref)[0]
        if channel is None:
            name = ref.lstrip("#")
            channel = next(
                (
                    c
                    for c in self.channels.values()
                    if c.team_id == workspace.team_id and c.name == name and c.im_user is None
                ),
                None,
            )
        if channel is None or channel.team_id != workspace.team_id or (channel.private and not channel.bot_member):
            raise ApiError("channel_not_found")
        return channel

    def postable_channel(self, workspace: Workspace, ref: Any) -> Channel:
        channel = self.find_channel(workspace, ref)
        if channel.archived:
            raise ApiError("is_archived")
        if not channel.bot_member:
            raise ApiError("not_in_channel")
        return channel

    def open_dm(self, workspace: Workspace, user_id: str) -> tuple[Channel, bool]:
        dm_id = f"D{user_id[1:]}"
        existing = self.channels.get(dm_id)
        if existing is not None:
            return existing, True
        channel = Channel(
            id=dm_id,
            team_id=workspace.team_id,
            name=dm_id,
            private=True,
            members={user_id, workspace.bot_user_id},
            im_user=user_id,
        )
        self.channels[dm_id] = channel
        return channel, False

    def team_user(self, workspace: Workspace, user_id: Any) -> User:
        user = self._team_user(workspace, str(user_id or ""))
        if user is None:
            raise ApiError("user_not_found")
        return user

    def post_message(self, channel: Channel, message: dict[str, Any]) -> None:
        self._messages.setdefault(channel.id, []).append(message)

    def take_posting_slot(self, channel: Channel) -> None:
        if self.posting_limited:
            self.posting_limit.take(channel.id)

    def history(self, channel: Channel) -> list[dict[str, Any]]:
        """The channel's messages, newest first (as conversations.history lists them)."""
        self.expire_streams()
        return sorted(self._messages.get(channel.id, []), key=lambda m: float(m["ts"]), reverse=True)

    def delete_message(self, channel_id: str, ts: str) -> bool:
        messages = self._messages.get(channel_id, [])
        kept = [m for m in messages if m["ts"] != ts]
        self._messages[channel_id] = kept
        return len(kept) != len(messages)

    def post_ephemeral(self, channel: Channel, user_id: str, message: dict[str, Any]) -> None:
        self._ephemerals.append({**message, "channel": channel.id, "user": user_id})

    def record_view(self, user_id: str | None, kind: str, view: dict[str, Any]) -> None:
        self._views.append({"user": user_id, "kind": kind, "view": view})

    def response_entry(self, response_id: str) -> ResponseUrl:
        """Posts to an id the sandbox never issued are still recorded (with no channel to act
        on), so a test that builds its own URL sees what arrived."""
        entry = self._responses.get(response_id)
        if entry is None:
            entry = self._new_response_url(None, None, None, None, response_id=response_id)
        return entry

    def _new_response_url(
        self,
        team_id: str | None,
        channel_id: str | None,
        user_id: str | None,
        message_ts: str | None,
        *,
        response_id: str | None = None,
    ) -> ResponseUrl:
        response_id = response_id or f"{next(self._ids)}-{secrets.token_hex(8)}"
        entry = ResponseUrl(
            id=response_id,
            url=f"{self.public_url}/_sandbox/response/{response_id}",
            team_id=team_id,
            channel_id=channel_id,
            user_id=user_id,
            message_ts=message_ts,
        )
        self._responses[response_id] = entry
        return entry

    def _workspace(self, team_id: str) -> Workspace:
        try:
            return self.workspaces[team_id]
        except KeyError:
            raise KeyError(f"no workspace {team_id!r} in the sandbox; add_workspace() it first") from None

    def _team_user(self, workspace: Workspace, user_id: str) -> User | None:
        user = self.users.get(user_id)
        if user is None:
            return None
        same_team = user.team_id == workspace.team_id
        owner = self.workspaces.get(user.team_id)
        same_grid = (
            workspace.enterprise_id is not None
            and owner is not None
            and (owner.enterprise_id == workspace.enterprise_id)
        )
        return user if same_team or same_grid else None


# ---------------------------------------------------------------------------------------------
# Web API methods: each takes the state, the caller's workspace and the request's parameters


Method = Callable[[SandboxState, Workspace, dict[str, Any]], dict[str, Any]]
METHODS: dict[str, Method] = {}


def api_method(name: str) -> Callable[[Method], Method]:
    def register(function: Method) -> Method:
        METHODS[name] = function
        return function

    return register


def _complete_function(
    state: SandboxState, workspace: Workspace, params: dict[str, Any], token: str | None, *, success: bool
) -> dict[str, Any]:
    try:
        state.functions.complete(workspace.team_id, token, params, success=success)
    except FunctionError as refused:
        raise ApiError(refused.code) from None
    return {"ok": True}


# Methods whose answer depends on which token called (a function execution's own).
TOKEN_METHODS: dict[str, Callable[[SandboxState, Workspace, dict[str, Any], str | None], dict[str, Any]]] = {
    "functions.completeSuccess": lambda state, ws, params, token: _complete_function(
        state, ws, params, token, success=True
    ),
    "functions.completeError": lambda state, ws, params, token: _complete_function(
        state, ws, params, token, success=False
    ),
}


def _json_param(value: Any, error: str) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ApiError(error) from None
    return value


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _blocks(params: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Slack refuses blocks it cannot render; so does the sandbox, for the limits a generated
    text can hit (block count, section and header length)."""
    raw = params.get("blocks")
    if raw in (None, "", "null"):
        return None
    blocks = _json_param(raw, "invalid_blocks_format")
    if not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    if len(blocks) > MAX_BLOCKS:
        raise ApiError("invalid_blocks")
    for block in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise ApiError("invalid_blocks")
        text = block.get("text")
        text_value = text.get("text", "") if isinstance(text, dict) else ""
        if block["type"] == "section" and len(text_value) > MAX_SECTION_TEXT:
            raise ApiError("invalid_blocks")
        if block["type"] == "header" and len(text_value) > MAX_HEADER_TEXT:
            raise ApiError("invalid_blocks")
        if block["type"] == "markdown" and not isinstance(block.get("text"), str):
            raise ApiError("invalid_blocks")
    markdown = sum(len(b["text"]) for b in blocks if b["type"] == "markdown")
    if markdown > MAX_MARKDOWN_TEXT:
        raise ApiError("invalid_blocks")
    return blocks


def _message_content(params: dict[str, Any]) -> dict[str, Any]:
    text = params.get("text")
    blocks = _blocks(params)
    attachments = _json_param(params.get("attachments"), "invalid_attachments")
    if not text and not blocks and not attachments:
        raise ApiError("no_text")
    if text and len(str(text)) > MAX_TEXT:
        raise ApiError("msg_too_long")
    content: dict[str, Any] = {"text": str(text or "")}
    if blocks:
        content["blocks"] = blocks
    if attachments:
        content["attachments"] = attachments
    return content


def _bot_message(workspace: Workspace, ts: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "user": workspace.bot_user_id,
        "bot_id": workspace.bot_id,
        "app_id": APP_ID,
        "team": workspace.team_id,
        "ts": ts,
        "bot_profile": {
            "id": workspace.bot_id,
            "app_id": APP_ID,
            "name": "Content Factory",
            "team_id": workspace.team_id,
            "deleted": False,
        },
        **content,
    }


@api_method("auth.test")
def auth_test(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "ok": True,
        "url": f"https://{workspace.domain}.slack.com/",
        "team": workspace.name,
        "user": "content-factory",
        "team_id": workspace.team_id,
        "user_id": workspace.bot_user_id,
        "bot_id": workspace.bot_id,
        "is_enterprise_install": False,
    }
    if workspace.enterprise_id:
        answer["enterprise_id"] = workspace.enterprise_id
    return answer


@api_method("chat.postMessage")
def chat_post_message(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = state.postable_channel(workspace, params.get("channel"))
    content = _message_content(params)
    state.take_posting_slot(channel)
    if params.get("thread_ts"):
        content["thread_ts"] = str(params["thread_ts"])
        # A reply also sent to the channel shows in both places.
        if str(params.get("reply_broadcast") or "").lower() in ("1", "true"):
            content["reply_broadcast"] = True
    metadata = _json_param(params.get("metadata"), "invalid_metadata_format")
    if metadata:
        content["metadata"] = metadata
    message = _bot_message(workspace, state.next_ts(), content)
    state.post_message(channel, message)
    if content.get("thread_ts"):
        # Slack clears an agent thread's status line when the app replies in it.
        state.threads.get((channel.id, content["thread_ts"]), {}).pop("status", None)
    return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": message}


@api_method("chat.update")
def chat_update(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = state.postable_channel(workspace, params.get("channel"))
    message = state.message(channel.id, str(params.get("ts") or ""))
    if message is None:
        raise ApiError("message_not_found")
    if message.get("bot_id") != workspace.bot_id:
        raise ApiError("cant_update_message")
    message.update(_message_content(params))
    if "blocks" in params and not _blocks(params):
        message.pop("blocks", None)
    metadata = _json_param(params.get("metadata"), "invalid_metadata_format")
    if metadata:
        message["metadata"] = metadata
    message["edited"] = {"user": workspace.bot_user_id, "ts": state.next_ts()}
    return {"ok": True, "channel": channel.id, "ts": message["ts"], "text": message["text"], "message": message}


@api_method("chat.delete")
def chat_delete(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = state.postable_channel(workspace, params.get("channel"))
    ts = str(params.get("ts") or "")
    message = state.message(channel.id, ts)
    if message is None:
        raise ApiError("message_not_found")
    if message.get("bot_id") != workspace.bot_id:
        raise ApiError("cant_delete_message")
    state.delete_message(channel.id, ts)
    return {"ok": True, "channel": channel.id, "ts": ts}


@api_method("chat.postEphemeral")
def chat_post_ephemeral(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = state.postable_channel(workspace, params.get("channel"))
    user = state.team_user(workspace, params.get("user"))
    if not channel.has_member(user.id):
        raise ApiError("user_not_in_channel")
    content = _message_content(params)
    ts = state.next_ts()
    state.post_ephemeral(channel, user.id, {**content, "ts": ts})
    return {"ok": True, "message_ts": ts}


def _view(params: dict[str, Any], workspace: Workspace, kind: str) -> dict[str, Any]:
    view = _json_param(params.get("view"), "invalid_arguments")
    if not isinstance(view, dict) or view.get("type") != kind:
        raise ApiError("invalid_arguments")
    blocks = _blocks({"blocks": view.get("blocks", [])}) or []
    view_id = f"V{secrets.token_hex(5).upper()}"
    return {
        "id": view_id,
        "team_id": workspace.team_id,
        "type": kind,
        "blocks": blocks,
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": f"{time.time():.0f}.{secrets.token_hex(4)}",
        "title": view.get("title"),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "clear_on_close": False,
        "notify_on_close": False,
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": APP_ID,
        "external_id": view.get("external_id", ""),
        "bot_id": workspace.bot_id,
    }


@api_method("views.publish")
def views_publish(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    user = state.team_user(workspace, params.get("user_id"))
    view = _view(params, workspace, "home")
    state.record_view(user.id, "home", view)
    return {"ok": True, "view": view}


# Slack honours a trigger_id for 3 s after the interaction it came with.
TRIGGER_LIFETIME_SECONDS = 3.0


def trigger_expired(trigger_id: str, now: float | None = None) -> bool:
    """Whether a trigger id of :func:`sandbox.say.new_trigger_id`'s form (issued at a whole epoch
    second, so up to one second more is allowed) is past its lifetime. Ids of another form (fixed ones in
    tests) never expire."""
    issued = trigger_id.split(".", 1)[0]
    if not issued.isdigit() or int(issued) < 1_000_000_000:
        return False
    return (time.time() if now is None else now) - int(issued) > TRIGGER_LIFETIME_SECONDS + 1


@api_method("views.open")
def views_open(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("trigger_id") and not params.get("interactivity_pointer"):
        raise ApiError("invalid_arguments")
    if trigger_expired(str(params.get("trigger_id") or "")):
        raise ApiError("expired_trigger_id")
    view = _view(params, workspace, "modal")
    state.record_view(None, "modal", {**view, "trigger_id": params.get("trigger_id")})
    return {"ok": True, "view": view}


@api_method("users.info")
def users_info(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "user": state.team_user(workspace, params.get("user")).to_slack()}


@api_method("conversations.info")
def conversations_info(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = state.find_channel(workspace, params.get("channel"))
    answer = channel.to_slack()
    if _flag(params.get("include_num_members")):
        members = channel.members or {u.id for u in state.users.values() if u.team_id == channel.team_id}
        answer["num_members"] = len(members)
    return {"ok": True, "channel": answer}


def _read_scope(channel: Channel) -> str:
    if channel.im_user is not None:
        return "im:read"
    return "groups:read" if channel.private else "channels:read"


@api_method("conversations.members")
def conversations_members(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """Members' ids, a page at a time: ``limit`` (at most 1,000) and an opaque ``cursor`` that the
    previous page's ``response_metadata.next_cursor`` gave ("" on the last page). A private
    conversation the bot is not in answers ``channel_not_found``, as Slack does; so does anything
    but a conversation's id (a name, a user id)."""
    channel = state.channels.get(str(params.get("channel") or ""))
    if channel is None or channel.team_id != workspace.team_id or (channel.private and not channel.bot_member):
        raise ApiError("channel_not_found")
    if _read_scope(channel) not in workspace.scopes.split(","):
        raise ApiError("missing_scope")
    try:
        limit = int(params.get("limit") or MEMBERS_DEFAULT_LIMIT)
        offset = (
            int(base64.urlsafe_b64decode(str(params["cursor"])).decode().removeprefix("offset:"))
            if params.get("cursor")
            else 0
        )
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError("invalid_cursor") from None
    if limit < 1 or offset < 0:
        raise ApiError("invalid_limit" if limit < 1 else "invalid_cursor")
    members = channel.members
    if members is None:
        members = {u.id for u in state.users.values() if u.team_id == channel.team_id}
    ordered = sorted(members)
    page = ordered[offset : offset + min(limit, MEMBERS_MAX_LIMIT)]
    following = offset + len(page)
    next_cursor = base64.urlsafe_b64encode(f"offset:{following}".encode()).decode() if following < len(ordered) else ""
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}


@api_method("conversations.open")
def conversations_open(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("channel"):
        channel = state.find_channel(workspace, params["channel"])
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel.id}}
    users = [u for u in str(params.get("users") or "").split(",") if u]
    if not users:
        raise ApiError("users_list_not_supplied")
    if len(users) > 1:
        raise ApiError("method_not_supported_for_channel_type")  # group DMs are not modelled
    user = state.team_user(workspace, users[0])
    channel, already_open = state.open_dm(workspace, user.id)
    shown = channel.to_slack() if _flag(params.get("return_im")) else {"id": channel.id}
    answer: dict[str, Any] = {"ok": True, "channel": shown}
    if already_open:
        answer.update(no_op=True, already_open=True)
    return answer


@api_method("conversations.join")
def conversations_join(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = state.find_channel(workspace, params.get("channel"))
    if channel.archived:
        raise ApiError("is_archived")
    if channel.private:
        raise ApiError("method_not_supported_for_channel_type")
    answer: dict[str, Any] = {"ok": True}
    if channel.bot_member:
        answer.update(warning="already_in_channel", response_metadata={"warnings": ["already_in_channel"]})
    channel.bot_member = True
    return {**answer, "channel": channel.to_slack()}


@api_method("files.getUploadURLExternal")
def files_get_upload_url_external(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    filename = str(params.get("filename") or "")
    try:
        length = int(params.get("length") or 0)
    except ValueError:
        raise ApiError("invalid_arguments") from None
    if not filename or length <= 0:
        raise ApiError("invalid_arguments")
    file_id = state.next_id("F")
    state.files[file_id] = StoredFile(
        id=file_id,
        team_id=workspace.team_id,
        user_id=workspace.bot_user_id,
        filename=filename,
        length=length,
        alt_txt=params.get("alt_txt"),
    )
    return {"ok": True, "upload_url": f"{state.public_url}/upload/v1/{file_id}", "file_id": file_id}


@api_method("files.completeUploadExternal")
def files_complete_upload_external(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    entries = _json_param(params.get("files"), "invalid_arguments")
    if not isinstance(entries, list) or not entries:
        raise ApiError("invalid_arguments")
    files: list[StoredFile] = []
    for entry in entries:
        stored = state.files.get(str(entry.get("id"))) if isinstance(entry, dict) else None
        if stored is None or stored.team_id != workspace.team_id or stored.data is None:
            raise ApiError("file_not_found")
        files.append(stored)
    targets = [c for c in str(params.get("channels") or "").split(",") if c]
    if params.get("channel_id"):
        targets.insert(0, str(params["channel_id"]))
    channels = [state.postable_channel(workspace, ref) for ref in targets]
    for stored, entry in zip(files, entries, strict=True):
        stored.title = entry.get("title") or stored.title or stored.filename
        stored.completed = True
    # Slack answers before it shares (the files' shares and the message come later, see files.info
    # or the channel's history), so the answer is what the files were before this call shared them.
    answer = {"ok": True, "files": [f.to_slack(state) for f in files]}
    if state.file_share_delay_seconds > 0:
        asyncio.get_running_loop().call_later(
            state.file_share_delay_seconds, _share_uploads, state, workspace, channels, files, params
        )
    else:
        _share_uploads(state, workspace, channels, files, params)
    return answer


def _share_uploads(
    state: SandboxState, workspace: Workspace, channels: list[Channel], files: list[StoredFile], params: dict[str, Any]
) -> None:
    for channel in channels:
        _share_files(state, workspace, channel, files, params)
    state.changed()  # a share that lands after its request is news to the page all the same


def _share_files(
    state: SandboxState, workspace: Workspace, channel: Channel, files: list[StoredFile], params: dict[str, Any]
) -> None:
    """Sharing files posts one message carrying them, as Slack does."""
    ts = state.next_ts()
    content: dict[str, Any] = {
        "text": str(params.get("initial_comment") or ""),
        "upload": True,
        "files": [{"id": f.id, "name": f.filename, "title": f.title} for f in files],
    }
    if params.get("thread_ts"):
        content["thread_ts"] = str(params["thread_ts"])
    state.post_message(channel, _bot_message(workspace, ts, content))
    for stored in files:
        stored.shares.setdefault(channel.id, []).append(
            {
                "reply_users": [],
                "reply_users_count": 0,
                "reply_count": 0,
                "ts": ts,
                "channel_name": channel.name,
                "team_id": workspace.team_id,
                "share_user_id": workspace.bot_user_id,
            }
        )


@api_method("files.info")
def files_info(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    stored = state.files.get(str(params.get("file") or ""))
    if stored is None or stored.team_id != workspace.team_id or not stored.completed:
        raise ApiError("file_not_found")
    return {"ok": True, "file": stored.to_slack(state), "comments": [], "response_metadata": {"next_cursor": ""}}


def oauth_v2_access(state: SandboxState, params: dict[str, Any], basic: tuple[str, str] | None) -> dict[str, Any]:
    """Needs no bot token: the app proves itself with its client id and secret (HTTP Basic or
    form fields, both of which Slack accepts)."""
    client_id, client_secret = basic or (params.get("client_id"), params.get("client_secret"))
    if not client_id:
        raise ApiError("invalid_client_id")
    if state.client_id is not None and client_id != state.client_id:
        raise ApiError("invalid_client_id")
    if state.client_secret is not None and client_secret != state.client_secret:
        raise ApiError("bad_client_secret")
    if params.get("grant_type") == "refresh_token":
        team_id = state.refresh_tokens.get(str(params.get("refresh_token") or ""))
        if team_id is None:
            raise ApiError("invalid_refresh_token")
        return _installation_answer(state, state.workspaces[team_id], None, rotation=True)
    code = state.oauth_codes.get(str(params.get("code") or ""))
    if code is None or code.used:
        raise ApiError("invalid_code")
    if code.redirect_uri and params.get("redirect_uri") and params["redirect_uri"] != code.redirect_uri:
        raise ApiError("bad_redirect_uri")
    code.used = True
    return _installation_answer(state, state.workspaces[code.team_id], code.user_id, rotation=code.token_rotation)


def _installation_answer(
    state: SandboxState, workspace: Workspace, installer: str | None, *, rotation: bool
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "ok": True,
        "app_id": APP_ID,
        "scope": workspace.scopes,
        "token_type": "bot",
        "access_token": workspace.bot_token,
        "bot_user_id": workspace.bot_user_id,
        "team": workspace.team_ref(),
        "enterprise": workspace.enterprise_ref(),
        "is_enterprise_install": False,
    }
    if installer is not None:
        answer["authed_user"] = {"id": installer}
    if rotation:
        access, refresh = state.mint_rotating_token(workspace.team_id)
        answer.update(access_token=access, refresh_token=refresh, expires_in=ROTATED_TOKEN_TTL)
    return answer


# ---------------------------------------------------------------------------------------------
# HTTP: the Web API, the upload URL, response URLs, OAuth's authorize page, control endpoints

STATE = web.AppKey("slack_sandbox_state", SandboxState)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """slack-sdk sends some methods as JSON, some form-encoded, some in the query string."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        if isinstance(body, dict):
            params.update(body)
    elif request.can_read_body:
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    return params


def _credentials(request: web.Request, params: dict[str, Any]) -> tuple[str | None, tuple[str, str] | None]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    token = params.pop("token", None)
    if scheme.lower() == "bearer" and value:
        return value.strip(), None
    if scheme.lower() == "basic" and value:
        try:
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return token, None
        return token, (client_id, secret)
    return token, None


def _slack_json(
    call: Call, body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    call.status = status
    call.ok = bool(body.get("ok"))
    call.error = body.get("error")
    return web.json_response(body, status=status, headers=headers)


async def _apply_fault(state: SandboxState, call: Call) -> web.Response | None:
    fault = state.take_fault(call.method)
    if fault is None:
        return None
    if fault.delay:
        await asyncio.sleep(fault.delay)
    if not fault.fails():
        return None
    return _slack_json(
        call, {"ok": False, "error": fault.error_code()}, status=fault.http_status(), headers=fault.headers()
    )


HISTORY_MAX_LIMIT = 999


def _in_channel_history(message: dict[str, Any]) -> bool:
    """A top-level message or a thread's parent, or a reply broadcast to the channel."""
    thread_ts = message.get("thread_ts")
    return thread_ts in (None, message["ts"]) or bool(message.get("reply_broadcast"))


@dataclass(frozen=True)
class MessagePage:
    """A history read's window and page: ``oldest``/``latest`` (exclusive unless ``inclusive``),
    ``limit`` messages from the ``cursor``'s offset."""

    limit: int
    oldest: float
    latest: float
    inclusive: bool
    offset: int

    @classmethod
    def of(cls, params: dict[str, Any]) -> MessagePage:
        try:
            return cls(
                limit=min(HISTORY_MAX_LIMIT, max(1, int(params.get("limit") or 100))),
                oldest=float(params.get("oldest") or 0),
                latest=float(params.get("latest") or "inf"),
                inclusive=_flag(params.get("inclusive")),
                offset=int(base64.b64decode(str(params.get("cursor") or "")) or 0),
            )
        except (TypeError, ValueError, binascii.Error):
            raise ApiError("invalid_arguments") from None

    def holds(self, message: dict[str, Any]) -> bool:
        ts = float(message["ts"])
        return self.oldest <= ts <= self.latest and (self.inclusive or ts not in (self.oldest, self.latest))

    def answer(self, listed: list[dict[str, Any]]) -> dict[str, Any]:
        """The page of ``listed`` (already in the window) with Slack's paging fields."""
        page = listed[self.offset : self.offset + self.limit]
        more = self.offset + self.limit < len(listed)
        cursor = base64.b64encode(str(self.offset + self.limit).encode()).decode() if more else ""
        return {"ok": True, "messages": page, "has_more": more, "response_metadata": {"next_cursor": cursor}}


def with_metadata_if_asked(message: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Slack lists a message's metadata only with ``include_all_metadata``."""
    if _flag(params.get("include_all_metadata")):
        return message
    return {k: v for k, v in message.items() if k != "metadata"}


@api_method("conversations.history")
def conversations_history(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """Newest first, within ``oldest``/``latest`` (exclusive unless ``inclusive``), ``limit`` a
    page with a ``next_cursor``; message metadata only with ``include_all_metadata``. As in Slack,
    a thread's replies are not listed (conversations.replies lists them), except those also sent
    to the channel."""
    channel = state.find_channel(workspace, params.get("channel"))
    if not channel.bot_member:
        raise ApiError("not_in_channel")
    window = MessagePage.of(params)
    listed = [
        with_metadata_if_asked(message, params)
        for message in state.history(channel)
        if _in_channel_history(message) and window.holds(message)
    ]
    return {**window.answer(listed), "pin_count": 0}


async def handle_api(request: web.Request) -> web.Response:
    state = request.app[STATE]
    method = request.match_info["method"]
    params = await _read_params(request)
    token, basic = _credentials(request, params)
    call = state.record(method, params, token)
    faulted = await _apply_fault(state, call)
    if faulted is not None:
        return faulted
    try:
        if method == "oauth.v2.access":
            return _slack_json(call, oauth_v2_access(state, params, basic))
        implementation = METHODS.get(method)
        with_token = TOKEN_METHODS.get(method)
        if implementation is None and with_token is None:
            raise ApiError("unknown_method")
        workspace = state.authenticate(token)
        call.team_id = workspace.team_id
        if with_token is not None:
            return _slack_json(call, with_token(state, workspace, params, token))
        assert implementation is not None
        return _slack_json(call, implementation(state, workspace, params))
    except RateLimited as limited:
        return _slack_json(
            call, {"ok": False, "error": limited.code}, status=429, headers={"Retry-After": str(limited.retry_after)}
        )
    except ApiError as error:
        return _slack_json(call, {"ok": False, "error": error.code})


async def handle_upload(request: web.Request) -> web.Response:
    """The URL files.getUploadURLExternal hands out; Slack answers it in plain text."""
    state = request.app[STATE]
    file_id = request.match_info["file_id"]
    data = await request.read()
    call = state.record(UPLOAD_METHOD, {"file_id": file_id, "length": len(data)}, None)
    faulted = await _apply_fault(state, call)
    if faulted is not None:
        return faulted
    stored = state.files.get(file_id)
    if stored is None:
        call.status, call.ok, call.error = 404, False, "file_not_found"
        return web.Response(status=404, text="file_not_found")
    stored.data = data
    return web.Response(text=f"OK - {len(data)}", content_type="text/plain")


async def handle_response_url(request: web.Request) -> web.Response:
    state = request.app[STATE]
    entry = state.response_entry(request.match_info["response_id"])
    try:
        body = await request.json()
    except json.JSONDecodeError:
        body = dict(await request.post())
    call = state.record("response_url", {"response_id": entry.id, **body}, None)
    faulted = await _apply_fault(state, call)
    if faulted is not None:
        return faulted
    if len(entry.posts) >= RESPONSE_URL_MAX_POSTS:
        call.status, call.ok, call.error = 404, False, "used_url"
        return web.json_response({"ok": False, "error": "used_url"}, status=404)
    entry.posts.append({**body, "response_id": entry.id, "at": time.time()})
    _act_on_response(state, entry, body)
    return web.json_response({"ok": True})


def _act_on_response(state: SandboxState, entry: ResponseUrl, body: dict[str, Any]) -> None:
    """What Slack does with a response_url post: replace or delete the original message, post
    in the channel, or show an ephemeral message to the user who asked."""
    channel = state.channels.get(entry.channel_id or "")
    workspace = state.workspaces.get(entry.team_id or "")
    if channel is None or workspace is None:
        return
    content = {k: body[k] for k in ("text", "blocks", "attachments") if k in body}
    if _flag(body.get("delete_original")) and entry.message_ts:
        state.delete_message(channel.id, entry.message_ts)
    elif _flag(body.get("replace_original")) and entry.message_ts:
        original = state.message(channel.id, entry.message_ts)
        if original is not None:
            original.update(content)
    elif body.get("response_type") == "in_channel":
        state.post_message(channel, _bot_message(workspace, state.next_ts(), content))
    elif entry.user_id:
        state.post_ephemeral(channel, entry.user_id, {**content, "ts": state.next_ts()})


async def handle_authorize(request: web.Request) -> web.Response:
    """Slack's install page, approved at once: redirects to the app with a code and its state.
    ``team`` (Slack's own parameter) and ``user`` (the sandbox's) pick who installs."""
    state = request.app[STATE]
    query = request.query
    if state.client_id is not None and query.get("client_id") != state.client_id:
        return web.Response(status=400, text="invalid_client_id")
    redirect_uri = query.get("redirect_uri")
    team_id = query.get("team") or next(iter(state.workspaces), None)
    if not redirect_uri or team_id not in state.workspaces:
        return web.Response(status=400, text="bad_redirect_uri" if not redirect_uri else "team_not_found")
    code = state.issue_oauth_code(team_id, user_id=query.get("user"), redirect_uri=redirect_uri)
    answer = {"code": code, **({"state": query["state"]} if "state" in query else {})}
    separator = "&" if "?" in redirect_uri else "?"
    raise web.HTTPFound(f"{redirect_uri}{separator}{urlencode(answer)}")


async def _json_body(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    try:
        return await request.json()
    except json.JSONDecodeError:
        raise web.HTTPBadRequest(text="body must be JSON") from None


def _control_answer(**fields: Any) -> web.Response:
    return web.json_response({"ok": True, **fields})


async def control_calls(request: web.Request) -> web.Response:
    state, query = request.app[STATE], request.query
    calls = state.calls(query.get("method"), query.get("channel"), team_id=query.get("team_id"))
    after = int(query.get("after", "0"))
    return _control_answer(calls=[c.to_dict() for c in calls if c.seq > after])


async def control_messages(request: web.Request) -> web.Response:
    state, query = request.app[STATE], request.query
    return _control_answer(messages=state.messages(query.get("channel"), team_id=query.get("team_id")))


async def control_person_writes_to_the_bot(request: web.Request) -> web.Response:
    """A person's message in their DM with the bot (opened if need be), as ``say --dm`` types it;
    the caller then sends the service the ``message.im`` event. Answers the DM's id and the ts."""
    state = request.app[STATE]
    body = await _json_body(request)
    workspace = state.workspaces.get(str(body.get("team_id") or ""))
    user = state.users.get(str(body.get("user_id") or ""))
    if workspace is None or user is None or user.team_id != workspace.team_id or user.is_bot:
        return _control_answer(ok=False, error="unknown_workspace_or_user")
    channel, _ = state.open_dm(workspace, user.id)
    message = {
        "type": "message",
        "user": user.id,
        "team": workspace.team_id,
        "text": str(body.get("text") or ""),
        "ts": state.next_ts(),
    }
    state.post_message(channel, message)
    state.changed()
    return _control_answer(channel=channel.id, ts=message["ts"])


async def control_thread(request: web.Request) -> web.Response:
    """An agent thread's status, title and suggestions (``?channel=…&ts=…``)."""
    state = request.app[STATE]
    key = (request.query.get("channel", ""), request.query.get("ts", ""))
    return _control_answer(thread=state.threads.get(key, {}))


async def control_ephemerals(request: web.Request) -> web.Response:
    state, query = request.app[STATE], request.query
    return _control_answer(ephemerals=state.ephemerals(query.get("user"), channel=query.get("channel")))


async def control_views(request: web.Request) -> web.Response:
    return _control_answer(views=request.app[STATE].views(request.query.get("user")))


async def control_files(request: web.Request) -> web.Response:
    return _control_answer(files=[f.to_dict() for f in request.app[STATE].uploaded_files()])


async def control_file_bytes(request: web.Request) -> web.Response:
    stored = request.app[STATE].files.get(request.match_info["file_id"])
    if stored is None or stored.data is None:
        raise web.HTTPNotFound(text="file_not_found")
    mimetype = mimetypes.guess_type(stored.filename)[0] or "application/octet-stream"
    return web.Response(body=stored.data, content_type=mimetype)


async def control_responses(request: web.Request) -> web.Response:
    return _control_answer(responses=request.app[STATE].responses(request.query.get("id")))


async def control_new_response_url(request: web.Request) -> web.Response:
    body = await _json_body(request)
    url = request.app[STATE].response_url(
        team_id=body.get("team_id"),
        channel_id=body.get("channel_id"),
        user_id=body.get("user_id"),
        message_ts=body.get("message_ts"),
    )
    return _control_answer(url=url, id=url.rsplit("/", 1)[-1])


async def control_list_faults(request: web.Request) -> web.Response:
    return _control_answer(faults=[dataclasses.asdict(f) for f in request.app[STATE].faults()])


async def control_add_faults(request: web.Request) -> web.Response:
    body = await _json_body(request)
    wanted = body if isinstance(body, list) else [body]
    known = {f.name for f in dataclasses.fields(Fault)}
    if any(not isinstance(f, dict) or set(f) - known for f in wanted):
        raise web.HTTPBadRequest(text=f"a fault is an object with keys among {sorted(known)}")
    state = request.app[STATE]
    added = [state.inject(**f) for f in wanted]
    return _control_answer(faults=[dataclasses.asdict(f) for f in added])


async def control_declare_functions(request: web.Request) -> web.Response:
    body = await _json_body(request)
    functions = body.get("functions") if isinstance(body, dict) else None
    if not isinstance(functions, dict):
        raise web.HTTPBadRequest(text='expected {"functions": {callback_id: definition}} (a manifest\'s functions)')
    state = request.app[STATE]
    state.functions.declare(functions)
    return _control_answer(functions=sorted(state.functions.definitions))


async def control_run_function(request: web.Request) -> web.Response:
    """Start an execution; with ``deliver_to`` and ``signing_secret`` also post its event there."""
    body = await _json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("inputs", {}), dict):
        raise web.HTTPBadRequest(text='expected {"team_id", "callback_id", "inputs", "deliver_to"?, "signing_secret"?}')
    state = request.app[STATE]
    try:
        execution = state.execute_function(
            str(body.get("team_id")), str(body.get("callback_id")), body.get("inputs", {})
        )
    except (KeyError, FunctionError) as error:
        raise web.HTTPBadRequest(text=f"cannot run it: {error}") from None
    answer: dict[str, Any] = {"execution": execution.to_dict()}
    if body.get("deliver_to"):
        envelope = event_envelope(execution, app_id=APP_ID)
        status, _ = await deliver_event(
            str(body["deliver_to"]), envelope, signing_secret=str(body.get("signing_secret") or "")
        )
        answer["status"] = status
    return _control_answer(**answer)


async def control_list_executions(request: web.Request) -> web.Response:
    executions = request.app[STATE].functions.executions.values()
    return _control_answer(executions=[execution.to_dict() for execution in executions])


async def control_clear_faults(request: web.Request) -> web.Response:
    request.app[STATE].clear_faults()
    return _control_answer()


async def control_reset(request: web.Request) -> web.Response:
    body = await _json_body(request)
    request.app[STATE].reset(workspaces=isinstance(body, dict) and bool(body.get("workspaces")))
    return _control_answer()


async def control_list_workspaces(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return _control_answer(
        workspaces=[
            {
                **dataclasses.asdict(workspace),
                "users": [dataclasses.asdict(u) for u in state.users.values() if u.team_id == team_id],
                "channels": [
                    {**dataclasses.asdict(c), "members": sorted(c.members) if c.members is not None else None}
                    for c in state.channels.values()
                    if c.team_id == team_id
                ],
            }
            for team_id, workspace in state.workspaces.items()
        ]
    )


async def control_add_workspace(request: web.Request) -> web.Response:
    """Adds a workspace (when ``bot_token`` is given) and then its ``users`` and ``channels``;
    without ``bot_token`` it adds users and channels to a workspace already there."""
    body = await _json_body(request)
    state = request.app[STATE]
    try:
        team_id = body["team_id"]
        if "bot_token" in body:
            state.add_workspace(
                team_id,
                **{
                    k: body[k]
                    for k in (
                        "bot_token",
                        "enterprise_id",
                        "name",
                        "domain",
                        "bot_user_id",
                        "bot_id",
                        "enterprise_name",
                        "scopes",
                    )
                    if k in body
                },
            )
        for user in body.get("users", []):
            state.add_user(team_id, user.pop("id"), **user)
        for channel in body.get("channels", []):
            state.add_channel(team_id, channel.pop("id"), channel.pop("name"), **channel)
    except (KeyError, TypeError) as error:
        raise web.HTTPBadRequest(text=f"bad workspace: {error}") from None
    return _control_answer(team_id=team_id)


async def control_revoke_token(request: web.Request) -> web.Response:
    body = await _json_body(request)
    try:
        request.app[STATE].revoke_token(body["token"])
    except KeyError:
        raise web.HTTPNotFound(text="unknown token") from None
    return _control_answer()


async def control_oauth_code(request: web.Request) -> web.Response:
    body = await _json_body(request)
    try:
        code = request.app[STATE].issue_oauth_code(
            body["team_id"],
            user_id=body.get("user_id"),
            redirect_uri=body.get("redirect_uri"),
            token_rotation=bool(body.get("token_rotation")),
        )
    except KeyError as error:
        raise web.HTTPBadRequest(text=f"bad code request: {error}") from None
    return _control_answer(code=code)


async def control_health(request: web.Request) -> web.Response:
    return _control_answer()


def create_app(state: SandboxState) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[STATE] = state
    app.router.add_route("*", "/api/{method}", handle_api)
    app.router.add_post("/upload/v1/{file_id}", handle_upload)
    app.router.add_post("/_sandbox/response/{response_id}", handle_response_url)
    app.router.add_get("/oauth/v2/authorize", handle_authorize)
    app.router.add_get("/_sandbox/healthz", control_health)
    app.router.add_get("/_sandbox/calls", control_calls)
    app.router.add_get("/_sandbox/messages", control_messages)
    app.router.add_get("/_sandbox/ephemerals", control_ephemerals)
    app.router.add_post("/_sandbox/dms", control_person_writes_to_the_bot)
    app.router.add_get("/_sandbox/threads", control_thread)
    app.router.add_get("/_sandbox/views", control_views)
    app.router.add_get("/_sandbox/files", control_files)
    app.router.add_get("/_sandbox/files/{file_id}", control_file_bytes)
    app.router.add_get("/_sandbox/responses", control_responses)
    app.router.add_post("/_sandbox/response_urls", control_new_response_url)
    app.router.add_get("/_sandbox/faults", control_list_faults)
    app.router.add_post("/_sandbox/faults", control_add_faults)
    app.router.add_delete("/_sandbox/faults", control_clear_faults)
    app.router.add_post("/_sandbox/reset", control_reset)
    app.router.add_get("/_sandbox/workspaces", control_list_workspaces)
    app.router.add_post("/_sandbox/workspaces", control_add_workspace)
    app.router.add_post("/_sandbox/tokens/revoke", control_revoke_token)
    app.router.add_post("/_sandbox/oauth/codes", control_oauth_code)
    app.router.add_post("/_sandbox/functions", control_declare_functions)
    app.router.add_post("/_sandbox/functions/executions", control_run_function)
    app.router.add_get("/_sandbox/functions/executions", control_list_executions)
    return app


# ---------------------------------------------------------------------------------------------
# Running it


class SlackSandbox(SandboxState):
    """The state above, served over HTTP on 127.0.0.1 (a random free port unless given)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str | None = None,
        client_secret: str | None = None,
        posting_limit: PostingLimit | None = None,
        posting_limited: bool = True,
    ) -> None:
        super().__init__(client_id=client_id, client_secret=client_secret, posting_limit=posting_limit)
        self.posting_limited = posting_limited
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        # Each adds routes of its own to the app, given this sandbox, before it starts (the web page).
        self.extensions: list[Callable[[web.Application, SandboxState], None]] = []

    @property
    def url(self) -> str:
        return self.public_url

    @property
    def api_url(self) -> str:
        """What ``SLACK_API_URL`` / ``base_url`` should be; ends in '/' as slack-sdk needs."""
        return f"{self.public_url}/api/"

    @property
    def authorize_url(self) -> str:
        """For bolt's ``OAuthSettings(authorization_url=...)``."""
        return f"{self.public_url}/oauth/v2/authorize"

    async def start(self) -> SlackSandbox:
        app = create_app(self)
        for extend in self.extensions:
            extend(app, self)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.public_url = f"http://{self.host}:{self.port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackSandbox:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


@contextlib.contextmanager
def threaded_sandbox(
    *, extensions: tuple[Callable[[web.Application, SandboxState], None], ...] = (), **options: Any
) -> Iterator[SlackSandbox]:
    """A sandbox on its own event loop thread, for blocking callers (WebClient, Celery tasks)
    that would otherwise freeze the loop the sandbox answers on."""
    sandbox = SlackSandbox(**options)
    sandbox.extensions.extend(extensions)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(sandbox.start())
        except BaseException as error:
            failures.append(error)
            return
        finally:
            started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="slack-sandbox", daemon=True)
    thread.start()
    started.wait()
    if failures:
        thread.join()
        loop.close()
        raise failures[0]
    try:
        yield sandbox
    finally:
        asyncio.run_coroutine_threadsafe(sandbox.stop(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
