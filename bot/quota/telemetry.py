"""The quota's spans (ids and numbers only, never prompt text); its metrics live in bot.telemetry.metrics."""

from __future__ import annotations

from opentelemetry import trace

tracer = trace.get_tracer(__name__)
