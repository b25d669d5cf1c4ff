"""A saturated web process still acks every command in time and answers it later; beyond its
pending limit it turns new commands away at once, leaving nothing half-done.

Saturation is made, not hoped for: the guard's threads are held by a gate (so no command can
finish before the test opens it) while a hog keeps the event loop busy with CPU work. The tests
assert what was answered and in which order, never how long anything took.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest
from sqlalchemy import func, select

from bot.guard import executor as guard_executor
from bot.quota.keys import org_keys
from db.models import Job, JobState
from sandbox.say import encode_form
from tests.support.slack import CommandAnswer, Service, audit_actions, count_dispatches

JOB_ID = re.compile(r"job `([0-9a-f-]{36})`")


@contextmanager
def guard_held() -> Iterator[None]:
    """Every guard thread of this process waits on a gate until the block ends."""
    gate = threading.Event()
    pool = guard_executor._pool()
    blockers = [pool.submit(gate.wait) for _ in range(pool._max_workers)]
    try:
        yield
    finally:
        gate.set()
        for blocker in blockers:
            blocker.result()


@asynccontextmanager
async def loop_hogged(slice_seconds: float = 0.02) -> AsyncIterator[None]:
    """Keeps the event loop busy: CPU work in slices, giving the loop back only between them."""
    stop = asyncio.Event()

    async def hog() -> None:
        while not stop.is_set():
            until = time.perf_counter() + slice_seconds
            while time.perf_counter() < until:
                pass
            await asyncio.sleep(0)

    task = asyncio.create_task(hog())
    try:
        yield
    finally:
        stop.set()
        await task


async def jobs_of(service: Service, org: uuid.UUID) -> int:
    async with service.database.tenant(org) as session:
        return (await session.execute(select(func.count()).select_from(Job))).scalar_one()


async def settle(service: Service) -> None:
    """Wait for follow-up answers and broker sends still under way."""
    await service.services.watchdog.drain(30)
    assert service.services.jobs.background is not None
    await service.services.jobs.background.drain(30)


async def test_a_saturated_process_acks_every_command_then_answers_each(single: Service, org: uuid.UUID) -> None:
    ws = single.workspace
    single.services.watchdog.deadline_seconds = 0.3
    # The hog makes the loop late on purpose; what is tested here is the deadline, not the lag limit.
    single.services.watchdog.max_lag_seconds = 3600
    commands = 12
    with guard_held():
        async with loop_hogged():
            acks: list[CommandAnswer] = await asyncio.gather(
                *(single.command(f"text a poem about ferries, number {i}", user=ws.editor) for i in range(commands))
            )
        assert all(ack.status == 200 and "Still working" in ack.text for ack in acks), [a.text for a in acks]
        # Acked first: no command has been answered, and none has a job yet.
        assert all(single.sandbox.responses(ack.response_url) == [] for ack in acks)
        assert await jobs_of(single, org) == 0
    await settle(single)
    job_ids = set()
    for ack in acks:
        (final,) = single.sandbox.responses(ack.response_url)
        found = JOB_ID.search(final["text"])
        assert found, final["text"]
        job_ids.add(uuid.UUID(found.group(1)))
    assert len(job_ids) == commands
    async with single.database.tenant(org) as session:
        states = (await session.execute(select(Job.state).where(Job.id.in_(job_ids)))).scalars().all()
    assert sorted(states) == [JobState.QUEUED] * commands
    assert single.services.watchdog.pending == 0


async def test_beyond_the_pending_limit_commands_are_turned_away_untouched(
    single: Service, org: uuid.UUID, aredis: object
) -> None:
    ws = single.workspace
    single.services.watchdog.deadline_seconds = 0.3
    single.services.watchdog.max_pending = 3
    single.services.watchdog.max_lag_seconds = 3600  # only the pending limit turns commands away here
    with guard_held():
        admitted = await asyncio.gather(
            *(single.command(f"text admitted {i}", user=ws.editor) for i in range(3)),
        )
        turned_away = await asyncio.gather(
            *(single.command(f"text turned away {i}", user=ws.editor) for i in range(2)),
        )
        assert all("Still working" in ack.text for ack in admitted)
        assert all("very busy" in ack.text and ack.ephemeral for ack in turned_away)
    await settle(single)
    assert all(JOB_ID.search(single.sandbox.responses(ack.response_url)[0]["text"]) for ack in admitted)
    # Nothing of the turned-away commands exists: no answer later, no job row, no reservation.
    assert all(single.sandbox.responses(ack.response_url) == [] for ack in turned_away)
    assert await jobs_of(single, org) == 3
    assert (await audit_actions(single.database, org)).count("job.queued") == 3
    assert await aredis.hlen(org_keys(org).reservations) == 3
    # Once the backlog is gone, commands are taken again.
    again = await single.command("text once more", user=ws.editor)
    assert JOB_ID.search(again.text), again.text


async def test_an_overloaded_process_turns_a_signed_command_away_before_bolt_reads_it(
    single: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bolt's parsing, middleware and listener are skipped; a forgery is still refused and an
    interaction still reaches bolt."""
    dispatched = count_dispatches(single, monkeypatch)
    single.services.watchdog.max_pending = 0
    ws = single.workspace

    busy = await single.command("text a poem", user=ws.editor)
    assert busy.status == 200 and "very busy" in busy.text and busy.ephemeral
    assert dispatched == [] and single.sandbox.responses(busy.response_url) == []

    response_url = single.sandbox.response_url(team_id=ws.team_id, channel_id=ws.general, user_id=ws.editor)
    fields = ws.slash_command("text a poem", user=ws.editor, response_url=response_url)
    forged = await single.post_signed(encode_form(fields), secret="not-the-signing-secret")
    assert forged.status == 401

    assert await single.event({"type": "app_home_opened", "user": ws.editor, "tab": "home"}) == 200
    assert len(dispatched) == 2  # the forgery (bolt refuses it) and the event
