"""The dev tools: fakes of Slack and Gemini as local HTTP servers, a tiny diffusion pipeline, the
embedded PostgreSQL/Redis, and the `content-factory dev` / `say` runner.

They live in the source checkout, not in the wheel or the Docker image: `make run` and the tests
put the checkout on the path, and processes started from here get it through ``PYTHONPATH``
(:func:`with_checkout_on_path`).
"""

from __future__ import annotations

import os
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def with_checkout_on_path(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the checkout first on ``PYTHONPATH``, so a child started with
    ``python -m sandbox.slack_server`` (or one that imports the fakes) finds them from any directory."""
    paths = [str(CHECKOUT), *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(CHECKOUT))]
    return {**env, "PYTHONPATH": os.pathsep.join(paths)}


# The agent view's Web API methods (chat streaming, assistant.threads.*, conversations.replies)
# register themselves in sandbox.slack's method table; whoever imports a fake has them.
from sandbox import slack_agent  # noqa: E402,F401
