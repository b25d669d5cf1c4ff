"""Celery: the trace context rides in each message's headers from the sender to the worker.

opentelemetry-instrumentation-celery does both sides: a PRODUCER span at publish that injects
``traceparent`` into the message headers, a CONSUMER span around each task run whose parent is
extracted from them. The web side sends by task name without importing task bodies, so the
library finds no task object at publish and ends its PRODUCER span at once rather than after
the publish (tests/telemetry pin that it is still exported and still the worker's parent);
``job.enqueue`` in bot.jobs.service is the span that times the send.
"""

from __future__ import annotations

from opentelemetry.instrumentation.celery import CeleryInstrumentor


def instrument_celery() -> None:
    """Both sides, in every process that sends or runs tasks; call it once the process exists
    (a prefork child after its fork: the instrumentor keeps per-process state)."""
    instrumentor = CeleryInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
