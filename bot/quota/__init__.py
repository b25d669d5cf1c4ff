"""Token quotas: reserve before a model call, reconcile after, never past the budget.

Redis enforces (atomic Lua scripts per organization); PostgreSQL remembers (the usage ledger).
"""

from bot.quota.estimate import DEFAULT_MAX_OUTPUT_TOKENS, estimate_tokens
from bot.quota.messages import denial_message, render_status
from bot.quota.models import Denial, Limits, QuotaStatus, ReapReport, Reservation, SettleResult
from bot.quota.reaper import reap_reservations
from bot.quota.service import (
    LedgerUnavailable,
    QuotaExceeded,
    QuotaService,
    QuotaStoreUnavailable,
    ReservationClosed,
)

__all__ = [
    "DEFAULT_MAX_OUTPUT_TOKENS",
    "Denial",
    "LedgerUnavailable",
    "Limits",
    "QuotaExceeded",
    "QuotaService",
    "QuotaStatus",
    "QuotaStoreUnavailable",
    "ReapReport",
    "Reservation",
    "ReservationClosed",
    "SettleResult",
    "denial_message",
    "estimate_tokens",
    "reap_reservations",
    "render_status",
]
