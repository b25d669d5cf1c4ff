"""Sending committed jobs to the broker after the answer, off the request's path.

The web tier commits a ``queued`` job, answers Slack, and leaves the publish to this object: one
publishing thread per process takes every job waiting at that moment, builds each one's message
inside the context of the request that made it (so the worker joins its trace), and pushes them
all to the broker in one round trip (``bot.jobs.task_messages``). Under load one hop to that thread
carries many jobs. A job whose publish fails, or that was still waiting when the process died,
stays ``queued`` and the outbox sweeper sends it (workers.maintenance).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

from bot.jobs.queueing import JobSender

log = logging.getLogger(__name__)

_Waiting = tuple[contextvars.Context, uuid.UUID, uuid.UUID, str]


class BackgroundSends:
    def __init__(self, sender: JobSender) -> None:
        self.sender = sender
        self._waiting: list[_Waiting] = []
        self._drainer: asyncio.Task[None] | None = None
        # One thread: the push blocks, and a single publisher keeps the GIL hand-offs few.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish")

    def start(self, job_id: uuid.UUID, org_id: uuid.UUID, kind: str) -> None:
        """Send this committed job soon; returns at once."""
        self._waiting.append((contextvars.copy_context(), job_id, org_id, kind))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._send_waiting())

    @property
    def pending(self) -> int:
        return len(self._waiting) + (0 if self._drainer is None or self._drainer.done() else 1)

    async def drain(self, seconds: float) -> None:
        """Wait (up to ``seconds``) for the jobs still to send; what is left, the sweeper sends."""
        if self._drainer is not None and not self._drainer.done():
            await asyncio.wait({self._drainer}, timeout=seconds)

    def close(self) -> None:
        self._thread.shutdown(wait=False)

    async def _send_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await loop.run_in_executor(self._thread, self._send_batch, batch)
            except RuntimeError:  # the thread is shut down: the process is stopping
                log.warning("%d jobs left queued for the sweeper", len(batch))

    def _send_batch(self, batch: list[_Waiting]) -> None:
        # Each message is built in its request's context (its trace goes along); then all of
        # them go to the broker in one round trip.
        messages = [
            context.run(self.sender.job_message, job_id, org_id, kind) for context, job_id, org_id, kind in batch
        ]
        try:
            self.sender.pusher.push(messages)
        except Exception:
            log.warning("broker unavailable; %d jobs stay queued for the sweeper", len(batch), exc_info=True)
