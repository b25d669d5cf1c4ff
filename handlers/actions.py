"""The approval buttons (``approve_job`` / ``reject_job``, value = job id) and the reject modal.

parse -> authorize -> decide -> render: ``bot.approvals.service`` checks the clicker's role and the job
in the clicker's own tenant session, so nothing in the payload is trusted; a refusal is one
ephemeral message. What follows a decision (every copy of the request updated in place, the
requester told) is sent after the ack, so a slow Slack never makes a made decision look failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.approvals import views
from bot.approvals.messages import announce_decision, tell_user
from bot.approvals.service import DecidedJob, Decision
from bot.commands.views import Message, ephemeral
from bot.errors import BadInput
from bot.services import AppServices
from bot.slack.ack_watchdog import seconds_since_arrival
from bot.slack.client import async_retry_handlers
from handlers.commands import failure_message

log = logging.getLogger(__name__)

_announcements: set[asyncio.Task[None]] = set()

T = TypeVar("T")


@dataclass(frozen=True)
class Click:
    """A button click as bolt hands it over, already acked."""

    body: dict[str, Any]
    action: dict[str, Any]
    context: AsyncBoltContext
    client: AsyncWebClient
    respond: Any

    @property
    def org_id(self) -> Any:
        return self.context["org_id"]

    @property
    def job_ref(self) -> Any:
        """The button's value: a job id, as the payload claims it (the service checks it)."""
        return self.action.get("value")

    @property
    def user_id(self) -> str:
        return self.context.user_id or ""

    @property
    def message(self) -> tuple[str | None, str | None]:
        """The clicked message's channel and ts (both None for a click in a view)."""
        container = self.body.get("container") or {}
        return container.get("channel_id"), container.get("message_ts")

    async def or_refuse(self, work: Awaitable[T]) -> T | None:
        return await _or_refuse(work, self.body, self.client, self.respond)


def button_listener(step: Callable[[Click], Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """The bolt listener for a button: ack at once, then ``step`` (bolt passes arguments by name)."""

    async def listener(
        ack: Any,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        respond: Any,
    ) -> None:
        await ack()
        await step(Click(body, action, context, client, respond))

    return listener


def register_action_handlers(app: AsyncApp, services: AppServices) -> None:
    approvals = services.approvals

    async def approve(click: Click) -> None:
        decided = await click.or_refuse(approvals.decide(click.org_id, click.job_ref, click.user_id, Decision.APPROVE))
        if decided is not None:
            _announce_later(click.client, decided, *click.message)

    async def reject(click: Click) -> None:
        # The modal can only open under the click's trigger_id, which Slack honours for 3 s: a check
        # or a views.open that overruns it (a database or Slack under a fault) is told to the clicker,
        # never left as a button that silently did nothing.
        window = asyncio.timeout(max(0.0, views.TRIGGER_WINDOW_SECONDS - seconds_since_arrival()))
        try:
            async with window:
                job = await approvals.decidable(click.org_id, click.job_ref, click.user_id)
                origin = views.ModalOrigin(str(job.id), *click.message)
                await click.client.views_open(trigger_id=click.body["trigger_id"], view=views.reject_modal(job, origin))
        except SlackApiError as error:
            code = error.response.get("error") or "an error"
            log.warning("views.open for a reject click failed: %s", code)
            await _form_not_opened(click, f"Slack answered `{code}`")
        except Exception as error:
            if isinstance(error, TimeoutError) and window.expired():
                await _form_not_opened(click, "Slack's time to open it ran out")
            else:
                await tell_clicker(click.body, click.client, click.respond, _failure_message(error))

    async def submit_reject(ack: Any, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        origin = views.ModalOrigin.load(view.get("private_metadata"))
        try:
            decided = await approvals.decide(
                context["org_id"], origin.job_id, context.user_id or "", Decision.REJECT, views.reason_from(view)
            )
        except BadInput as error:
            await ack(response_action="errors", errors={views.REASON_BLOCK: error.message})
            return
        except Exception as error:
            await ack(response_action="update", view=views.notice_modal(_failure_message(error)["text"]))
            return
        await ack()
        _announce_later(client, decided, origin.channel, origin.ts)
        # A step of a Workflow Builder run waiting on this job fails now, with the reason.
        services.workflow_steps.job_ended(decided.org_id, decided.job_id)

    app.action(views.APPROVE_ACTION)(button_listener(approve))
    app.action(views.REJECT_ACTION)(button_listener(reject))
    app.view(views.REJECT_MODAL)(submit_reject)


# handlers.* surfaces are wired with ``register(app, services)``.
register = register_action_handlers


async def _form_not_opened(click: Click, reason: str) -> None:
    await tell_clicker(click.body, click.client, click.respond, ephemeral(views.reject_form_not_opened(reason)))


def _failure_message(error: Exception) -> Message:
    return failure_message(error, "an approval click")[0]


async def _or_refuse(work: Awaitable[T], body: dict[str, Any], client: AsyncWebClient, respond: Any) -> T | None:
    """What ``work`` returns, or None once the clicker has been told why it was refused."""
    try:
        return await work
    except Exception as error:
        await tell_clicker(body, client, respond, _failure_message(error))
        return None


async def tell_clicker(body: dict[str, Any], client: AsyncWebClient, respond: Any, message: Message) -> None:
    """One message to whoever clicked, seen by them alone."""
    if body.get("response_url"):
        # The response_url bolt's respond holds (vetted by the middleware), sent under the project's
        # retry policy: respond sends once, so a 429 from Slack dropped the note unheard.
        webhook = AsyncWebhookClient(respond.response_url, retry_handlers=async_retry_handlers())
        await webhook.send_dict({**message, "replace_original": False})
        return
    # A click from a view (App Home) has no response_url: an ephemeral note where it can go, else a DM.
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    await tell_user(client, body["user"]["id"], message["text"], channel=channel)


def _announce_later(client: AsyncWebClient, decided: DecidedJob, channel: str | None, ts: str | None) -> None:
    if channel and ts and (channel, ts) not in decided.approval_messages:
        # The clicked copy is always replaced, even one the job's records lost (a request sent twice).
        decided = replace(decided, approval_messages=(*decided.approval_messages, (channel, ts)))
    task = asyncio.get_running_loop().create_task(announce_decision(client, decided))
    _announcements.add(task)
    task.add_done_callback(_announcements.discard)


async def drain_announcements() -> None:
    """Let announcements in flight finish (graceful shutdown, tests)."""
    while _announcements:
        await asyncio.gather(*list(_announcements), return_exceptions=True)
