"""Loaded by `make test` for the slow lane (`-p tests.lane_share --lane-share K/N`): keeps the test
files of share K of N and deselects the rest, so that N pytest processes run the lane side by side.

The slow lane mostly waits on its worker processes (leases running out, model latency, Slack's
rate limits), so two shares finish in about half the time on the same cores. Every share deals the
same way from the same collection: a file goes whole to one share (its module and session
fixtures, such as its workers, are started once), heaviest first to the lightest share. A file's
weight is its time in the last run on this machine that timed it (``.services/lane-share-times.json``,
written by each share as it ends), else its time in the run recorded with the tests
(``tests/lane_share_times.json``, what a fresh machine such as CI's deals by), else, for a file no
run has timed, the sum of its selected tests' expected seconds: a slow test's mean, or what its
``lane_seconds`` marker declares for a test far longer than that (the learned model's rebuild).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import pytest

TIMES_FILE = Path(__file__).resolve().parent.parent / ".services" / "lane-share-times.json"
# A healthy `make test` run's file times, copied from its TIMES_FILE: dealt by test counts alone, a
# fresh machine's shares came out 446 and 576 s in CI.
RECORDED_TIMES_FILE = Path(__file__).resolve().parent / "lane_share_times.json"
# A slow test's mean call time in a healthy `make test` run on 2 cores, for files not yet timed.
SECONDS_PER_UNTIMED_TEST = 10.0


def parse_share(value: str) -> tuple[int, int]:
    """``"K/N"`` as (K, N), with 1 <= K <= N."""
    try:
        number, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise pytest.UsageError(f"--lane-share wants K/N, such as 1/2 (got {value!r})") from None
    if not 1 <= number <= count:
        raise pytest.UsageError(f"--lane-share {value}: K must be between 1 and N")
    return number, count


def deal(weights: Mapping[str, float], shares: int) -> list[list[str]]:
    """Files dealt to ``shares`` shares, heaviest first to the lightest share (ties: by name)."""
    dealt: list[list[str]] = [[] for _ in range(shares)]
    loads = [0.0] * shares
    for name in sorted(weights, key=lambda name: (-weights[name], name)):
        lightest = min(range(shares), key=lambda index: (loads[index], index))
        dealt[lightest].append(name)
        loads[lightest] += weights[name]
    return dealt


def expected_seconds(declared: pytest.Mark | None) -> float:
    """What a test takes in a healthy run, for a file no run has timed: its ``lane_seconds``
    marker's figure, else a slow test's mean."""
    return float(declared.args[0]) if declared is not None else SECONDS_PER_UNTIMED_TEST


def file_weights(
    untimed_seconds: Mapping[str, float], timed: Mapping[str, float], recorded: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Each file's last time measured here, else its time in the recorded run, else the expected
    seconds of its tests."""
    recorded = recorded or {}
    return {name: timed.get(name, recorded.get(name, seconds)) for name, seconds in untimed_seconds.items()}


def read_times(path: Path = TIMES_FILE) -> dict[str, float]:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {str(name): float(seconds) for name, seconds in loaded.items() if isinstance(seconds, int | float)}


def record_times(measured: Mapping[str, float], path: Path = TIMES_FILE) -> None:
    """Merge this share's file times into the record; the other shares may write theirs at the
    same moment, so the merge holds a lock and the file is replaced whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        times = {**read_times(path), **{name: round(seconds, 1) for name, seconds in measured.items()}}
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(dict(sorted(times.items())), indent=1))
        partial.replace(path)


class ShareTimer:
    """Adds up each kept file's test time (set-up, call and tear-down) and records it at the end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[_file_of(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        # Only a run that went through times its files: an interrupted one would record them short.
        if self.seconds and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            record_times(self.seconds)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--lane-share", default=None, help="K/N: run share K of N of the selected test files")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--lane-share"):
        config.pluginmanager.register(ShareTimer(), "lane-share-timer")


@pytest.hookimpl(trylast=True)  # after the -m and -k selections, which decide what is dealt
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    option = config.getoption("--lane-share")
    if not option:
        return
    number, count = parse_share(option)
    untimed_seconds: dict[str, float] = defaultdict(float)
    for item in items:
        untimed_seconds[_file_of(item.nodeid)] += expected_seconds(item.get_closest_marker("lane_seconds"))
    weights = file_weights(untimed_seconds, read_times(), read_times(RECORDED_TIMES_FILE))
    mine = set(deal(weights, count)[number - 1])
    config.hook.pytest_deselected(items=[item for item in items if _file_of(item.nodeid) not in mine])
    items[:] = [item for item in items if _file_of(item.nodeid) in mine]


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]
