"""How long a request had already waited when its handler started.

Under a flood a request spends most of its time before any of our code runs: in the kernel's
accept and receive queues, then behind the other requests of a saturated event loop. Slack's 3 s
count from the moment it sent the request, so the server dates a request's arrival back by this
wait (the ack watchdog's deadline counts from there) and turns away a command that has already
used up too much of it.

Two estimates; the larger counts:

- the kernel's: Linux keeps, per TCP connection, the milliseconds since data last arrived on it
  (``tcpi_last_data_recv`` of ``TCP_INFO``). When the handler starts, that is how long ago the
  request's bytes reached this machine, whichever queue held them. Elsewhere: 0.
- Slack's: ``X-Slack-Request-Timestamp`` says when the request was signed, in whole seconds, so
  ``now - timestamp - 1`` is a lower bound of the time since, which covers what the kernel cannot
  see (a proxy in front, retried handshakes). A clock that runs ahead of Slack's would make every
  request look late; the smallest ``now - timestamp`` among recent requests is taken as that
  lead and subtracted (the quickest of them waited next to nothing). When the clock is stepped
  (NTP correcting it, a virtual machine resumed), which the monotonic clock shows as wall time that
  moved more or less than monotonic time did, the lead is learned again from the next requests
  instead of from the last minutes' ones, which would make every request look late, or none. A
  timestamp older than the signature's five minutes counts for nothing: that request is refused
  anyway.
"""

from __future__ import annotations

import socket
import struct
import sys
import time
from typing import Protocol

# struct tcp_info (linux/tcp.h): eight one-byte fields, then 32-bit ones; tcpi_last_data_recv is the
# fourteenth of those, at byte 52. Older kernels' struct is longer than this already.
_LAST_DATA_RECV = struct.Struct("=I")
_LAST_DATA_RECV_OFFSET = 52
_TCP_INFO_BYTES = 104
_TCP_INFO = getattr(socket, "TCP_INFO", None) if sys.platform.startswith("linux") else None

# Slack's signatures hold for five minutes; an older timestamp is not a wait but a replay.
SIGNATURE_WINDOW_SECONDS = 300.0
# The lead of this clock over Slack's is the smallest age seen in the last one or two of these.
CLOCK_LEAD_WINDOW_SECONDS = 60.0
# Wall time that moved this much more or less than monotonic time between two requests: a step.
# NTP's slewing moves it by at most half a millisecond a second.
CLOCK_STEP_SECONDS = 0.5


class OptionReader(Protocol):
    """What a connection's socket offers here (``socket.socket``, asyncio's and uvloop's wrappers)."""

    def getsockopt(self, level: int, option: int, buflen: int) -> bytes: ...


def kernel_wait_seconds(sock: OptionReader | None) -> float:
    """Seconds since data last arrived on the TCP connection ``sock`` (0 where that is unknown)."""
    if sock is None or _TCP_INFO is None:
        return 0.0
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, _TCP_INFO_BYTES)
    except (OSError, TypeError, ValueError):  # not TCP (a Unix socket), or closed already
        return 0.0
    if len(info) < _LAST_DATA_RECV_OFFSET + _LAST_DATA_RECV.size:
        return 0.0
    (milliseconds,) = _LAST_DATA_RECV.unpack_from(info, _LAST_DATA_RECV_OFFSET)
    return float(milliseconds) / 1000


class SignedAgeWindow:
    """Lower bounds of the time since Slack signed a request, net of this clock's lead over Slack's."""

    def __init__(self, window_seconds: float = CLOCK_LEAD_WINDOW_SECONDS) -> None:
        self.window_seconds = window_seconds
        self._window_started = float("-inf")
        self._smallest_now = float("inf")
        self._smallest_before = float("inf")
        self._last_clocks: tuple[float, float] | None = None

    def seconds_since_signed(self, timestamp: str | None, now: float, steady: float | None = None) -> float:
        """At least how long ago the request with this ``X-Slack-Request-Timestamp`` was signed
        (``now``: this machine's wall clock; ``steady``: its monotonic clock, which shows when the
        wall clock was stepped); 0 where the header says nothing usable."""
        self._forget_the_lead_after_a_step(now, now if steady is None else steady)
        try:
            signed = int(timestamp) if timestamp else None
        except ValueError:
            return 0.0
        if signed is None:
            return 0.0
        age = now - signed
        if not -SIGNATURE_WINDOW_SECONDS <= age <= SIGNATURE_WINDOW_SECONDS:
            return 0.0
        lead = max(0.0, self._note(age, now))
        # The timestamp is whole seconds: the request was signed up to one second after it.
        return max(0.0, age - 1.0 - lead)

    def _forget_the_lead_after_a_step(self, now: float, steady: float) -> None:
        last, self._last_clocks = self._last_clocks, (now, steady)
        if last is not None and abs((now - last[0]) - (steady - last[1])) > CLOCK_STEP_SECONDS:
            self._window_started = float("-inf")
            self._smallest_now = self._smallest_before = float("inf")

    def _note(self, age: float, now: float) -> float:
        """Remember ``age``; the smallest age of this window and the one before (this one's included)."""
        if now - self._window_started >= self.window_seconds:
            self._window_started, self._smallest_before, self._smallest_now = now, self._smallest_now, age
        else:
            self._smallest_now = min(self._smallest_now, age)
        return min(self._smallest_now, self._smallest_before)


def waited_seconds(sock: OptionReader | None, timestamp: str | None, signed_ages: SignedAgeWindow) -> float:
    """How long the request had waited before now: the larger of the kernel's and Slack's estimate."""
    return max(kernel_wait_seconds(sock), signed_ages.seconds_since_signed(timestamp, time.time(), time.monotonic()))
