"""Laws, theorems and illnesses named after someone, as languages other than English write them.

Romance languages, Dutch and German put the discoverer after the result and a particle ("la loi de
Murphy", "il teorema di Pitagora", "de wet van Ohm", "der Satz des Pythagoras"); Polish, Russian and
Ukrainian put the name in the genitive right after it ("twierdzenie Pitagorasa", "закон Ома"). The name then
names the result, and masking it protects nobody and garbles a homework question.

Only nouns no one's belongings are called stand here: "la prueba de Ana" is her test, "el número
de Ana" her phone number and "el premio de Juan" his prize, so tests, numbers, methods, models and
prizes are left out, and so is Polish "prawo", which is also someone's right ("prawo Jana do
urlopu"). An illness takes a physician's name only from a short list: "la maladie de Marie" and "la enfermedad de mi
madre" say something about a person's health, the last thing a prompt should send as written.
"""

from __future__ import annotations

# Results a discoverer's name follows after a particle: fr, es, pt, it, de, nl.
RESULT_NOUNS = frozenset(
    """
    loi lois théorème principe paradoxe effet constante équation équations conjecture lemme
    hypothèse rasoir inégalité formule
    ley leyes teorema principio paradoja efecto ecuación ecuaciones conjetura lema hipótesis navaja
    desigualdad fórmula
    lei leis princípio paradoxo efeito equação equações conjectura hipótese navalha
    desigualdade
    legge leggi paradosso effetto costante equazione equazioni congettura ipotesi rasoio
    disuguaglianza
    satz gesetz gesetze prinzip paradoxon effekt konstante gleichung gleichungen vermutung
    hypothese ungleichung formel
    wet wetten stelling paradox effect vergelijking vergelijkingen vermoeden ongelijkheid
    formule
    """.split()
)
# The same results where the name follows in the genitive, with no particle: pl, ru, uk.
GENITIVE_RESULT_NOUNS = frozenset(
    """
    twierdzenie zasada paradoks efekt stała równanie równania hipoteza nierówność
    wzór
    закон законы теорема принцип парадокс эффект постоянная константа уравнение уравнения гипотеза
    неравенство формула
    закони ефект стала рівняння гіпотеза нерівність
    """.split()
)
# Particles between a result and its discoverer ("de", "di", "von", "van", "des", "del").
PARTICLES = frozenset("de d' d\u2019 du des del della dello di da do dos von van der".split())
ILLNESS_NOUNS = frozenset(
    """
    maladie syndrome enfermedad síndrome doença malattia morbo sindrome krankheit ziekte
    """.split()
)
GENITIVE_ILLNESS_NOUNS = frozenset(
    "choroba choroby chorobę chorobie chorobą zespół zespołu morbus болезнь болезни болезнью синдром хвороба хвороби".split()
)
# Physicians whose name names an illness, with the stems of their Slavic genitives ("Parkinsona",
# "Альцгеймера").
ILLNESS_NAMES = (
    "parkinson",
    "alzheimer",
    "crohn",
    "huntington",
    "tourette",
    "asperger",
    "hodgkin",
    "addison",
    "cushing",
    "raynaud",
    "hashimoto",
    "chagas",
    "lyme",
    "down",
    "basedow",
    "graves",
    "kawasaki",
    "ménière",
    "meniere",
    "paget",
    "behçet",
    "marfan",
    "sjögren",
    "guillain",
    "creutzfeldt",
    "паркинсон",
    "альцгеймер",
    "крон",
    "хантингтон",
    "даун",
    "аспергер",
    "туретт",
    "ходжкин",
    "гентингтон",
)


def names_a_discoverers_result(words: list[str], before: list[str]) -> bool:
    """Whether a finding's ``words`` name a result or an illness after its noun and particle.

    ``before`` holds the tokens before the finding on its line, nearest first. The finding may hold
    the noun itself ("Lei de Newton" tagged whole)."""
    head = [word for word in words if not word.isspace()]
    lead: list[str] = []
    while len(head) > 1 and (head[0].lower() in PARTICLES | RESULT_NOUNS | ILLNESS_NOUNS | GENITIVE_RESULT_NOUNS):
        lead.append(head.pop(0))
    context = [word.lower() for word in (*reversed(lead), *before)]
    name = head[0].lower() if head else ""
    if name[:2] in {"d'", "d\u2019"} and len(name) > 2:
        # "le nombre d'Avogadro" read as one token: the particle is glued to the name.
        context, name = ["d'", *context], name[2:]
    if context[:2] in (["'", "d"], ["\u2019", "d"]):
        context = ["d'", *context[2:]]  # the tokenizer cut "d'" from the name and in two
    if not name[:1].isalpha():
        return False
    if len(context) >= 2 and context[0] in PARTICLES:
        if context[1] in RESULT_NOUNS:
            return True
        if context[1] in ILLNESS_NOUNS:
            return name.startswith(ILLNESS_NAMES)
    if context and context[0] in GENITIVE_RESULT_NOUNS:
        return True
    return bool(context) and context[0] in GENITIVE_ILLNESS_NOUNS and name.startswith(ILLNESS_NAMES)
