"""The feedback buttons under every result (``feedback_good`` / ``feedback_bad``, value = job id)
and the optional reason modal after a "bad".

parse -> authorize -> record -> render: the clicker's role comes from the members table, the job is
looked up in the clicker's own tenant session (``bot.feedback.service``), and the thanks or the
refusal goes to the clicker alone. A double click records the same verdict twice over one row.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.approvals.views import notice_modal
from bot.errors import BadInput
from bot.feedback import views
from bot.feedback.service import parse_rating, record_feedback
from bot.orgs.roles import require_role
from bot.services import AppServices
from handlers.actions import Click, button_listener, tell_clicker
from handlers.commands import failure_message

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: AppServices) -> None:
    database = services.runtime.database

    async def rate(click: Click) -> None:
        body, action, client, respond = click.body, click.action, click.client, click.respond
        rating = parse_rating("good" if action.get("action_id") == views.GOOD_ACTION else "bad")
        try:
            require_role(click.context.get("role"), "rate")
            await record_feedback(database, click.org_id, click.job_ref, click.user_id, rating)
        except Exception as error:
            await tell_clicker(body, client, respond, failure_message(error, "a feedback click")[0])
            return
        if rating == "bad" and body.get("trigger_id"):
            try:
                await client.views_open(trigger_id=body["trigger_id"], view=views.reason_modal(str(click.job_ref)))
                return
            except Exception:
                log.info("could not open the feedback reason modal", exc_info=True)
        await tell_clicker(body, client, respond, {"text": views.thanks(str(rating))})

    async def submit_reason(ack: Any, view: dict[str, Any], context: AsyncBoltContext) -> None:
        try:
            require_role(context.get("role"), "rate")
            await record_feedback(
                database,
                context["org_id"],
                view.get("private_metadata"),
                context.user_id or "",
                parse_rating("bad"),
                views.reason_from(view),
            )
        except BadInput as error:
            await ack(response_action="errors", errors={views.REASON_BLOCK: error.message})
            return
        except Exception as error:
            await ack(
                response_action="update", view=notice_modal(failure_message(error, "a feedback reason")[0]["text"])
            )
            return
        await ack()

    app.action(views.GOOD_ACTION)(button_listener(rate))
    app.action(views.BAD_ACTION)(button_listener(rate))
    app.view(views.REASON_MODAL)(submit_reason)
