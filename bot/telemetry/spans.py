"""A child span only where it can record.

Under a span that does not record (this process exports nothing, so ``RecordWhileExported``
dropped the request's span) a child span would not record either, and starting one still costs
the sampler, two random ids, a context switch in and out: on the web tier's command path, about
as much CPU as the broker publish. There the parent itself is the span the block runs in: every
attribute set on it is dropped, and log lines carry the parent's ids (the trace is the same).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace


def records_nothing_below(span: trace.Span) -> bool:
    """True when a child of ``span`` could not record: ``span`` is this process's own (a remote
    parent's children are sampled here whatever it decided) and was dropped by the sampler. A
    recorded span that has ended (a request answered before its job is published) no longer
    records either, but its children still do."""
    context = span.get_span_context()
    return context.is_valid and not context.is_remote and isinstance(span, trace.NonRecordingSpan)


@contextmanager
def child_span(tracer: trace.Tracer, name: str, **options: Any) -> Iterator[trace.Span]:
    """``tracer.start_as_current_span(name, **options)``, or the current span where a child could
    not record (see the module's note); outside any span a new trace starts as before."""
    parent = trace.get_current_span()
    if records_nothing_below(parent):
        yield parent
        return
    with tracer.start_as_current_span(name, **options) as span:
        yield span
