"""How `make test-fast` deals the fast lane's test files out to its pytest processes."""

from __future__ import annotations

import pytest

from tests.lanes import fast_lane_redis_indexes, fast_lane_shares

FAST_TESTS = ["tests/guard", "tests/slack", "tests/approvals", "tests/schedules/test_commands.py", "tests/workflows"]


def test_every_test_file_goes_to_exactly_one_share() -> None:
    shares = fast_lane_shares(FAST_TESTS, 2)

    dealt = [name for share in shares for name in share]
    assert len(shares) == 2
    assert len(dealt) == len(set(dealt))
    assert "tests/schedules/test_commands.py" in dealt and "tests/guard/test_rules.py" in dealt
    assert not any(name.endswith("conftest.py") for name in dealt)
    assert abs(len(shares[0]) - len(shares[1])) <= 1


def test_a_node_id_stays_whole_and_an_empty_share_is_not_started() -> None:
    node = "tests/guard/test_rules.py::test_every_rule_has_positive_and_negative_examples"

    assert fast_lane_shares([node], 2) == [[node]]


def test_two_shares_take_the_runs_own_and_spare_redis_indexes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_REDIS_DB", "7")
    monkeypatch.setenv("TEST_SPARE_REDIS_DB", "15")

    assert fast_lane_redis_indexes(2) == [7, 15]
    assert fast_lane_redis_indexes(1) == [7]


def test_without_named_indexes_each_share_gets_a_distinct_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_REDIS_DB", raising=False)
    monkeypatch.delenv("TEST_SPARE_REDIS_DB", raising=False)

    indexes = fast_lane_redis_indexes(3)

    assert len(set(indexes)) == 3 and all(1 <= index <= 15 for index in indexes)


def test_a_named_index_is_kept_and_the_others_differ_from_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_REDIS_DB", "7")
    monkeypatch.delenv("TEST_SPARE_REDIS_DB", raising=False)

    first, second = fast_lane_redis_indexes(2)

    assert first == 7 and second != 7 and 1 <= second <= 15
