"""The local Slack page against the whole service, as its tests see it: the sandbox that serves the
page, the fake model, and where the service answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox


@dataclass
class LocalSlack:
    sandbox: SlackSandbox
    gemini: FakeGemini
    service_url: str

    @property
    def url(self) -> str:
        return self.sandbox.url

    def page_url(self, team_id: str, user_id: str, channel_id: str) -> str:
        return f"{self.url}/?team={team_id}&user={user_id}&channel={channel_id}"

    def posts_containing(self, channel_id: str, text: str) -> list[dict[str, Any]]:
        return [m for m in self.sandbox.messages(channel_id) if text in str(m.get("text")) + str(m.get("blocks"))]
