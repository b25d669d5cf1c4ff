"""The trace crosses the broker: a sender's span is the parent of the worker's task span.

A real Redis broker and a real Celery worker (in a thread of this process), with Celery's real
message headers; the sender is a separate Celery app that sends by name, as the web side does.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from bot.jobs.queueing import celery_config
from sandbox.gemini import FakeGemini
from tests.support.telemetry import Telemetry, by_id
from workers.providers.base import TextRequest
from workers.providers.router import RetryPolicy, TextRouter

tracer = trace.get_tracer("tests.telemetry")

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`

ECHO = "tests.telemetry.echo"
GENERATE = "tests.telemetry.generate"
API_KEY = "telemetry-test-key"
MODEL = "gemini-telemetry"


class Done:
    """What the task saw, handed back to the test thread."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.headers: dict[str, Any] = {}
        self.error: BaseException | None = None


@pytest.fixture(scope="module")
def queue() -> str:
    return f"telemetry-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def fake_gemini() -> Iterator[FakeGemini]:
    with FakeGemini(api_key=API_KEY).running_in_thread() as fake:
        yield fake


async def _no_sleep(_: float) -> None:
    return None


async def _generate(base_url: str) -> None:
    router = TextRouter.from_settings(
        [MODEL], API_KEY, base_url, timeout=5.0, policy=RetryPolicy(max_attempts_per_model=3), sleep=_no_sleep
    )
    try:
        await router.generate_text(TextRequest(prompt="a prompt", system_instruction="be brief", max_output_tokens=64))
    finally:
        await router.aclose()


@pytest.fixture(scope="module")
def worker(redis_url: str, queue: str, fake_gemini: FakeGemini, session_telemetry: Telemetry) -> Iterator[Done]:
    app = Celery("telemetry-test-worker", set_as_current=False)
    app.conf.update(celery_config(redis_url))
    done = Done()

    @app.task(name=ECHO, bind=True)
    def echo(self: Any, job_id: str) -> None:
        done.headers = {key: getattr(self.request, key, None) for key in ("traceparent", "tracestate")}
        with tracer.start_as_current_span("task.body", attributes={"job.id": job_id}):
            pass
        done.event.set()

    @app.task(name=GENERATE)
    def generate(job_id: str) -> None:
        try:
            asyncio.run(_generate(fake_gemini.url))
        except BaseException as error:
            done.error = error
        finally:
            done.event.set()

    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"):
        yield done


@pytest.fixture
def sender(redis_url: str) -> Iterator[Celery]:
    """Sends by task name and has no task of its own, like bot.jobs.queueing.JobSender."""
    app = Celery("telemetry-test-sender")
    app.conf.update(celery_config(redis_url))
    yield app
    app.close()


def send_and_wait(sender: Celery, worker: Done, task: str, queue: str) -> ReadableSpan:
    worker.event.clear()
    with tracer.start_as_current_span("job.enqueue", attributes={"job.id": "j-1"}) as enqueue:
        sender.send_task(task, args=["j-1"], queue=queue, retry=False)
    assert worker.event.wait(30), "the worker never ran the task"
    assert worker.error is None, worker.error
    return enqueue


def wait_for_span(telemetry: Telemetry, name: str) -> ReadableSpan:
    # The worker thread ends its task span just after the task body returns.
    for _ in range(100):
        spans = telemetry.spans_named(name)
        if spans:
            return spans[0]
        threading.Event().wait(0.05)
    raise AssertionError(f"no span {name!r}")


def test_worker_span_is_a_child_of_the_senders_span(
    telemetry: Telemetry, sender: Celery, worker: Done, queue: str
) -> None:
    enqueue = send_and_wait(sender, worker, ECHO, queue)
    run = wait_for_span(telemetry, f"run/{ECHO}")
    spans = by_id(telemetry.spans())
    (publish,) = [span for span in spans.values() if span.name == f"apply_async/{ECHO}"]
    body = next(span for span in spans.values() if span.name == "task.body")

    trace_id = enqueue.get_span_context().trace_id
    assert {publish.context.trace_id, run.context.trace_id, body.context.trace_id} == {trace_id}
    assert publish.kind is SpanKind.PRODUCER and publish.parent is not None
    assert publish.parent.span_id == enqueue.get_span_context().span_id
    assert run.kind is SpanKind.CONSUMER and run.parent is not None and run.parent.is_remote
    assert run.parent.span_id == publish.context.span_id
    assert body.parent is not None and body.parent.span_id == run.context.span_id
    # The context travelled in the message's own headers.
    assert worker.headers["traceparent"].startswith(f"00-{trace_id:032x}-{publish.context.span_id:016x}-")


def test_sending_leaves_no_span_current(telemetry: Telemetry, sender: Celery, worker: Done, queue: str) -> None:
    send_and_wait(sender, worker, ECHO, queue)
    assert not trace.get_current_span().get_span_context().is_valid


def test_each_model_attempt_is_a_span_under_the_task(
    telemetry: Telemetry, sender: Celery, worker: Done, queue: str, fake_gemini: FakeGemini
) -> None:
    fake_gemini.inject(model=MODEL, status=429, retry_after=0, count=1)
    send_and_wait(sender, worker, GENERATE, queue)
    run = wait_for_span(telemetry, f"run/{GENERATE}")
    attempts = sorted(telemetry.spans_named("model.call"), key=lambda span: span.start_time or 0)
    assert [span.attributes["model.attempt"] for span in attempts] == [1, 2]
    assert [span.attributes["model.outcome"] for span in attempts] == ["retryable", "ok"]
    for attempt in attempts:
        assert attempt.parent is not None and attempt.parent.span_id == run.context.span_id
        assert attempt.context.trace_id == run.context.trace_id
