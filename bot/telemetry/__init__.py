"""Traces, metrics and logs: one trace per command across the web, worker and beat processes.

Ids and numbers go into telemetry; prompt text, generated text, PII, names and tokens never do.
"""

from bot.telemetry.carrier import context_from_carrier, current_carrier, link_current_span, link_from_carrier
from bot.telemetry.logs import configure_logging
from bot.telemetry.scrub import SpanAttributeScrubber
from bot.telemetry.setup import (
    SERVICE_BEAT,
    SERVICE_WEB,
    SERVICE_WORKER,
    TelemetryHandle,
    instrument_celery_worker,
    instrument_engine,
    setup_telemetry,
)
from bot.telemetry.web import annotate_request, tracing_middleware

__all__ = [
    "SERVICE_BEAT",
    "SERVICE_WEB",
    "SERVICE_WORKER",
    "SpanAttributeScrubber",
    "TelemetryHandle",
    "annotate_request",
    "configure_logging",
    "context_from_carrier",
    "current_carrier",
    "instrument_celery_worker",
    "instrument_engine",
    "link_current_span",
    "link_from_carrier",
    "setup_telemetry",
    "tracing_middleware",
]
