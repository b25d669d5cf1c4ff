"""A fresh fake Gemini per test, a router wired to it, in-memory telemetry, and the tiny pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from sandbox.gemini import FakeGemini
from tests.support.clock import FakeClock, SleepRecorder
from tests.support.fakes import GEMINI_KEY, RouterFactory, fake_gemini
from workers.providers.gemini import GeminiTextProvider
from workers.providers.router import RetryPolicy, TextRouter

__all__ = ["fake_gemini"]

MODELS = ["gemini-a", "gemini-b"]


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def span_exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer_provider(span_exporter: InMemorySpanExporter) -> TracerProvider:
    # A private provider handed to the router: whatever global provider another test set stays untouched.
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    return provider


@pytest.fixture
def metric_reader() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
def meter_provider(metric_reader: InMemoryMetricReader) -> MeterProvider:
    return MeterProvider(metric_readers=[metric_reader])


@pytest.fixture
async def make_router(
    fake_gemini: FakeGemini,
    sleeps: SleepRecorder,
    clock: FakeClock,
    tracer_provider: TracerProvider,
    meter_provider: MeterProvider,
) -> AsyncIterator[RouterFactory]:
    """Build routers pointed at the fake; every one is closed after the test."""
    routers: list[TextRouter] = []

    async def build(**options: Any) -> TextRouter:
        settings: dict[str, Any] = {
            "timeout": 5.0,
            "policy": RetryPolicy(max_attempts_per_model=3, base_delay=0.1, max_delay=1.0),
            "sleep": sleeps,
            "clock": clock,
            "tracer_provider": tracer_provider,
            "meter_provider": meter_provider,
        }
        settings.update(options)
        models = settings.pop("models", MODELS)
        router = TextRouter.from_settings(models, GEMINI_KEY, fake_gemini.url, **settings)
        routers.append(router)
        return router

    yield build
    for router in routers:
        await router.aclose()


@pytest.fixture(scope="session")
def tiny_pipeline_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    pytest.importorskip("diffusers", reason="image support (the `image` extra) is not installed")
    from sandbox.tiny_diffusion import build_tiny_pipeline

    yield build_tiny_pipeline(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture
async def gemini_provider(fake_gemini: FakeGemini) -> AsyncIterator[GeminiTextProvider]:
    provider = GeminiTextProvider(GEMINI_KEY, base_url=fake_gemini.url, timeout=10)
    yield provider
    await provider.aclose()
