"""A per-model circuit breaker: stop calling a model that keeps failing, probe it after a cool-down."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Closed -> (``failure_threshold`` consecutive failures) -> open for ``cooldown`` seconds ->
    half-open, where exactly one caller is let through as a probe: its success closes the
    circuit, its failure opens it again for another cool-down.

    Locked, because a worker may run jobs on several threads that share one router.
    """

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_out = False

    @property
    def state(self) -> CircuitState:
        with self._lock:
            self._half_open_if_cooled()
            return self._state

    def allow(self) -> bool:
        """May a call go through now? In half-open, only the first caller gets a yes."""
        with self._lock:
            self._half_open_if_cooled()
            if self._state is CircuitState.CLOSED:
                return True
            if self._state is CircuitState.HALF_OPEN and not self._probe_out:
                self._probe_out = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._state = CircuitState.CLOSED
            self._failures = 0
            self._probe_out = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is CircuitState.HALF_OPEN or self._failures >= self.failure_threshold:
                self._state = CircuitState.OPEN
                self._opened_at = self._clock()
            self._probe_out = False

    def release(self) -> None:
        """The call ended without a verdict (cancelled, a bug): let another caller probe."""
        with self._lock:
            self._probe_out = False

    def _half_open_if_cooled(self) -> None:
        if self._state is CircuitState.OPEN and self._clock() - self._opened_at >= self.cooldown:
            self._state = CircuitState.HALF_OPEN
            self._probe_out = False
