"""How far behind this process's event loop runs: the time a callback waits past its due time.

A web process saturated with work (its own, or the machine's other processes taking the cores)
runs every callback late: a request that arrived waits that long before its handler starts, and
an ack that is ready waits that long again before it is written. The ack watchdog counts both
against Slack's deadline, and turns new commands away while the loop is far behind.

The probe sleeps ``PROBE_SECONDS`` at a time and notes by how much it overslept; a reading decays
by half at each probe, so one long stall is remembered for a few probes and not for ever.
"""

from __future__ import annotations

import asyncio

from bot.process.stopping import cancel_and_wait

PROBE_SECONDS = 0.05


class LoopLag:
    def __init__(self) -> None:
        self.seconds = 0.0
        self._probe: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start probing the running loop (once; later calls do nothing)."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._measure())

    async def _measure(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(PROBE_SECONDS)
            overslept = max(0.0, loop.time() - before - PROBE_SECONDS)
            self.seconds = max(overslept, self.seconds / 2)

    async def stop(self) -> None:
        await cancel_and_wait(self._probe)
        self._probe = None
