"""What one person of one workspace sees: the contract between the sandbox and its web page.

Only the acting person's workspace is read; a channel of another workspace, or one the person is
not in, shows nothing. Ephemeral messages are the person's own; the Home tab is the last view
published for them; modals are the ones their own clicks opened.
"""

from __future__ import annotations

from typing import Any

from sandbox.slack import SandboxState, StoredFile
from sandbox.web.relay import Relay, dm_id

# How many of the workspace's most recent Web API calls the activity list shows.
ACTIVITY_CALLS = 12


def workspaces(state: SandboxState) -> list[dict[str, Any]]:
    """Every workspace with its people (not the bot) and its channels other than DMs."""
    listed = []
    for team_id, workspace in state.workspaces.items():
        people = [
            {"id": u.id, "name": u.name, "real_name": u.real_name, "is_admin": u.is_admin}
            for u in state.users.values()
            if u.team_id == team_id and not u.is_bot
        ]
        channels = [
            {
                "id": c.id,
                "name": c.name,
                "archived": c.archived,
                "private": c.private,
                "bot_member": c.bot_member,
                "members": sorted(c.members) if c.members is not None else None,
            }
            for c in state.channels.values()
            if c.team_id == team_id and c.im_user is None
        ]
        listed.append({"team_id": team_id, "name": workspace.name, "users": people, "channels": channels})
    return listed


def _files(state: SandboxState, team_id: str, message: dict[str, Any]) -> list[dict[str, Any]]:
    shown = []
    for entry in message.get("files") or []:
        stored: StoredFile | None = state.files.get(str(entry.get("id")))
        if stored is None or stored.team_id != team_id:
            continue
        shown.append(
            {
                "id": stored.id,
                "name": stored.filename,
                "title": stored.title or stored.filename,
                "alt": stored.alt_txt or "",
                "url": f"/_sandbox/files/{stored.id}",
                "is_image": stored.filename.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp")),
            }
        )
    return shown


def _author(message: dict[str, Any], person: str | None, ephemeral: bool) -> str:
    """Ephemeral messages come from the app (or from Slack itself); others from their poster."""
    if message.get("from_slack"):
        return "Slackbot"
    if ephemeral or message.get("bot_id") or person is None:
        return "Content Factory"
    return person


def _shown(state: SandboxState, team_id: str, message: dict[str, Any], **extra: Any) -> dict[str, Any]:
    author = state.users.get(str(message.get("user") or ""))
    return {
        "ts": message.get("ts"),
        "text": message.get("text") or "",
        "blocks": message.get("blocks") or [],
        "attachments": message.get("attachments") or [],
        "files": _files(state, team_id, message),
        "edited": bool(message.get("edited")),
        "streaming": bool(message.get("streaming")),
        "thread_ts": message.get("thread_ts"),
        "reply_broadcast": bool(message.get("reply_broadcast")),
        "replies": [],
        "author": _author(message, author.real_name if author is not None else None, extra.get("ephemeral", False)),
        "is_bot": bool(message.get("bot_id") or message.get("from_slack") or extra.get("ephemeral")),
        **extra,
    }


def threaded(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A channel as Slack shows it: a reply (a ``thread_ts`` other than its own ``ts``) sits in its
    parent's ``replies``, not in the channel; one also sent to the channel (``reply_broadcast``)
    shows in both. A reply whose parent is gone stays in the channel. The bot's DM is shown as its
    open thread, so it is not folded this way."""
    parents = {m["ts"]: m for m in messages if not m.get("thread_ts") or m["thread_ts"] == m["ts"]}
    shown = []
    for message in messages:
        parent = parents.get(message.get("thread_ts") or "") if message.get("thread_ts") != message["ts"] else None
        if parent is None:
            shown.append(message)
            continue
        parent["replies"].append(message)
        if message.get("reply_broadcast"):
            shown.append(message)
    return shown


def snapshot(state: SandboxState, relay: Relay | None, team_id: str, user_id: str, channel_id: str) -> dict[str, Any]:
    """Everything the page shows for ``user_id`` of ``team_id`` looking at ``channel_id``."""
    user = state.users.get(user_id)
    member = user is not None and user.team_id == team_id and not user.is_bot
    channel = state.channels.get(channel_id)
    visible = (
        member
        and channel is not None
        and channel.team_id == team_id
        and (channel.has_member(user_id) or (channel.im_user == user_id))
    )
    messages: list[dict[str, Any]] = []
    if visible:
        messages = [_shown(state, team_id, m) for m in state.messages(channel_id, team_id=None)]
        messages += [_shown(state, team_id, e, ephemeral=True) for e in state.ephemerals(user_id, channel=channel_id)]
        messages.sort(key=lambda m: float(m["ts"] or 0))
        if channel is not None and channel.im_user is None:
            messages = threaded(messages)
    dms = []
    if member:
        # The bot's DM is always there to write to; the relay opens it on the first message.
        dms = [{"id": dm_id(user_id), "name": "Content Factory", "unread": False}]
    threads = [
        {"thread_ts": ts, **{k: v for k, v in info.items() if k in ("status", "title", "prompts")}}
        for (channel, ts), info in state.threads.items()
        if visible and channel == channel_id
    ]
    home = None
    if member:
        published = [v["view"] for v in state.views(user_id) if v["kind"] == "home" and v["view"]["team_id"] == team_id]
        home = published[-1] if published else None
    activity = [
        {"seq": c.seq, "method": c.method, "ok": c.ok, "error": c.error, "status": c.status, "at": c.at}
        for c in state.calls(team_id=team_id)[-ACTIVITY_CALLS:]
    ]
    return {
        "team_id": team_id,
        "user_id": user_id,
        "channel_id": channel_id if visible else None,
        "messages": messages,
        "dms": dms,
        "threads": threads,
        "home": home,
        "modals": relay.open_modals(team_id, user_id) if (relay is not None and member) else [],
        "activity": activity,
    }
