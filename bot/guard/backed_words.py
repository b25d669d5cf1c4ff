"""Which capitalised words of the prompt being analysed back a name, kept while its token list
is read again: half the asks of a 2,000-character prompt were repeats, and the answer depends on
the token list and the gazetteer alone (``LastTokenList``)."""

from __future__ import annotations

from bot.guard.gazetteer import Gazetteer
from bot.guard.last_token_list import LastTokenList

_backed: LastTokenList[dict[int, bool]] = LastTokenList()


def backed_words(texts: list[str], gazetteer: Gazetteer) -> dict[int, bool]:
    """The token index -> backed answers worked out so far for ``texts`` (the same list object)
    read with ``gazetteer``; a fresh, empty one for another list."""
    return _backed.get(texts, dict, key=gazetteer)


_kinds: LastTokenList[dict[int, int]] = LastTokenList()


def capitalised_kinds(texts: list[str], gazetteer: Gazetteer) -> dict[int, int]:
    """The token index -> ``Evidence.capitalised_kind`` answers worked out so far for ``texts``
    read with ``gazetteer``, as ``backed_words`` keeps its own."""
    return _kinds.get(texts, dict, key=gazetteer)
