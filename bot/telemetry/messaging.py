"""Celery: the trace context rides in each message's headers from the sender to the worker.

opentelemetry-instrumentation-celery does the consuming side (a CONSUMER span around each task
run, its parent extracted from the message headers). Its publishing side is replaced here. The
web side sends by task name (``send_task``) without importing task bodies, so the name is not in
its task registry; the library then starts and activates a publish span but, with no task object
to hang it on, never ends it: the span is never exported, the worker's span points to a parent
that does not exist, and the activated context leaks into the sending thread. Here the publish
span is kept by task id and is never made current (nothing runs inside it but the publish).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.propagate import inject
from opentelemetry.trace import Status, StatusCode

_PUBLISH = "apply_async"
# A publish that raised never gets its after-publish signal; its span ends when crowded out.
_MAX_PENDING_PUBLISHES = 1024


def _task_id(kwargs: Mapping[str, Any]) -> str | None:
    headers = kwargs.get("headers")
    if headers:  # message protocol 2
        return headers.get("id")
    body = kwargs.get("body")
    return body.get("id") if isinstance(body, Mapping) else None


class ContentFactoryCeleryInstrumentor(CeleryInstrumentor):
    """CeleryInstrumentor whose publish span ends whether or not the task is registered here."""

    def __init__(self) -> None:
        super().__init__()
        # BaseInstrumentor is a singleton: __init__ runs on every instantiation.
        if not hasattr(self, "_publishing"):
            self._publishing: dict[str, trace.Span] = {}
            self._publishing_lock = threading.Lock()

    def _trace_before_publish(self, *args: Any, **kwargs: Any) -> None:
        task_id = _task_id(kwargs)
        if task_id is None:
            return
        sender = kwargs.get("sender")
        task_name = sender if isinstance(sender, str) else getattr(sender, "name", "unknown")
        span = self._tracer.start_span(
            f"{_PUBLISH}/{task_name}",
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "celery.action": _PUBLISH,
                "celery.task_name": task_name,
                "messaging.message_id": task_id,
                "messaging.destination": kwargs.get("routing_key") or "",
            },
        )
        headers = kwargs.get("headers")
        if headers is not None:
            inject(headers, context=trace.set_span_in_context(span))
        with self._publishing_lock:
            self._publishing[task_id] = span
            stale = []
            while len(self._publishing) > _MAX_PENDING_PUBLISHES:
                stale.append(self._publishing.pop(next(iter(self._publishing))))
        for lost in stale:
            lost.set_status(Status(StatusCode.ERROR))
            lost.end()

    def _trace_after_publish(self, *args: Any, **kwargs: Any) -> None:
        task_id = _task_id(kwargs)
        with self._publishing_lock:
            span = self._publishing.pop(task_id, None) if task_id is not None else None
        if span is not None:
            span.end()


def instrument_celery() -> None:
    """Both sides: spans around sending (web, beat, workers re-sending) and around running tasks."""
    instrumentor = ContentFactoryCeleryInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
