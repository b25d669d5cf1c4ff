"""Evidence of an injection that does not depend on how it is phrased: which intents a prompt
names, in what combination and order, and how the prompt is built.

The n-gram model reads wording, and wording is what a new source changes. These features read
what stays: an override verb next to "instructions" in any language (the concepts of
lexicon.py), the order they come in, an order addressed to the assistant after a block of
pasted data, a role marker such as "system:", an HTML comment, text that switches script, a long
encoded run. ``evidence_model`` weighs them with a small logistic regression.
"""

from __future__ import annotations

import re
from itertools import combinations

from bot.guard.learned.lexicon import CONCEPT_PREFIX, CONCEPTS, concept_positions, concepts_in
from bot.guard.normalize import normalize

# Who a line claims to come from, as chat templates and planted "system:" lines say it.
_ROLE_WORDS = (
    "system|assistant|admin|developer|sistema|système|systeem|system|система|систем|sistem|النظام|सिस्टम|"
    "システム|系统|시스템|asistente|assistente|assistent|ассистент|асистент|asistan|المساعد|सहायक|"
    "アシスタント|助手|어시스턴트"
)
_HEADER_WORDS = "from|to|subject|cc|de|para|asunto|objet|von|betreff|oggetto|от|тема|kimden|konu|van|onderwerp|temat"


def _spelled(words: str) -> str:
    """The words as ``normalize`` leaves them (Cyrillic look-alikes folded, accents dropped), as
    a regex alternation."""
    return "|".join(re.escape(normalize(word)) for word in dict.fromkeys(words.split("|")))


# A role word followed by a colon (NFKC has made a full-width colon plain) where a line or
# sentence starts, or a chat template's own markers.
_ROLE_MARKER = re.compile(
    rf"(?:^|[\n.。>\]|]\s*|\s-\s)(?:{_spelled(_ROLE_WORDS)})\s*:"
    r"|\[(?:system|inst|/inst|admin)\]|<\|?(?:im_start|system|im_end)\|?>|###\s*(?:instruction|system)"
)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CODE_OR_QUOTE = re.compile(r"```|^\s*>", re.MULTILINE)
_EMAIL_HEADER = re.compile(rf"(?:^|\n)\s*(?:{_spelled(_HEADER_WORDS)})\s*:")
_QUOTED_SPAN = re.compile(r"[\"«»“”„「」『』](?=[^\"«»“”„「」『』]{40,})")
_ENCODED_RUN = re.compile(r"[a-z0-9+/=]{32,}")
_SCRIPTS = (
    # A whole Latin word: ``normalize`` folds Cyrillic look-alikes to Latin letters inside words.
    ("latin", re.compile(r"\b[a-z]{3,}\b")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("arabic", re.compile(r"[\u0600-\u06ff]")),
    ("indic", re.compile(r"[\u0900-\u0dff]")),
    ("cjk", re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")),
)
# Concept pairs an attack puts together (an intent and its object); any concept pair is a
# feature, these also count in the order an attack says them.
_ORDERED_PAIRS = (
    ("ignore", "instructions"),
    ("ignore", "rules"),
    ("reveal", "system_prompt"),
    ("reveal", "instructions"),
    ("you_are_now", "no_limits"),
    ("from_now_on", "you_are_now"),
    ("while_processing", "reveal"),
    ("ai_addressee", "ignore"),
)
_LENGTH_BUCKETS = (80, 300, 1000)
_CONCEPT_COUNTS = (2, 3, 4, 6)

STRUCTURE_FEATURES = (
    "s:role_marker",
    "s:html_comment",
    "s:concepts_in_comment",
    "s:code_or_quote",
    "s:email_header",
    "s:quoted_span",
    "s:concepts_after_data",
    "s:concepts_in_tail",
    "s:script_mix",
    "s:encoded_run",
    *(f"s:length>{size}" for size in _LENGTH_BUCKETS),
    *(f"s:concepts>={count}" for count in _CONCEPT_COUNTS),
    *(f"o:{first}<{second}" for first, second in _ORDERED_PAIRS),
)
_CONCEPT_NAMES = tuple(CONCEPTS)
EVIDENCE_FEATURES: tuple[str, ...] = (
    *(CONCEPT_PREFIX + name for name in _CONCEPT_NAMES),
    *(f"{CONCEPT_PREFIX}{first}+{second}" for first, second in combinations(_CONCEPT_NAMES, 2)),
    *STRUCTURE_FEATURES,
)


def evidence_of(normalized: str) -> list[str]:
    """The names of the ``EVIDENCE_FEATURES`` present in a normalized prompt."""
    positions = concept_positions(normalized)
    concepts = [name for name in _CONCEPT_NAMES if name in positions]
    found = [CONCEPT_PREFIX + name for name in concepts]
    found.extend(f"{CONCEPT_PREFIX}{first}+{second}" for first, second in combinations(concepts, 2))
    if _ROLE_MARKER.search(normalized):
        found.append("s:role_marker")
    comments = _HTML_COMMENT.findall(normalized)
    if comments:
        found.append("s:html_comment")
        if any(concepts_in(comment) for comment in comments):
            found.append("s:concepts_in_comment")
    if _CODE_OR_QUOTE.search(normalized):
        found.append("s:code_or_quote")
    if _EMAIL_HEADER.search(normalized):
        found.append("s:email_header")
    if _QUOTED_SPAN.search(normalized):
        found.append("s:quoted_span")
    if concepts:
        length = max(1, len(normalized))
        last = max(positions.values(), default=-1)
        # A prompt that opens with a plain request and ends with the concepts of an order.
        if last >= 0 and min(positions.values()) > length // 3:
            found.append("s:concepts_after_data")
        if last >= 2 * length // 3:
            found.append("s:concepts_in_tail")
        for first, second in _ORDERED_PAIRS:
            if 0 <= positions.get(first, -1) < positions.get(second, -1):
                found.append(f"o:{first}<{second}")
    if sum(1 for _, pattern in _SCRIPTS if pattern.search(normalized)) >= 2:
        found.append("s:script_mix")
    if _ENCODED_RUN.search(normalized):
        found.append("s:encoded_run")
    found.extend(f"s:length>{size}" for size in _LENGTH_BUCKETS if len(normalized) > size)
    found.extend(f"s:concepts>={count}" for count in _CONCEPT_COUNTS if len(concepts) >= count)
    return found
