"""Who typed a `/content` command, where, and for which organization: what every sub-command's
handler is given once tenancy and role middleware have run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from bot.orgs.service import OrgPolicy


@dataclass(frozen=True)
class Invocation:
    """Who typed the command, where, and for which organization (from tenancy and role middleware)."""

    org_id: uuid.UUID
    user_id: str
    role: str | None
    channel_id: str
    response_url: str | None
    policy: OrgPolicy
