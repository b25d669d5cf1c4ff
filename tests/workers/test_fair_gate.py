"""The per-process gate: a cap on jobs in flight, organizations served in turn, interactive first."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.jobs.queueing import PRIORITY_BACKGROUND, PRIORITY_INTERACTIVE
from workers.fair_gate import FairGate, HandedBack, org_share

ORG_A, ORG_B, ORG_C = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


class Run:
    """Jobs that enter the gate and stay in flight until released, recording the order they started."""

    def __init__(self, gate: FairGate) -> None:
        self.gate = gate
        self.started: list[str] = []
        self._release: dict[str, asyncio.Event] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def add(self, name: str, org_id: uuid.UUID, priority: int = PRIORITY_INTERACTIVE) -> None:
        self._release[name] = asyncio.Event()
        self.tasks[name] = asyncio.create_task(self._job(name, org_id, priority))

    async def arrive(self, name: str, org_id: uuid.UUID, priority: int = PRIORITY_INTERACTIVE) -> None:
        """Add the job and let it reach the gate: started, or waiting for a slot."""
        self.add(name, org_id, priority)
        await settle()

    async def burst(self, org_id: uuid.UUID, count: int, prefix: str) -> None:
        """``count`` jobs of one organization arriving together, named ``prefix`` and a number."""
        for number in range(count):
            self.add(f"{prefix}{number}", org_id)
        await settle()

    async def _job(self, name: str, org_id: uuid.UUID, priority: int) -> None:
        async with self.gate.slot(org_id, priority):
            self.started.append(name)
            await self._release[name].wait()

    async def finish(self, *names: str) -> None:
        for name in names:
            self._release[name].set()
        await asyncio.sleep(0)
        await asyncio.sleep(0)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_no_more_jobs_run_than_the_capacity() -> None:
    gate = FairGate(4)
    run = Run(gate)
    for number in range(4):
        run.add(f"a{number}", ORG_A)
        run.add(f"b{number}", ORG_B)
    await settle()

    assert gate.in_flight == 4 and len(run.started) == 4 and gate.waiting == 4
    await run.finish(*run.started)
    await settle()
    assert gate.in_flight == 4 and len(run.started) == 8 and gate.peak == 4


async def test_one_organization_alone_fills_all_but_the_headroom() -> None:
    gate = FairGate(64)
    run = Run(gate)
    await run.burst(ORG_A, 200, "a")

    assert org_share(64) == 56
    assert gate.in_flight == 56


async def test_another_organizations_first_job_starts_at_once_behind_a_burst() -> None:
    gate = FairGate(8)
    run = Run(gate)
    await run.burst(ORG_A, 200, "a")
    await run.arrive("b", ORG_B)

    assert "b" in run.started  # the headroom was free: no wait for any of A's jobs to end


async def test_free_slots_go_round_robin_across_organizations() -> None:
    gate = FairGate(2)
    run = Run(gate)
    await run.arrive("hold", ORG_C)
    for number in range(3):
        run.add(f"a{number}", ORG_A)
    await run.burst(ORG_B, 3, "b")
    order = [name for name in run.started if name != "hold"]
    for _ in range(5):
        await run.finish(order[-1])
        await settle()
        order = [name for name in run.started if name != "hold"]

    assert order == ["a0", "b0", "a1", "b1", "a2", "b2"]


async def test_interactive_jobs_start_before_background_ones() -> None:
    gate = FairGate(1)
    run = Run(gate)
    await run.arrive("hold", ORG_C)
    run.add("scheduled", ORG_A, PRIORITY_BACKGROUND)
    run.add("command", ORG_B, PRIORITY_INTERACTIVE)
    await settle()
    await run.finish("hold")
    await settle()

    assert run.started == ["hold", "command"]


async def test_closing_hands_back_waiting_jobs_and_lets_running_ones_finish() -> None:
    gate = FairGate(1)
    run = Run(gate)
    await run.arrive("running", ORG_A)
    await run.arrive("waiting", ORG_B)

    gate.close()
    await settle()
    with pytest.raises(HandedBack):
        await run.tasks["waiting"]
    assert not run.tasks["running"].done()
    await run.finish("running")
    await run.tasks["running"]
    with pytest.raises(HandedBack):
        async with gate.slot(ORG_A):
            pass


async def test_a_cancelled_waiter_leaves_no_slot_behind() -> None:
    gate = FairGate(1)
    run = Run(gate)
    await run.arrive("running", ORG_A)
    await run.arrive("given_up", ORG_B)
    run.tasks["given_up"].cancel()
    await settle()
    await run.finish("running")
    await settle()

    assert gate.in_flight == 0 and gate.waiting == 0
