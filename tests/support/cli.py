"""`content-factory` (``python -m bot``) run as its own process, as an operator would start it."""

from __future__ import annotations

import os
import subprocess
import sys

# This environment without the app's own settings: each test names the ones it means.
BARE_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "SLACK_", "TOKEN_"))}


def run_cli(
    args: list[str], env: dict[str, str], *, timeout: float = 60, cwd: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``content-factory <args>`` with :data:`BARE_ENV` plus ``env``; its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**BARE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )
