"""Where telemetry goes is decided by the standard OTEL_* variables."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from bot.telemetry.exporters import exporter_names, read_span_file
from bot.telemetry.setup import SERVICE_WEB, build_telemetry

PROMPT = "Write to jane.doe@example.com about the launch"


@pytest.mark.parametrize(
    ("environ", "dev", "traces", "metrics"),
    [
        ({}, False, (), ()),
        ({}, True, ("console",), ()),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False, ("otlp",), ("otlp",)),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True, ("otlp",), ()),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRICS_EXPORTER": "none"}, False, ("otlp",), ()),
        ({"OTEL_TRACES_EXPORTER": "none"}, True, (), ()),
        (
            {"OTEL_TRACES_EXPORTER": "console,otlp", "OTEL_METRICS_EXPORTER": "console"},
            False,
            ("console", "otlp"),
            ("console",),
        ),
    ],
)
def test_exporters_follow_the_environment(
    environ: dict[str, str], dev: bool, traces: tuple[str, ...], metrics: tuple[str, ...]
) -> None:
    assert exporter_names("traces", dev=dev, environ=environ) == traces
    assert exporter_names("metrics", dev=dev, environ=environ) == metrics


def test_unknown_exporter_is_refused() -> None:
    with pytest.raises(ValueError, match="OTEL_TRACES_EXPORTER"):
        exporter_names("traces", dev=False, environ={"OTEL_TRACES_EXPORTER": "jaeger"})


def test_sdk_disabled_means_nothing_at_all() -> None:
    handle = build_telemetry(SERVICE_WEB, dev=True, environ={"OTEL_SDK_DISABLED": "true"})
    assert not handle.enabled
    assert handle.meter_provider is None


def test_service_name_and_its_override() -> None:
    assert build_telemetry(SERVICE_WEB, environ={}).service_name == "content-factory-web"
    renamed = build_telemetry(SERVICE_WEB, environ={"OTEL_SERVICE_NAME": "cf-web-eu"})
    assert renamed.service_name == "cf-web-eu"
    assert renamed.tracer_provider is not None
    assert renamed.tracer_provider.resource.attributes["service.name"] == "cf-web-eu"


def test_spans_record_only_once_something_exports_them() -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    handle = build_telemetry(SERVICE_WEB, environ={})
    assert handle.traces_to == () and handle.tracer_provider is not None
    tracer = handle.tracer_provider.get_tracer("tests")
    with tracer.start_as_current_span("POST /slack/events") as unread:
        # Nothing reads it, so it records nothing; its ids still mark the logs and the traceparent.
        assert not unread.is_recording()
        assert unread.get_span_context().is_valid
    exported = InMemorySpanExporter()
    handle.add_span_exporter(exported)
    with tracer.start_as_current_span("POST /slack/events") as read:
        assert read.is_recording()
    assert [span.name for span in exported.get_finished_spans()] == ["POST /slack/events"]
    handle.shutdown()


def test_a_caller_that_records_nothing_does_not_stop_a_process_that_exports() -> None:
    from opentelemetry import propagate
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    quiet = build_telemetry(SERVICE_WEB, environ={})
    assert quiet.tracer_provider is not None
    headers: dict[str, str] = {}
    with quiet.tracer_provider.get_tracer("web").start_as_current_span("apply_async/t", kind=SpanKind.PRODUCER) as sent:
        propagate.inject(headers)
    assert int(headers["traceparent"][-2:], 16) & 1 == 0  # "not sampled": nothing recorded it
    worker = build_telemetry("content-factory-worker", environ={})
    exported = InMemorySpanExporter()
    worker.add_span_exporter(exported)
    assert worker.tracer_provider is not None
    tracer = worker.tracer_provider.get_tracer("worker")
    with tracer.start_as_current_span("run/t", context=propagate.extract(headers), kind=SpanKind.CONSUMER) as run:
        assert run.is_recording()
    (span,) = exported.get_finished_spans()
    assert span.context.trace_id == sent.get_span_context().trace_id
    quiet.shutdown()
    worker.shutdown()


def test_span_file_collects_scrubbed_spans(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    handle = build_telemetry("content-factory-worker", environ={"CONTENT_FACTORY_SPAN_FILE": str(path)})
    assert handle.traces_to == ("file",) and handle.tracer_provider is not None
    tracer = handle.tracer_provider.get_tracer("tests")
    with tracer.start_as_current_span("job.run", attributes={"job.id": "j-1", "job.note": PROMPT}):
        with tracer.start_as_current_span("model.call"):
            pass
    handle.shutdown()
    model_call, run = read_span_file(path)
    assert run["service"] == "content-factory-worker"
    assert run["attributes"] == {"job.id": "j-1"}
    assert model_call["parent_span_id"] == run["span_id"] and model_call["trace_id"] == run["trace_id"]
    assert PROMPT not in path.read_text()


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    _Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_otlp_http_export_reaches_the_endpoint_scrubbed(collector: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector)
    monkeypatch.setenv("OTEL_METRICS_EXPORTER", "none")
    handle = build_telemetry(SERVICE_WEB)
    assert handle.traces_to == ("otlp",) and handle.tracer_provider is not None
    tracer = handle.tracer_provider.get_tracer("tests")
    with tracer.start_as_current_span("POST /slack/events", attributes={"org.id": "o-1", "slack.text": PROMPT}):
        pass
    assert handle.force_flush()
    handle.shutdown()
    (path, body), *_ = _Collector.received
    assert path == "/v1/traces"
    request = ExportTraceServiceRequest.FromString(body)
    resource_spans = request.resource_spans[0]
    service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}["service.name"]
    assert service == "content-factory-web"
    (span,) = resource_spans.scope_spans[0].spans
    assert span.name == "POST /slack/events"
    assert {a.key for a in span.attributes} == {"org.id"}
    assert PROMPT.encode() not in body
