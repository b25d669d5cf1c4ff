"""The short fault suite, as `make test` runs it: the whole deployment shape (2 web processes,
3 workers, 2 schedulers, its own PostgreSQL and Redis, two regions) under faults for about 45 seconds.

The suite is its own process with its own services; this test only reads its verdict: the exit
status and the one line it ends with.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`

ROOT = Path(__file__).resolve().parents[2]
FINAL_LINE = re.compile(
    r"^faults: (\d+) commands, (\d+) faults injected, lost (\d+), duplicates (\d+), overspend (\d+), "
    r"leaked (\d+), cross-tenant (\d+), pii (\d+), cross-region (\d+)$"
)
# The suite stops itself well inside this (about two minutes on two cores); the margin is for a
# loaded machine, the timeout only for a suite that hangs.
SUITE_TIMEOUT_SECONDS = 280


@pytest.mark.timeout(300)
def test_short_fault_suite_holds() -> None:
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "fault_suite.py"), "--short"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=SUITE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout if isinstance(expired.stdout, str) else (expired.stdout or b"").decode()
        pytest.fail(f"the fault suite did not finish in {SUITE_TIMEOUT_SECONDS} s:\n{output[-4000:]}")
    output = done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines, f"the fault suite printed nothing:\n{output[-4000:]}"
    final = FINAL_LINE.match(lines[-1])
    assert final is not None, f"unexpected last line {lines[-1]!r}:\n{output[-6000:]}"
    commands, faults, *zeros = (int(value) for value in final.groups())
    assert done.returncode == 0, f"the fault suite exited with {done.returncode}:\n{output[-6000:]}"
    assert commands > 0 and faults > 0, lines[-1]
    assert zeros == [0] * 7, lines[-1]
