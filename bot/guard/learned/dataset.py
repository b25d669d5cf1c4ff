"""The labelled prompts the detector learns from: ``data/guard/`` in the repository.

Each folder of ``DATA_FOLDERS`` holds one JSON object a line (``id``, ``text``, ``source``,
``license``, ``category``): ``curated`` and ``public`` hold third-party prompts (see their READMEs
for sources and licences); ``project``, ``project-b`` to ``project-z`` and ``project-aa`` hold multilingual
prompts written for this project (there is no ``project-g``: that letter named a part of the
unseen evaluation set, ``bench/data/guard-unseen/``). Each data set names its categories its own
way; ``LABELS`` folds them into the classes the model predicts, which are the rule table's
categories so a block names one kind of attempt whichever layer caught it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from bot.guard.rules import Category

REPO_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = REPO_ROOT / "data" / "guard"
DATA_FOLDERS = (
    "curated",
    "public",
    "project",
    "project-b",
    "project-c",
    "project-d",
    "project-e",
    "project-f",
    "project-h",
    "project-i",
    "project-j",
    "project-k",
    "project-l",
    "project-m",
    "project-n",
    "project-o",
    "project-p",
    "project-q",
    "project-r",
    "project-s",
    "project-t",
    "project-u",
    "project-v",
    "project-w",
    "project-x",
    "project-y",
    "project-z",
    "project-aa",
)
BENIGN = "benign"

LABELS: dict[str, str] = {
    "template_jailbreak": Category.PERSONA_JAILBREAK,
    "jailbreak_template": Category.PERSONA_JAILBREAK,
    "persona_jailbreak": Category.PERSONA_JAILBREAK,
    "instruction_override": Category.INSTRUCTION_OVERRIDE,
    "hijacking": Category.INSTRUCTION_OVERRIDE,
    # Translated overrides and extraction attempts; the bulk of them override.
    "multilingual": Category.INSTRUCTION_OVERRIDE,
    "prompt_leak": Category.PROMPT_EXTRACTION,
    "extraction": Category.PROMPT_EXTRACTION,
    "prompt_extraction": Category.PROMPT_EXTRACTION,
    "indirect_injection": Category.INDIRECT_INJECTION,
    "encoding": Category.ENCODED_PAYLOAD,
    "obfuscation": Category.ENCODED_PAYLOAD,
    "encoded_payload": Category.ENCODED_PAYLOAD,
}

# Rows built from one origin share phrasing, so they are held out together: PromptInject's
# strings and the tasks composed from them, CyberSecEval and its machine translations, a
# BIPIA email with and without its payload.
_SOURCE_OF_PREFIX = (
    (r"composed-pi|promptinject", "promptinject"),
    (r"composed-indirect", "garak-latentinjection"),
    (r"encoding", "garak-encoding"),
    (r"garak-dan", "dan-templates"),
    (r"acp-", "awesome-chatgpt-prompts"),
    (r"garak-sysprompt", "garak-sysprompt"),
    (r"garak-normal", "garak-normal"),
    (r"cse-", "cyberseceval"),
    (r"bipia", "bipia"),
    (r"llmguard", "llm-guard"),
    (r"selfinstruct", "self-instruct"),
    (r"mtbench|vicuna", "fastchat"),
    (r"notinject", "notinject"),
    (r"oasst", "openassistant"),
    (r"authored", "curated-authored"),
    (r"project-", "project-authored"),
    # Later sets written for the project apart from the first and from each other (by other hands,
    # without reading them): families of their own, so each project set is also scored by models
    # the others trained.
    (r"projb-", "project-authored-b"),
    (r"projc-", "project-authored-c"),
    (r"projd-", "project-authored-d"),
    (r"proje-", "project-authored-e"),
    (r"projf-", "project-authored-f"),
    (r"projh-", "project-authored-h"),
    (r"proji-", "project-authored-i"),
    (r"projj-", "project-authored-j"),
    (r"projk-", "project-authored-k"),
    (r"projl-", "project-authored-l"),
    (r"projm-", "project-authored-m"),
    (r"projn-", "project-authored-n"),
    (r"projo-", "project-authored-o"),
    (r"projp-", "project-authored-p"),
    (r"projq-", "project-authored-q"),
    (r"projr-", "project-authored-r"),
    (r"projs-", "project-authored-s"),
    (r"projt-", "project-authored-t"),
    (r"proju-", "project-authored-u"),
    (r"projv-", "project-authored-v"),
    (r"projw-", "project-authored-w"),
    (r"projx-", "project-authored-x"),
    (r"projy-", "project-authored-y"),
    (r"projz-", "project-authored-z"),
    (r"projaa-", "project-authored-aa"),
)
# The families written for this project (their rows carry a ``lang``), as against third-party ones.
PROJECT_SOURCES = frozenset(source for _, source in _SOURCE_OF_PREFIX if source.startswith("project-authored"))


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    category: str  # as the data set names it
    label: str  # BENIGN or a Category value
    source: str  # origin family, for leave-one-source-out evaluation
    lang: str | None  # given by project-authored rows only


def source_of(row_id: str) -> str:
    for pattern, source in _SOURCE_OF_PREFIX:
        if re.match(pattern, row_id):
            return source
    return re.split(r"[-_]", row_id, maxsplit=1)[0]


def _read(path: Path, *, attack: bool) -> list[Example]:
    examples = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            label = LABELS[row["category"]] if attack else BENIGN
            source = source_of(row["id"])
            if attack and source == "awesome-chatgpt-prompts":
                source = "dan-templates"  # its one attack is a DAN prompt, kin to garak's
            examples.append(Example(row["id"], row["text"], row["category"], str(label), source, row.get("lang")))
    return examples


def read_folder(folder: Path) -> list[Example]:
    """The attacks, then the benign prompts, of one folder laid out as ``data/guard/``'s are."""
    return _read(folder / "attacks.jsonl", attack=True) + _read(folder / "benign.jsonl", attack=False)


def load_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """Every attack and benign prompt under ``data_dir``, in file order (training is seeded)."""
    return [example for folder in DATA_FOLDERS for example in read_folder(data_dir / folder)]
