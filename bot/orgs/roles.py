"""The RBAC table: which role each sub-command and button needs, checked on the server.

Viewers read, editors also generate and schedule, admins also approve, grant roles, set quotas and
read the audit trail. Nothing in a payload is trusted: the role comes from the members table.
"""

from __future__ import annotations

from bot.errors import NotAllowed
from db.models import Role

_RANK: dict[str, int] = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}

REQUIRED_ROLE: dict[str, Role] = {
    "help": Role.VIEWER,
    "text": Role.EDITOR,
    "image": Role.EDITOR,
    "schedule": Role.EDITOR,
    "schedules": Role.VIEWER,
    # Anyone may ask; the schedule service lets only its creator (even one demoted since) or an admin.
    "unschedule": Role.VIEWER,
    "quota": Role.VIEWER,
    "quota set": Role.ADMIN,
    "role": Role.ADMIN,
    "approvals": Role.ADMIN,
    "audit": Role.ADMIN,
    # The approval buttons (action ids approve_job / reject_job).
    "approve": Role.ADMIN,
}


def parse_role(name: str) -> Role | None:
    try:
        return Role(name.strip().lower())
    except ValueError:
        return None


def allows(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``; an unknown action is nobody's."""
    needed = REQUIRED_ROLE.get(action)
    if needed is None or role not in _RANK:
        return False
    return _RANK[role] >= _RANK[needed]


def require_role(role: str | None, action: str) -> None:
    if allows(role, action):
        return
    needed = REQUIRED_ROLE.get(action, Role.ADMIN)
    yours = f"you are {_article(role)} {role}" if role in _RANK else "you have no role here yet"
    raise NotAllowed(
        f"`{action}` needs the {needed} role and {yours}. An admin can grant it with `/content role @you {needed}`."
    )


def _article(word: str | None) -> str:
    return "an" if word and word[0] in "aeiou" else "a"
