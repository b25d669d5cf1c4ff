"""Every bench ends with one verdict line and an exit status that says met, missed or could not run."""

from __future__ import annotations

import math

import pytest

from bench.verdict import EXIT_COULD_NOT_RUN, EXIT_MET, EXIT_MISSED, at_least, at_most, run_bench, verdict


def _last_line(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_all_targets_met_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    status = verdict("demo", [at_most("p50", 12.0, 15, "ms"), at_least("rate", 250, 200, "/s")])
    assert status == EXIT_MET
    assert _last_line(capsys) == "demo: p50 12 ms (<= 15 ms) met; rate 250 /s (>= 200 /s) met"


def test_one_missed_target_exits_one_and_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    status = verdict("demo", [at_most("p50", 12.0, 15, "ms"), at_most("p99", 140.0, 100, "ms")])
    assert status == EXIT_MISSED
    assert _last_line(capsys) == "demo: p50 12 ms (<= 15 ms) met; p99 140 ms (<= 100 ms) MISSED"


def test_a_figure_on_the_limit_is_met() -> None:
    assert at_most("ratio", 1.10, 1.10).met and at_least("ratio", 0.7, 0.7).met


def test_no_figure_is_never_met(capsys: pytest.CaptureFixture[str]) -> None:
    assert verdict("demo", [at_least("recall", math.nan, 0.9)]) == EXIT_MISSED
    assert _last_line(capsys) == "demo: recall no figure (>= 0.9) MISSED"


def test_no_targets_is_no_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert verdict("demo", []) == EXIT_COULD_NOT_RUN
    assert _last_line(capsys) == "demo: could not run: no figure was measured"


def test_a_bench_that_raises_could_not_run(capsys: pytest.CaptureFixture[str]) -> None:
    def measure() -> list:
        raise ConnectionRefusedError("PostgreSQL at 127.0.0.1:5432")

    assert run_bench("demo", measure) == EXIT_COULD_NOT_RUN
    assert _last_line(capsys) == "demo: could not run: ConnectionRefusedError: PostgreSQL at 127.0.0.1:5432"


def test_run_bench_gives_the_verdict_on_what_it_measured(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_bench("demo", lambda: [at_most("ratio", 1.3, 1.1)]) == EXIT_MISSED
    assert _last_line(capsys).endswith("MISSED")
