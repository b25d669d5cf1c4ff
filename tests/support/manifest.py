"""manifest.yml as Slack reads it, parsed once a process: the file does not change during a run,
and the tests that read it (each workflow step declares its functions) would otherwise parse it
dozens of times."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


@functools.cache
def _parsed() -> dict[str, Any]:
    manifest: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    return manifest


def load_manifest() -> dict[str, Any]:
    """A copy of the manifest for the caller to read or change."""
    return copy.deepcopy(_parsed())
