"""The nominative forms a name or place in a Latin-script language may have, read off its ending.

Polish declines names and places ("życzenia dla Kasi", "odpowiedź Piotrowi", "dane Marka Nowaka",
"przeprowadza się do Wrocławia", "mieszka w Poznaniu"), and German, Dutch and the Nordic
languages write a name's genitive with a bare "s" ("Annas Beförderung", "Björns avtackning").
The lists hold the nominative, so a word they do not hold as written is looked up again as each
nominative its ending allows (``nominatives``), the likelier first: the ending taken off and the
nominative's put back, then the stem's own changes undone (the fleeting e of "Marek"/"Marka",
the ó of "Kraków"/"Krakowa", the soft consonants of "Poznań"/"Poznaniu", "Łódź"/"Łodzi",
"Piotr"/"Piotrze", "Magda"/"Magdzie", "Sopot"/"Sopocie", "Paweł"/"Pawle").

The rules know no words: the gazetteer accepts the first candidate its lists hold as a name or a
whole place; the Polish endings are read only in a prompt written with Polish letters, the "s" of
the genitive only in a sentence in another language than English (``ner_gate.Evidence``), where
no English plural can be meant.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.guard.declension import case_nominatives

# A case ending and the nominative endings it may stand for, longer endings first.
_CASE_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Adjectival surnames: "Kowalskiego", "Kowalskiemu", "Kowalskim", "Kowalskiej", "Kowalską";
    # and places like "Zakopanego".
    ("skiego", ("ski",)),
    ("ckiego", ("cki",)),
    ("dzkiego", ("dzki",)),
    ("skiemu", ("ski",)),
    ("ckiemu", ("cki",)),
    ("skim", ("ski",)),
    ("ckim", ("cki",)),
    ("skiej", ("ska",)),
    ("ckiej", ("cka",)),
    ("dzkiej", ("dzka",)),
    ("ską", ("ska",)),
    ("cką", ("cka",)),
    ("nego", ("ne",)),
    # A masculine name's dative ("Piotrowi", "Nowakowi", "Tomkowi").
    ("owi", ("",)),
    # Instrumental: "Pawłem", "Piotrem", "Anną", "Kasią", "Gdynią".
    ("em", ("",)),
    ("ą", ("a",)),
    # Accusative of a feminine name: "Annę", "Kasię", "Magdę".
    ("ę", ("a",)),
    # Genitive, dative, locative and vocative: "Marka", "Wrocławia", "Krakowie", "Poznaniu",
    # "Kasi", "Anny", "Annie", "Ewie", "Kasiu", "Anno", "Jacku".
    ("ie", ("", "a")),
    ("iu", ("", "ia")),
    ("ia", ("", "ie")),
    ("a", ("",)),
    ("u", ("", "a")),
    ("y", ("a",)),
    ("i", ("a", "ia", "")),
    ("e", ("a", "")),
    ("o", ("a",)),
)
# "Pan", "pani" and their cases: Mr and Mrs, a title before a name, never one.
POLISH_TITLES = frozenset("pan pani pana panu panem panie panią państwo państwa".split())
# The genitive of German, Dutch and the Nordic languages: "Annas", "Björns".
_GENITIVE_S = "s"
_MIN_GENITIVE_STEM = 4
# The stem a locative or vocative ending softened, and what it was in the nominative.
_SOFTENED = (
    ("rz", "r"), ("dz", "d"), ("dz", "dź"), ("ci", "t"), ("l", "ł"), ("ni", "ń"), ("si", "ś"), ("zi", "ź"),
)  # fmt: skip
_VOWELS = frozenset("aeiouyąęó")
# A stem shorter than this is a pronoun's or particle's; a nominative shorter than the other, no
# name the lists can tell from a syllable.
_MIN_STEM = 2
_MIN_NOMINATIVE = 3


def genitive_stem(lower: str) -> str | None:
    """The name a German, Dutch or Nordic genitive is of ("annas" -> "anna"), or None."""
    stem = lower[: -len(_GENITIVE_S)]
    return stem if lower.endswith(_GENITIVE_S) and len(stem) >= _MIN_GENITIVE_STEM else None


def nominatives(lower: str) -> Iterator[str]:
    """The nominative forms ``lower`` (a Polish word in lower case) may be a case of, the
    likelier first, each once: its case endings taken off, then each of those with the change
    the case made to its stem undone."""
    seen: set[str] = {lower}
    direct = list(_case_nominatives(lower))
    for form in (*direct, *(restored for nominative in direct for restored in _with_stem_restored(nominative))):
        if form not in seen and len(form) >= _MIN_NOMINATIVE:
            seen.add(form)
            yield form


def _case_nominatives(lower: str) -> Iterator[str]:
    return case_nominatives(lower, _CASE_ENDINGS, _MIN_STEM)


def _with_stem_restored(nominative: str) -> Iterator[str]:
    """The nominative with the change a case made to its stem undone: a softened consonant
    ("piotrz" -> "piotr", "magdza" -> "magda", "sopoci" -> "sopot", "pawl" -> "pawł", "poznani" ->
    "poznań", "łodz" -> "łodź"), then the fleeting e ("mark" -> "marek", "tomk" -> "tomek", "pawł" ->
    "paweł") or the ó of a closed last syllable ("krakow" -> "kraków", "łodź" -> "łódź")."""
    ending = "a" if nominative.endswith("a") else ""
    stem = nominative[: len(nominative) - len(ending)]
    forms = [nominative]
    forms.extend(stem[: -len(soft)] + hard + ending for soft, hard in _SOFTENED if stem.endswith(soft))
    for form in forms:
        if form != nominative:
            yield form
        yield from _with_vowel_restored(form)


def _with_vowel_restored(form: str) -> Iterator[str]:
    if len(form) < _MIN_NOMINATIVE or form[-1] in _VOWELS:
        return
    last_vowel = max((index for index, letter in enumerate(form) if letter in _VOWELS), default=-1)
    if last_vowel > 0 and form[last_vowel] == "o":
        yield form[:last_vowel] + "ó" + form[last_vowel + 1 :]
    if form[-2] not in _VOWELS:
        yield form[:-1] + "e" + form[-1]
