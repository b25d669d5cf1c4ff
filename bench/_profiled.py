"""Run a module under cProfile on every thread, not only the main one (``python -m cProfile``
sees the main thread alone, and a worker runs its jobs on an event loop thread and a threads pool).

    python bench/_profiled.py OUTPUT.prof -m bot worker --queues text

Each thread gets a profiler of its own when it starts, timed by that thread's CPU clock (a wall
clock would charge every wait for the GIL or a socket to whatever was running); at exit all of
them are merged into OUTPUT.prof (pstats' format), which ``pstats.Stats`` reads. SIGUSR2 forgets
what was recorded so far (send it when the stretch to measure begins).
"""

from __future__ import annotations

import atexit
import cProfile
import pstats
import runpy
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_profiles: list[cProfile.Profile] = []
_lock = threading.Lock()


def _start_on_this_thread(*_: Any) -> None:
    # Called once by the interpreter on a new thread's first event: replace this hook with a
    # profiler of the thread's own.
    profile = cProfile.Profile(time.thread_time_ns, 1e-9)
    with _lock:
        _profiles.append(profile)
    profile.enable()


def _write(path: str) -> None:
    merged: pstats.Stats | None = None
    with _lock:
        profiles = list(_profiles)
    for profile in profiles:
        profile.create_stats()
        if not profile.stats:
            continue
        if merged is None:
            merged = pstats.Stats(profile)
        else:
            merged.add(profile)
    if merged is not None:
        merged.dump_stats(path)


def _forget_so_far(*_: Any) -> None:
    """SIGUSR2: forget what was recorded until now (start-up, warm-up), so what is written at
    exit is the measured stretch alone."""
    with _lock:
        profiles = list(_profiles)
    for profile in profiles:
        profile.clear()


def main() -> None:
    output, flag, module, *rest = sys.argv[1:]
    if flag != "-m":
        raise SystemExit("usage: _profiled.py OUTPUT.prof -m MODULE [ARGS...]")
    signal.signal(signal.SIGUSR2, _forget_so_far)
    threading.setprofile(_start_on_this_thread)
    main_profile = cProfile.Profile(time.thread_time_ns, 1e-9)
    _profiles.append(main_profile)
    atexit.register(_write, output)
    sys.argv = [module, *rest]
    sys.path[0] = str(ROOT)
    main_profile.enable()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
