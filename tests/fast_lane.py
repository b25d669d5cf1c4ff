"""Loaded first by `make test-fast` (`-p tests.fast_lane`): keeps torch out of the process.

Nothing in the fast lane runs a torch model, yet spaCy (through thinc) and Presidio import torch
when it is installed, only to look for a GPU; that import is the largest part of the lane's
start-up. With torch missing they take their CPU path, as on an install without the `image`
extra. A test that needs torch fails here with ImportError: it belongs to the slow lane.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType


class TorchKeptOut(importlib.abc.MetaPathFinder):
    """Answers every import of torch (or a torch submodule) as a missing module."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "torch" or fullname.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {fullname!r} (kept out of the fast lane)", name=fullname)
        return None


sys.meta_path.insert(0, TorchKeptOut())
