"""Telemetry for one process: providers, exporters and the libraries' instrumentation.

Each process calls :func:`setup_telemetry` once at start with its service name (web, worker,
beat); a Celery worker does it in each pool process after the fork. Spans exist even when
nothing exports them, so every log line and every apology to a user can carry a trace id; but
until something does, they record nothing (``RecordWhileExported``).
"""

from __future__ import annotations

import abc
import logging
import os
import threading
import uuid
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.resources import SERVICE_INSTANCE_ID, SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision, ParentBased, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.telemetry.exporters import (
    SPAN_FILE_VARIABLE,
    JsonLinesSpanExporter,
    exporter_names,
    make_metric_reader,
    make_span_exporter,
    sdk_disabled,
)
from bot.telemetry.messaging import instrument_celery
from bot.telemetry.metrics import REGION_ATTRIBUTE
from bot.telemetry.redact import scrub_url
from bot.telemetry.scrub import SpanAttributeScrubber

SERVICE_WEB = "content-factory-web"
SERVICE_WORKER = "content-factory-worker"
SERVICE_BEAT = "content-factory-beat"

log = logging.getLogger(__name__)


class _DroppingSampler(Sampler):
    """Drops the spans ``drops`` names and leaves every other decision to ``sampler``."""

    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler

    @abc.abstractmethod
    def drops(self, kind: SpanKind | None) -> bool: ...

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if self.drops(kind):
            return SamplingResult(Decision.DROP)
        return self.sampler.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)


class SkipOrphanClientSpans(_DroppingSampler):
    """Drops client calls made outside any operation: the broker's polling, pool pings.

    Without it every BRPOP of an idle worker would be a trace of its own. Everything else that
    starts a trace (a request, a task run, a publish) is kept.
    """

    def __init__(self) -> None:
        super().__init__(ALWAYS_ON)

    def drops(self, kind: SpanKind | None) -> bool:
        return kind is SpanKind.CLIENT

    def get_description(self) -> str:
        return "SkipOrphanClientSpans"


class RecordWhileExported(_DroppingSampler):
    """Spans record (attributes, events, timings) only once a span exporter is installed.

    Without one, a recorded span is work nobody reads: the web tier made six per command, about
    a tenth of a command's CPU. A span that does not record still has its trace and span ids, so
    log lines, apologies and the ``traceparent`` sent to the workers carry them as before."""

    def __init__(self, sampler: Sampler) -> None:
        super().__init__(sampler)
        self.exporting = False

    def drops(self, kind: SpanKind | None) -> bool:
        return not self.exporting

    def get_description(self) -> str:
        return f"RecordWhileExported({self.sampler.get_description()})"


@dataclass
class TelemetryHandle:
    service_name: str
    tracer_provider: TracerProvider | None
    meter_provider: MeterProvider | None
    traces_to: tuple[str, ...] = ()
    metrics_to: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.tracer_provider is not None

    def add_span_exporter(self, exporter: SpanExporter) -> None:
        """Also send finished spans (scrubbed, one by one) to ``exporter``: a test's in-memory one."""
        if self.tracer_provider is not None:
            self.add_span_processor(SpanAttributeScrubber(SimpleSpanProcessor(exporter)))

    @property
    def exporting(self) -> bool:
        """Spans go somewhere (so they record, and the client libraries are traced)."""
        sampler = self.tracer_provider.sampler if self.tracer_provider is not None else None
        return isinstance(sampler, RecordWhileExported) and sampler.exporting

    def add_span_processor(self, processor: SpanAttributeScrubber) -> None:
        """Export through ``processor``; from now on spans record (and, once this handle is the
        process's, the Redis and HTTP clients are traced)."""
        assert self.tracer_provider is not None
        self.tracer_provider.add_span_processor(processor)
        if isinstance(self.tracer_provider.sampler, RecordWhileExported):
            self.tracer_provider.sampler.exporting = True
        if _handle is self:
            _instrument_clients()

    def force_flush(self, timeout_millis: int = 5000) -> bool:
        """Export what is buffered; a worker calls it before exiting, a test before reading."""
        flushed = True
        if self.tracer_provider is not None:
            flushed = self.tracer_provider.force_flush(timeout_millis) and flushed
        if self.meter_provider is not None:
            flushed = self.meter_provider.force_flush(timeout_millis) and flushed
        return flushed

    def shutdown(self) -> None:
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()
        if self.meter_provider is not None:
            self.meter_provider.shutdown()


def _resource(service_name: str, environ: Mapping[str, str]) -> Resource:
    try:
        version = metadata.version("slack-content-factory")
    except metadata.PackageNotFoundError:
        version = "0"
    attributes: dict[str, str] = {
        SERVICE_NAME: environ.get("OTEL_SERVICE_NAME") or service_name,
        SERVICE_VERSION: version,
        # Prefork children export separately; without an instance id their series would collide.
        SERVICE_INSTANCE_ID: uuid.uuid4().hex,
    }
    region = environ.get("REGION") or environ.get("DEFAULT_REGION")
    if environ.get("REGIONS") and region and service_name != SERVICE_WEB:
        # A worker or beat serves one region: every span and metric point of it carries the name
        # (never anything of an organization's). The web process serves every region, so it tags
        # each request's span and metric points with that request's region instead.
        attributes[REGION_ATTRIBUTE] = region
    return Resource.create(attributes)


def build_telemetry(
    service_name: str,
    *,
    dev: bool = False,
    span_exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
    environ: Mapping[str, str] | None = None,
) -> TelemetryHandle:
    """Providers for ``service_name`` as the environment asks, installed nowhere."""
    environ = os.environ if environ is None else environ
    if sdk_disabled(environ):
        return TelemetryHandle(service_name, None, None)
    resource = _resource(service_name, environ)
    # A caller that exports nothing sends its trace context marked "not sampled" (the web tier
    # without an exporter, to a worker with one): the trace still continues, and is recorded here.
    sampler = RecordWhileExported(ParentBased(root=SkipOrphanClientSpans(), remote_parent_not_sampled=ALWAYS_ON))
    tracer_provider = TracerProvider(resource=resource, sampler=sampler)
    handle = TelemetryHandle(str(resource.attributes[SERVICE_NAME]), tracer_provider, None)
    traces_to = exporter_names("traces", dev=dev, environ=environ)
    for name in traces_to:
        exporter = make_span_exporter(name)
        # The terminal should show a span as it ends; the network wants batches.
        processor = BatchSpanProcessor(exporter) if name == "otlp" else SimpleSpanProcessor(exporter)
        handle.add_span_processor(SpanAttributeScrubber(processor))
    span_file = environ.get(SPAN_FILE_VARIABLE)
    if span_file:
        handle.add_span_processor(SpanAttributeScrubber(SimpleSpanProcessor(JsonLinesSpanExporter(span_file))))
        traces_to = (*traces_to, "file")
    handle.traces_to = traces_to
    if span_exporter is not None:
        handle.add_span_exporter(span_exporter)
        handle.traces_to = (*traces_to, "given")

    metrics_to = exporter_names("metrics", dev=dev, environ=environ)
    readers = [make_metric_reader(name) for name in metrics_to]
    if metric_reader is not None:
        readers.append(metric_reader)
        metrics_to = (*metrics_to, "given")
    handle.meter_provider = MeterProvider(resource=resource, metric_readers=readers) if readers else None
    handle.metrics_to = metrics_to
    return handle


_handle: TelemetryHandle | None = None
_lock = threading.Lock()


def setup_telemetry(
    service_name: str,
    *,
    dev: bool = False,
    span_exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
) -> TelemetryHandle:
    """Install this process's providers and instrument Celery, and Redis and aiohttp clients
    when spans are exported (or from the moment an exporter is added).

    Idempotent: OpenTelemetry allows one global provider per process, so a second call returns
    the first handle, only adding what it brings: its span exporter, and its metric reader
    where the first call installed no meter provider (readers are fixed once one exists).
    """
    global _handle
    with _lock:
        if _handle is not None:
            _extend(_handle, span_exporter, metric_reader)
            return _handle
        handle = build_telemetry(service_name, dev=dev, span_exporter=span_exporter, metric_reader=metric_reader)
        if handle.tracer_provider is not None:
            trace.set_tracer_provider(handle.tracer_provider)
            if trace.get_tracer_provider() is not handle.tracer_provider:
                log.warning("another tracer provider was installed first; this process's spans go there")
            if handle.meter_provider is not None:
                metrics.set_meter_provider(handle.meter_provider)
            instrument_celery()
            if handle.exporting:
                _instrument_clients()
        _handle = handle
    log.info(
        "telemetry ready",
        extra={
            "service_name": handle.service_name,
            "traces_to": ",".join(handle.traces_to) or "none",
            "metrics_to": ",".join(handle.metrics_to) or "none",
        },
    )
    return handle


def _extend(handle: TelemetryHandle, span_exporter: SpanExporter | None, metric_reader: MetricReader | None) -> None:
    if handle.tracer_provider is None:
        return
    if span_exporter is not None:
        handle.add_span_exporter(span_exporter)
    if metric_reader is not None:
        if handle.meter_provider is not None:
            raise RuntimeError("telemetry is set up with a meter provider already; its readers cannot change")
        handle.meter_provider = MeterProvider(resource=handle.tracer_provider.resource, metric_readers=[metric_reader])
        metrics.set_meter_provider(handle.meter_provider)


def current_handle() -> TelemetryHandle | None:
    return _handle


def _instrument_clients() -> None:
    """Trace every Redis command and outgoing HTTP request, once spans are exported: without an
    exporter each one still went through the instrumentation's wrapper and a span nobody reads,
    about a millisecond of a worker's CPU per job. Celery's instrumentation is installed
    whatever happens: it carries the trace from the web tier to the worker."""
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    if not RedisInstrumentor().is_instrumented_by_opentelemetry:
        RedisInstrumentor().instrument()
    client = AioHttpClientInstrumentor()
    if not client.is_instrumented_by_opentelemetry:
        # response_url and upload URLs carry their credential in the path.
        client.instrument(url_filter=lambda url: scrub_url(str(url)))


_instrumented_engines: weakref.WeakSet[object] = weakref.WeakSet()
_engines_lock = threading.Lock()


def instrument_engine(async_engine: AsyncEngine) -> None:
    """Trace the statements of one engine (placeholders only: parameters are never recorded).

    SQLAlchemyInstrumentor instruments once per process (a second ``instrument(engine=...)`` is
    ignored) and patches ``create_engine`` everywhere; a process here has more than one engine
    (the application pool, the owner's for migrations and tests), so each engine gets the
    library's own per-engine tracer instead.
    """
    if sdk_disabled(os.environ):
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    engine = async_engine.sync_engine
    with _engines_lock:
        if engine in _instrumented_engines:
            return
        _instrumented_engines.add(engine)
    tracer, connections = _sqlalchemy_instruments()
    EngineTracer(tracer, engine, connections)


@cache
def _sqlalchemy_instruments() -> tuple[trace.Tracer, metrics.UpDownCounter]:
    """The tracer and connection gauge SQLAlchemyInstrumentor would make, made once."""
    from opentelemetry.instrumentation.sqlalchemy.version import __version__
    from opentelemetry.semconv.metrics import MetricInstruments

    scope = "opentelemetry.instrumentation.sqlalchemy"
    connections = metrics.get_meter(scope, __version__).create_up_down_counter(
        name=MetricInstruments.DB_CLIENT_CONNECTIONS_USAGE,
        unit="connections",
        description="The number of connections that are currently in state described by the state attribute.",
    )
    return trace.get_tracer(scope, __version__), connections


def instrument_celery_worker(*, dev: bool = False) -> TelemetryHandle:
    """Telemetry for a worker process; call it in each pool process once it exists."""
    return setup_telemetry(SERVICE_WORKER, dev=dev)
