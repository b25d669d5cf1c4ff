"""Text released to a reader only after the output guard has passed it, with a window held back.

A stream shows text while more is still coming, so the guard cannot wait for the whole answer
before anything is shown. Each new piece is added to everything received so far and the guard
checks all of it; only text that lies at least ``window`` characters behind the checked end is
released, and only up to a line break (a word break on a very long line). A credential or the
canary is far shorter than the window, so by the time its first character could be released the
whole of it has arrived and been checked: it is caught before any of it is shown. A piece that
fails the guard raises ``OutputRejected``; the caller replaces what was shown with the refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

STREAM_WINDOW = 400  # characters; several times the longest credential or canary the guard knows

Check = Callable[[str], Awaitable[object]]  # raises OutputRejected


class GuardedStream:
    def __init__(self, check: Check, *, window: int = STREAM_WINDOW) -> None:
        self._check = check
        self._window = window
        self._received = ""
        self._released = 0

    @property
    def received(self) -> str:
        return self._received

    async def feed(self, piece: str) -> str:
        """Take the next piece; return the text that may be shown now (possibly empty)."""
        self._received += piece
        await self._check(self._received)
        limit = len(self._received) - self._window
        if limit <= self._released:
            return ""
        pending = self._received[self._released : limit]
        cut = pending.rfind("\n")
        if cut == -1 and len(pending) >= self._window:
            cut = pending.rfind(" ")
        if cut == -1:
            return ""
        released = pending[: cut + 1]
        self._released += len(released)
        return released

    async def finish(self) -> str:
        """The whole answer has arrived: check it once more and return the rest."""
        await self._check(self._received)
        rest = self._received[self._released :]
        self._released = len(self._received)
        return rest
