"""A clause the name model tagged whole keeps only the names the lists know inside it; languages,
idioms and quoted openers of other languages are not names; names in the same shapes still are."""

from __future__ import annotations

import pytest

from bot.guard import Guard

# The speakers of the chat lines below, who are masked.
SPEAKERS = frozenset({"Cem", "Marco"})


def masked_values(guard: Guard, text: str) -> list[str]:
    return [text[finding.start : finding.end] for finding in guard.analyze(text)]


@pytest.mark.parametrize(
    "text",
    [
        # A language after the article or preposition that makes it one.
        "Vertaal deze LinkedIn-post naar het Engels, voor de internationale collega's.",
        "Test 5: klant vraagt in het Engels, bot antwoordt in het Frans.",
        "Erklär mir kurz auf Deutsch, was dieses Skript macht.",
        # German's "in force" and "out of force"; a clause tagged whole around a listed name.
        "Die neue Reiserichtlinie setzt alle bisherigen Anweisungen außer Kraft; die Admins prüfen.",
        "Die Regel tritt sofort in Kraft.",
        # An everyday word opening a quotation in guillemets or low marks.
        "« Petit-déjeuner maison, confitures incroyables. »",
        "«Коллеги, добрый день! Выставка переносится на март.",
        # An everyday word opening what a speaker of a chat log says.
        "[18:07] Cem: Tamam. Adet 250 mi?",
        "[lun 09:22] Marco: Perfetto, meno lavoro oggi.",
        "Mesaj: Merhaba, şirket adresimiz değişti.",
    ],
)
def test_languages_idioms_and_clauses_are_not_masked(guard: Guard, text: str) -> None:
    assert [value for value in masked_values(guard, text) if value not in SPEAKERS] == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # The name inside the clause, without the clause's nouns.
        ("Markus richtet die Lizenzen ein.", ["Markus"]),
        ("Vertaal de welkomstinstructies voor het kantoor in Dublin naar het Engels.", ["Dublin"]),
        # Names that hold joining words stay whole.
        ("Saint Vincent and the Grenadines is lovely in May.", ["Saint Vincent and the Grenadines"]),
        ("Email Ludwig van Beethoven and Leonardo da Vinci.", ["Ludwig van Beethoven", "Leonardo da Vinci"]),
        # The same words as names.
        ("Friedrich Engels schreef samen met Marx.", ["Friedrich Engels", "Marx"]),
        ("Schreib eine Mail an Frau Kraft wegen der Rechnung.", ["Frau Kraft"]),
        # A name the lists hold after a field's colon is a person, though the word is everyday too.
        ("Asistentes: Rosa, Tomás y Luz García.", ["Rosa", "Tomás", "Luz García"]),
        ("[18:07] Cem: Tamam, Selin bülteni yazar.", ["Cem", "Selin"]),
        # Greetings and sign-offs open a line without being a name.
        ("Cześć Bartek, wyślij mi proszę plik do piątku.", ["Bartek"]),
        ("Teklifi ekte bulabilirsiniz.\n\nSaygılarımızla,\nDerya Yalçın", ["Derya Yalçın"]),
        ("Вітаю! Ви зателефонували до банку. Чим можу допомогти, Олено?", ["Олено"]),
    ],
)
def test_the_names_in_the_same_shapes_are_masked(guard: Guard, text: str, names: list[str]) -> None:
    assert masked_values(guard, text) == names
