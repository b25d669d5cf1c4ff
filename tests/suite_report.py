"""What each test ran against, observed rather than listed, and said at the end of the run.

Three kinds, each test counted once under the heaviest it reached:

- **Celery workers**: the test, or a fixture it uses, started a Celery worker, as a process
  (`content-factory worker`, `celery … worker`, or the fault suite, which starts three) or in a
  thread (Celery's ``worker_init`` signal fires in this process);
- **PostgreSQL/Redis**: it uses, directly or through other fixtures, the ``services`` fixture that
  brings up the real PostgreSQL and Redis;
- **in-process**: neither.

Who started a worker is recorded while fixtures are set up and tests run, so a module's worker
fixture counts for every test that uses it. Tests marked ``self_graded`` (a table checked against
examples stored beside it) are counted apart as well: they say the table agrees with itself, not
that the behaviour is right.

A test seen starting a worker without the ``slow`` marker is named at the end: ``make test-fast``
deselects ``slow`` tests, and would otherwise start workers after all.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

REAL_SERVICES_FIXTURE = "services"
# How every command of this project refuses a wrong configuration: such a worker never started.
EXIT_CONFIG_ERROR = 2
WORKERS, SERVICES, IN_PROCESS = "Celery workers", "PostgreSQL/Redis", "in-process only"
SELF_GRADED, SLOW = "self_graded", "slow"


def starts_a_worker(argv: Sequence[str]) -> bool:
    """A command line that runs Celery workers: the service's or Celery's own worker command, or
    the fault suite (which starts its own)."""
    words = [os.path.basename(str(word)) for word in argv]
    return "worker" in words or "fault_suite.py" in words


@dataclass
class SuiteObserver:
    """Keeps who started workers: fixture definitions (by identity) and test node ids."""

    fixture_stack: list[Any] = field(default_factory=list)
    running_test: str | None = None
    # (process or None for a worker thread, fixture definition id or test node id)
    starts: list[tuple[Any, int | str]] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    self_graded: set[str] = field(default_factory=set)
    unmarked_slow: list[str] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)

    def worker_started(self, process: Any = None) -> None:
        if self.fixture_stack:
            self.starts.append((process, id(self.fixture_stack[-1])))
        elif self.running_test is not None:
            self.starts.append((process, self.running_test))

    def _started_by(self) -> set[int | str]:
        # A worker command that ended refusing its configuration ran no worker (a test of that
        # refusal is in-process as far as workers go); one still running, or ended otherwise, did.
        return {by for process, by in self.starts if getattr(process, "returncode", None) != EXIT_CONFIG_ERROR}

    def classify(self, item: pytest.Item) -> str:
        definitions = getattr(item, "_fixtureinfo", None)
        used = {id(d) for defs in (definitions.name2fixturedefs.values() if definitions else ()) for d in defs}
        started_by = self._started_by()
        if item.nodeid in started_by or used & started_by:
            return WORKERS
        if REAL_SERVICES_FIXTURE in getattr(item, "fixturenames", ()):
            return SERVICES
        return IN_PROCESS


_observer = SuiteObserver()
_popen_init: Any = None


def _watch_worker_starts() -> None:
    """Record every subprocess that runs workers, and every Celery worker built in this process."""
    import subprocess

    global _popen_init
    if _popen_init is not None:
        return
    _popen_init = subprocess.Popen.__init__

    def observed_init(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        _popen_init(self, args, *rest, **kwargs)
        if starts_a_worker([args] if isinstance(args, str | bytes | os.PathLike) else list(args)):
            _observer.worker_started(self)

    subprocess.Popen.__init__ = observed_init

    from celery import signals

    signals.worker_init.connect(lambda **_: _observer.worker_started(), weak=False)


def pytest_configure(config: pytest.Config) -> None:
    _watch_worker_starts()


def pytest_unconfigure(config: pytest.Config) -> None:
    import subprocess

    global _popen_init
    if _popen_init is not None:
        subprocess.Popen.__init__ = _popen_init
        _popen_init = None


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Generator[None, Any, Any]:
    _observer.fixture_stack.append(fixturedef)
    try:
        return (yield)
    finally:
        _observer.fixture_stack.pop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    _observer.running_test = item.nodeid
    try:
        return (yield)
    finally:
        _observer.running_test = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    # Classified before teardown: a module's last test tears its worker fixture down.
    kind = _observer.classify(item)
    _observer.kinds[item.nodeid] = kind
    if item.get_closest_marker(SELF_GRADED):
        _observer.self_graded.add(item.nodeid)
    if kind == WORKERS and not item.get_closest_marker(SLOW):
        _observer.unmarked_slow.append(item.nodeid)
    return (yield)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _observer.skipped.add(report.nodeid)


def suite_split_lines(kinds: dict[str, str], self_graded: set[str], unmarked_slow: Sequence[str]) -> list[str]:
    counted = Counter(kinds.values())
    lines = [
        f"{len(kinds)} tests ran: {counted[WORKERS]} started Celery workers, "
        f"{counted[SERVICES]} more against real PostgreSQL/Redis, {counted[IN_PROCESS]} in-process only"
    ]
    if self_graded:
        lines.append(
            f"{len(self_graded)} of them are self-graded (the rule table checked against its own examples); "
            f"{len(kinds) - len(self_graded)} without them"
        )
    if unmarked_slow:
        lines.append(f"started workers without the 'slow' marker (make test-fast would run them): {len(unmarked_slow)}")
        lines.extend(f"  {nodeid}" for nodeid in unmarked_slow)
    return lines


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    ran = {nodeid: kind for nodeid, kind in _observer.kinds.items() if nodeid not in _observer.skipped}
    if not ran:
        return
    terminalreporter.section("what the tests ran against")
    for line in suite_split_lines(ran, _observer.self_graded & ran.keys(), _observer.unmarked_slow):
        terminalreporter.write_line(line)
