"""Loaded first by `make test-fast` (`-p tests.fast_lane`): keeps torch out of the process.

Nothing in the fast lane runs a torch model, yet spaCy (through thinc) and Presidio import torch
when it is installed, only to look for a GPU; that import is the largest part of the lane's
start-up. With torch missing they take their CPU path, as on an install without the `image`
extra. A test that needs torch fails here with ImportError: it belongs to the slow lane.

It also writes down what each test file took (to ``FAST_LANE_SECONDS_FILE``, which tests/lanes.py
names), for the next run to deal the files out by.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest


class TorchKeptOut(importlib.abc.MetaPathFinder):
    """Answers every import of torch (or a torch submodule) as a missing module."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "torch" or fullname.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {fullname!r} (kept out of the fast lane)", name=fullname)
        return None


sys.meta_path.insert(0, TorchKeptOut())


_seconds_by_file: defaultdict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds_by_file[report.nodeid.split("::", 1)[0]] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("FAST_LANE_SECONDS_FILE")
    if target and _seconds_by_file:
        Path(target).write_text(json.dumps(_seconds_by_file, indent=1, sort_keys=True))
