"""The packaged NER model, run only on the sentences that can hold a name, place or address.

A transition-based tagger costs about the same for every token, so a 2,000-character prompt of
instructions would pay for the whole text although most of its sentences hold nothing but
common words. Before the model runs, the text is cut into sentences (at ``.``, ``!``, ``?`` and
line breaks, but not after an abbreviation such as "St." or "Apt.") and a sentence goes to the
model only when one of its words starts with a capital letter and is not a common English word
(long all-capital words count: forms write towns that way), or when the whole sentence is typed
in lower case and holds an uncommon word ("my name is lena andersson"). The chosen sentences are
tagged together in one Doc.

The cost of the shortcut: a name typed in lower case inside an otherwise capitalised sentence
with no other proper noun ("Ask priya about it") is not looked at.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from spacy.attrs import ORTH, SPACY
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Span

GATED_NER = "gated_ner"
_SENTENCE_END = frozenset({".", "!", "?", "...", "!?", "?!"})
# Words that start sentences and instructions, days, months and languages; capitalised, they say
# nothing about a name.
COMMON_WORDS = frozenset(
    """
    a about above after again against all also although always am an and another any are as at
    be because been before being below between both but by can could dear did do does doing don
    down during each either else even every few first for from further had has have having he
    hello her here hers herself hey hi him himself his how however i if in instead into is it its
    itself just last let like make many may me might more most must my myself never next no nor
    not now of off often ok okay on once only or other our ours ourselves out over own please
    rather same she should since so some such than thank thanks that the their theirs them
    themselves then there these they this those though through to too under until up upon us very
    was we were what when where whether which while who whom whose why will with within without
    would yes yet you your yours yourself yourselves
    add additionally answer ask assume begin below build calculate change check choose classify
    compare compose consider continue convert correct create describe design determine develop
    draft edit explain extract fill find finally finish fix follow format generate give go help
    identify imagine include keep list look name note now number output paraphrase pick plan
    prepare pretend provide put read remember remove reply respond return rewrite rank say see
    select send share show solve sort start step suggest summarize summarise take tell think
    translate try turn use using view want wrap write
    act announce congratulate disregard email forget ignore mail override post print repeat reveal stop
    tweet
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat
    sun january february march july september october november december jan feb mar apr jun jul aug
    sep sept oct nov dec today tomorrow yesterday tonight morning afternoon evening weekend
    english spanish french german italian portuguese dutch russian chinese mandarin cantonese
    japanese korean hindi bengali marathi tamil telugu kannada malayalam gujarati punjabi urdu arabic
    persian farsi turkish vietnamese thai indonesian malay filipino tagalog polish czech swedish
    norwegian danish finnish greek hebrew swahili ukrainian romanian hungarian latin esperanto
    """.split()
)


# Everyday English words that are no one's first or last name, written beside the packaged model
# by ner_training.py: capitalised in a heading or a product blurb ("Total", "Business News"), they
# are not a name either.
EVERYDAY_WORDS_FILE = Path(__file__).resolve().parent / "ner_model" / "everyday_words.txt"


def _everyday_words(path: Path) -> frozenset[str]:
    try:
        return frozenset(path.read_text(encoding="utf-8").split())
    except FileNotFoundError:
        return frozenset()


UNREMARKABLE_WORDS = COMMON_WORDS | _everyday_words(EVERYDAY_WORDS_FILE)


# All-capital words this long are read as names or towns rather than acronyms.
_MIN_CAPITALS_NAME = 5


@lru_cache(maxsize=65536)
def _is_hint(token_text: str) -> bool:
    """A capitalised word that is not common. Short all-capital words ("AI", "JSON", "I") are
    acronyms; longer ones are how forms and addresses write towns ("KNIVSTA")."""
    return (
        token_text[:1].isupper()
        and token_text.isalpha()
        and (not token_text.isupper() or len(token_text) >= _MIN_CAPITALS_NAME)
        and token_text.lower() not in UNREMARKABLE_WORDS
    )


def _ends_sentence(texts: list[str], index: int) -> bool:
    text = texts[index]
    if "\n" in text:
        return True
    if text not in _SENTENCE_END:
        return False
    # "St.", "Apt.", "Dr.", "J." abbreviate, inside addresses and names: not a sentence end.
    previous = texts[index - 1] if index else ""
    return not (text == "." and previous[:1].isupper() and previous.isalpha() and len(previous) <= 4)


def _token_texts(doc: Doc) -> list[str]:
    # Read from the ORTH array: iterating the Doc creates a Python Token per token.
    strings = doc.vocab.strings
    return [strings[orth] for orth in doc.to_array(ORTH).tolist()] if len(doc) else []


_PROSE_PUNCTUATION = frozenset(",.?!:;'\"-\u2019")


def _is_prose(token_text: str) -> bool:
    """A word, a number, a space or the punctuation of sentences; code has brackets, "=", "_"."""
    return token_text.isalnum() or token_text.isspace() or all(c in _PROSE_PUNCTUATION for c in token_text)


def _is_lower_case_word(token_text: str) -> bool:
    return token_text.isalpha() and token_text.islower() and token_text not in UNREMARKABLE_WORDS


def hinted_sentences(texts: list[str]) -> Iterator[tuple[int, int, bool]]:
    """(start, end, lower_case) token ranges of the sentences that hold a word the model should
    look at: an uncommon capitalised word, or, in a sentence typed all in lower case ("my name is
    lena andersson"), an uncommon lower-case word. ``lower_case`` says which."""
    start = 0
    hinted = capitals = lower_hint = False
    for index, text in enumerate(texts):
        if not hinted and _is_hint(text):
            hinted = True
        if not capitals and (any(c.isupper() for c in text) or not _is_prose(text)):
            capitals = True  # or code, a path or markup: not a sentence typed in lower case
        if not lower_hint and _is_lower_case_word(text):
            lower_hint = True
        if _ends_sentence(texts, index) or index == len(texts) - 1:
            if hinted:
                yield start, index + 1, False
            elif lower_hint and not capitals:
                yield start, index + 1, True
            start, hinted, capitals, lower_hint = index + 1, False, False, False


def sentences_to_tag(doc: Doc) -> Iterator[Span]:
    """The sentences of ``doc`` that hold a word the model should look at."""
    for start, end, _ in hinted_sentences(_token_texts(doc)):
        yield doc[start:end]


def is_plausible(entity: Span, *, lower_case: bool = False) -> bool:
    """Whether a tagged span can be a name, place or address: it must hold an uncommon capitalised
    word, or, in a sentence typed all in lower case, an uncommon lower-case word. The small model
    sometimes tags punctuation or a lower-case phrase ("kill his wife") in ordinary text; masking
    those garbles the prompt and protects nobody. Spans with lower-case words beside a
    capitalised one are kept: measured on held-out text, dropping them cost more names than it
    spared benign words."""
    words = [t.text.strip("\"'") for t in entity]
    return any(_is_hint(word) for word in words) or (lower_case and any(_is_lower_case_word(w) for w in words))


class GatedEntityRecognizer:
    """Runs a trained ``ner`` component over the hinted sentences and sets ``doc.ents``.

    The hinted sentences are put one after another into a single Doc and tagged in one call:
    a Doc per sentence costs more in copying than the model costs in tagging. Each sentence
    still ends in its own full stop or line break, as in training, where texts of two
    sentences are common; an entity the model runs across two joined sentences is cut at the
    first one's end.
    """

    def __init__(self, ner: EntityRecognizer) -> None:
        self.ner = ner

    def __call__(self, doc: Doc) -> Doc:
        texts = _token_texts(doc)
        sentences = list(hinted_sentences(texts))
        if not sentences:
            return doc
        trailing = doc.to_array(SPACY).tolist()
        words: list[str] = []
        spaces: list[bool] = []
        starts: list[int] = []  # index in the joined Doc where each sentence starts
        for start, end, _ in sentences:
            starts.append(len(words))
            words.extend(texts[start:end])
            spaces.extend(bool(space) for space in trailing[start:end])
        tagged = self.ner(Doc(doc.vocab, words=words, spaces=spaces))
        entities: list[Span] = []
        for entity in tagged.ents:
            which = bisect_right(starts, entity.start) - 1
            sentence_start, sentence_end, lower_case = sentences[which]
            begin = sentence_start + entity.start - starts[which]
            end = min(sentence_start + entity.end - starts[which], sentence_end)
            span = Span(doc, begin, end, label=entity.label)
            if is_plausible(span, lower_case=lower_case):
                entities.append(span)
        doc.ents = entities
        return doc


def gate_ner(nlp: Language) -> None:
    """Replace the pipeline's ``ner`` with the gated one (the model's weights are shared)."""
    nlp.add_pipe(GATED_NER, first=True)
    nlp.disable_pipe("ner")


@Language.factory(GATED_NER)
def make_gated_ner(nlp: Language, name: str) -> GatedEntityRecognizer:
    return GatedEntityRecognizer(nlp.get_pipe("ner"))
