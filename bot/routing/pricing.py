"""Money from the price table: integer millionths of the catalogue's currency, never floats.

A price is per million tokens, so a call's cost in millionths is the price times the tokens, to
be rounded once per call (half up). The rounding of one call is under half a millionth, so a
thousand calls stay well within a cent of the exact sum.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

from bot.routing.catalogue import ModelSpec

MICROS_PER_UNIT = 1_000_000
# The most a budget may hold: well inside what Lua's doubles count exactly.
MAX_MONEY_MICROS = 10**15
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def exact_cost(spec: ModelSpec, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> Decimal:
    """What a call cost in millionths, unrounded. Cached input is part of ``input_tokens``."""
    cached = min(max(0, cached_input_tokens), max(0, input_tokens))
    cached_price = spec.input_price if spec.cached_input_price is None else spec.cached_input_price
    return (
        spec.input_price * (max(0, input_tokens) - cached)
        + cached_price * cached
        + spec.output_price * max(0, output_tokens)
    )


def cost_micros(spec: ModelSpec, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> int:
    """What a call cost, in millionths of the currency, rounded half up."""
    return int(exact_cost(spec, input_tokens, output_tokens, cached_input_tokens).to_integral_value(ROUND_HALF_UP))


def image_cost_micros(spec: ModelSpec, images: int = 1) -> int:
    return int((spec.image_price * MICROS_PER_UNIT * images).to_integral_value(ROUND_HALF_UP))


def worst_case_micros(specs: Iterable[ModelSpec], *, kind: str, input_tokens: int, output_tokens: int) -> int:
    """What to reserve before the model is known: the dearest model that may answer (failover may
    land on it), for the estimated tokens."""
    costs = [
        image_cost_micros(spec) if kind == "image" else cost_micros(spec, input_tokens, output_tokens)
        for spec in specs
        if spec.kind == kind
    ]
    return max(costs, default=0)


def format_money(micros: int, currency: str) -> str:
    """``$1.23`` / ``1.23 CHF``: cents shown, fractions of a cent rounded up so spend never reads low."""
    amount = (Decimal(micros) / MICROS_PER_UNIT).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{amount:,}" if symbol else f"{amount:,} {currency}"


def parse_money(text: str) -> int:
    """``25``, ``25.50``, ``$25.50``, ``1,000`` -> millionths; ValueError for anything else."""
    cleaned = text.strip().lstrip("".join(CURRENCY_SYMBOLS.values())).replace(",", "").replace("_", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not an amount") from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError("an amount is a number of at least 0")
    micros = amount * MICROS_PER_UNIT
    if micros != micros.to_integral_value():
        raise ValueError("an amount has at most six decimals")
    if micros > MAX_MONEY_MICROS:
        raise ValueError("the amount is too large")
    return int(micros)
