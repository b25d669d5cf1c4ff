"""How `make test-fast` deals the fast lane's test files out to its pytest processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lane_share import (
    RECORDED_TIMES_FILE,
    SECONDS_PER_UNTIMED_TEST,
    deal,
    expected_seconds,
    file_weights,
    parse_share,
    read_times,
    record_times,
)
from tests.lanes import PYCACHE, compiled_modules_kept, fast_lane_redis_indexes, fast_lane_shares, lane_env

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


def test_timed_files_are_dealt_so_that_the_shares_take_about_the_same_time() -> None:
    files = [name for share in fast_lane_shares(FAST_TESTS, 2) for name in share]
    seconds = {name: 1.0 for name in files} | {"tests/slack/test_overload.py": 1000.0}

    shares = fast_lane_shares(FAST_TESTS, 2, seconds)

    assert shares[0] == ["tests/slack/test_overload.py"]
    assert sorted(shares[1]) == sorted(set(files) - {"tests/slack/test_overload.py"})


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


def test_the_slow_lanes_files_are_dealt_heaviest_first_to_the_lightest_share() -> None:
    weights = {"a.py": 50.0, "b.py": 40.0, "c.py": 30.0, "d.py": 20.0, "e.py": 10.0}

    shares = deal(weights, 2)

    assert shares == [["a.py", "d.py", "e.py"], ["b.py", "c.py"]]
    assert sorted(name for share in shares for name in share) == sorted(weights)


def test_a_file_no_run_has_timed_weighs_what_its_tests_are_expected_to_take() -> None:
    weights = file_weights({"timed.py": 30.0, "new.py": 20.0}, {"timed.py": 7.5, "gone.py": 99.0})

    assert weights == {"timed.py": 7.5, "new.py": 20.0}


def test_a_file_not_timed_here_weighs_its_time_in_the_recorded_run() -> None:
    weights = file_weights(
        {"timed.py": 30.0, "recorded.py": 30.0, "new.py": 20.0},
        {"timed.py": 7.5},
        {"timed.py": 60.0, "recorded.py": 45.0},
    )

    assert weights == {"timed.py": 7.5, "recorded.py": 45.0, "new.py": 20.0}


def test_every_file_the_recorded_run_timed_is_still_there() -> None:
    """A renamed file would be dealt by its test count, as on a machine that never ran it."""
    recorded = read_times(RECORDED_TIMES_FILE)
    root = RECORDED_TIMES_FILE.parent.parent

    assert recorded
    assert [name for name in recorded if not (root / name).is_file()] == []


def test_a_test_is_expected_to_take_what_its_marker_declares_else_a_slow_tests_mean() -> None:
    assert expected_seconds(pytest.mark.lane_seconds(240).mark) == 240.0
    assert expected_seconds(None) == SECONDS_PER_UNTIMED_TEST


def test_each_share_records_its_own_files_times_beside_the_others(tmp_path: Path) -> None:
    record = tmp_path / "times.json"
    record_times({"a.py": 12.34}, record)
    record_times({"b.py": 5.0}, record)
    record_times({"a.py": 10.0}, record)

    assert read_times(record) == {"a.py": 10.0, "b.py": 5.0}


def test_an_unreadable_record_weighs_every_file_by_its_tests(tmp_path: Path) -> None:
    record = tmp_path / "times.json"
    record.write_text("not json")

    assert read_times(record) == {}
    assert read_times(tmp_path / "missing.json") == {}


@pytest.mark.parametrize("value", ["", "2", "0/2", "3/2", "a/b"])
def test_a_share_that_is_not_k_of_n_is_a_usage_error(value: str) -> None:
    with pytest.raises(pytest.UsageError):
        parse_share(value)


def test_shares_keep_their_compiled_modules_outside_the_checkout_when_told_to_write_none_beside_it() -> None:
    assert compiled_modules_kept({"PYTHONDONTWRITEBYTECODE": "1"}) == {
        "PYTHONDONTWRITEBYTECODE": "",
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
    }
    assert compiled_modules_kept({"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": "/var/cache/py"}) == {
        "PYTHONDONTWRITEBYTECODE": "",
        "PYTHONPYCACHEPREFIX": "/var/cache/py",
    }
    # Writing bytecode as usual (beside the sources): nothing to change.
    assert compiled_modules_kept({}) == {}
    assert compiled_modules_kept({"PYTHONDONTWRITEBYTECODE": ""}) == {}


def test_each_lanes_processes_use_one_blas_thread_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")

    env = lane_env(15, 12)

    assert env["OPENBLAS_NUM_THREADS"] == "1"
    assert "OMP_NUM_THREADS" not in env
    assert env["TEST_REDIS_DB"] == "15" and env["TEST_SPARE_REDIS_DB"] == "12"
