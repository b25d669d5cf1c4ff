"""How close to its deadline the ack watchdog answers slow work, and how long a drain overruns
its limit: the durations the watchdog's tests leave out (they check order and outcome only).

    .venv/bin/python bench/ack_watchdog.py [--commands 50] [--drain-limit 0.5]

In one event loop, ``--commands`` slash commands at once whose work takes longer than the
watchdog's deadline (bot.slack.ack_watchdog.ACK_DEADLINE_SECONDS, 2 s): each must be acked "still
working" by the deadline plus a margin, well inside Slack's 3 s. Then a shutdown drain with
answers still owed must return by its limit plus the same margin. The last line is the verdict;
exit status 0 met, 1 missed, 2 could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.verdict import Target, at_most, run_bench
from bot.commands.views import Message, ephemeral
from bot.slack.ack_watchdog import ACK_DEADLINE_SECONDS, AckWatchdog

# Slack gives up at 3 s; what is left after the deadline is for the ack's trip back.
SLACK_LIMIT_SECONDS = 3.0
MARGIN_SECONDS = 0.25


async def _slow_work(seconds: float) -> Message:
    await asyncio.sleep(seconds)
    return ephemeral("late answer")


async def measure(commands: int, drain_limit: float) -> tuple[list[float], float]:
    """Seconds from each command to its ack, and seconds a drain took with answers still owed."""

    async def deliver(url: str, message: Message) -> None:
        return None

    watchdog = AckWatchdog(deliver=deliver, max_pending=commands * 2)
    acked: list[float] = []

    async def command() -> None:
        started = time.perf_counter()

        async def ack(message: Message) -> None:
            acked.append(time.perf_counter() - started)

        await watchdog.answer(_slow_work(ACK_DEADLINE_SECONDS + 10), ack=ack, response_url="https://hooks.example/1")

    await asyncio.gather(*(command() for _ in range(commands)))
    started = time.perf_counter()
    await watchdog.drain(drain_limit)
    drained = time.perf_counter() - started
    for follow_up in list(watchdog._follow_ups):
        follow_up.cancel()
    return acked, drained


def bench(args: argparse.Namespace) -> list[Target]:
    acked, drained = asyncio.run(measure(args.commands, args.drain_limit))
    worst = max(acked)
    print(
        f"{args.commands} slow commands at once, deadline {ACK_DEADLINE_SECONDS:g} s: ack p50 "
        f"{statistics.median(acked):.3f} s, worst {worst:.3f} s (Slack gives up at {SLACK_LIMIT_SECONDS:g} s)"
    )
    print(f"drain with {args.commands} answers owed, limit {args.drain_limit:g} s: returned after {drained:.3f} s")
    return [
        at_most("worst slow-work ack", worst, ACK_DEADLINE_SECONDS + MARGIN_SECONDS, "s"),
        at_most("drain overrun", drained - args.drain_limit, MARGIN_SECONDS, "s"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=50)
    parser.add_argument("--drain-limit", type=float, default=0.5)
    args = parser.parse_args()
    return run_bench("ack_watchdog", lambda: bench(args))


if __name__ == "__main__":
    sys.exit(main())
