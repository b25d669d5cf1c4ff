import uuid
from datetime import date

from bot.quota import Denial, QuotaStatus, denial_message, render_status


def status(**changes: object) -> QuotaStatus:
    values: dict = dict(
        org_id=uuid.uuid4(),
        month="2026-11",
        budget=100_000,
        used=98_000,
        reserved=800,
        overrun=0,
        refills_on=date(2026, 12, 1),
        rate_per_minute=60_000,
        burst=120_000,
        image_cost=1000,
        available_now=3000,
        full_in_seconds=42.0,
    )
    values.update(changes)
    return QuotaStatus(**values)


def test_status_shows_use_budget_refill_and_rate() -> None:
    assert render_status(status()) == (
        "*Token budget for November 2026*\n"
        "Used 98,000 of 100,000 tokens (800 reserved for jobs in progress); 1,200 left. "
        "It refills on 2026-12-01 (UTC).\n"
        "Rate limit: 60,000 tokens per minute, bursts up to 120,000; 3,000 available now, full again in 42 s."
    )


def test_status_without_live_data_says_so() -> None:
    text = render_status(status(live=False, available_now=None, full_in_seconds=None))
    assert text.endswith("_Live rate data is unavailable right now; these numbers come from the usage ledger._")


def test_a_budget_denial_says_what_is_left_and_when_it_refills() -> None:
    denial = Denial(
        reason="budget",
        requested=2048,
        budget=100_000,
        budget_left=1200,
        refills_on=date(2026, 12, 1),
        rate_per_minute=60_000,
        burst=120_000,
        available_now=120_000,
        enough_in_seconds=0,
        full_in_seconds=0,
    )
    assert denial_message(denial) == (
        "Monthly budget reached: 1,200 of 100,000 tokens left, this request needs 2,048; "
        "it refills on 2026-12-01 (UTC)."
    )
