"""The sandbox's agent-view methods, with Slack's rules: chat streaming (``chat.startStream``,
``chat.appendStream``, ``chat.stopStream``), ``assistant.threads.setStatus`` / ``setTitle`` /
``setSuggestedPrompts``, and ``conversations.replies``.

What Slack refuses, the sandbox refuses: a stream needs a thread; in a channel it also needs the
recipient; markdown_text is at most 12,000 characters a call and a streamed message holds at most
that much; once stopped, or once Slack's time-out (about five minutes after it started) has passed,
a stream takes nothing more (``message_not_in_streaming_state``). The assistant.threads methods
need the ``assistant:write`` scope and a DM with the bot; a bot reply in a thread clears its status.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.slack import (
    MAX_MARKDOWN_TEXT,
    ApiError,
    Channel,
    MessagePage,
    SandboxState,
    Workspace,
    _blocks,
    _bot_message,
    _json_param,
    api_method,
    with_metadata_if_asked,
)


@dataclass
class Stream:
    channel: str
    ts: str
    started: float
    text: str = ""
    state: str = "streaming"  # streaming, completed, timed_out
    appends: list[str] = field(default_factory=list)


def _markdown_text(params: dict[str, Any], *, required: bool) -> str:
    text = params.get("markdown_text")
    if text in (None, ""):
        if required:
            raise ApiError("invalid_arguments")
        return ""
    if len(str(text)) > MAX_MARKDOWN_TEXT:
        raise ApiError("msg_too_long")
    return str(text)


def _show(message: dict[str, Any], stream: Stream, closing: list[dict[str, Any]] | None = None) -> None:
    message["text"] = stream.text
    message["blocks"] = [{"type": "markdown", "text": stream.text}, *(closing or [])]
    message["streaming"] = stream.state == "streaming"


def _clear_status(state: SandboxState, channel_id: str, thread_ts: str | None) -> None:
    if thread_ts:
        state.threads.get((channel_id, thread_ts), {}).pop("status", None)


def _extend_live_stream(
    state: SandboxState, workspace: Workspace, params: dict[str, Any], *, text_required: bool
) -> tuple[Stream, dict[str, Any], str]:
    """The stream ``params`` name, its message, and the ``markdown_text`` added to it; Slack refuses
    a stream that is gone or stopped, and text that would pass its markdown limit."""
    channel = state.postable_channel(workspace, params.get("channel"))
    ts = str(params.get("ts") or "")
    stream = state.streams.get((channel.id, ts))
    message = state.message(channel.id, ts)  # Slack's time-out applied first
    if stream is None or message is None:
        raise ApiError("message_not_found")
    if stream.state != "streaming":
        raise ApiError("message_not_in_streaming_state")
    text = _markdown_text(params, required=text_required)
    if len(stream.text) + len(text) > MAX_MARKDOWN_TEXT:
        raise ApiError("msg_too_long")
    stream.text += text
    return stream, message, text


@api_method("chat.startStream")
def chat_start_stream(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = state.postable_channel(workspace, params.get("channel"))
    thread_ts = str(params.get("thread_ts") or "")
    if not thread_ts:
        raise ApiError("invalid_arguments")
    if channel.im_user is None and not (params.get("recipient_user_id") and params.get("recipient_team_id")):
        raise ApiError("invalid_arguments")
    text = _markdown_text(params, required=False)
    state.take_posting_slot(channel)
    message = _bot_message(workspace, state.next_ts(), {"text": text, "thread_ts": thread_ts})
    stream = Stream(channel=channel.id, ts=message["ts"], started=time.monotonic(), text=text)
    _show(message, stream)
    state.streams[(channel.id, stream.ts)] = stream
    state.post_message(channel, message)
    _clear_status(state, channel.id, thread_ts)
    return {"ok": True, "channel": channel.id, "ts": stream.ts}


@api_method("chat.appendStream")
def chat_append_stream(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    stream, message, text = _extend_live_stream(state, workspace, params, text_required=True)
    stream.appends.append(text)
    _show(message, stream)
    return {"ok": True, "channel": stream.channel, "ts": stream.ts}


@api_method("chat.stopStream")
def chat_stop_stream(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    stream, message, _ = _extend_live_stream(state, workspace, params, text_required=False)
    closing = _blocks(params) or []
    stream.state = "completed"
    _show(message, stream, closing)
    metadata = _json_param(params.get("metadata"), "invalid_metadata_format")
    if metadata:
        message["metadata"] = metadata
    return {"ok": True, "channel": stream.channel, "ts": stream.ts, "message": message}


def _agent_thread(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> tuple[Channel, str]:
    if "assistant:write" not in workspace.scopes.split(","):
        raise ApiError("missing_scope")
    channel = state.find_channel(workspace, params.get("channel_id"))
    if channel.im_user is None:
        raise ApiError("channel_type_not_supported")
    thread_ts = str(params.get("thread_ts") or "")
    if not thread_ts:
        raise ApiError("invalid_arguments")
    return channel, thread_ts


@api_method("assistant.threads.setStatus")
def assistant_threads_set_status(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel, thread_ts = _agent_thread(state, workspace, params)
    status = str(params.get("status") or "")
    thread = state.threads.setdefault((channel.id, thread_ts), {})
    if status:
        thread["status"] = status
    else:
        thread.pop("status", None)
    return {"ok": True}


@api_method("assistant.threads.setTitle")
def assistant_threads_set_title(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel, thread_ts = _agent_thread(state, workspace, params)
    title = str(params.get("title") or "")
    if not title:
        raise ApiError("invalid_arguments")
    state.threads.setdefault((channel.id, thread_ts), {})["title"] = title
    return {"ok": True}


MAX_SUGGESTED_PROMPTS = 4


@api_method("assistant.threads.setSuggestedPrompts")
def assistant_threads_set_suggested_prompts(
    state: SandboxState, workspace: Workspace, params: dict[str, Any]
) -> dict[str, Any]:
    channel, thread_ts = _agent_thread(state, workspace, params)
    prompts = _json_param(params.get("prompts"), "invalid_arguments")
    if not isinstance(prompts, list) or not 1 <= len(prompts) <= MAX_SUGGESTED_PROMPTS:
        raise ApiError("invalid_arguments")
    for prompt in prompts:
        if not isinstance(prompt, dict) or not prompt.get("title") or not prompt.get("message"):
            raise ApiError("invalid_arguments")
    thread = state.threads.setdefault((channel.id, thread_ts), {})
    thread["prompts"] = prompts
    thread["prompts_title"] = params.get("title")
    return {"ok": True}


@api_method("conversations.replies")
def conversations_replies(state: SandboxState, workspace: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """The thread's parent and then its replies, oldest first, within ``oldest``/``latest``
    (exclusive unless ``inclusive``; the parent is listed whatever the window), ``limit`` a page
    with a ``next_cursor``; metadata only with ``include_all_metadata``."""
    channel = state.find_channel(workspace, params.get("channel"))
    if channel.im_user is not None and "im:history" not in workspace.scopes.split(","):
        raise ApiError("missing_scope")
    if not channel.bot_member:
        raise ApiError("not_in_channel")
    ts = str(params.get("ts") or "")
    if not ts:
        raise ApiError("invalid_arguments")
    window = MessagePage.of(params)
    thread = [
        message for message in reversed(state.history(channel)) if message["ts"] == ts or message.get("thread_ts") == ts
    ]
    if not thread:
        raise ApiError("thread_not_found")
    listed = [
        with_metadata_if_asked(message, params) for message in thread if message["ts"] == ts or window.holds(message)
    ]
    return window.answer(listed)
