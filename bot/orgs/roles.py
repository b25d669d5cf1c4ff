"""Role checks: which role each sub-command (``bot.commands.subcommands``) and button needs, on the server.

Viewers read, editors also generate and schedule, admins also approve, grant roles, set quotas and
read the audit trail. Nothing in a payload is trusted: the role comes from the members table.
"""

from __future__ import annotations

from bot.commands.subcommands import SUBCOMMANDS
from bot.errors import NotAllowed
from db.models import Role

_RANK: dict[str, int] = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}

# Each sub-command's role comes from its row in the table; the approval buttons (action ids
# approve_job / reject_job) are checked as "approve", the feedback buttons as "rate", and a
# message to the bot's DM (and its "post to channel" button) as "text", like the command.
REQUIRED_ROLE: dict[str, Role] = {spec.name: spec.role for spec in SUBCOMMANDS} | {
    "approve": Role.ADMIN,
    "rate": Role.VIEWER,
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
