"""A trace's context written down (W3C ``traceparent`` in a dict) and read back later.

A job stores the context of the command that created it (``jobs.trace_context``). Celery
carries the live context in message headers, so a prompt delivery continues the trace; a job
re-sent by the sweeper or posted after an approval days later starts its own trace and links
back to the command's.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, SpanContext


def current_carrier() -> dict[str, str]:
    """The current trace context as a carrier dict; empty when no trace is active."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def context_from_carrier(carrier: Mapping[str, object] | None) -> Context | None:
    """A context to start a span under (``tracer.start_as_current_span(..., context=ctx)``), or None."""
    if not carrier:
        return None
    # Stored JSON may hold anything; the propagator wants strings.
    context = propagate.extract({key: value for key, value in carrier.items() if isinstance(value, str)})
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def _span_context(carrier: Mapping[str, object] | None) -> SpanContext | None:
    context = context_from_carrier(carrier)
    return trace.get_current_span(context).get_span_context() if context is not None else None


def link_from_carrier(carrier: Mapping[str, object] | None) -> Link | None:
    """A link to the span the carrier was written in, or None when it holds no valid context."""
    span_context = _span_context(carrier)
    return Link(span_context, {"content_factory.link": "origin"}) if span_context else None


def link_current_span(carrier: Mapping[str, object] | None) -> bool:
    """Link the current span to the carrier's span when they are in different traces.

    For work that cannot continue the original trace (sweeper re-sends, approvals): the task
    span knows where the job came from. Returns whether a link was added.
    """
    span_context = _span_context(carrier)
    current = trace.get_current_span()
    if span_context is None or not current.is_recording():
        return False
    if current.get_span_context().trace_id == span_context.trace_id:
        return False
    current.add_link(span_context, {"content_factory.link": "origin"})
    return True
