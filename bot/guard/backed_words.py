"""Which capitalised words of the prompt being analysed back a name, kept while its token list
is read again.

The gated name model reads one prompt's token list through several ``Evidence`` objects (the
name runs of the lists, the hinted sentences, the windows around them, each span the model
tags), and each asked again whether the same words back a name: half the asks of a 2,000-character
prompt were repeats. The answer depends on the token list and the gazetteer alone, so it is kept
for the last list read on this thread, as sentence_language.py keeps its sentence flags.
"""

from __future__ import annotations

import threading

from bot.guard.gazetteer import Gazetteer

_last = threading.local()


def backed_words(texts: list[str], gazetteer: Gazetteer) -> dict[int, bool]:
    """The token index -> backed answers worked out so far for ``texts`` (the same list object)
    read with ``gazetteer``; a fresh, empty one for another list."""
    last: tuple[list[str], Gazetteer, int, dict[int, bool]] | None = getattr(_last, "memo", None)
    if last is not None and last[0] is texts and last[1] is gazetteer and last[2] == len(texts):
        return last[3]
    memo: dict[int, bool] = {}
    _last.memo = (texts, gazetteer, len(texts), memo)
    return memo
