"""The packaged NER model, run only on the sentences that can hold a name, place or address.

A transition-based tagger costs about the same for every token, so a 2,000-character prompt of
instructions would pay for the whole text although most of its sentences hold nothing but
common words. Before the model runs, the text is cut into sentences (at ``.``, ``!``, ``?`` and
line breaks, but not after an abbreviation such as "St." or "Apt.") and a sentence goes to the model only when one of its words starts with a capital
letter and is not a common English word, or when it holds a digit next to a capitalised word
(a street address). The model was trained on single sentences, so it sees what it learnt from.

The cost of the shortcut: a name typed all in lower case ("ask priya about it") in a sentence
with no other capitalised word is not looked at. Presidio-style names are written capitalised;
lower-case names are caught when the sentence has any other proper noun.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Span

GATED_NER = "gated_ner"
_SENTENCE_END = frozenset({".", "!", "?", "...", "!?", "?!"})
# Words that start sentences and instructions; capitalised, they say nothing about a name.
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


def _is_hint(token_text: str) -> bool:
    """A capitalised word that is not common; all-capital words ("AI", "JSON", "I") are acronyms."""
    return (
        token_text[:1].isupper()
        and token_text.isalpha()
        and not token_text.isupper()
        and token_text.lower() not in UNREMARKABLE_WORDS
    )


def _ends_sentence(doc: Doc, index: int) -> bool:
    text = doc[index].text
    if "\n" in text:
        return True
    if text not in _SENTENCE_END:
        return False
    # "St.", "Apt.", "Dr.", "J." abbreviate, inside addresses and names: not a sentence end.
    previous = doc[index - 1].text if index else ""
    return not (text == "." and previous[:1].isupper() and previous.isalpha() and len(previous) <= 4)


def sentences_to_tag(doc: Doc) -> Iterator[Span]:
    """The sentences of ``doc`` that hold a word the model should look at."""
    start = 0
    hinted = False
    for token in doc:
        if not hinted and _is_hint(token.text):
            hinted = True
        if _ends_sentence(doc, token.i):
            if hinted:
                yield doc[start : token.i + 1]
            start, hinted = token.i + 1, False
    if hinted and start < len(doc):
        yield doc[start:]


def is_plausible(entity: Span) -> bool:
    """Whether a tagged span can be a name, place or address: it must hold an uncommon capitalised
    word. The small model sometimes tags punctuation or a lower-case phrase ("kill his wife");
    masking those garbles the prompt and protects nobody. Spans with lower-case words beside a
    capitalised one are kept: measured on held-out text, dropping them cost more names than it
    spared benign words."""
    return any(_is_hint(t.text.strip("\"'")) for t in entity)


class GatedEntityRecognizer:
    """Runs a trained ``ner`` component over the hinted sentences and sets ``doc.ents``."""

    def __init__(self, ner: EntityRecognizer) -> None:
        self.ner = ner

    def __call__(self, doc: Doc) -> Doc:
        sentences = list(sentences_to_tag(doc))
        if not sentences:
            return doc
        entities = []
        for sentence, tagged in zip(sentences, self.ner.pipe(s.as_doc() for s in sentences), strict=True):
            offset = sentence.start
            entities.extend(
                Span(doc, offset + e.start, offset + e.end, label=e.label) for e in tagged.ents if is_plausible(e)
            )
        doc.ents = entities
        return doc


def gate_ner(nlp: Language) -> None:
    """Replace the pipeline's ``ner`` with the gated one (the model's weights are shared)."""
    nlp.add_pipe(GATED_NER, first=True)
    nlp.disable_pipe("ner")


@Language.factory(GATED_NER)
def make_gated_ner(nlp: Language, name: str) -> GatedEntityRecognizer:
    return GatedEntityRecognizer(nlp.get_pipe("ner"))
