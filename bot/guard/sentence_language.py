"""Which sentences of a prompt are written in another Latin-script language than English.

The packaged NER model learned English. German writes every noun with a capital, and French,
Spanish, Dutch or Polish headings and openers look to it like names too; a capitalised word no
list knows, shaped like a name, is evidence of a name in an English sentence ("Thirumurthi") and
of nothing in a German one ("Betriebsvereinbarung", "Geschäftsführung"). Function words tell the
languages apart cheaply: a sentence holding at least two of another language's, and more of them
than of English's, is foreign. Only words that are no English word or abbreviation are listed
("die", "den", "also", "ten", "con", "PO", "AUS", "com" are English too). Cyrillic text is left
as it was: its names are in no list, and read by the model they are found more often than its
sentence openers are masked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

FOREIGN_FUNCTION_WORDS = frozenset(
    """
    der das und ist nicht ein eine einen einem einer mit für auf dem des sich zu von vom zum zur
    bitte wir ihr sie auch dieser diese dieses nach bei oder wird werden sind wie über unter
    les et est une du pour avec dans sur pas vous nous cette qui que au aux très sont leur ou
    el los las es una por para del se al como pero muy su está están entre también
    il gli della delle dello che non sono alla alle nel nella questo questa anche molto
    uma das não pelo pela são mais também seu sua
    het een en voor niet dat ik je wij zijn naar ook maar bij deze
    się nie jest że dla jak oraz przez od czy są już tylko
    och att är för inte det som og ikke på
    ve bir için ile bu çok olan
    """.split()
)
ENGLISH_FUNCTION_WORDS = frozenset(
    """
    the and of to is are was were for with you your this that these those please our we it its
    be been have has had will would can could should on at by from as an or not but if about
    into what which who how all any each my me us they their them he she his her there here
    """.split()
)
_MIN_FOREIGN_WORDS = 2


# The flags of the last token list read on this thread: the gate asks about one prompt's tokens
# from many places (each span the model tags is checked on its own), and the list is the same
# object throughout.
_last = threading.local()


def foreign_sentences(texts: list[str], ends_sentence: Callable[[list[str], int], bool]) -> list[bool]:
    """For each token, whether its sentence is foreign (see the module docstring); sentences end
    where ``ends_sentence`` says."""
    last: tuple[list[str], list[bool]] | None = getattr(_last, "read", None)
    if last is not None and last[0] is texts and len(last[1]) == len(texts):
        return last[1]
    flags = _flags(texts, ends_sentence)
    _last.read = (texts, flags)
    return flags


def _flags(texts: list[str], ends_sentence: Callable[[list[str], int], bool]) -> list[bool]:
    flags: list[bool] = []
    start = foreign = english = 0
    for index, text in enumerate(texts):
        lower = text.lower()
        if lower in FOREIGN_FUNCTION_WORDS:
            foreign += 1
        elif lower in ENGLISH_FUNCTION_WORDS:
            english += 1
        if ends_sentence(texts, index) or index == len(texts) - 1:
            flags.extend([foreign >= _MIN_FOREIGN_WORDS and foreign > english] * (index + 1 - start))
            start, foreign, english = index + 1, 0, 0
    return flags
