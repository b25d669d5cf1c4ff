"""The watchdog: the answer in the ack when the work is quick; "still working" and the answer
through response_url when it is slow; new commands turned away when answers pile up overdue.

"Slow" is a deadline of zero against work that waits for the test's go-ahead, so each outcome
follows from the order of events, not from how busy the machine is. How long the ack takes on a
real path is measured by bench/ack_latency.py."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.commands.views import Message, ephemeral
from bot.slack.ack_watchdog import TURNED_AWAY_LOG_SECONDS, AckWatchdog
from bot.slack.loop_lag import LoopLag
from tests.support.waiting import wait_until

# Long enough that work finishing at once is never taken for slow work, however loaded the machine.
GENEROUS_DEADLINE_SECONDS = 60.0


class Recorder:
    def __init__(self) -> None:
        self.acks: list[Message] = []
        self.delivered: list[tuple[str, Message]] = []

    async def ack(self, message: Message) -> None:
        self.acks.append(message)

    async def deliver(self, url: str, message: Message) -> None:
        self.delivered.append((url, message))


async def _work(text: str, go_ahead: asyncio.Event | None = None, started: list[str] | None = None) -> Message:
    if started is not None:
        started.append(text)
    if go_ahead is not None:
        await go_ahead.wait()
    return ephemeral(text)


async def test_quick_work_is_answered_in_the_ack() -> None:
    seen = Recorder()
    watchdog = AckWatchdog(deadline_seconds=GENEROUS_DEADLINE_SECONDS, deliver=seen.deliver)
    await watchdog.answer(_work("done"), ack=seen.ack, response_url="https://hooks.example/1")
    assert [a["text"] for a in seen.acks] == ["done"] and seen.delivered == []
    assert watchdog.pending == 0


async def test_slow_work_acks_still_working_then_answers_through_response_url() -> None:
    seen = Recorder()
    go_ahead = asyncio.Event()
    watchdog = AckWatchdog(deadline_seconds=0.0, deliver=seen.deliver)
    await watchdog.answer(_work("late answer", go_ahead), ack=seen.ack, response_url="https://hooks.example/2")
    assert len(seen.acks) == 1 and "Still working" in seen.acks[0]["text"]
    assert watchdog.pending == 1 and seen.delivered == []  # nothing delivered before the work ends

    go_ahead.set()
    await watchdog.drain(GENEROUS_DEADLINE_SECONDS)
    assert seen.delivered == [("https://hooks.example/2", ephemeral("late answer"))]
    assert watchdog.pending == 0 and len(seen.acks) == 1


async def test_a_service_far_behind_turns_new_commands_away_untouched() -> None:
    seen = Recorder()
    started: list[str] = []
    go_ahead = asyncio.Event()
    watchdog = AckWatchdog(deadline_seconds=0.0, deliver=seen.deliver, max_pending=1)
    await watchdog.answer(_work("first", go_ahead, started), ack=seen.ack, response_url="u1")
    await watchdog.answer(_work("second", go_ahead, started), ack=seen.ack, response_url="u2")
    assert "Still working" in seen.acks[0]["text"] and "very busy" in seen.acks[1]["text"]
    assert started == ["first"]  # the second command's work never began

    go_ahead.set()
    await watchdog.drain(GENEROUS_DEADLINE_SECONDS)
    assert [url for url, _ in seen.delivered] == ["u1"]


async def test_drain_returns_with_answers_still_owed_once_its_time_is_up() -> None:
    seen = Recorder()
    never = asyncio.Event()
    watchdog = AckWatchdog(deadline_seconds=0.0, deliver=seen.deliver)
    await watchdog.answer(_work("never finishes", never), ack=seen.ack, response_url="u")
    # A drain that ignored its limit would wait on this work for ever; the outer limit only turns
    # that hang into a failure.
    await asyncio.wait_for(watchdog.drain(0.01), GENEROUS_DEADLINE_SECONDS)
    assert watchdog.pending == 1 and seen.delivered == []
    for follow_up in list(watchdog._follow_ups):
        follow_up.cancel()


async def test_a_loop_far_behind_turns_new_commands_away_untouched() -> None:
    seen = Recorder()
    started: list[str] = []
    watchdog = AckWatchdog(deadline_seconds=GENEROUS_DEADLINE_SECONDS, deliver=seen.deliver, max_lag_seconds=0.5)
    watchdog.lag.seconds = 0.6  # as the probe reads a loop that ran its callbacks that late
    await watchdog.answer(_work("behind", started=started), ack=seen.ack, response_url="u1")
    assert "very busy" in seen.acks[0]["text"] and started == [] and watchdog.pending == 0
    await watchdog.close()


async def test_a_late_loop_acks_still_working_sooner() -> None:
    # The request waited one lag before it was seen, and its ack waits another: at half the
    # deadline behind, no time is left for the work.
    seen = Recorder()
    go_ahead = asyncio.Event()
    watchdog = AckWatchdog(deadline_seconds=GENEROUS_DEADLINE_SECONDS, deliver=seen.deliver, max_lag_seconds=3600)
    watchdog.lag.seconds = GENEROUS_DEADLINE_SECONDS / 2
    await watchdog.answer(_work("late answer", go_ahead), ack=seen.ack, response_url="u1")
    assert "Still working" in seen.acks[0]["text"]
    go_ahead.set()
    await watchdog.drain(GENEROUS_DEADLINE_SECONDS)
    assert [url for url, _ in seen.delivered] == ["u1"]
    await watchdog.close()


async def test_the_probe_sees_a_stalled_loop() -> None:
    lag = LoopLag()
    lag.start()
    await asyncio.sleep(0)
    time.sleep(0.3)  # noqa: ASYNC251  a stalled loop, on purpose: every callback due meanwhile is late
    await wait_until(lambda: lag.seconds >= 0.2, "the probe never saw the loop stall", seconds=1, every=0.01)
    await lag.stop()


async def test_a_flood_turned_away_is_logged_as_one_line_with_its_count(caplog: pytest.LogCaptureFixture) -> None:
    seen = Recorder()
    watchdog = AckWatchdog(deadline_seconds=GENEROUS_DEADLINE_SECONDS, deliver=seen.deliver, max_lag_seconds=0.5)
    watchdog.lag.seconds = 0.6
    with caplog.at_level(logging.WARNING, logger="bot.slack.ack_watchdog"):
        for number in range(50):
            await watchdog.answer(_work(f"flood {number}"), ack=seen.ack, response_url=f"u{number}")

    assert len(seen.acks) == 50 and all("very busy" in ack["text"] for ack in seen.acks)
    # The first is logged at once; the rest within the same second wait for the next line.
    [line] = [record.getMessage() for record in caplog.records]
    assert "turned 1 commands away" in line
    watchdog._last_turned_away_log -= TURNED_AWAY_LOG_SECONDS
    with caplog.at_level(logging.WARNING, logger="bot.slack.ack_watchdog"):
        await watchdog.answer(_work("one more"), ack=seen.ack, response_url="u")
    assert "turned 50 commands away" in caplog.records[-1].getMessage()
    await watchdog.close()
