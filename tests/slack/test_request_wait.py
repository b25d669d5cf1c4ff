"""How long a request waited before its handler ran: the kernel's count on a real TCP connection,
and the lower bound a Slack timestamp gives, net of a clock that runs ahead of Slack's.

The waits are made with real sleeps and real blocked loops; only lower bounds are asserted (a
wait is at least what was slept), never how fast anything ran."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import Iterator

import pytest
from aiohttp import web

from bot.slack.request_wait import SignedAgeWindow, kernel_wait_seconds, waited_seconds
from tests.slack.held_requests import http_post, send_while_the_loop_is_held
from tests.support.slack import serve_locally

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="TCP_INFO is Linux's")


@pytest.fixture
def connection() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A real TCP connection on 127.0.0.1: (client end, server end)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
    with client, server:
        yield client, server


@linux_only
def test_the_kernel_counts_the_time_since_the_request_arrived_not_since_it_was_read(
    connection: tuple[socket.socket, socket.socket],
) -> None:
    client, server = connection
    client.sendall(b"POST / HTTP/1.1\r\n\r\n")
    time.sleep(0.3)
    assert kernel_wait_seconds(server) >= 0.3
    server.recv(100)  # reading it changes nothing: the bytes arrived when they arrived
    assert kernel_wait_seconds(server) >= 0.3
    client.sendall(b"the next request")
    assert kernel_wait_seconds(server) < 0.3  # a new arrival starts the count again


def test_a_connection_that_is_not_tcp_has_waited_nothing_as_far_as_anyone_can_tell() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"x")
        time.sleep(0.05)
        assert kernel_wait_seconds(right) == 0.0
    assert kernel_wait_seconds(None) == 0.0
    assert kernel_wait_seconds(right) == 0.0  # closed


@linux_only
async def test_a_request_held_behind_a_busy_event_loop_is_known_to_have_waited() -> None:
    """Through aiohttp as the server runs it: the request's bytes reach the kernel while the loop is
    blocked, and its handler, once it runs, reads how long ago that was."""
    seen: list[float] = []

    async def handler(request: web.Request) -> web.Response:
        transport = request.transport
        assert transport is not None
        seen.append(waited_seconds(transport.get_extra_info("socket"), None, SignedAgeWindow()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/", handler)
    url, runner = await serve_locally(app)
    try:
        answer = await send_while_the_loop_is_held(url, http_post("/", b"", {}), 0.4)
        assert answer.status == 200
        (waited,) = seen
        assert waited >= 0.4
    finally:
        await runner.cleanup()


@linux_only
def test_uvloop_s_connections_tell_their_wait_too() -> None:
    """A web process runs on uvloop, whose transports hand out a socket of their own kind."""
    uvloop = pytest.importorskip("uvloop")
    seen: list[float] = []

    async def wait_of_one_connection() -> None:
        handled = asyncio.Event()

        async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(kernel_wait_seconds(writer.get_extra_info("socket")))
            writer.close()
            handled.set()

        server = await asyncio.start_server(on_connection, "127.0.0.1", 0)
        async with server:
            with socket.create_connection(server.sockets[0].getsockname()) as client:
                client.sendall(b"POST / HTTP/1.1\r\n\r\n")
                time.sleep(0.3)  # noqa: ASYNC251  the loop held on purpose: the bytes wait in the queues
                await handled.wait()

    uvloop.run(wait_of_one_connection())
    assert seen[0] >= 0.3


def test_a_timestamp_seconds_old_is_a_wait_of_at_least_that_less_one_second() -> None:
    ages = SignedAgeWindow()
    now = 1_800_000_000.5
    assert ages.seconds_since_signed(str(int(now)), now) == 0.0  # signed just now
    assert ages.seconds_since_signed(str(int(now) - 3), now) == pytest.approx(2.0)


@pytest.mark.parametrize("timestamp", [None, "", "soon", "1799999000", "1800000400", "1800000002"])
def test_a_missing_garbled_replayed_or_future_timestamp_counts_for_nothing(timestamp: str | None) -> None:
    ages = SignedAgeWindow()
    now = 1_800_000_000.0
    ages.seconds_since_signed(str(int(now)), now)
    assert ages.seconds_since_signed(timestamp, now) == 0.0


def test_a_clock_ahead_of_slacks_does_not_make_every_request_look_late() -> None:
    """This machine's clock 5 s ahead: every request looks 5 s old, and none is taken for late
    but the one that really waited."""
    ages = SignedAgeWindow()
    ahead = 5.0
    signed_at = 1_800_000_000
    fresh = [ages.seconds_since_signed(str(signed_at + i), signed_at + i + ahead + 0.1) for i in range(5)]
    assert fresh == [0.0] * 5
    late = ages.seconds_since_signed(str(signed_at + 5), signed_at + 5 + ahead + 2.1)
    assert late == pytest.approx(1.0)  # of the 2 s it waited, at least 1 s is certain


def test_without_a_monotonic_clock_a_clock_stepped_ahead_is_learned_within_two_windows() -> None:
    """Until then the requests look late: the price of not trusting a single request's word for
    how far ahead the clock runs, where nothing else says the clock was stepped."""
    ages = SignedAgeWindow(window_seconds=60)
    signed_at = 1_800_000_000
    ages.seconds_since_signed(str(signed_at), signed_at + 0.1)
    # The clock is stepped 30 s ahead.
    seen = [
        ages.seconds_since_signed(str(signed_at + 60 * minute), signed_at + 60 * minute + 30.1) for minute in (1, 2, 3)
    ]
    assert seen == [pytest.approx(29.0), 0.0, 0.0]


SIGNED_AT = 1_800_000_000
STEADY_AT = 5_000.0


class Requests:
    """Requests to one window, each signed ``SIGNED_AT + second``, reaching a wall clock that runs
    ``wall_ahead`` seconds ahead of Slack's and a monotonic clock that never jumps."""

    def __init__(self) -> None:
        self.ages = SignedAgeWindow(window_seconds=60)

    def wait_of(self, second: float, *, waited: float = 0.1, wall_ahead: float = 0.0) -> float:
        signed = SIGNED_AT + int(second)
        arrived = STEADY_AT + second + waited
        return self.ages.seconds_since_signed(str(signed), signed + waited + wall_ahead, arrived)


@pytest.mark.parametrize("step", [30.0, 2.0])
def test_a_clock_stepped_between_two_requests_is_noticed_and_its_lead_learned_again(step: float) -> None:
    """NTP steps the wall clock (or a virtual machine resumes); the monotonic clock does not jump,
    so the step shows, and no request after it looks late for it, while one that really waited
    still does."""
    requests = Requests()
    for second in range(3):
        requests.wait_of(second)

    after = [requests.wait_of(3 + i, wall_ahead=step) for i in range(3)]
    queued = requests.wait_of(6, waited=2.1, wall_ahead=step)

    assert after == [0.0, 0.0, 0.0]
    assert queued == pytest.approx(1.0)


def test_the_slow_drift_of_a_slewed_clock_is_no_step() -> None:
    requests = Requests()
    requests.wait_of(0)
    # Ten seconds later the wall clock has been slewed 5 ms: the lead learned before still holds.
    assert requests.wait_of(8, waited=2.1, wall_ahead=0.005) == pytest.approx(1.005)


def test_a_clock_stepped_back_makes_no_request_look_late() -> None:
    """A clock behind Slack's only makes waits look shorter than they were: nothing is turned away for it."""
    requests = Requests()
    requests.wait_of(0)
    assert [requests.wait_of(second, wall_ahead=-30.0) for second in (1, 2, 3)] == [0.0, 0.0, 0.0]
