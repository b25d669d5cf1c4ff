"""Talk to a running service the way Slack does: signed slash commands and button clicks.

``send_command`` posts ``/content <text>`` to ``{service}/slack/events`` with the form fields
and v0 signature Slack sends, then watches the Slack sandbox for what the service did about it
(response_url posts, channel messages, ephemeral messages) and ``format_say_result`` prints it.
The builders and ``sign_request`` are also what tests use to drive the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from sandbox.slack import APP_ID, DEMO

DEFAULT_SERVICE_URL = "http://127.0.0.1:3000"
DEFAULT_SANDBOX_URL = "http://127.0.0.1:3001"
VERIFICATION_TOKEN = "sandbox-verification-token"  # deprecated by Slack, still sent in every payload
POLL_SECONDS = 0.2
# Once a channel message has arrived, this much quiet means the service is done.
SETTLE_SECONDS = 1.0


class SayError(Exception):
    """The service or the sandbox could not be reached or understood."""


def new_trigger_id() -> str:
    return f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def build_slash_command(
    text: str,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    user_name: str,
    command: str = "/content",
    response_url: str,
    trigger_id: str | None = None,
    channel_name: str | None = None,
    team_domain: str | None = None,
    enterprise_id: str | None = None,
    enterprise_name: str | None = None,
    api_app_id: str = APP_ID,
) -> dict[str, str]:
    """The form fields of a slash command, as Slack posts them."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": team_domain or team_id.lower(),
        "channel_id": channel_id,
        "channel_name": channel_name or channel_id,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    if enterprise_id:
        fields["enterprise_id"] = enterprise_id
        fields["enterprise_name"] = enterprise_name or enterprise_id
    return fields


def build_block_action(
    action_id: str,
    value: str,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    message_ts: str,
    response_url: str,
    user_name: str | None = None,
    channel_name: str | None = None,
    team_domain: str | None = None,
    enterprise_id: str | None = None,
    block_id: str = "actions",
    message: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    api_app_id: str = APP_ID,
) -> dict[str, str]:
    """A button click (``block_actions``), form-encoded as Slack sends it: ``payload=<json>``.
    ``message`` is the clicked message as the sandbox stored it, when the test has it."""
    user_name = user_name or user_id
    team: dict[str, Any] = {"id": team_id, "domain": team_domain or team_id.lower()}
    if enterprise_id:
        team["enterprise_id"] = enterprise_id
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel_id, "is_ephemeral": False},
        "trigger_id": trigger_id or new_trigger_id(),
        "team": team,
        "enterprise": {"id": enterprise_id, "name": enterprise_id} if enterprise_id else None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": channel_name or channel_id},
        "message": message or {"type": "message", "ts": message_ts, "text": ""},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return {"payload": json.dumps(payload)}


def build_dm_event(
    text: str, *, team_id: str, user_id: str, channel_id: str, ts: str, thread_ts: str | None = None
) -> dict[str, Any]:
    """A person's message in their DM with the bot (``message.im``), as the Events API envelope.
    In the agent view every message sits in a thread; ``thread_ts`` None is a DM outside one."""
    event: dict[str, Any] = {
        "type": "message",
        "channel_type": "im",
        "channel": channel_id,
        "user": user_id,
        "text": text,
        "ts": ts,
        "team": team_id,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return _event_envelope(event, team_id=team_id)


def build_thread_started(*, team_id: str, user_id: str, channel_id: str, thread_ts: str) -> dict[str, Any]:
    """``assistant_thread_started``: the person opened a new thread in the bot's agent view."""
    event = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": user_id, "channel_id": channel_id, "thread_ts": thread_ts, "context": {}},
        "event_ts": thread_ts,
    }
    return _event_envelope(event, team_id=team_id)


def _event_envelope(event: dict[str, Any], *, team_id: str) -> dict[str, Any]:
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": APP_ID,
        "type": "event_callback",
        "event_id": f"Ev{secrets.token_hex(5).upper()}",
        "event_time": int(time.time()),
        "event": event,
        "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True}],
    }


def build_view_submission(
    view: dict[str, Any], values: dict[str, Any], *, team_id: str, user_id: str
) -> dict[str, str]:
    """A modal submitted with ``values`` (Slack's ``state.values``), form-encoded as Slack sends it."""
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": team_id.lower()},
        "user": {"id": user_id, "username": user_id, "name": user_id, "team_id": team_id},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(),
        "view": {**view, "state": {"values": values}},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return {"payload": json.dumps(payload)}


def sign_request(body: bytes, signing_secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers for ``body`` (HMAC-SHA256 over ``v0:<timestamp>:<body>``)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature or ""}


def encode_form(fields: dict[str, str]) -> bytes:
    return urlencode(fields).encode()


async def post_signed_form(
    session: aiohttp.ClientSession, url: str, fields: dict[str, str], *, signing_secret: str
) -> tuple[int, str]:
    """POST a form the way Slack does (signed, form-encoded); returns status and body text."""
    body = encode_form(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, signing_secret)}
    try:
        async with session.post(url, data=body, headers=headers) as response:
            return response.status, await response.text()
    except aiohttp.ClientConnectionError as error:
        raise SayError(f"nothing answers at {url} ({error}); is the service running?") from None


_CHANNEL_MENTION = re.compile(r"(?<![<\w])#([a-z0-9][a-z0-9_-]*)")
_USER_MENTION = re.compile(r"(?<![<\w])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9_-]|[A-Za-z0-9])")


def escape_command_text(text: str, *, users: dict[str, str], channels: dict[str, str]) -> str:
    """What Slack does to a command's text with ``should_escape``: known ``#channel`` and
    ``@user`` become ``<#C123|channel>`` and ``<@U123|user>``; unknown names stay as typed."""

    def channel(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<#{channels[name]}|{name}>" if name in channels else match.group(0)

    def user(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<@{users[name]}|{name}>" if name in users else match.group(0)

    return _USER_MENTION.sub(user, _CHANNEL_MENTION.sub(channel, text))


@dataclass
class SandboxWorkspace:
    """What ``say`` needs to know about the workspace it speaks for, read from the sandbox."""

    team_id: str
    domain: str
    enterprise_id: str | None
    user_names: dict[str, str]  # id -> name
    channel_names: dict[str, str]  # id -> name

    @classmethod
    def from_sandbox(cls, listing: dict[str, Any], team_id: str) -> SandboxWorkspace:
        for workspace in listing.get("workspaces", []):
            if workspace["team_id"] == team_id:
                return cls(
                    team_id=team_id,
                    domain=workspace["domain"],
                    enterprise_id=workspace.get("enterprise_id"),
                    user_names={u["id"]: u["name"] for u in workspace["users"]},
                    channel_names={c["id"]: c["name"] for c in workspace["channels"]},
                )
        raise SayError(f"the sandbox has no workspace {team_id}")

    def user_id(self, ref: str) -> str:
        ref = ref.lstrip("@")
        return next((i for i, name in self.user_names.items() if name == ref), ref)

    def channel_id(self, ref: str) -> str:
        ref = ref.lstrip("#")
        return next((i for i, name in self.channel_names.items() if name == ref), ref)

    def escape(self, text: str) -> str:
        return escape_command_text(
            text,
            users={name: i for i, name in self.user_names.items()},
            channels={name: i for i, name in self.channel_names.items()},
        )


@dataclass
class SayResult:
    command: str
    status: int
    ack: str
    ack_ms: float
    channel_names: dict[str, str] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    ephemerals: list[dict[str, Any]] = field(default_factory=list)
    waited_s: float = 0.0

    @property
    def acknowledged(self) -> bool:
        return self.status == 200


class _SandboxClient:
    def __init__(self, session: aiohttp.ClientSession, sandbox_url: str) -> None:
        self.session = session
        self.base = sandbox_url.rstrip("/")

    async def request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{self.base}{path}"
        try:
            async with self.session.request(method, url, **kwargs) as response:
                response.raise_for_status()
                answer: dict[str, Any] = await response.json()
                return answer
        except aiohttp.ClientError as error:
            raise SayError(f"the Slack sandbox at {self.base} did not answer {path}: {error}") from None


@contextlib.asynccontextmanager
async def _sandbox_session(
    sandbox_url: str, team_id: str
) -> AsyncIterator[tuple[aiohttp.ClientSession, _SandboxClient, SandboxWorkspace]]:
    """An HTTP session (for the service and the sandbox alike), the sandbox's client on it, and what
    the sandbox knows of ``team_id``'s workspace."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        sandbox = _SandboxClient(session, sandbox_url)
        workspace = SandboxWorkspace.from_sandbox(await sandbox.request("GET", "/_sandbox/workspaces"), team_id)
        yield session, sandbox, workspace


def _message_key(message: dict[str, Any]) -> tuple[str, str, str]:
    return message["channel"], message["ts"], json.dumps(message.get("edited"))


class _SandboxWatch:
    """What changed in the sandbox, for one user in one workspace, since ``start``."""

    def __init__(self, sandbox: _SandboxClient, *, team_id: str, user_id: str, response_id: str) -> None:
        self.sandbox = sandbox
        self.team_id = team_id
        self.user_id = user_id
        self.response_id = response_id
        self.seen: set[tuple[str, str, str]] = set()
        self.ephemerals_before = 0

    async def _messages(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = (
            await self.sandbox.request("GET", f"/_sandbox/messages?team_id={self.team_id}")
        )["messages"]
        return messages

    async def _ephemerals(self) -> list[dict[str, Any]]:
        ephemerals: list[dict[str, Any]] = (
            await self.sandbox.request("GET", f"/_sandbox/ephemerals?user={self.user_id}")
        )["ephemerals"]
        return ephemerals

    async def start(self) -> None:
        self.seen = {_message_key(m) for m in await self._messages()}
        self.ephemerals_before = len(await self._ephemerals())

    async def update(self, result: SayResult) -> bool:
        """Brings ``result`` up to date; True when anything new arrived."""
        responses = (await self.sandbox.request("GET", f"/_sandbox/responses?id={self.response_id}"))["responses"]
        ephemerals = (await self._ephemerals())[self.ephemerals_before :]
        fresh = [m for m in await self._messages() if _message_key(m) not in self.seen]
        changed = bool(fresh) or len(responses) != len(result.responses) or len(ephemerals) != len(result.ephemerals)
        result.responses, result.ephemerals = responses, ephemerals
        for message in fresh:
            # An edited message replaces the version shown before.
            self.seen.add(_message_key(message))
            result.messages = [m for m in result.messages if m["ts"] != message["ts"]] + [message]
        return changed


async def send_command(
    service_url: str,
    text: str,
    *,
    signing_secret: str,
    sandbox_url: str,
    team_id: str = DEMO.team_id,
    user_id: str = DEMO.admin,
    channel_id: str = DEMO.general,
    wait_seconds: float = 5.0,
    command: str = "/content",
) -> SayResult:
    """Send ``/content <text>`` as ``user_id`` in ``channel_id`` (ids or names), then collect for
    up to ``wait_seconds`` what the service did in the sandbox because of it."""
    async with _sandbox_session(sandbox_url, team_id) as (session, sandbox, workspace):
        user_id, channel_id = workspace.user_id(user_id), workspace.channel_id(channel_id)
        created = await sandbox.request(
            "POST", "/_sandbox/response_urls", json={"team_id": team_id, "channel_id": channel_id, "user_id": user_id}
        )
        watch = _SandboxWatch(sandbox, team_id=team_id, user_id=user_id, response_id=created["id"])
        await watch.start()
        fields = build_slash_command(
            workspace.escape(text),
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            user_name=workspace.user_names.get(user_id, user_id),
            command=command,
            response_url=created["url"],
            channel_name=workspace.channel_names.get(channel_id),
            team_domain=workspace.domain,
            enterprise_id=workspace.enterprise_id,
        )
        started = time.monotonic()
        status, ack = await post_signed_form(
            session, f"{service_url.rstrip('/')}/slack/events", fields, signing_secret=signing_secret
        )
        result = SayResult(
            command=f"{command} {fields['text']}".strip(),
            status=status,
            ack=ack,
            ack_ms=(time.monotonic() - started) * 1000,
            channel_names=workspace.channel_names,
        )
        if result.acknowledged:
            await _collect(watch, result, wait_seconds)
        result.waited_s = time.monotonic() - started
        return result


async def send_dm(
    service_url: str,
    text: str,
    *,
    signing_secret: str,
    sandbox_url: str,
    team_id: str = DEMO.team_id,
    user_id: str = DEMO.editor,
    wait_seconds: float = 15.0,
    show: Callable[[str], None] = print,
) -> int:
    """Write ``text`` to the bot in ``user_id``'s DM (a ``message.im`` event, signed), then show
    the thread as it changes: its status line, the answer as it streams in, and the rest of what
    lands there. 0 once an answer (or a refusal) arrived, 1 when nothing did."""
    async with _sandbox_session(sandbox_url, team_id) as (session, sandbox, workspace):
        user_id = workspace.user_id(user_id)
        written = await sandbox.request(
            "POST", "/_sandbox/dms", json={"team_id": team_id, "user_id": user_id, "text": text}
        )
        if not written.get("ok"):
            raise SayError(f"the sandbox has no person {user_id} in {team_id}")
        channel, ts = written["channel"], written["ts"]
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        envelope = build_dm_event(escaped, team_id=team_id, user_id=user_id, channel_id=channel, ts=ts)
        body = json.dumps(envelope).encode()
        headers = {"Content-Type": "application/json", **sign_request(body, signing_secret)}
        show(f"> (DM to Content Factory) {text}")
        async with session.post(f"{service_url.rstrip('/')}/slack/events", data=body, headers=headers) as response:
            show(f"event answered {response.status}")
        shown: dict[str, str] = {}
        status = ""
        done = False
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline and not done:
            await asyncio.sleep(POLL_SECONDS)
            thread = (await sandbox.request("GET", f"/_sandbox/threads?channel={channel}&ts={ts}"))["thread"]
            if thread.get("status", "") != status:
                status = thread.get("status", "")
                if status:
                    show(f"[Content Factory {status}]")
            listed = (await sandbox.request("GET", f"/_sandbox/messages?channel={channel}"))["messages"]
            for message in listed:
                if message.get("thread_ts") != ts or not message.get("bot_id"):
                    continue
                text_now = _text_of(message)
                before = shown.get(message["ts"], "")
                if text_now != before:
                    show(text_now[len(before) :] if text_now.startswith(before) else text_now)
                    shown[message["ts"]] = text_now
                if not message.get("streaming") and any(
                    b.get("type") == "actions" for b in message.get("blocks") or []
                ):
                    done = True
        return 0 if shown else 1


async def _collect(watch: _SandboxWatch, result: SayResult, wait_seconds: float) -> None:
    """Poll until ``wait_seconds`` pass, or the service has posted to a channel and gone quiet."""
    deadline = time.monotonic() + wait_seconds
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(POLL_SECONDS)
        if await watch.update(result):
            last_change = time.monotonic()
        elif result.messages and time.monotonic() - last_change >= SETTLE_SECONDS:
            return


def _text_of(message: dict[str, Any]) -> str:
    """The message's text, or the text of its blocks when it has only blocks."""
    text = str(message.get("text") or "")
    if not text:
        parts = []
        for block in message.get("blocks") or []:
            inner = block.get("text")
            if isinstance(inner, dict):
                parts.append(str(inner.get("text", "")))
        text = " | ".join(p for p in parts if p)
    for file in message.get("files") or []:
        text += f" [file {file.get('name')}]"
    return text.strip() or "(empty)"


def _ack_text(ack: str) -> str:
    if not ack:
        return "(empty ack)"
    try:
        body = json.loads(ack)
    except json.JSONDecodeError:
        return ack
    return _text_of(body) if isinstance(body, dict) else ack


def format_say_result(result: SayResult) -> str:
    lines = [f"> {result.command}", f"ack {result.status} in {result.ack_ms:.0f} ms: {_ack_text(result.ack)}"]
    for response in result.responses:
        kind = response.get("response_type") or ("replace" if response.get("replace_original") else "ephemeral")
        lines.append(f"response_url ({kind}): {_text_of(response)}")
    for ephemeral in result.ephemerals:
        channel = result.channel_names.get(ephemeral["channel"], ephemeral["channel"])
        lines.append(f"ephemeral in #{channel}: {_text_of(ephemeral)}")
    for message in result.messages:
        channel = result.channel_names.get(message["channel"], message["channel"])
        edited = " (edited)" if message.get("edited") else ""
        lines.append(f"#{channel} {message['ts']}{edited}: {_text_of(message)}")
    if result.acknowledged and not (result.responses or result.ephemerals or result.messages):
        lines.append(f"(nothing more arrived within {result.waited_s:.1f} s)")
    return "\n".join(lines)


async def run_say(
    text: str,
    *,
    service_url: str = DEFAULT_SERVICE_URL,
    sandbox_url: str = DEFAULT_SANDBOX_URL,
    signing_secret: str,
    team: str = DEMO.team_id,
    user: str = DEMO.admin,
    channel: str = DEMO.general,
    wait: float = 5.0,
) -> int:
    """What ``content-factory say`` runs: prints the outcome; 0 when the command was acked."""
    try:
        result = await send_command(
            service_url,
            text,
            signing_secret=signing_secret,
            sandbox_url=sandbox_url,
            team_id=team,
            user_id=user,
            channel_id=channel,
            wait_seconds=wait,
        )
    except SayError as error:
        print(f"say: {error}", file=sys.stderr)
        return 2
    print(format_say_result(result))
    return 0 if result.acknowledged else 1


class SayArguments(Protocol):
    text: str | list[str]
    service_url: str
    sandbox_url: str
    signing_secret: str
    team: str
    user: str
    channel: str
    wait: float


async def say_main(args: SayArguments) -> int:
    """``run_say`` from an argparse namespace (``text`` may be a list of words)."""
    text = args.text if isinstance(args.text, str) else " ".join(args.text)
    return await run_say(
        text,
        service_url=args.service_url,
        sandbox_url=args.sandbox_url,
        signing_secret=args.signing_secret,
        team=args.team,
        user=args.user,
        channel=args.channel,
        wait=args.wait,
    )
