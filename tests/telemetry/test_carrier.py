"""A trace written into jobs.trace_context and read back: continued, or linked from a later trace."""

from __future__ import annotations

import json

import pytest
from opentelemetry import trace

from bot.telemetry import context_from_carrier, current_carrier, link_current_span, link_from_carrier
from tests.support.telemetry import Telemetry

tracer = trace.get_tracer("tests.telemetry")


def test_no_trace_no_carrier() -> None:
    assert current_carrier() == {}


def test_carrier_continues_the_trace(telemetry: Telemetry) -> None:
    with tracer.start_as_current_span("command") as command:
        carrier = current_carrier()
    stored = json.loads(json.dumps(carrier))  # as the JSONB column gives it back
    with tracer.start_as_current_span("job.run", context=context_from_carrier(stored)) as run:
        pass
    assert run.get_span_context().trace_id == command.get_span_context().trace_id
    assert run.parent is not None and run.parent.span_id == command.get_span_context().span_id


def test_link_points_at_the_command(telemetry: Telemetry) -> None:
    with tracer.start_as_current_span("command") as command:
        carrier = current_carrier()
    link = link_from_carrier(carrier)
    assert link is not None
    assert link.context.trace_id == command.get_span_context().trace_id
    assert link.context.span_id == command.get_span_context().span_id
    with tracer.start_as_current_span("post.approved", links=[link]):
        pass
    (posted,) = telemetry.spans_named("post.approved")
    assert posted.links[0].context.span_id == command.get_span_context().span_id


@pytest.mark.parametrize(
    "carrier",
    [
        None,
        {},
        {"traceparent": "garbage"},
        {"traceparent": 7},
        {"traceparent": "00-" + "0" * 32 + "-" + "0" * 16 + "-01"},
    ],
)
def test_unusable_carriers_give_nothing(carrier: dict[str, object] | None) -> None:
    assert link_from_carrier(carrier) is None
    assert context_from_carrier(carrier) is None


def test_a_later_run_links_back_only_across_traces(telemetry: Telemetry) -> None:
    with tracer.start_as_current_span("command") as command:
        carrier = current_carrier()
        # Still inside the command's trace: nothing to link.
        assert link_current_span(carrier) is False
    with tracer.start_as_current_span("run/resent") as resent:
        assert link_current_span(carrier) is True
    assert resent.get_span_context().trace_id != command.get_span_context().trace_id
    (exported,) = telemetry.spans_named("run/resent")
    assert [link.context.span_id for link in exported.links] == [command.get_span_context().span_id]
