"""The Presidio analyzer, built offline: no model download, no network, ever.

Presidio's defaults would load ``en_core_web_lg`` (downloading it when missing) and its email
check would fetch the public suffix list. Here the spaCy pipeline is built or loaded by us and
handed to Presidio ready-made; offline.py keeps the suffix list to the bundled copy.

By default the pipeline is the small NER model packaged beside this module (``ner_model/``,
trained by ``python -m bot.guard.ner_training``): it finds person names, places and street addresses
in a few milliseconds a prompt. ``PII_SPACY_MODEL`` names another pipeline (a package name or a
path, loaded with ``spacy.load``), such as a large spaCy model at 30-130 ms a prompt;
``PII_SPACY_MODEL=blank`` keeps tokens only, for the pattern recognizers alone.
"""

from __future__ import annotations

import logging
import re
import string
import threading
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer import RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, IS_STOP, LEMMA, LOWER, intify_attr
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import get_current_ops, set_current_ops
from thinc.backends import context_ops

from bot.guard.addresses import ADDRESS_ENTITY, AddressRecognizer
from bot.guard.addresses_abroad import AddressAbroadRecognizer
from bot.guard.bare_cjk_names import BareCjkNameRecognizer
from bot.guard.cards import PaymentCardRecognizer
from bot.guard.chat_speakers import ChatSpeakerRecognizer
from bot.guard.common_native_names import CommonNativeNameRecognizer
from bot.guard.compound_names import whole_compound_names
from bot.guard.context_words import GroupingAnalyzerEngine, IndexedContextEnhancer
from bot.guard.credentials import CREDENTIAL_ENTITIES, credential_recognizers
from bot.guard.cued_names import CuedNameRecognizer
from bot.guard.cued_native_names import CuedNativeNameRecognizer
from bot.guard.familiar_names import FamiliarNameRecognizer
from bot.guard.gazetteer import ENGLISH_WORDS_FILE
from bot.guard.hinted import HintedEmailRecognizer, HintedIbanRecognizer, HintedIpRecognizer, HintedSsnRecognizer
from bot.guard.labelled_ids import LABELLED_ID_ENTITIES, LabelledIdRecognizer, checked_findings_first
from bot.guard.name_columns import NameColumnRecognizer, PlaceColumnRecognizer, outside_thing_columns
from bot.guard.national_ids import NATIONAL_ID_ENTITIES, national_id_recognizers
from bot.guard.native_script_places import NativeScriptPlaceRecognizer
from bot.guard.ner import GATED_NER, gate_ner
from bot.guard.ner_gate import packaged_gazetteer
from bot.guard.phone_words import SpeltPhoneRecognizer
from bot.guard.phones import FormattedPhoneRecognizer
from bot.guard.romanized_given_names import RomanizedGivenNameRecognizer
from bot.guard.spelt_emails import SpeltEmailRecognizer
from bot.guard.thai_names import ThaiNameRecognizer
from bot.guard.titled_names import TitledNameRecognizer
from bot.guard.tokenizer import WordPunctTokenizer

logger = logging.getLogger(__name__)

LANGUAGE = "en"
PII_ENTITIES: tuple[str, ...] = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    *NATIONAL_ID_ENTITIES,
    *LABELLED_ID_ENTITIES,
)
NAME_ENTITY = "PERSON"
# What the NER path masks, and the labels of other pipelines that mean the same thing
# (spaCy's OntoNotes models say GPE, LOC and FAC; CoNLL-style models say PER and LOC).
NER_ENTITIES: tuple[str, ...] = (NAME_ENTITY, "LOCATION", "ADDRESS")
NER_LABELS: dict[str, str] = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "LOCATION": "LOCATION",
    "LOC": "LOCATION",
    "GPE": "LOCATION",
    "FAC": "LOCATION",
    "ADDRESS": "ADDRESS",
}
PACKAGED_NER_MODEL = Path(__file__).resolve().parent / "ner_model"
# The name ner_training.py gives its models: they were trained on WordPunctTokenizer's tokens
# and must see the same ones (spaCy would otherwise load its rule-based English tokenizer).
TRAINED_MODEL_NAME = "guard_ner"
# ``PII_SPACY_MODEL`` value for no NER at all: tokens only, pattern recognizers alone.
NO_NER = "blank"
# Below this, a bare 9-digit or dotted number (an order or ticket id) would pass for an SSN:
# Presidio scores those patterns 0.05 and only context words such as "ssn" lift them.
SCORE_THRESHOLD = 0.4
# spaCy's memory zone frees what a prompt's new words add, but its table of words (a hash map)
# keeps a tombstone where each was, counts it as filled, and doubles in size when those fill it: 16,000
# prompts of 300 random words (4.8 million new words) took a process from 413 to 541 MB, in steps,
# and on. After this many new words the pipeline is built again (about 0.4 s, off the lock) and the
# worn one let go: the same prompts then level off at 472 MB (505 MB renewing after a million).
# spaCy counts the freed entries in ``len(vocab)`` too, which is what this reads.
RENEW_AFTER_NEW_WORDS = 500_000
LOWERCASE_LEMMA = "lowercase_lemma"
# Context words that spaCy's English list counts as stop words, which Presidio would drop before
# looking for context: "call me on ..." is the commonest lead-in to a phone number.
CONTEXT_STOP_WORDS = frozenset({"call"})
# Presidio reads context only before a finding; contact cards and signatures label a number after
# it as well ("555 0134 (office)", "...-Fax").
CONTEXT_SUFFIX_WORDS = 2
# IBANs typed in lower case ("my iban is gb82west...") pass the same checksum.
IBAN_REGEX_FLAGS = re.DOTALL | re.MULTILINE | re.IGNORECASE
# The word attributes this module reads: LOWER (copied into LEMMA by ``lowercase_lemma``), and
# IS_STOP and IS_PUNCT (Presidio's context keywords, ``_doc_to_nlp_artifact``).
ATTRIBUTES_READ_HERE = frozenset({LOWER, IS_STOP, IS_PUNCT})
# The one word attribute the NER model's transition system reads: no entity starts on a space.
ATTRIBUTES_READ_BY_NER = frozenset({IS_SPACE})


@Language.component(LOWERCASE_LEMMA)
def lowercase_lemma(doc: Doc) -> Doc:
    """Stand-in lemmatizer: Presidio compares context words ("phone", "ssn") against lemmas."""
    # Whole-array copy of LOWER into LEMMA: a Python loop over tokens costs ten times more.
    # spaCy's stub types to_array as floats; it returns the uint64 attribute ids from_array takes.
    doc.from_array([LEMMA], doc.to_array([LOWER]))  # type: ignore[arg-type]  # stub: floats, really ids
    return doc


class PreloadedSpacyNlpEngine(SpacyNlpEngine):
    """A SpacyNlpEngine around a pipeline we already hold; ``load()`` never fetches a model."""

    def __init__(self, nlp: Language, *, ner_model_configuration: NerModelConfiguration) -> None:
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": nlp.meta.get("name", "preloaded")}],
            ner_model_configuration=ner_model_configuration,
        )
        # Presidio's engine starts ``nlp`` as None (inferred type) and fills it in load().
        self.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]  # Presidio: None until load()

    def load(self) -> None:
        """Already loaded in ``__init__``; Presidio's own loader would download what is missing."""

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        """Presidio's artifacts, read from spaCy's attribute arrays instead of Token objects.

        The stock version creates a Python Token per token three times over (lemmas, offsets,
        keywords); on a 2,000-character prompt that is most of the analysis time.
        """
        strings = doc.vocab.strings
        columns = doc.to_array([LEMMA, IDX, IS_STOP, IS_PUNCT]).tolist() if len(doc) else []
        lemmas = [strings[lemma] for lemma, _, _, _ in columns]
        entities, scores = self._get_updated_entities(self._get_entities(doc), self._get_scores_for_entities(doc))
        artifacts = NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[index for _, index, _, _ in columns],
            lemmas=lemmas,
            nlp_engine=None,  # skips Presidio's per-lemma keyword pass, done below from the arrays
            language=language,
            scores=scores,
        )
        artifacts.nlp_engine = self
        artifacts.keywords = [
            part
            for lemma, (_, _, is_stop, is_punct) in zip(lemmas, columns, strict=True)
            if not ((is_stop and lemma not in CONTEXT_STOP_WORDS) or is_punct) and lemma not in ("-PRON-", "be")
            for part in lemma.lower().split(":")
        ]
        return artifacts


def build_pipeline(spacy_model: str | None) -> Language:
    """The packaged NER model, the named package / path, or ``spacy.blank("en")`` for ``NO_NER``.

    Every pipeline gets lower-case lemmas for Presidio's context words.
    """
    if spacy_model != NO_NER:
        model_path = spacy_model or PACKAGED_NER_MODEL
        nlp = spacy.load(model_path)
        if nlp.meta.get("name") == TRAINED_MODEL_NAME:
            nlp.tokenizer = WordPunctTokenizer(nlp.vocab)
            gate_ner(nlp, Path(model_path))
            keep_attributes_read(nlp, ATTRIBUTES_READ_HERE | ATTRIBUTES_READ_BY_NER | model_features(nlp))
    else:
        nlp = spacy.blank(LANGUAGE)
        nlp.tokenizer = WordPunctTokenizer(nlp.vocab)
        keep_attributes_read(nlp, ATTRIBUTES_READ_HERE)
    if "lemmatizer" not in nlp.pipe_names and LOWERCASE_LEMMA not in nlp.pipe_names:
        nlp.add_pipe(LOWERCASE_LEMMA, last=True)
    return nlp


def model_features(nlp: Language) -> frozenset[int]:
    """The word attributes the pipeline's models embed (the NER model's: NORM, PREFIX, SUFFIX, SHAPE)."""
    return frozenset(
        intify_attr(column)
        for _, component in nlp.components
        for node in getattr(getattr(component, "model", None), "walk", tuple)()
        for column in node.attrs.get("columns", ())
    )


def keep_attributes_read(nlp: Language, read: frozenset[int]) -> None:
    """Compute only the word attributes in ``read`` for a word new to the vocabulary.

    spaCy computes 23 of them (``like_url``, ``is_currency``...) for each such word, and the
    memory zone of ``PiiAnalyzer.analyze`` gives the words back, so every prompt pays again for
    most of its words; with the 8 read, tokenizing a 2,000-character prompt costs 40 % less.
    Only the pipelines built here, whose readers are all known, are trimmed: one named by
    ``PII_SPACY_MODEL`` may have a lemmatizer or rules that read any attribute.
    """
    # A public attribute of spaCy's Vocab (vocab.pxd) that its type stub leaves out.
    vocab: Any = nlp.vocab
    vocab.lex_attr_getters = {attr: getter for attr, getter in vocab.lex_attr_getters.items() if attr in read}


_NER_PIPES = ("ner", GATED_NER, "entity_ruler", "span_ruler")


def _has_ner(nlp: Language) -> bool:
    return any(name in nlp.pipe_names for name in _NER_PIPES)


def _fresh_pipeline(spacy_model: str | None) -> Language:
    nlp = build_pipeline(spacy_model)
    keep_everyday_words(nlp)
    return nlp


def keep_everyday_words(nlp: Language, word_list: Path = PACKAGED_NER_MODEL / ENGLISH_WORDS_FILE) -> None:
    """Give the vocabulary a lasting entry for each everyday English word the NER model's lists
    hold (about 3,500). Analysis runs in a memory zone, which frees every entry a prompt adds once
    it is analysed; without these, the commonest words would be made again for each prompt (a
    sixth more CPU on a 2,000-character prompt). The 63,000 words of the full spelling list
    would save little more and cost every process 0.7 s at start. Each word's capitalised form
    (it opens sentences: "The", "Please"), the punctuation and spaces between words and the
    numbers below 1,000 are kept too (some 10,000 entries, 0.03 s at start): they were an eighth
    of the entries a 2,000-character prompt still made."""
    vocab = nlp.vocab
    for word in _lasting_tokens():
        vocab[word]  # a look-up adds the entry for good (outside any memory zone)
    if not word_list.is_file():
        return
    with word_list.open(encoding="utf-8") as words:
        for line in words:
            word = line.strip()
            if word:
                vocab[word]
                vocab[word.capitalize()]


# Punctuation as the tokenizer cuts it: runs of one or two marks ("," "." '."' "**").
_EVERYDAY_PUNCTUATION = string.punctuation + "\u00ab\u00bb\u2013\u2014\u201c\u201d\u2018\u2019\u2026\u2022"
# Line breaks and runs of spaces, which are tokens of their own.
_LONGEST_SPACE_RUN = 8
_NUMBERS_KEPT = 1000


def _lasting_tokens() -> Iterator[str]:
    """The tokens other than words that most prompts hold: punctuation, spaces and small numbers."""
    yield from _EVERYDAY_PUNCTUATION
    yield from (first + second for first in _EVERYDAY_PUNCTUATION for second in _EVERYDAY_PUNCTUATION)
    for length in range(1, _LONGEST_SPACE_RUN + 1):
        yield "\n" * length
        yield " " * length
    yield from (str(number) for number in range(_NUMBERS_KEPT))
    yield from (f"{number:02d}" for number in range(10))
    yield from (f"{number:03d}" for number in range(100))


class PiiAnalyzer:
    """One Presidio analyzer that finds credentials, PII and, with a NER model, names and places."""

    def __init__(self, spacy_model: str | None = None, *, renew_after_new_words: int = RENEW_AFTER_NEW_WORDS) -> None:
        self._lock = threading.Lock()
        # The backend of the context that builds the guard (the CPU's, unless a caller chose one).
        self._numeric_backend = get_current_ops()
        self._spacy_model = spacy_model
        self._renew_after_new_words = renew_after_new_words
        nlp = self.pipeline = _fresh_pipeline(spacy_model)
        self._lasting_entries = len(nlp.vocab)
        self.renewals = 0
        self.model_name = spacy_model or f"packaged ({nlp.meta.get('name', 'ner')} {nlp.meta.get('version', '')})"
        self.names_enabled = _has_ner(nlp)
        ner_config = NerModelConfiguration(
            labels_to_ignore=self._ignored_labels(nlp), model_to_presidio_entity_mapping=dict(NER_LABELS)
        )
        registry = RecognizerRegistry(supported_languages=[LANGUAGE])
        for recognizer in (
            HintedEmailRecognizer(),
            FormattedPhoneRecognizer(names=packaged_gazetteer()),
            SpeltPhoneRecognizer(),
            SpeltEmailRecognizer(),
            PaymentCardRecognizer(),
            HintedIbanRecognizer(regex_flags=IBAN_REGEX_FLAGS),
            HintedIpRecognizer(),
            HintedSsnRecognizer(),
            *national_id_recognizers(),
            LabelledIdRecognizer(),
            AddressRecognizer(),
            AddressAbroadRecognizer(),
            *credential_recognizers(),
        ):
            registry.add_recognizer(recognizer)
        if self.names_enabled:
            registry.add_recognizer(SpacyRecognizer(supported_entities=list(NER_ENTITIES)))
            # The NER model reads Latin and Cyrillic letters: names in other scripts are found
            # by the honorifics and titles written beside them, or, in Chinese, Japanese and
            # Korean, by a family name and a given name standing where a person's name stands, or
            # by what colleagues call each other ("小张", "阿强", "수빈 씨");
            # places in those scripts, by the words that tie them to someone; the speakers of a
            # chat log, by where they stand; Arabic and Hindi names, by a greeting, a sign-off, a
            # byline or a list of people, or as given names that are no everyday word; the people
            # and places of a pasted table, by its headers.
            registry.add_recognizer(TitledNameRecognizer())
            registry.add_recognizer(BareCjkNameRecognizer())
            registry.add_recognizer(FamiliarNameRecognizer())
            registry.add_recognizer(ChatSpeakerRecognizer())
            registry.add_recognizer(CuedNativeNameRecognizer())
            registry.add_recognizer(CommonNativeNameRecognizer())
            registry.add_recognizer(NativeScriptPlaceRecognizer())
            registry.add_recognizer(NameColumnRecognizer())
            registry.add_recognizer(PlaceColumnRecognizer())
            registry.add_recognizer(ThaiNameRecognizer())
            registry.add_recognizer(RomanizedGivenNameRecognizer())
            registry.add_recognizer(CuedNameRecognizer(packaged_gazetteer()))
        self.entities: tuple[str, ...] = (
            *PII_ENTITIES,
            *sorted(CREDENTIAL_ENTITIES),
            *(NER_ENTITIES if self.names_enabled else (ADDRESS_ENTITY,)),
        )
        self._nlp_engine = PreloadedSpacyNlpEngine(nlp, ner_model_configuration=ner_config)
        self._ner_pipes = [name for name in nlp.pipe_names if name in _NER_PIPES]
        self._engine = GroupingAnalyzerEngine(
            registry=registry,
            nlp_engine=self._nlp_engine,
            supported_languages=[LANGUAGE],
            default_score_threshold=SCORE_THRESHOLD,
            context_aware_enhancer=IndexedContextEnhancer(context_suffix_count=CONTEXT_SUFFIX_WORDS),
        )

    def _keep_numeric_backend(self) -> None:
        """Give thinc its backend in the context this prompt runs in. thinc keeps the backend in a
        context variable; the web tier runs each prompt in a copy of its request's context, where
        none was ever set, so every model call looked the backend up again from thinc's registry of
        entry points (a quarter of a millisecond a prompt, more than the tagging of a short window)."""
        if context_ops.get() is None:
            set_current_ops(self._numeric_backend)

    @staticmethod
    def _ignored_labels(nlp: Language) -> list[str]:
        """Every NER label that is not a person, place or address: dates and organisations are kept."""
        labels: set[str] = set()
        for name in ("ner", "entity_ruler", "span_ruler"):
            if name in nlp.pipe_names:
                labels.update(getattr(nlp.get_pipe(name), "labels", ()))
        return sorted(label for label in labels if label not in NER_LABELS)

    def analyze(self, text: str, entities: Collection[str] | None = None) -> list[RecognizerResult]:
        """The findings of every entity type, or only of ``entities``. When none of those comes
        from the NER model (the output guard asks for credentials and contact data only), the
        model does not run: it was most of the time spent on a short text, and no pattern
        recognizer reads its findings."""
        wanted = list(self.entities) if entities is None else [name for name in self.entities if name in entities]
        # spaCy adds every new word to its shared vocabulary and does not promise that this is
        # safe from several threads at once; prompts are analysed one at a time. The memory zone
        # gives back what the prompt's new words added once it is analysed: without it a web
        # process's vocabulary grows with every word it has ever seen (about 50 MB per 130,000
        # new words). Nothing spaCy made inside it outlives it: the findings are offsets and names.
        with self._lock, self.pipeline.memory_zone():
            self._keep_numeric_backend()
            artifacts = None
            if self._ner_pipes and not any(name in NER_ENTITIES for name in wanted):
                doc = self.pipeline(text, disable=self._ner_pipes)
                artifacts = self._nlp_engine._doc_to_nlp_artifact(doc, LANGUAGE)
            results = self._engine.analyze(
                text=text, language=LANGUAGE, entities=wanted, score_threshold=SCORE_THRESHOLD, nlp_artifacts=artifacts
            )
        if len(self.pipeline.vocab) - self._lasting_entries >= self._renew_after_new_words:
            self._renew_pipeline()
        # A name in a pasted table's product, brand or firm column names a thing ("Tata Tea").
        results = outside_thing_columns(text, results, NER_ENTITIES)
        return whole_compound_names(text, checked_findings_first(results))

    def _renew_pipeline(self) -> None:
        """A fresh pipeline in place of one whose word table has filled with freed entries (see
        ``RENEW_AFTER_NEW_WORDS``); built before the lock is taken, so prompts go on meanwhile."""
        nlp = _fresh_pipeline(self._spacy_model)
        with self._lock:
            if len(self.pipeline.vocab) - self._lasting_entries < self._renew_after_new_words:
                return  # another thread renewed it while this one was building
            self.pipeline = nlp
            self._nlp_engine.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]  # Presidio: None until load()
            self._lasting_entries = len(nlp.vocab)
            self.renewals += 1
        logger.info("Renewed the PII pipeline's vocabulary after %d new words", self._renew_after_new_words)
