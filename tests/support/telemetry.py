"""One telemetry set-up for the test process, with in-memory exporters the tests read back (a plugin
of the root conftest, so that every directory asking for it shares the one set-up: OpenTelemetry
allows one meter provider a process)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bot.telemetry import TelemetryHandle, setup_telemetry


@dataclass
class Telemetry:
    handle: TelemetryHandle
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

    def spans(self) -> list[ReadableSpan]:
        self.handle.force_flush()
        return list(self.exporter.get_finished_spans())

    def spans_named(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.spans() if span.name == name]

    def metric_points(self, name: str) -> list[Any]:
        return metric_points(self.reader, name)


@pytest.fixture(scope="session")
def session_telemetry() -> Telemetry:
    exporter = InMemorySpanExporter()
    reader = InMemoryMetricReader()
    handle = setup_telemetry("content-factory-test", span_exporter=exporter, metric_reader=reader)
    return Telemetry(handle, exporter, reader)


@pytest.fixture
def telemetry(session_telemetry: Telemetry) -> Iterator[Telemetry]:
    """The process's telemetry with no spans from earlier tests."""
    session_telemetry.exporter.clear()
    yield session_telemetry
    session_telemetry.exporter.clear()


def by_id(spans: list[ReadableSpan]) -> dict[int, ReadableSpan]:
    return {span.context.span_id: span for span in spans}


def metric_points(reader: InMemoryMetricReader, name: str) -> list[Any]:
    """Every data point ``reader`` collected for the metric called ``name``, of any scope."""
    data = reader.get_metrics_data()
    points: list[Any] = []
    for resource_metrics in data.resource_metrics if data else []:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                if metric.name == name:
                    points.extend(metric.data.data_points)
    return points


def counter_total(reader: InMemoryMetricReader, name: str) -> int:
    """The counter called ``name`` summed over all its attribute sets."""
    return sum(int(point.value) for point in metric_points(reader, name))
