"""Where spans and metrics go, chosen by the standard ``OTEL_*`` variables.

``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER`` (otlp, console, none; comma-separated) win
when set. Otherwise OTLP/HTTP when an OTLP endpoint is configured (the exporters read
``OTEL_EXPORTER_OTLP_*`` themselves: endpoint, headers, timeout), console traces in ``dev``,
nothing at all otherwise. ``CONTENT_FACTORY_SPAN_FILE`` adds a JSON-lines file of finished spans,
which is how a test collects the spans of processes it started.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter, SpanExportResult

SPAN_FILE_VARIABLE = "CONTENT_FACTORY_SPAN_FILE"
KNOWN_EXPORTERS = frozenset({"otlp", "console", "none"})


def exporter_names(signal: str, *, dev: bool, environ: Mapping[str, str]) -> tuple[str, ...]:
    """Which exporters ``signal`` (``traces`` or ``metrics``) gets: a tuple of otlp / console."""
    explicit = environ.get(f"OTEL_{signal.upper()}_EXPORTER", "").strip().lower()
    if explicit:
        names = tuple(dict.fromkeys(name.strip() for name in explicit.split(",") if name.strip()))
        unknown = [name for name in names if name not in KNOWN_EXPORTERS]
        if unknown:
            raise ValueError(f"OTEL_{signal.upper()}_EXPORTER: unknown exporter {unknown[0]!r} (otlp, console, none)")
        return tuple(name for name in names if name != "none")
    if environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT"):
        return ("otlp",)
    # Console metrics are a wall of JSON every minute; in dev they are there on request only.
    if dev and signal == "traces":
        return ("console",)
    return ()


def sdk_disabled(environ: Mapping[str, str]) -> bool:
    return environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def make_span_exporter(name: str) -> SpanExporter:
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    return ConsoleSpanExporter(out=sys.stderr, formatter=format_span_line)


def make_metric_reader(name: str) -> MetricReader:
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        return PeriodicExportingMetricReader(OTLPMetricExporter())
    from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

    return PeriodicExportingMetricReader(ConsoleMetricExporter(out=sys.stderr))


def format_span_line(span: ReadableSpan) -> str:
    """One line per span for a developer's terminal."""
    duration_ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
    context = span.get_span_context()
    assert context is not None, "an ended span always has its context"
    parent = f"{span.parent.span_id:016x}" if span.parent else "-"
    attributes = " ".join(f"{key}={value!s}" for key, value in (span.attributes or {}).items())
    return (
        f"span {span.resource.attributes.get('service.name', '?')} {span.name} {duration_ms:.1f}ms "
        f"trace={context.trace_id:032x} span={context.span_id:016x} parent={parent} {attributes}".rstrip()
        + "\n"
    )


def span_to_dict(span: ReadableSpan) -> dict[str, Any]:
    context = span.get_span_context()
    assert context is not None, "an ended span always has its context"
    return {
        "name": span.name,
        "service": span.resource.attributes.get("service.name"),
        "pid": os.getpid(),
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
        "parent_span_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "kind": span.kind.name,
        "start_time": span.start_time,
        "end_time": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        "events": [{"name": event.name, "attributes": dict(event.attributes or {})} for event in span.events],
        "links": [
            {
                "trace_id": f"{link.context.trace_id:032x}",
                "span_id": f"{link.context.span_id:016x}",
                "attributes": dict(link.attributes or {}),
            }
            for link in span.links
        ],
    }


class JsonLinesSpanExporter(SpanExporter):
    """Appends one JSON object per span to a file that several processes may share.

    Each batch is one ``write`` on an ``O_APPEND`` descriptor, so lines from prefork children
    never interleave; the file is opened per batch, so a fork never shares a descriptor.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        data = "".join(json.dumps(span_to_dict(span), default=str) + "\n" for span in spans).encode()
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, data)
            finally:
                os.close(descriptor)
        except OSError:
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def read_span_file(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The spans a :class:`JsonLinesSpanExporter` wrote (a torn last line is skipped)."""
    file = Path(path)
    if not file.exists():
        return []
    spans = []
    for line in file.read_text().splitlines():
        try:
            spans.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return spans
