"""The quota's spans (ids and numbers only, never prompt text); its metrics live in bot.telemetry.metrics."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from bot.telemetry.spans import child_span

tracer = trace.get_tracer(__name__)


@contextmanager
def job_span(name: str, org_id: uuid.UUID, job_id: uuid.UUID, **tokens: int) -> Iterator[trace.Span]:
    """The current span while one job's tokens move: its organization and job, and each of
    ``tokens`` as ``quota.tokens_<name>``."""
    attributes: dict[str, AttributeValue] = {"org.id": str(org_id), "job.id": str(job_id)}
    attributes.update({f"quota.tokens_{what}": count for what, count in tokens.items()})
    with child_span(tracer, name, attributes=attributes) as span:
        yield span
