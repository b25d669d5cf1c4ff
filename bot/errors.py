"""Errors a user can fix. Each becomes one ephemeral Slack message in one place (handlers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.guard.injection import InjectionVerdict


class UserError(Exception):
    """Something the user can fix; ``str(error)`` is shown to them as is."""

    kind = "bad_input"

    def __init__(self, message: str, *, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage

    def render(self) -> str:
        if self.usage:
            return f"{self.message}\nUsage: `{self.usage}`"
        return self.message


class BadInput(UserError):
    kind = "bad_input"


class NotAllowed(UserError):
    kind = "forbidden"


class NotFound(UserError):
    kind = "not_found"


class PromptBlocked(UserError):
    """The guard refused a prompt (injection or secret).

    Besides the message shown to the user it carries what the audit trail records: the category,
    the rules that fired, the injection score and verdict (injection refusals only), the masked
    prompt (``None`` when the guard could not run) and the kinds of credential found.
    """

    kind = "guard_blocked"

    def __init__(
        self,
        message: str,
        *,
        category: str = "unknown",
        masked_text: str | None = None,
        rule_ids: tuple[str, ...] = (),
        verdict: InjectionVerdict | None = None,
        credential_types: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.category = category
        self.masked_text = masked_text
        self.rule_ids = rule_ids
        self.verdict = verdict
        self.score: float | None = verdict.score if verdict else None
        self.credential_types = credential_types


class QuotaDenied(UserError):
    kind = "quota_denied"


class ServiceUnavailable(UserError):
    """A dependency (Redis, PostgreSQL) is down; the request changed nothing."""

    kind = "unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    """PostgreSQL could not be reached, or dropped the connection mid-request."""

    def __init__(self) -> None:
        super().__init__(
            "Content Factory cannot reach its database right now, so nothing was done. Please try again in a minute."
        )


class NotAvailableYet(UserError):
    kind = "not_available"
