"""What was worked out of the last token list read on this thread, kept while that list is read again.

The gated name model reads one prompt's token list from many places (the name runs of the lists,
the hinted sentences, the windows around them, each span the model tags), and several facts about
the list (which words back a name, where sentences end, which sentences are in another language)
depend on the list alone. Each is worked out once per list: the list is the same object throughout
one prompt's analysis, and a thread analyses one prompt at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LastTokenList(Generic[T]):
    """One fact about the last token list read on each thread."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self, texts: list[str], work_out: Callable[[], T], key: object = None) -> T:
        """The fact kept for ``texts`` (the same list object, unchanged in length) read with
        ``key``, or ``work_out()``, kept in its place."""
        last: tuple[list[str], int, object, T] | None = getattr(self._local, "last", None)
        if last is not None and last[0] is texts and last[1] == len(texts) and last[2] is key:
            return last[3]
        value = work_out()
        self._local.last = (texts, len(texts), key, value)
        return value
