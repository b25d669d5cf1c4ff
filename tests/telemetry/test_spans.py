"""A child span is made only where it can record: under a parent that records, or where a new trace
starts; under this process's own non-recording span the block runs in that span."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from bot.telemetry.spans import child_span
from tests.support.telemetry import Telemetry

tracer = trace.get_tracer("tests.telemetry")


def _span_context(*, remote: bool) -> SpanContext:
    return SpanContext(trace_id=0x1F, span_id=0x2E, is_remote=remote, trace_flags=TraceFlags(0))


def test_a_child_of_a_recording_span_is_recorded_under_it(telemetry: Telemetry) -> None:
    with tracer.start_as_current_span("command") as command, child_span(tracer, "job.persist") as child:
        assert child is not command
    (persisted,) = telemetry.spans_named("job.persist")
    assert persisted.parent is not None and persisted.parent.span_id == command.get_span_context().span_id


def test_under_a_local_span_that_does_not_record_no_child_is_made(telemetry: Telemetry) -> None:
    parent = NonRecordingSpan(_span_context(remote=False))
    with trace.use_span(parent), child_span(tracer, "job.persist") as child:
        assert child is parent
        assert trace.get_current_span() is parent
    assert telemetry.spans_named("job.persist") == []


def test_under_a_remote_parent_that_did_not_record_the_child_is_recorded_here(telemetry: Telemetry) -> None:
    with trace.use_span(NonRecordingSpan(_span_context(remote=True))), child_span(tracer, "job.run"):
        pass
    (run,) = telemetry.spans_named("job.run")
    assert run.context.trace_id == 0x1F


def test_outside_any_span_a_new_trace_starts(telemetry: Telemetry) -> None:
    with child_span(tracer, "quota.reserve") as span:
        assert span.get_span_context().is_valid
    assert len(telemetry.spans_named("quota.reserve")) == 1


def test_under_a_recorded_span_that_has_ended_the_child_is_still_recorded(telemetry: Telemetry) -> None:
    # The request is answered (its span ended) before its job is published from another thread.
    with tracer.start_as_current_span("POST /slack/events") as request:
        pass
    with trace.use_span(request), child_span(tracer, "apply_async/generate_job") as publish:
        assert publish is not request
    (published,) = telemetry.spans_named("apply_async/generate_job")
    assert published.parent is not None and published.parent.span_id == request.get_span_context().span_id
