"""CPU of phone validation and of the whole PII analysis on 2,000-character windows.

    PYTHONPATH=$PWD .venv/bin/python bench/phone_cpu.py [--spacy-model NAME_OR_PATH|blank]

Two sets of windows, none overlapping another (``bench.latency.text_windows``), each analysed
once: the benign prompts of ``shared/data/guard*/benign.jsonl`` (everyday requests: few numbers,
some of them ticket or order numbers), and the phone dev set's sentences
(``tests/support/phone_dev_set.py``: a contact line or an everyday number in every sentence,
about fifty numbers a window, the dense end). For each window: the thread CPU time of
``FormattedPhoneRecognizer.analyze`` alone, then of ``Guard.analyze`` (every recognizer, and the
NER model unless ``blank``), the recognizer's memory of validated numbers emptied before each
(a new prompt's numbers are new). Mean and p99 in milliseconds; warm-up windows not counted.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.latency import median_and_p99, text_windows  # noqa: E402
from bench.pii_eval import find_data_root  # noqa: E402

WINDOW = 2000
BENIGN_WINDOWS = 120
DEV_SET_WINDOWS = 55  # the dev set's sentences fill 69
WARM_UP = 10
SEED = 2000


def benign_windows() -> list[str]:
    root = find_data_root()
    texts = []
    for folder in ("guard", "guard-public"):
        with (root / folder / "benign.jsonl").open(encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in lines if line.strip()]
    return text_windows(texts, WINDOW, WARM_UP + BENIGN_WINDOWS, seed=SEED)


def dev_set_windows() -> list[str]:
    from tests.support.phone_dev_set import negatives, positives

    sentences = [example.text for example in positives() + negatives()]
    random.Random(SEED).shuffle(sentences)
    return text_windows(["\n".join(sentences)], WINDOW, WARM_UP + DEV_SET_WINDOWS, seed=SEED)


def cpu_ms(guard, windows: list[str]) -> tuple[list[float], list[float]]:
    """Per window, CPU milliseconds of the phone recognizer alone and of ``guard.analyze``."""
    from bot.guard.phones import FormattedPhoneRecognizer

    recognizer = next(r for r in guard.analyzer._engine.registry.recognizers if isinstance(r, FormattedPhoneRecognizer))
    phone, whole = [], []
    for window in windows:
        recognizer._validations._entries.clear()
        started = time.thread_time()
        recognizer.analyze(window, ["PHONE_NUMBER"])
        phone.append((time.thread_time() - started) * 1000)
        recognizer._validations._entries.clear()
        started = time.thread_time()
        guard.analyze(window)
        whole.append((time.thread_time() - started) * 1000)
    return phone[WARM_UP:], whole[WARM_UP:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spacy-model", default=None, help="the guard's NER pipeline (default: the packaged one)")
    args = parser.parse_args(argv)

    from bot.guard import Guard

    guard = Guard(spacy_model=args.spacy_model)
    print(f"NER model: {guard.analyzer.model_name}; windows of {WINDOW} characters, each analysed once")
    for name, windows in (("benign prompts", benign_windows()), ("phone dev set", dev_set_windows())):
        phone, whole = cpu_ms(guard, windows)
        (_, phone_p99), (_, whole_p99) = median_and_p99(phone), median_and_p99(whole)
        print(
            f"  {name:<15} ({len(phone)}) phone validation mean {sum(phone) / len(phone):6.2f} ms  p99 {phone_p99:6.2f}   "
            f"whole analyze mean {sum(whole) / len(whole):6.2f} ms  p99 {whole_p99:6.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
