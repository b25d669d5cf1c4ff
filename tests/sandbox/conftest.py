"""One Slack sandbox per session; every test starts from the demo workspace and no records."""

from __future__ import annotations

import pytest

from sandbox.slack import SlackSandbox
from tests.support.slack import sandbox

__all__ = ["sandbox"]


@pytest.fixture
def sb(sandbox: SlackSandbox) -> SlackSandbox:
    sandbox.reset(workspaces=True)
    sandbox.seed_demo()
    return sandbox
