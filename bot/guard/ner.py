"""The packaged NER model, run only where a name, place or address may be.

A transition-based tagger costs about the same for every token, and a call costs a millisecond
or two before the first token, so most prompts should not reach it at all. Before the model
runs, the text is cut into sentences (at ``.``, ``!``, ``?`` and line breaks, but not after an
abbreviation such as "St." or "Apt.") and a sentence goes to the model only when one of its
words may be a name or a place (``Evidence``):

- a capitalised word the gazetteer knows as a name or place and no everyday English word
  ("Priya", "Lisbon", "KNIVSTA"), two possible ones side by side ("Mark Green"), one behind a
  title ("Dr. Long"), or a word no list knows that is shaped like a name (no English ending,
  no capital inside but "Mc", "Le"..., capitals only if long: "Thirumurthi", "KNIVSTA") and
  that no English dictionary lists in lower case ("Worried", "COMMAND" are words);
- in a sentence typed all in lower case, a known name after a word that introduces one ("my
  name is lena", "ask priya") or beside another known name ("lena andersson").

Of a long sentence only the windows around those words are tagged; a window whose candidate
words all lie in a name the gazetteer already knows, or are unknown words opening a sentence
("Сделай ...", "Fasse ..."), is not tagged at all; a window tagged before
comes from a cache keyed by a hash of its words. The windows left are tagged in one batch, a Doc
each: the model reads a few tokens either side of each word, and windows joined into one Doc read
their neighbours, so that a window's entities depended on what the process had tagged before. A
span the model tags is kept only when the same evidence backs it (``is_backed``): the model alone
calls "Helper", "Python" or "Due Date" a name or a place. A kept span loses the everyday verb it
opens with and the lower-case words it ends with ("Join Dr. Elena Vasquez", "Knight rescues"), and
what is left must be backed too. Runs of capitalised words holding a known name are masked even
where the model tagged nothing (``lexicon_spans``).

The cost of the shortcut: a lower-case name with no word before it that introduces one ("green
tea" is no one) is not looked at, nor an unknown name written like a common English word.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from spacy.attrs import SPACY
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Span

from bot.guard.digest_cache import DigestCache
from bot.guard.foreign_openers import english_prompt_words, foreign_everyday_words
from bot.guard.gazetteer import NOTHING, Gazetteer, holds_cyrillic, holds_greek
from bot.guard.german_nouns import is_a_german_noun
from bot.guard.last_token_list import LastTokenList
from bot.guard.ner_gate import (
    NER_WORD_LISTS,
    Evidence,
    gazetteer_from,
    hinted_sentences,
    is_backed,
    lexicon_spans,
    name_run_in_cyrillic,
    name_runs_in_a_greek_address,
    name_runs_of_a_clause,
    names_a_street,
    opens_a_line_or_sentence,
    previous_word_index,
    run_label,
    token_texts,
    tokens_around,
    windows_around_hints,
    without_everyday_edges,
)
from bot.guard.ner_things import UNITS_NAMED_AFTER_PEOPLE, is_a_number, is_a_thing
from bot.guard.script_ranges import unread_by_the_name_model

GATED_NER = "gated_ner"
# Segments whose tagging is remembered (a hash and offsets each, see digest_cache.py).
TAGGED_CACHE_SIZE = 4096


class GatedEntityRecognizer:
    """Runs a trained ``ner`` component over the hinted sentences and sets ``doc.ents``.

    The hinted sentences (or, in a long one, the windows around its names) are tagged in one
    batch, a Doc each, as the model was trained on them: a window's entities are its own, whatever
    else the prompt holds or the cache remembers. The spans kept are the model's that
    ``is_backed`` accepts, and the gazetteer's runs of capitalised words with a known name where
    the model found nothing.
    """

    def __init__(self, ner: EntityRecognizer, gazetteer: Gazetteer) -> None:
        self.ner = ner
        self.gazetteer = gazetteer
        self._tagged: DigestCache[tuple[_Tagged, ...]] = DigestCache(TAGGED_CACHE_SIZE)

    def __call__(self, doc: Doc) -> Doc:
        texts = token_texts(doc)
        from_lists = list(lexicon_spans(texts, self.gazetteer))
        covered = {index for start, end, _ in from_lists for index in range(start, end)}
        evidence = Evidence(texts, self.gazetteer)
        # A segment whose every candidate word is inside a name the lists already know, or is an
        # unknown word opening a sentence, needs no model: prompts full of colleagues' names are
        # common, every sentence of a language the lists don't know opens with a capital, and the
        # model is most of the cost. Tagged, such a segment gave masks no better than its known
        # names alone: the model runs on past them into the lower-case words ("Lembrete para a
        # Carla" masked whole, not "Carla").
        segments = [
            (start, end, lower_case)
            for start, end, lower_case in windows_around_hints(
                texts, hinted_sentences(texts, self.gazetteer), self.gazetteer
            )
            if any(
                index not in covered and (lower_case or not evidence.opens_a_sentence_alone(index))
                for index in evidence.candidates(start, end, lower_case=lower_case)
            )
        ]
        entities: list[Span] = []
        spaced = doc.to_array(SPACY).tolist()
        for (start, end, lower_case), found in zip(segments, self._tag(doc, texts, spaced, segments), strict=True):
            for first, last, label in found:
                begin, stop = start + first, min(start + last, end)
                pieces = None if label == "ADDRESS" or lower_case else name_runs_of_a_clause(texts, begin, stop)
                if pieces is not None:
                    # The model misread the clause: of its capitalised words, only the names and
                    # places the lists know are taken from it ("Markus", not "Lizenzen"); an
                    # unknown word opening a clause is as often its verb as a name.
                    pieces = [piece for piece in pieces if self._listed(evidence, *piece)]
                entities.extend(
                    Span(doc, piece_start, piece_stop, label=piece_label)
                    for piece_start, piece_stop, piece_label in self._found(
                        texts, spaced, evidence, [(begin, stop)] if pieces is None else pieces, label, lower_case
                    )
                )
        taken = {index for entity in entities for index in range(entity.start, entity.end)}
        for listed_start, end, label in from_lists:
            start = (
                listed_start if label == "ADDRESS" else without_a_foreign_opening(texts, evidence, listed_start, end)
            )
            if start != listed_start and is_a_thing(
                texts[start:end], *tokens_around(texts, start, end), self.gazetteer
            ):
                continue  # what the opening words hid: "Czy Skoda Octavia" is a car
            # spaCy refuses entities that share a token, and the whole prompt would go unchecked.
            if (
                not taken.intersection(range(start, end))
                and not in_machine_syntax(texts, spaced, start, end)
                and not opens_in_its_language(texts, evidence, start, end)
                and not (label != "ADDRESS" and is_a_german_noun(texts, start, end, self.gazetteer))
            ):
                entities.append(Span(doc, start, end, label=label))
                taken.update(range(start, end))
        doc.ents = sorted(entities, key=lambda span: span.start)
        return doc

    def _found(
        self,
        texts: list[str],
        spaced: list[int],
        evidence: Evidence,
        pieces: list[tuple[int, int]],
        tagged_label: str,
        lower_case: bool,
    ) -> Iterator[tuple[int, int, str]]:
        """(start, end, label) of what the model tagged as ``label`` over each of ``pieces`` (its
        whole span, or the name runs of a clause it ran over), once checked and trimmed."""
        for begin, stop in pieces:
            label = tagged_label
            if in_machine_syntax(texts, spaced, begin, stop) or opens_in_its_language(texts, evidence, begin, stop):
                continue
            if not self._backed(texts, begin, stop, label, lower_case):
                continue
            if label == "ADDRESS" and _a_measurement(texts[begin:stop]):
                continue  # "373 Kelvin", "50 Newtons": a number and a unit, no house number
            if label == "ADDRESS" and _a_version(texts, stop):
                continue  # "Django 3.2", "iOS 17.4": a release, no house number
            if label == "ADDRESS" and _greek_without_a_number(texts[begin:stop]):
                runs = name_runs_in_a_greek_address(texts, begin, stop, self.gazetteer)
                yield from runs
                continue
            if label == "ADDRESS" and not _holds_a_digit(texts[begin:stop]) and not names_a_street(texts[begin:stop]):
                # No house number, postcode or street: a name or a place the model read as an
                # address with the words around it ("a Bruce Springsteen concert", "their
                # Rotterdam HQ"), trimmed of them below as any name is.
                label = run_label([word.lower() for word in texts[begin:stop] if word.isalpha()], self.gazetteer)
            if label != "ADDRESS":
                # The words trimmed off may have hidden what the name alone is: "the Knight rescues".
                trimmed = without_everyday_edges(texts, begin, stop, self.gazetteer, lower_case=lower_case)
                trimmed = (without_a_foreign_opening(texts, evidence, *trimmed), trimmed[1])
                if trimmed != (begin, stop) and not self._backed(texts, *trimmed, label, lower_case):
                    continue
                begin, stop = trimmed
                if holds_cyrillic("".join(texts[begin:stop])):
                    run = name_run_in_cyrillic(texts, begin, stop, self.gazetteer)
                    if run is None:
                        continue
                    begin, stop = run
            if any(unread_by_the_name_model(word) for word in texts[begin:stop]):
                # The model, which never read Hindi or Arabic, runs on from a Latin name into
                # the words after it ("Flipkart के लिए इस प्रोडक्ट ..."): only the words
                # before the first of those are its finding.
                stop = next(i for i in range(begin, stop) if unread_by_the_name_model(texts[i]))
                if stop == begin or not self._backed(texts, begin, stop, label, lower_case):
                    continue
            if label != "ADDRESS" and is_a_german_noun(texts, begin, stop, self.gazetteer):
                continue
            yield begin, stop, label

    @staticmethod
    def _listed(evidence: Evidence, start: int, end: int) -> bool:
        return any(
            evidence.texts[index][:1].isupper() and evidence.backs_as_listed(index) for index in range(start, end)
        )

    def _backed(self, texts: list[str], start: int, end: int, label: str, lower_case: bool) -> bool:
        return is_backed(texts, start, end, label, lower_case=lower_case, gazetteer=self.gazetteer)

    def _tag(
        self, doc: Doc, texts: list[str], spaced: list[int], segments: list[tuple[int, int, bool]]
    ) -> list[list[_Tagged]]:
        """The model's entities in each segment, as (start, end, label) within it. Segments seen
        before come from the cache; the rest are tagged in one batch."""
        keys = [DigestCache.key("\x00".join(texts[start:end])) for start, end, _ in segments]
        cached = [None if (found := self._tagged.get(key)) is None else list(found) for key in keys]
        missing = [index for index, tagged in enumerate(cached) if tagged is None]
        fresh: dict[int, list[_Tagged]] = {}
        if missing:
            docs = [
                Doc(doc.vocab, words=texts[start:end], spaces=[bool(space) for space in spaced[start:end]])
                for start, end, _ in (segments[index] for index in missing)
            ]
            self.ner.set_annotations(docs, self.ner.predict(docs))
            for index, tagged in zip(missing, docs, strict=True):
                fresh[index] = [(entity.start, entity.end, entity.label_) for entity in tagged.ents]
                self._tagged.put(keys[index], tuple(fresh[index]))
        return [fresh[index] if tagged is None else tagged for index, tagged in enumerate(cached)]


_Tagged = tuple[int, int, str]


def opens_in_its_language(texts: list[str], evidence: Evidence, start: int, end: int) -> bool:
    """Whether ``texts[start:end]`` is one word opening a line or sentence of a prompt in another
    language than English, an everyday word of those languages (foreign_openers.py): "Tom: amigável"
    sets a tone in Portuguese, "Groet," signs off in Dutch, "«Коллеги, добрый день!" greets. So is
    such a word opening what a speaker says in a chat log ("Cem: Tamam.", "Marco: Perfetto,"),
    unless the lists hold it as a name: "Asistentes: Rosa, Tomás" is a list of people. In an English
    sentence "Tom" is a name still, and a place of everyday words ("Plaza Nueva") keeps its mask."""
    while start < end - 1 and not any(character.isalnum() for character in texts[start]):
        start += 1  # the quote the model took with the word
    word = texts[start].lower()
    return (
        end - start == 1
        and word in foreign_everyday_words()
        and (
            opens_a_line_or_sentence(texts, start)
            or (_after_a_speaker(texts, start) and not evidence.gazetteer.is_name(word))
        )
        and (evidence.in_foreign_sentence_or_prompt(start) or reads_as_another_language(texts, evidence.gazetteer))
    )


def _after_a_speaker(texts: list[str], start: int) -> bool:
    """Whether the token at ``start`` follows a capitalised word and its colon: a chat log's line."""
    colon = previous_word_index(texts, start)
    if colon is None or texts[colon] != ":":
        return False
    speaker = previous_word_index(texts, colon)
    return speaker is not None and texts[speaker][:1].isupper()


def without_a_foreign_opening(texts: list[str], evidence: Evidence, start: int, end: int) -> int:
    """Where ``start:end`` begins past the everyday words of another language that open its line
    or sentence, tagged with the name after them: "Czy Skoda Octavia" (Polish "whether"), "¿Vale la
    pena el Seat León", "Das Projekt Phoenix". A word a list holds as a name or place stays ("Rosa
    Parks"), and so does the whole span in an English sentence."""
    first = next((index for index in range(start, end) if texts[index][:1].isalpha()), None)
    if (
        first is None
        or not opens_a_line_or_sentence(texts, first)
        or not (evidence.in_foreign_sentence_or_prompt(first) or reads_as_another_language(texts, evidence.gazetteer))
    ):
        return start
    everyday = foreign_everyday_words()
    index = first
    while index < end - 1 and (
        not texts[index][:1].isalpha()
        or (texts[index].lower() in everyday and evidence.gazetteer.kind(texts[index].lower()) == NOTHING)
    ):
        index += 1
    # The last word is never trimmed: alone, ``opens_in_its_language`` and the lists decide it.
    return index if texts[index][:1].isalpha() else start


def reads_as_another_language(texts: list[str], gazetteer: Gazetteer) -> bool:
    """Whether more of the prompt's lower-case words are everyday words of the other languages
    only than everyday English words only. The function words ``in_foreign_sentence`` counts
    miss sentences such as "Escreva um post sobre o nosso café" ("um", "per", "com" are English
    too); their everyday words do not. Worked out once per token list: each span the model or the
    lists tag asks it again."""
    return _foreign_prompts.get(texts, lambda: _more_foreign_than_english(texts, gazetteer), gazetteer)


_foreign_prompts: LastTokenList[bool] = LastTokenList()


def _more_foreign_than_english(texts: list[str], gazetteer: Gazetteer) -> bool:
    everyday, english_of_prompts = foreign_everyday_words(), english_prompt_words()
    balance = 0
    for word in texts:
        if word.isalpha() and word.islower():
            foreign, english = word in everyday, gazetteer.is_english(word) or word in english_of_prompts
            balance += (foreign and not english) - (english and not foreign)
    return balance > 0


# What joins a key to its value in calendar files, configuration and query strings, written with no
# space on either side ("BEGIN:VEVENT", "FREQ=WEEKLY;BYDAY=FR"); a person's name in a form or a chat
# log is set off by a space ("Name: Lucie", "Lucie: Oui").
_SYNTAX_JOINERS = frozenset({":", "=", ";"})


def in_machine_syntax(texts: list[str], spaced: list[int], start: int, end: int) -> bool:
    """Whether the words ``texts[start:end]`` are capital letters only and a key or value of
    machine syntax: a joiner with no space on either side touches them or lies inside them
    ("DTSTART:20250314T090000Z", "BEGIN:VCALENDAR"). Such words are a format's vocabulary, not a
    name: the model, meeting capitals it never saw, took "VEVENT" for a place."""
    words = [word for word in texts[start:end] if any(character.isalpha() for character in word)]
    if not words or not all(word.isupper() for word in words):
        return False
    return any(_glued_joiner(texts, spaced, index) for index in range(start - 1, end + 1))


def _glued_joiner(texts: list[str], spaced: list[int], index: int) -> bool:
    return (
        0 < index < len(texts) - 1
        and texts[index] in _SYNTAX_JOINERS
        and not spaced[index - 1]
        and not spaced[index]
        and not texts[index + 1].isspace()
    )


def _holds_a_digit(words: list[str]) -> bool:
    return any(character.isdigit() for word in words for character in word)


def _a_measurement(words: list[str]) -> bool:
    """A number and one unit named after a person, nothing else."""
    alphabetic = [word for word in words if word.isalpha()]
    return (
        len(alphabetic) == 1
        and alphabetic[0].lower() in UNITS_NAMED_AFTER_PEOPLE
        and all(word.isalpha() or is_a_number(word) or word.isspace() for word in words)
    )


def _a_version(texts: list[str], stop: int) -> bool:
    """The address ends in a number that goes on with a dot and more digits: a release's number
    ("Django 3.2"), which no house number is written as."""
    return stop + 1 < len(texts) and texts[stop - 1].isdigit() and texts[stop] == "." and texts[stop + 1][:1].isdigit()


def _greek_without_a_number(words: list[str]) -> bool:
    return holds_greek("".join(words)) and not _holds_a_digit(words)


def gate_ner(nlp: Language, word_lists: Path) -> None:
    """Replace the pipeline's ``ner`` with the gated one (the model's weights are shared), reading
    the gazetteer from ``word_lists`` (the model's directory), or the packaged one's lists when
    that holds none."""
    if not Gazetteer.present_in(word_lists):
        word_lists = NER_WORD_LISTS
    nlp.add_pipe(GATED_NER, first=True, config={"word_lists": str(word_lists)})
    nlp.disable_pipe("ner")


@Language.factory(GATED_NER, default_config={"word_lists": str(NER_WORD_LISTS)})
def make_gated_ner(nlp: Language, name: str, word_lists: str) -> GatedEntityRecognizer:
    return GatedEntityRecognizer(nlp.get_pipe("ner"), gazetteer_from(Path(word_lists)))
