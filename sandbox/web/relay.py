"""What the page's composer, buttons and modals send to the service: exactly what Slack sends.

Each request is built by the same builders ``content-factory say`` uses, signed with the app's
signing secret and posted to the service's ``/slack/events``. What the service answers in the
acknowledgement is then shown as Slack shows it (an ephemeral message to the person, or a post in
the channel), and a modal's answer (errors, update, clear) is returned to the page.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from sandbox.say import (
    VERIFICATION_TOKEN,
    SandboxWorkspace,
    SayError,
    build_block_action,
    build_dm_event,
    build_slash_command,
    build_thread_started,
    new_trigger_id,
    post_signed_form,
    sign_request,
)
from sandbox.slack import APP_ID, SandboxState, Workspace, _act_on_response

REQUEST_SECONDS = 10.0


class RelayError(Exception):
    """The request could not be made (unknown workspace, user or channel, or nothing answers)."""


@dataclass
class Relay:
    """Sends signed requests to the service at ``service_url`` on behalf of the page's users."""

    state: SandboxState
    service_url: str
    signing_secret: str
    # trigger_id -> (team, user): which person a modal opened with that trigger belongs to.
    triggers: dict[str, tuple[str, str]] = field(default_factory=dict)
    closed_views: set[str] = field(default_factory=set)
    # view id -> the view that a ``response_action: update`` put in its place.
    updated_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (team, user) -> the agent thread open in that person's DM with the bot.
    dm_threads: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def events_url(self) -> str:
        return f"{self.service_url.rstrip('/')}/slack/events"

    # -- who is asking -------------------------------------------------------------------------

    def workspace(self, team_id: str) -> Workspace:
        workspace = self.state.workspaces.get(team_id)
        if workspace is None:
            raise RelayError(f"no workspace {team_id}")
        return workspace

    def member(self, team_id: str, user_id: str) -> str:
        user = self.state.users.get(user_id)
        if user is None or user.team_id != team_id or user.is_bot:
            raise RelayError(f"{user_id} is not a person in {team_id}")
        return user.name

    def channel_of(self, team_id: str, user_id: str, channel_id: str) -> str:
        if channel_id == dm_id(user_id):
            self.state.open_dm(self.workspace(team_id), user_id)
        channel = self.state.channels.get(channel_id)
        if channel is None or channel.team_id != team_id or not channel.has_member(user_id):
            raise RelayError(f"{channel_id} is not a channel {user_id} is in")
        return channel.name

    def _directory(self, workspace: Workspace) -> SandboxWorkspace:
        return SandboxWorkspace(
            team_id=workspace.team_id,
            domain=workspace.domain,
            enterprise_id=workspace.enterprise_id,
            user_names={u.id: u.name for u in self.state.users.values() if u.team_id == workspace.team_id},
            channel_names={
                c.id: c.name for c in self.state.channels.values() if c.team_id == workspace.team_id and not c.im_user
            },
        )

    def _trigger(self, team_id: str, user_id: str) -> str:
        trigger = new_trigger_id()
        self.triggers[trigger] = (team_id, user_id)
        return trigger

    # -- slash commands and messages -----------------------------------------------------------

    async def command(self, team_id: str, user_id: str, channel_id: str, typed: str) -> None:
        """``/content …`` goes to the service as a slash command; other text is posted in the
        channel as the person's message (the app reads no channel messages)."""
        workspace = self.workspace(team_id)
        user_name = self.member(team_id, user_id)
        channel_name = self.channel_of(team_id, user_id, channel_id)
        typed = typed.strip()
        if not typed:
            return
        channel = self.state.channels[channel_id]
        if channel.im_user == user_id and not typed.startswith("/"):
            await self._message_the_bot(team_id, user_id, channel_id, typed)
            return
        if not typed.startswith("/"):
            message = {"type": "message", "user": user_id, "team": team_id, "text": typed, "ts": self.state.next_ts()}
            self.state.post_message(channel, message)
            self.state.changed()
            return
        command, _, text = typed.partition(" ")
        if command != "/content":
            self._slackbot_note(channel_id, user_id, f"{command} is not a valid command. This app answers /content.")
            return
        entry = self.state.response_entry(
            self.state.response_url(team_id=team_id, channel_id=channel_id, user_id=user_id).rsplit("/", 1)[-1]
        )
        fields = build_slash_command(
            self._directory(workspace).escape(text.strip()),
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            user_name=user_name,
            response_url=entry.url,
            trigger_id=self._trigger(team_id, user_id),
            channel_name=channel_name,
            team_domain=workspace.domain,
            enterprise_id=workspace.enterprise_id,
        )
        status, body = await self._post_form(fields)
        if status != 200:
            self._slackbot_note(channel_id, user_id, f'/content failed with the error "dispatch_failed" ({status})')
        elif body.strip():
            _act_on_response(self.state, entry, _ack_message(body))
        self.state.changed()

    # -- the bot's DM (agent view) -------------------------------------------------------------

    async def open_dm_thread(self, team_id: str, user_id: str) -> str:
        """The person opens a new thread in the bot's DM: ``assistant_thread_started`` goes to the
        service, which answers with its suggestions and a welcome there."""
        workspace = self.workspace(team_id)
        self.member(team_id, user_id)
        channel, _ = self.state.open_dm(workspace, user_id)
        thread_ts = self.state.next_ts()
        self.dm_threads[(team_id, user_id)] = thread_ts
        await self._post_event(
            build_thread_started(team_id=team_id, user_id=user_id, channel_id=channel.id, thread_ts=thread_ts)
        )
        self.state.changed()
        return thread_ts

    async def _message_the_bot(self, team_id: str, user_id: str, channel_id: str, typed: str) -> None:
        """The person's message in their DM, then the ``message.im`` event Slack sends the app (in
        the open agent thread, else as a message of its own whose ts is its thread)."""
        ts = self.state.next_ts()
        thread_ts = self.dm_threads.get((team_id, user_id))
        message: dict[str, Any] = {"type": "message", "user": user_id, "team": team_id, "text": typed, "ts": ts}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.state.post_message(self.state.channels[channel_id], message)
        self.state.changed()
        escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        await self._post_event(
            build_dm_event(escaped, team_id=team_id, user_id=user_id, channel_id=channel_id, ts=ts, thread_ts=thread_ts)
        )
        self.state.changed()

    async def _post_event(self, envelope: dict[str, Any]) -> None:
        body = json.dumps(envelope).encode()
        headers = {"Content-Type": "application/json", **sign_request(body, self.signing_secret)}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_SECONDS)) as session:
            try:
                async with session.post(self.events_url, data=body, headers=headers) as response:
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                raise RelayError(f"nothing answers at {self.events_url} ({error})") from None

    def _slackbot_note(self, channel_id: str, user_id: str, text: str) -> None:
        channel = self.state.channels[channel_id]
        note = {"text": text, "ts": self.state.next_ts(), "from_slack": True}
        self.state.post_ephemeral(channel, user_id, note)
        self.state.changed()

    # -- buttons -------------------------------------------------------------------------------

    async def click(
        self,
        team_id: str,
        user_id: str,
        *,
        action_id: str,
        value: str,
        block_id: str,
        channel_id: str | None = None,
        message_ts: str | None = None,
        ephemeral: bool = False,
        view_id: str | None = None,
    ) -> None:
        """A ``block_actions`` payload for a button in a message (channel, ephemeral) or a view."""
        workspace = self.workspace(team_id)
        user_name = self.member(team_id, user_id)
        trigger = self._trigger(team_id, user_id)
        if view_id is not None:
            view = self._view(view_id, team_id)
            payload = json.loads(
                build_block_action(
                    action_id,
                    value,
                    team_id=team_id,
                    user_id=user_id,
                    channel_id="",
                    message_ts="",
                    response_url="",
                    user_name=user_name,
                    team_domain=workspace.domain,
                    enterprise_id=workspace.enterprise_id,
                    block_id=block_id,
                    trigger_id=trigger,
                )["payload"]
            )
            for key in ("channel", "message", "response_url"):
                payload.pop(key)
            payload["container"] = {"type": "view", "view_id": view_id}
            payload["view"] = view
            status, _ = await self._post_form({"payload": json.dumps(payload)})
        else:
            if channel_id is None or message_ts is None:
                raise RelayError("a message button needs its channel and ts")
            channel_name = self.channel_of(team_id, user_id, channel_id)
            message = self._message(channel_id, message_ts, user_id, ephemeral=ephemeral)
            fields = build_block_action(
                action_id,
                value,
                team_id=team_id,
                user_id=user_id,
                channel_id=channel_id,
                message_ts=message_ts,
                response_url=self.state.response_url(
                    team_id=team_id, channel_id=channel_id, user_id=user_id, message_ts=message_ts
                ),
                user_name=user_name,
                channel_name=channel_name,
                team_domain=workspace.domain,
                enterprise_id=workspace.enterprise_id,
                block_id=block_id,
                message=message,
                trigger_id=trigger,
            )
            if ephemeral:
                payload = json.loads(fields["payload"])
                payload["container"]["is_ephemeral"] = True
                fields = {"payload": json.dumps(payload)}
            status, _ = await self._post_form(fields)
            if status != 200:
                self._slackbot_note(channel_id, user_id, f"Content Factory did not answer that click ({status}).")
        self.state.changed()

    def _message(self, channel_id: str, ts: str, user_id: str, *, ephemeral: bool) -> dict[str, Any]:
        if ephemeral:
            found = next(
                (e for e in self.state.ephemerals(user_id, channel=channel_id) if e.get("ts") == ts),
                None,
            )
        else:
            found = self.state.message(channel_id, ts)
        if found is None:
            raise RelayError("that message is gone")
        return {k: v for k, v in found.items() if k not in ("channel", "user_seen")} | {"type": "message"}

    # -- modals --------------------------------------------------------------------------------

    def _view(self, view_id: str, team_id: str) -> dict[str, Any]:
        if view_id in self.updated_views:
            return self.updated_views[view_id]
        for entry in reversed(self.state.views()):
            view = entry["view"]
            if view["id"] == view_id and view["team_id"] == team_id:
                return dict(view)
        raise RelayError(f"no view {view_id}")

    def open_modals(self, team_id: str, user_id: str) -> list[dict[str, Any]]:
        """Modals opened with a trigger this person's click made, not yet closed; newest last."""
        opened = []
        for entry in self.state.views():
            view = entry["view"]
            if entry["kind"] != "modal" or view["id"] in self.closed_views:
                continue
            if self.triggers.get(view.get("trigger_id") or "") == (team_id, user_id):
                opened.append(self.updated_views.get(view["id"], view))
        return opened

    def close(self, view_id: str) -> None:
        self.closed_views.add(view_id)
        self.state.changed()

    async def submit(
        self, team_id: str, user_id: str, view_id: str, values: dict[str, dict[str, str]]
    ) -> dict[str, str] | None:
        """A ``view_submission`` with the typed values (block id -> action id -> text). Returns
        the errors to show in the modal, or None when it closed or changed."""
        workspace = self.workspace(team_id)
        user_name = self.member(team_id, user_id)
        view = self._view(view_id, team_id)
        state_values = {
            block: {action: _input_value(view, block, text) for action, text in actions.items()}
            for block, actions in values.items()
        }
        payload = {
            "type": "view_submission",
            "team": {"id": team_id, "domain": workspace.domain},
            "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger(team_id, user_id),
            "view": {**view, "state": {"values": state_values}},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        status, body = await self._post_form({"payload": json.dumps(payload)})
        answer: dict[str, Any] = {}
        if status == 200 and body.strip():
            try:
                answer = json.loads(body)
            except json.JSONDecodeError:
                answer = {}
        action = answer.get("response_action")
        if status != 200:
            return {"": f"Content Factory did not answer ({status})."}
        if action == "errors":
            return {str(k): str(v) for k, v in (answer.get("errors") or {}).items()}
        if action == "update" and isinstance(answer.get("view"), dict):
            self.updated_views[view_id] = {**view, **answer["view"], "id": view_id}
        elif action == "clear":
            self.closed_views.update(v["id"] for v in self.open_modals(team_id, user_id))
        else:
            self.closed_views.add(view_id)
        self.state.changed()
        return None

    # -- App Home ------------------------------------------------------------------------------

    async def open_home(self, team_id: str, user_id: str) -> None:
        """The ``app_home_opened`` event Slack sends when a person opens the app's Home tab."""
        workspace = self.workspace(team_id)
        self.member(team_id, user_id)
        now = time.time()
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": {
                "type": "app_home_opened",
                "user": user_id,
                "channel": f"D{user_id[1:]}",
                "tab": "home",
                "event_ts": f"{now:.6f}",
            },
            "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": workspace.enterprise_id,
                    "team_id": team_id,
                    "user_id": workspace.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        await self._post_event(envelope)

    async def _post_form(self, fields: dict[str, str]) -> tuple[int, str]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_SECONDS)) as session:
            try:
                return await post_signed_form(session, self.events_url, fields, signing_secret=self.signing_secret)
            except (SayError, TimeoutError) as error:
                raise RelayError(str(error) or "the service did not answer in time") from None


def _ack_message(body: str) -> dict[str, Any]:
    """An acknowledgement's body as Slack reads it: JSON with a message, or plain text."""
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError:
        return {"text": body}
    return parsed if isinstance(parsed, dict) else {"text": body}


def dm_id(user_id: str) -> str:
    """The id of a person's DM with the bot, as the sandbox names it (``SandboxState.open_dm``)."""
    return f"D{user_id[1:]}"


def _input_value(view: dict[str, Any], block_id: str, text: str) -> dict[str, Any]:
    """What Slack puts in ``state.values`` for one input: typed text, or a picked conversation."""
    for block in view.get("blocks") or []:
        if block.get("block_id") == block_id and (block.get("element") or {}).get("type") == "conversations_select":
            return {"type": "conversations_select", "selected_conversation": text}
    return {"type": "plain_text_input", "value": text}
