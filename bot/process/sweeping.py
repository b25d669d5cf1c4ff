"""The beat's sweeps go through many organizations' rows at once; each row is handled on its own."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

Row = TypeVar("Row")
Key = TypeVar("Key")


async def sweep_each(
    rows: Iterable[Row],
    handle: Callable[[Row], Awaitable[None]],
    *,
    key: Callable[[Row], Key],
    skipped: list[Key],
    log: logging.Logger,
    what: str,
) -> None:
    """``handle`` every row; a row whose handling raises is logged, listed in ``skipped`` (tried
    again next sweep) and passed over.

    One organization's trouble (a lock timeout, a broken row) must not stall the others.
    """
    for row in rows:
        try:
            await handle(row)
        except Exception:
            log.warning("%s %s skipped this time", what, key(row), exc_info=True)
            skipped.append(key(row))
