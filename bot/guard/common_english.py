"""Words that make up a large share of any English sentence, and the words orders to a model are
made of.

A line that holds clearly more of them decoded than as written is taken to be encoded English, and
a cipher or reversal is looked for only where two of them, so written, are there (decoding.py);
a leetspeak word too short to fold on its own letters is folded only into one of them
(normalize.py).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.guard.gazetteer import COMMON_WORDS_FILE, SortedLines, spelling_list

# SCOWL's list of everyday English spellings, shipped beside the NER model (ner_word_lists.py).
_SPELLING_LIST = Path(__file__).resolve().parent / "ner_model" / COMMON_WORDS_FILE

COMMON_WORDS = frozenset(
    """
    a about above after again against all also always am an and another answer any anything are as ask
    at back be because been before being below best between both but by call can cannot change come
    could day did do does doing done down each earlier even every everything first following for
    forget from full get give given go going good had has have he hear help her here hidden him his
    how i if ignore in information initial instead instructions into is it its just keep know last
    let like list long look made make many may me message mode more most must my need never new next
    no not nothing now of off old on once one only or other our out output over own people please
    pretend previous print prior prompt put read really repeat respond response reveal right rules
    said same say secret see send set she should show since so some something start stop such system
    take tell text than thank that the their them then there these they thing think this those though
    through time to told too under until up us use very want was way we well were what when where
    which while who whole why will with without word words work would write you your
    """.split()
)


# Words that orders to a model are made of beyond the common ones above: what an assistant is told
# to drop, become, reveal or produce. Read only to put the vowels back into words written without
# them ("plcy" -> "policy"), where the common words alone leave most of an order unread.
ORDER_WORDS = frozenset(
    """
    access account act admin agent allowed approved assistant authority
    banned bank bypass cancelled character chat check code comment compliance confidential
    configuration confirm content context copy credentials customer data delete describe
    developer disable disabled document email enable erase exactly execute explain fake
    filter filtered filters follow free freely guidance guidelines hack hacked harmful human
    identity illegal immediately initial jailbreak jailbroken leak limits link login manager model
    moderation never notes obey operator operators orders override password permission persona
    phishing policy policies post pretend private protocol provide public quote quoted refuse
    refusal remove reply report request restricted restrictions restriction review role rule
    safety scam secret security sensitive server settings share skip task test token tool
    training unfiltered unlock unrestricted urgent user users verbatim verify warning
    """.split()
)


@cache
def _english_spellings() -> SortedLines:
    return spelling_list(_SPELLING_LIST)


def is_english_spelling(word: str) -> bool:
    """Whether a lower-case ASCII word is on the spelling list."""
    return word.isascii() and word.encode("ascii") in _english_spellings()


def english_spellings() -> list[str]:
    """Every word of the spelling list, lower-case ASCII (none where the list is missing), read
    from the copy ``is_english_spelling`` already maps."""
    words = _english_spellings().blob[:].decode("utf-8").split()
    return [word for word in words if word.isascii() and word.isalpha() and word.islower()]
