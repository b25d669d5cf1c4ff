"""Every metric of the project, defined once; code records through the functions below.

Instruments are made from the global meter at import time. Until ``setup_telemetry`` installs a
meter provider they record nothing (the API's proxies), after it they feed its readers: a module
may import this at any time. Attributes are ids and small fixed vocabularies, never user text
(an unknown sub-command is counted as ``unknown``, not under what the user typed).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextvars import ContextVar

from opentelemetry import metrics

from bot.commands.subcommands import SUBCOMMAND_WORDS

# With REGIONS: the region a span or metric point is of (a name from REGIONS, never content).
REGION_ATTRIBUTE = "content_factory.region"
# The web process serves every region: the server sets the region of the request it is handling,
# and the points recorded on that request's path carry it. Workers and beat carry theirs on the
# resource instead (one region a process).
_request_region: ContextVar[str | None] = ContextVar("request_region", default=None)

# The sub-commands of the public contract, as labels.
SUBCOMMANDS = SUBCOMMAND_WORDS
UNKNOWN = "unknown"

_ACK_BUCKETS: Sequence[float] = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
_QUEUE_BUCKETS: Sequence[float] = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
_MODEL_BUCKETS: Sequence[float] = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0, 300.0)
# Up to days: a job waiting for an approver is still one job.
_POST_BUCKETS: Sequence[float] = (
    0.5,
    1.0,
    2.0,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
    900.0,
    3600.0,
    14400.0,
    86400.0,
    604800.0,
)

_meter = metrics.get_meter("content_factory")


def _seconds_histogram(name: str, description: str, buckets: Sequence[float]) -> metrics.Histogram:
    """A duration in seconds, with buckets of its own (an ack is milliseconds, a post can be days)."""
    return _meter.create_histogram(name, unit="s", description=description, explicit_bucket_boundaries_advisory=buckets)


_commands = _meter.create_counter(
    "content_factory.commands", unit="{command}", description="Slash commands by sub-command and outcome"
)
_jobs = _meter.create_counter("content_factory.jobs", unit="{job}", description="Jobs entering each state, by kind")
_ack_latency = _seconds_histogram(
    "content_factory.ack.duration", "Time from Slack's request to our HTTP answer (the ack)", _ACK_BUCKETS
)
_queue_wait = _seconds_histogram(
    "content_factory.queue.wait", "Time a job spent queued before a worker claimed it", _QUEUE_BUCKETS
)
_model_latency = _seconds_histogram(
    "content_factory.model.duration", "Duration of one model call attempt", _MODEL_BUCKETS
)
_time_to_post = _seconds_histogram(
    "content_factory.job.time_to_post", "Time from the command to the result posted in Slack", _POST_BUCKETS
)
_tokens_reserved = _meter.create_counter(
    "content_factory.tokens.reserved", unit="{token}", description="Tokens reserved against an organization's quota"
)
_tokens_used = _meter.create_counter(
    "content_factory.tokens.used", unit="{token}", description="Tokens the models reported using"
)
_tokens_refunded = _meter.create_counter(
    "content_factory.tokens.refunded", unit="{token}", description="Reserved tokens given back after a job"
)
_guard_blocks = _meter.create_counter(
    "content_factory.guard.blocks", unit="{prompt}", description="Prompts blocked by the guard, by rule category"
)
_quota_denials = _meter.create_counter(
    "content_factory.quota.denials", unit="{request}", description="Requests refused by the quota, by reason"
)
_result_cache_lookups = _meter.create_counter(
    "content_factory.result_cache.lookups", unit="1", description="Result cache look-ups by outcome (hit, miss)"
)

_feedback = _meter.create_counter(
    "content_factory.feedback", unit="{verdict}", description="Feedback on results, by rating (good or bad)"
)


def subcommand_label(subcommand: str | None) -> str:
    """The sub-command as a metric or span label: a contract word, ``help`` for none, else ``unknown``."""
    if not subcommand:
        return "help"
    word = subcommand.strip().lower()
    return word if word in SUBCOMMANDS else UNKNOWN


def tag_request_region(region: str) -> None:
    """The request this task is handling is of ``region``: its points carry the name."""
    _request_region.set(region)


def _in_region(attributes: dict[str, str | bool]) -> dict[str, str | bool]:
    region = _request_region.get()
    if region is not None:
        attributes[REGION_ATTRIBUTE] = region
    return attributes


def count_command(subcommand: str | None, outcome: str) -> None:
    """One answered command; ``outcome`` is ok, refused (role), blocked (guard), denied (quota),
    invalid (bad input), unavailable (PostgreSQL or Redis down) or error."""
    _commands.add(1, _in_region({"slack.subcommand": subcommand_label(subcommand), "outcome": outcome}))


def count_job(state: str, kind: str) -> None:
    """A job entered ``state`` (queued, running, awaiting_approval, posted, failed, rejected...)."""
    _jobs.add(1, _in_region({"job.state": str(state), "job.kind": str(kind)}))


def record_ack_latency(seconds: float, *, surface: str, subcommand: str | None = None) -> None:
    """``surface`` is what Slack sent: command, action, event, other."""
    attributes: dict[str, str | bool] = {"slack.surface": surface}
    if surface == "command":
        attributes["slack.subcommand"] = subcommand_label(subcommand)
    _ack_latency.record(seconds, _in_region(attributes))


def record_queue_wait(seconds: float, *, kind: str) -> None:
    _queue_wait.record(max(seconds, 0.0), _in_region({"job.kind": str(kind)}))


def record_model_latency(seconds: float, *, provider: str, model: str, outcome: str) -> None:
    _model_latency.record(
        seconds, _in_region({"model.provider": provider, "model.name": model, "model.outcome": outcome})
    )


def record_time_to_post(seconds: float, *, kind: str, approved: bool) -> None:
    """``approved``: the result waited for an approver (those times are in hours, not seconds)."""
    _time_to_post.record(max(seconds, 0.0), _in_region({"job.kind": str(kind), "job.approval": approved}))


def count_tokens_reserved(org_id: uuid.UUID | str, tokens: int) -> None:
    _tokens_reserved.add(max(tokens, 0), _in_region({"org.id": str(org_id)}))


def count_tokens_used(org_id: uuid.UUID | str, tokens: int) -> None:
    _tokens_used.add(max(tokens, 0), _in_region({"org.id": str(org_id)}))


def count_tokens_refunded(org_id: uuid.UUID | str, tokens: int) -> None:
    _tokens_refunded.add(max(tokens, 0), _in_region({"org.id": str(org_id)}))


def count_guard_block(category: str) -> None:
    _guard_blocks.add(1, _in_region({"guard.category": category}))


def count_quota_denial(org_id: uuid.UUID | str, reason: str) -> None:
    """``reason``: rate (the token bucket is empty) or budget (the month's budget is spent)."""
    _quota_denials.add(1, _in_region({"org.id": str(org_id), "quota.reason": reason}))


def count_result_cache_lookup(kind: str, outcome: str) -> None:
    """One look-up in the result cache; ``outcome`` is hit or miss (the hit rate: hits over all)."""
    _result_cache_lookups.add(1, {"job.kind": str(kind), "outcome": outcome})


def count_feedback(rating: str) -> None:
    _feedback.add(1, _in_region({"feedback.rating": rating}))
