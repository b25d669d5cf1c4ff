"""The end-of-run split: what each test ran against is observed, not listed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.suite_report import IN_PROCESS, SERVICES, WORKERS, starts_a_worker, suite_split_lines

ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = ["pytester"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["/usr/bin/python3", "-m", "bot", "worker", "--queues", "text"], True),
        (["celery", "-A", "bench.pipeline_throughput:noop_app", "worker"], True),
        (["/usr/bin/python3", "/repo/bench/fault_suite.py", "--short"], True),
        (["/usr/bin/python3", "-m", "bot", "audit", "verify"], False),
        (["/usr/bin/python3", "-m", "bot", "serve", "--port", "3000"], False),
    ],
)
def test_worker_command_lines_are_recognized(argv: list[str], expected: bool) -> None:
    assert starts_a_worker(argv) is expected


def test_split_lines_count_each_kind_and_the_self_graded_apart() -> None:
    kinds = {"a": WORKERS, "b": SERVICES, "c": SERVICES, "d": IN_PROCESS, "e": IN_PROCESS}
    lines = suite_split_lines(kinds, {"d"}, ["a"])
    assert lines[0] == "5 tests ran: 1 started Celery workers, 2 more against real PostgreSQL/Redis, 2 in-process only"
    assert lines[1].startswith("1 of them are self-graded") and "4 without them" in lines[1]
    assert "without the 'slow' marker" in lines[2] and lines[3] == "  a"


def test_a_fixture_that_starts_a_worker_counts_for_every_test_using_it(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import subprocess, sys
        import pytest

        @pytest.fixture(scope="session")
        def services():
            return "postgres and redis"

        @pytest.fixture(scope="module")
        def worker(services):
            subprocess.run([sys.executable, "-c", "pass", "worker"], check=True)
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.slow
        def test_first(worker): pass

        def test_second_unmarked(worker): pass

        def test_database(services): pass

        def test_pure(): pass

        def test_skipped():
            pytest.skip("not counted")
        """
    )
    pytester.makeini("[pytest]\nmarkers =\n    slow: x\n")
    result = pytester.runpytest_subprocess("-p", "tests.suite_report", "-q")
    result.assert_outcomes(passed=4, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "4 tests ran: 2 started Celery workers, 1 more against real PostgreSQL/Redis, 1 in-process only",
            "*without the 'slow' marker*: 1",
            "*test_second_unmarked",
        ]
    )


@pytest.fixture(autouse=True)
def importable_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
