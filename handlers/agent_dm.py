"""The bot's DM (Slack's agent messaging, ``features.agent_view``): a message to the bot is a request
for content, on the same path as ``/content text|image``.

parse -> authorize -> submit -> render: the message's intent (``bot.agent.intent``), the sender's
role from the members table, then ``JobService.submit`` (guard, quota, one committed job) with the
DM thread as where the result lands. What a person is told (a refusal, "on it", the thread's
status and title, the suggestions when a thread opens) goes to Slack after the event is answered,
so a slow Slack never makes Slack send the event again.

Listeners: bolt's ``AsyncAssistant`` (consulted for events only) for the agent view's threads
(``assistant_thread_started``, a user's message in a thread), and a plain ``message`` listener for a DM written outside a thread
(an app whose agent view is off), whose own ts becomes the thread. Slack's retries of an event are
answered and dropped: the first delivery was answered in time or committed nothing visible, and a
second job from one message would be a double charge.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.agent import views
from bot.agent.intent import read_choice, read_dm
from bot.agent.service import share_result
from bot.approvals.views import notice_modal
from bot.errors import BadInput, NotAllowed
from bot.jobs.service import AcceptedJob, JobRequest
from bot.orgs.roles import require_role
from bot.orgs.settings import suggested_prompts
from bot.services import AppServices
from bot.slack.channel_access import require_postable
from bot.slack.middleware.events_only_assistant import EventsOnlyAssistant
from db.models import JobKind
from handlers.actions import Click, button_listener, tell_clicker
from handlers.commands import audit_refusal, failure_message
from handlers.invocation import Invocation

log = logging.getLogger(__name__)

_later_tasks: set[asyncio.Task[None]] = set()


def register(app: AsyncApp, services: AppServices) -> None:
    assistant = EventsOnlyAssistant()

    async def thread_started(event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        thread = event.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if not channel or not thread_ts:
            return
        prompts = await suggested_prompts(services.runtime.database, context["org_id"])
        _later(_open_thread(client, channel, thread_ts, prompts))

    async def user_message(
        event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, request: AsyncBoltRequest
    ) -> None:
        if _is_retry(request) or not _from_a_person(event):
            return
        await answer_dm(services, event, context, client)

    async def dm_outside_a_thread(
        event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, request: AsyncBoltRequest
    ) -> None:
        if _is_retry(request) or not _from_a_person(event) or event.get("thread_ts"):
            return
        await answer_dm(services, event, context, client)

    assistant.thread_started(thread_started)
    assistant.user_message(user_message)
    app.use(assistant)
    app.event("message")(dm_outside_a_thread)
    register_share(app, services)
    register_kind_choice(app, services)


async def answer_dm(
    services: AppServices, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Submit the message as a job, ask whether it is text or an image when it could be either, or
    tell the sender in the thread why not; never raises."""
    channel, user_id = str(event["channel"]), str(event.get("user") or "")
    thread_ts = str(event.get("thread_ts") or event["ts"])
    kind: str = "text"
    try:
        request = read_dm(event.get("text"))
        kind = request.kind
        who = _invocation(context, user_id, channel)
        if not request.clear:
            await _require_may_generate(services, who, JobKind.TEXT)
            _later(_reply(client, channel, thread_ts, **views.kind_choice(request.prompt)))
            return
        accepted = await _submit(services, who, JobKind(kind), request.prompt, thread_ts)
    except Exception as error:
        message, _ = failure_message(error, f"a {kind} message to the bot")
        _later(_reply(client, channel, thread_ts, message["text"]))
        return
    title = views.thread_title(JobKind(kind), accepted.masked_prompt)
    _later(_show_queued(client, channel, thread_ts, title))


def register_kind_choice(app: AsyncApp, services: AppServices) -> None:
    """The "Write text" / "Draw an image" buttons under a message that could ask for either."""

    async def choose(ack: Any, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        kind = JobKind.IMAGE if action.get("action_id") == views.CHOOSE_IMAGE_ACTION else JobKind.TEXT
        channel = str((body.get("channel") or {}).get("id") or "")
        message = body.get("message") or {}
        choice_ts = str(message.get("ts") or (body.get("container") or {}).get("message_ts") or "")
        thread_ts = str(message.get("thread_ts") or choice_ts)
        user_id = context.user_id or ""
        client = context.client
        try:
            prompt = read_choice(action.get("value"))
            who = _invocation(context, user_id, channel)
            if not channel.startswith("D") or not await _first_choice(services, who.org_id, channel, choice_ts):
                return  # not a DM's choice, or answered already (a double click)
            accepted = await _submit(services, who, kind, prompt, thread_ts)
        except Exception as error:
            failed, _ = failure_message(error, f"a {kind} choice in the bot's DM")
            _later(_reply(client, channel, thread_ts, failed["text"]))
            return
        _later(
            _quietly("choice", client.chat_update(channel=channel, ts=choice_ts, **views.kind_chosen(kind, user_id)))
        )
        _later(_show_queued(client, channel, thread_ts, views.thread_title(kind, accepted.masked_prompt)))

    app.action(views.CHOOSE_TEXT_ACTION)(choose)
    app.action(views.CHOOSE_IMAGE_ACTION)(choose)


CHOICE_KEY = "cf:dm-choice:{org}:{channel}:{ts}"
CHOICE_KEY_SECONDS = 7 * 24 * 3600


async def _first_choice(services: AppServices, org_id: Any, channel: str, choice_ts: str) -> bool:
    """True for the first click on a choice message's buttons, False for every later one."""
    key = CHOICE_KEY.format(org=org_id, channel=channel, ts=choice_ts)
    return bool(await services.runtime.redis.set(key, "1", nx=True, ex=CHOICE_KEY_SECONDS))


def _invocation(context: AsyncBoltContext, user_id: str, channel: str) -> Invocation:
    return Invocation(
        org_id=context["org_id"],
        user_id=user_id,
        role=context.get("role"),
        channel_id=channel,
        response_url=None,
        policy=context["policy"],
    )


async def _require_may_generate(services: AppServices, who: Invocation, kind: JobKind) -> None:
    try:
        require_role(who.role, kind)
    except NotAllowed:
        await audit_refusal(services, who, f"dm {kind}")
        raise
    if who.policy.paused:
        raise NotAllowed("Generation is paused for this organization. An admin can tell you more.")


async def _submit(services: AppServices, who: Invocation, kind: JobKind, prompt: str, thread_ts: str) -> AcceptedJob:
    """The one way a DM asks for a job: role, then ``JobService.submit`` with the thread as target."""
    await _require_may_generate(services, who, kind)
    return await services.jobs.submit(
        JobRequest(
            org_id=who.org_id,
            requester_id=who.user_id,
            kind=kind,
            prompt=prompt,
            target_channel=who.channel_id,
            source_channel=who.channel_id,
            thread_ts=thread_ts,
        ),
        who.policy,
    )


def register_share(app: AsyncApp, services: AppServices) -> None:
    """The "Post to a channel" button under a DM result, and the modal that names the channel."""

    async def share_click(click: Click) -> None:
        try:
            require_role(click.context.get("role"), "text")
            modal = views.share_modal(str(click.action.get("value")))
            await click.client.views_open(trigger_id=click.body["trigger_id"], view=modal)
        except Exception as error:
            message = failure_message(error, "a post-to-channel click")[0]
            await tell_clicker(click.body, click.client, click.respond, message)

    async def submit_share(ack: Any, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        channel = views.share_channel_from(view)
        user_id = context.user_id or ""
        org_id, policy = context["org_id"], context["policy"]
        try:
            if channel is None or channel[:1] not in ("C", "G"):
                raise BadInput("Pick a channel to post in.")
            require_role(context.get("role"), "text")
            await require_postable(services.runtime, org_id, user_id, channel, typed_in=None)
            shared = await share_result(
                services.runtime.database, org_id, view.get("private_metadata"), user_id, channel
            )
        except BadInput as error:
            await ack(response_action="errors", errors={views.SHARE_BLOCK: error.message})
            return
        except Exception as error:
            text = failure_message(error, "a post-to-channel")[0]["text"]
            await ack(response_action="update", view=notice_modal(text))
            return
        await ack(
            response_action="update",
            view=notice_modal(
                views.shared_text(channel, approvals_required=policy.approvals_required, again=not shared.new)
            ),
        )
        if shared.new and services.jobs.background is not None:
            services.jobs.background.start(shared.job_id, org_id, shared.kind)  # after the answer
        elif shared.new:
            await services.jobs.send(shared.job_id, org_id, shared.kind)

    app.action(views.SHARE_ACTION)(button_listener(share_click))
    app.view(views.SHARE_MODAL)(submit_share)


def _is_retry(request: AsyncBoltRequest) -> bool:
    retry = request.headers.get("x-slack-retry-num")
    if retry:
        log.info("dropping Slack's retry %s of a DM event", retry[0])
        return True
    return False


def _from_a_person(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im"
        and str(event.get("channel") or "").startswith("D")
        and not event.get("bot_id")
        and not event.get("subtype")
        and bool(event.get("user"))
    )


def _later(work: Awaitable[None]) -> None:
    task = asyncio.ensure_future(work)
    _later_tasks.add(task)
    task.add_done_callback(_later_tasks.discard)


async def drain_dm_replies() -> None:
    """Let replies in flight finish (graceful shutdown, tests)."""
    while _later_tasks:
        await asyncio.gather(*list(_later_tasks), return_exceptions=True)


async def _quietly(what: str, call: Awaitable[Any]) -> None:
    try:
        await call
    except Exception:
        log.info("DM: %s failed", what, exc_info=True)


async def _open_thread(client: AsyncWebClient, channel: str, thread_ts: str, prompts: tuple[str, ...]) -> None:
    await _quietly(
        "suggested prompts",
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel,
            thread_ts=thread_ts,
            title="Try one of these",
            prompts=[{"title": p[:75], "message": p} for p in prompts],
        ),
    )
    await _quietly("welcome", client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=views.welcome_text()))


async def _show_queued(client: AsyncWebClient, channel: str, thread_ts: str, title: str) -> None:
    await _quietly("title", client.assistant_threads_setTitle(channel_id=channel, thread_ts=thread_ts, title=title))
    await _quietly(
        "status",
        client.assistant_threads_setStatus(channel_id=channel, thread_ts=thread_ts, status=views.STATUS_QUEUED),
    )


async def _reply(client: AsyncWebClient, channel: str, thread_ts: str, text: str, **message: Any) -> None:
    await _quietly("reply", client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text, **message))
