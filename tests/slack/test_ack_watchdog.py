"""The watchdog: the answer in the ack when the work is quick; "still working" and the answer
through response_url when it is slow; new commands turned away when answers pile up overdue."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.ack_watchdog import AckWatchdog
from bot.views.commands import Message, ephemeral


class Recorder:
    def __init__(self) -> None:
        self.acks: list[Message] = []
        self.delivered: list[tuple[str, Message]] = []

    async def ack(self, message: Message) -> None:
        self.acks.append(message)

    async def deliver(self, url: str, message: Message) -> None:
        self.delivered.append((url, message))


async def _work(seconds: float, text: str, started: list[str] | None = None) -> Message:
    if started is not None:
        started.append(text)
    await asyncio.sleep(seconds)
    return ephemeral(text)


async def test_quick_work_is_answered_in_the_ack() -> None:
    seen = Recorder()
    watchdog = AckWatchdog(deadline_seconds=1.0, deliver=seen.deliver)
    await watchdog.answer(_work(0, "done"), ack=seen.ack, response_url="https://hooks.example/1")
    assert [a["text"] for a in seen.acks] == ["done"] and seen.delivered == []


async def test_slow_work_acks_still_working_then_answers_through_response_url() -> None:
    seen = Recorder()
    watchdog = AckWatchdog(deadline_seconds=0.05, deliver=seen.deliver)
    await watchdog.answer(_work(0.2, "late answer"), ack=seen.ack, response_url="https://hooks.example/2")
    assert "Still working" in seen.acks[0]["text"] and watchdog.pending == 1
    await watchdog.drain(5)
    assert seen.delivered == [("https://hooks.example/2", ephemeral("late answer"))]
    assert watchdog.pending == 0


async def test_a_service_far_behind_turns_new_commands_away_untouched() -> None:
    seen = Recorder()
    started: list[str] = []
    watchdog = AckWatchdog(deadline_seconds=0.01, deliver=seen.deliver, max_pending=1)
    await watchdog.answer(_work(0.2, "first", started), ack=seen.ack, response_url="u1")
    await watchdog.answer(_work(0.2, "second", started), ack=seen.ack, response_url="u2")
    assert "very busy" in seen.acks[1]["text"]
    assert started == ["first"]  # the second command's work never began
    await watchdog.drain(5)
    assert [url for url, _ in seen.delivered] == ["u1"]


async def test_drain_waits_no_longer_than_told() -> None:
    seen = Recorder()
    watchdog = AckWatchdog(deadline_seconds=0.0, deliver=seen.deliver)
    await watchdog.answer(_work(5, "very late"), ack=seen.ack, response_url="u")
    loop: Any = asyncio.get_running_loop()
    started = loop.time()
    await watchdog.drain(0.05)
    assert loop.time() - started < 1 and watchdog.pending == 1
    for follow_up in list(watchdog._follow_ups):
        follow_up.cancel()
