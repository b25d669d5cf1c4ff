"""The circuit breaker on its own: threshold, cool-down, one probe at a time."""

from __future__ import annotations

from tests.support.clock import FakeClock
from workers.providers.circuit import CircuitBreaker, CircuitState


def test_opens_after_consecutive_failures_only() -> None:
    breaker = CircuitBreaker(failure_threshold=3, cooldown=10.0, clock=FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is CircuitState.CLOSED and breaker.allow()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN and not breaker.allow()


def test_half_open_lets_exactly_one_probe_through() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown=10.0, clock=clock)
    breaker.record_failure()
    clock.advance(9.9)
    assert not breaker.allow()
    clock.advance(0.1)
    assert breaker.allow()
    assert not breaker.allow(), "a second caller waits for the probe's verdict"
    breaker.record_success()
    assert breaker.state is CircuitState.CLOSED and breaker.allow()


def test_failed_probe_reopens_for_a_fresh_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, cooldown=10.0, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.advance(10.0)
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN
    clock.advance(5.0)
    assert not breaker.allow()


def test_abandoned_probe_frees_the_slot() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown=1.0, clock=clock)
    breaker.record_failure()
    clock.advance(1.0)
    assert breaker.allow()
    breaker.release()
    assert breaker.allow()
