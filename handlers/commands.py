"""`/content`: parse -> authorize -> call one service -> render, answered in the ack.

The role check comes before the arguments are read, so a viewer learns they may not generate
before being told how to write a prompt. Errors a user can fix become one ephemeral message here
(rendered by ``bot.commands.views.error_message``); anything else is logged with the trace id and
answered with an apology carrying that id.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from opentelemetry import trace
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.brand.views import kit_changed, kit_message
from bot.commands import views
from bot.commands.parser import (
    AllowModels,
    CancelSchedule,
    ClearBrand,
    Command,
    CreateSchedule,
    ExportFeedback,
    Generate,
    GrantRole,
    ListSchedules,
    SetApprovals,
    SetBrand,
    SetModelStrategy,
    SetMoneyBudget,
    SetOffPeak,
    SetPregeneration,
    SetQuota,
    SetResultCache,
    SetSuggestedPrompts,
    ShowAudit,
    ShowBrand,
    ShowHelp,
    ShowModels,
    ShowQuota,
    parse_arguments,
    split_subcommand,
)
from bot.errors import (
    BadInput,
    DatabaseUnavailable,
    NotAllowed,
    PromptBlocked,
    QuotaDenied,
    ServiceUnavailable,
    UserError,
)
from bot.feedback import views as feedback_views
from bot.feedback.service import feedback_csv, feedback_totals, recent_feedback
from bot.jobs.service import JobRequest
from bot.orgs.audit_log import recent_audit_events
from bot.orgs.off_peak import parse_window, set_off_peak
from bot.orgs.roles import require_role
from bot.orgs.settings import set_approvals, set_suggested_prompts, suggested_prompts
from bot.quota import render_status
from bot.result_cache import set_image_pregeneration, set_result_cache
from bot.routing import views as routing_views
from bot.routing.service import change_routing_policy, check_allowed
from bot.services import AppServices
from bot.slack.channel_access import require_postable
from bot.telemetry.metrics import count_command
from bot.telemetry.web import annotate_request
from db.audit import record_event
from db.engine import is_database_outage
from db.models import Role
from handlers.invocation import Invocation
from handlers.schedules import run_schedule_command

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: AppServices) -> None:
    async def content_command(ack: Any, command: dict[str, Any], context: AsyncBoltContext) -> None:
        await services.watchdog.answer(
            answer_command(services, command, context), ack=ack, response_url=command.get("response_url")
        )

    app.command("/content")(content_command)


async def answer_command(services: AppServices, command: dict[str, Any], context: AsyncBoltContext) -> views.Message:
    """The answer to one `/content` command, whatever happens; it never raises."""
    text = command.get("text") or ""
    # The first word labels metrics ("quota set" counts as quota; a typo as unknown).
    label = next(iter(text.split()), None)
    subcommand: str | None = None
    try:
        head = split_subcommand(text)
        subcommand = head.spec.name
        annotate_request(context, subcommand=label)
        invocation = Invocation(
            org_id=context["org_id"],
            user_id=command["user_id"],
            role=context.get("role"),
            channel_id=command["channel_id"],
            response_url=command.get("response_url"),
            policy=context["policy"],
        )
        try:
            require_role(invocation.role, subcommand)
        except NotAllowed:
            await audit_refusal(services, invocation, subcommand)
            raise
        message = await run_command(services, parse_arguments(head), invocation)
        count_command(label, "ok")
        return message
    except Exception as error:
        message, outcome = failure_message(error, f"/content {subcommand or '?'}")
        count_command(label, outcome)
        return message


async def run_command(services: AppServices, command: Command, who: Invocation) -> views.Message:
    database = services.runtime.database
    match command:
        case ShowHelp():
            return views.help_message(who.role)
        case Generate():
            return await _generate(services, command, who)
        case CreateSchedule() | ListSchedules() | CancelSchedule():
            return await run_schedule_command(services, command, who)
        case ShowQuota():
            return views.quota_message(render_status(await services.quota.status(who.org_id)))
        case SetQuota(tokens=tokens):
            await services.quota.set_budget(who.org_id, tokens, actor=who.user_id)
            return views.budget_set(tokens)
        case SetMoneyBudget(micros=micros):
            currency = services.quota.currency
            await services.quota.set_money_budget(who.org_id, micros, currency, actor=who.user_id)
            return routing_views.money_budget_set(micros, currency)
        case ShowModels():
            return routing_views.models_message(services.catalogue, who.policy.routing)
        case AllowModels(models=names):
            allowed = None if names is None else check_allowed(services.catalogue, names)
            policy = await change_routing_policy(database, who.org_id, actor=who.user_id, allowed=allowed)
            services.tenants.forget_org(who.org_id)
            return routing_views.policy_changed(policy)
        case SetModelStrategy(strategy=strategy):
            policy = await change_routing_policy(database, who.org_id, actor=who.user_id, strategy=strategy)
            services.tenants.forget_org(who.org_id)
            return routing_views.policy_changed(policy)
        case GrantRole(user_id=target, role=role):
            if target == who.user_id and role != Role.ADMIN:
                raise BadInput("You can't take away your own admin role; ask another admin to do it.")
            await services.roles.grant(who.org_id, target, role, actor=who.user_id)
            return views.role_granted(target, role)
        case SetApprovals(enabled=enabled, channel_id=channel_id):
            channel = await set_approvals(
                database, who.org_id, enabled=enabled, channel_id=channel_id, actor=who.user_id
            )
            services.tenants.forget_org(who.org_id)
            return views.approvals_set(enabled, channel)
        case SetResultCache(enabled=enabled):
            await set_result_cache(database, who.org_id, enabled=enabled, actor=who.user_id)
            services.tenants.forget_org(who.org_id)
            return views.result_cache_set(enabled)
        case SetOffPeak(window=typed):
            window = None
            if typed is not None:
                window = parse_window(typed, await services.schedules.timezone_of(who.org_id, who.user_id))
            await set_off_peak(database, who.org_id, window, actor=who.user_id)
            return views.off_peak_set(window)
        case SetPregeneration(enabled=enabled):
            settings = await set_image_pregeneration(database, who.org_id, enabled=enabled, actor=who.user_id)
            return views.pregeneration_set(settings)
        case ShowBrand():
            return kit_message(await services.brand.show(who.org_id))
        case SetBrand(part=part, text=text):
            kit = await services.brand.set_part(who.org_id, part, text, actor=who.user_id, policy=who.policy)
            return kit_changed(kit, part)
        case ClearBrand(part=part):
            return kit_changed(await services.brand.clear(who.org_id, part, actor=who.user_id), part, cleared=True)
        case ShowAudit(limit=limit):
            return views.audit_message(await recent_audit_events(database, who.org_id, limit))
        case SetSuggestedPrompts(prompts=None):
            return views.suggested_prompts_message(await suggested_prompts(database, who.org_id), changed=False)
        case SetSuggestedPrompts(prompts=tuple() as prompts):
            stored = await set_suggested_prompts(database, who.org_id, prompts, actor=who.user_id)
            return views.suggested_prompts_message(stored, changed=True)
        case ExportFeedback():
            rows = await recent_feedback(database, who.org_id)
            totals = await feedback_totals(database, who.org_id)
            return feedback_views.export_message(totals, feedback_csv(rows), len(rows))
    raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover


async def _generate(services: AppServices, command: Generate, who: Invocation) -> views.Message:
    if who.policy.paused:
        raise NotAllowed("Generation is paused for this organization. An admin can tell you more.")
    channel = command.channel_id or who.channel_id
    await require_postable(services.runtime, who.org_id, who.user_id, channel, typed_in=who.channel_id)
    accepted = await services.jobs.submit(
        JobRequest(
            org_id=who.org_id,
            requester_id=who.user_id,
            kind=command.kind,
            prompt=command.prompt,
            target_channel=channel,
            source_channel=who.channel_id,
            response_url=who.response_url,
            brand_voice=not command.plain,
        ),
        who.policy,
    )
    return views.job_accepted(accepted.job_id, command.kind, channel, approvals_required=who.policy.approvals_required)


async def audit_refusal(services: AppServices, who: Invocation, subcommand: str) -> None:
    """A refused role check is a security event: it goes in the audit trail (ids only)."""
    async with services.runtime.database.tenant(who.org_id) as session:
        await record_event(
            session,
            who.org_id,
            "command.refused",
            actor=who.user_id,
            detail={"subcommand": subcommand, "role": who.role},
        )


def failure_message(error: Exception, what: str) -> tuple[views.Message, str]:
    """What the user is told about a failure, and its outcome for the metrics: the error itself
    when they can act on it (a lost database counts as one: try again), else an apology carrying
    the trace id, with the error logged under it."""
    if is_database_outage(error):
        log.warning("%s: database unreachable", what, exc_info=error)
        error = DatabaseUnavailable()
    if isinstance(error, UserError):
        return views.error_message(error), _outcome(error)
    trace_id = current_trace_id()
    log.error("%s failed (trace %s)", what, trace_id, exc_info=error)
    return views.apology(trace_id), "error"


def current_trace_id() -> str:
    """The request's trace id, so an apology can be matched to its logs; a random one without tracing."""
    context = trace.get_current_span().get_span_context()
    if context.trace_id:
        return f"{context.trace_id:032x}"
    return uuid.uuid4().hex


def _outcome(error: UserError) -> str:
    if isinstance(error, NotAllowed):
        return "refused"
    if isinstance(error, PromptBlocked):
        return "blocked"
    if isinstance(error, QuotaDenied):
        return "denied"
    if isinstance(error, ServiceUnavailable):
        return "unavailable"
    return "invalid"
