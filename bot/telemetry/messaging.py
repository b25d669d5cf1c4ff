"""Celery: the trace context rides in each message's headers from the sender to the worker.

opentelemetry-instrumentation-celery does both sides for Celery's own publishes: a PRODUCER span
at publish that injects ``traceparent`` into the message headers, a CONSUMER span around each
task run whose parent is extracted from them. The web side writes its messages without Celery
(``bot.jobs.task_messages``) and makes the same PRODUCER span itself, named as the library names it;
it ends at once, as the library's does for a task sent by name (tests/telemetry pin that it is
still exported and still the worker's parent).
"""

from __future__ import annotations

from opentelemetry.instrumentation.celery import CeleryInstrumentor


def instrument_celery() -> None:
    """Both sides, in every process that sends or runs tasks; call it once the process exists
    (a prefork child after its fork: the instrumentor keeps per-process state)."""
    instrumentor = CeleryInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
