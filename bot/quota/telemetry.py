"""The quota's OpenTelemetry instruments (ids and numbers only, never prompt text)."""

from __future__ import annotations

from opentelemetry import metrics, trace

tracer = trace.get_tracer(__name__)
_meter = metrics.get_meter(__name__)

tokens_reserved = _meter.create_counter(
    "content_factory.tokens.reserved", unit="{token}", description="Tokens reserved before a model call"
)
tokens_used = _meter.create_counter(
    "content_factory.tokens.used", unit="{token}", description="Tokens settled as used (the ledger's numbers)"
)
tokens_refunded = _meter.create_counter(
    "content_factory.tokens.refunded", unit="{token}", description="Reserved tokens given back unused"
)
denials = _meter.create_counter(
    "content_factory.quota.denials", unit="{request}", description="Reservations refused, by reason"
)
