"""The one poll loop of the tests (tests/support/waiting.py): what it returns, and what its failure says."""

from __future__ import annotations

import pytest

from tests.support.waiting import wait_until


async def test_the_wait_ends_with_the_first_truthy_answer_of_a_function_or_a_coroutine() -> None:
    answers = iter([None, [], ["posted"]])

    async def posts() -> list[str] | None:
        return next(answers)

    assert await wait_until(posts, "nothing was posted", every=0) == ["posted"]
    assert await wait_until(lambda: 7, "no number came") == 7


async def test_a_wait_that_runs_out_says_what_did_not_happen_and_for_how_long() -> None:
    with pytest.raises(AssertionError, match=r"^the clicker was never told \(waited 0.1s\)$"):
        await wait_until(lambda: False, "the clicker was never told", seconds=0.1, every=0.01)


async def test_a_failure_given_as_a_function_is_asked_once_the_time_is_up() -> None:
    seen: list[int] = []

    def counted() -> bool:
        seen.append(len(seen))
        return False

    with pytest.raises(AssertionError, match=r"^asked 1 time\(s\)"):
        await wait_until(counted, lambda: f"asked {len(seen)} time(s)", seconds=0)


async def test_a_condition_that_holds_by_the_deadline_never_fails() -> None:
    assert await wait_until(lambda: True, "it held", seconds=0) is True
