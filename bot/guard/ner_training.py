"""Train the packaged NER model: ``python -m bot.guard.ner_training [--out DIR]``.

A blank English spaCy pipeline with the guard's own tokenizer and one ``ner`` component, trained
on sentences from ner_corpus.py. Seeds are fixed (corpus, spaCy, thinc), so a run on the same
versions gives the same model. The result is a directory ``spacy.load`` reads like any model;
pii.py loads it by default. Beside the weights it writes the gazetteer's word lists
(ner_word_lists.py), which the gate in ner.py reads. The tok2vec layer is kept narrow so that the model is a few
megabytes and tags a 2,000-character prompt in a few milliseconds on one CPU core.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.training import Example
from spacy.util import minibatch
from thinc.api import compounding, fix_random_seed

from bot.guard.ner_corpus import LABELS, Sentence, generate
from bot.guard.ner_word_lists import write_word_lists
from bot.guard.pii import PACKAGED_NER_MODEL, TRAINED_MODEL_NAME
from bot.guard.tokenizer import WordPunctTokenizer

SEED = 20240611
MODEL_VERSION = "1.1.0"
# Narrower than spaCy's default (96 wide, 4 deep, 64 hidden, 2,000-5,000 hash rows): the speed and size
# this guard can afford, measured by bench/pii_eval.py.
TOK2VEC = {
    "@architectures": "spacy.HashEmbedCNN.v2",
    "pretrained_vectors": None,
    "width": 48,
    "depth": 2,
    "embed_size": 3000,
    "window_size": 1,
    "maxout_pieces": 3,
    "subword_features": True,
}


def blank_pipeline() -> Language:
    nlp = spacy.blank("en")
    nlp.tokenizer = WordPunctTokenizer(nlp.vocab)
    parser = {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 48,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": TOK2VEC,
    }
    ner = nlp.add_pipe("ner", config={"model": parser})
    assert isinstance(ner, EntityRecognizer)
    for label in LABELS:
        ner.add_label(label)
    return nlp


def to_example(nlp: Language, sentence: Sentence) -> Example:
    doc = nlp.make_doc(sentence.text)
    spans = []
    for start, end, label in sentence.entities:
        span = doc.char_span(start, end, label=label, alignment_mode="contract")
        if span is not None:
            spans.append(span)
    return Example.from_dict(doc, {"entities": [(s.start_char, s.end_char, s.label_) for s in spans]})


def train(out: Path, *, sentences: int, epochs: int, seed: int = SEED, log: bool = True) -> Language:
    """Train on ``sentences`` generated sentences for ``epochs`` passes and save to ``out``."""
    fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = blank_pipeline()
    examples = [to_example(nlp, sentence) for sentence in generate(sentences, seed=seed)]
    optimizer = nlp.initialize(lambda: examples)
    for epoch in range(epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        started = time.perf_counter()
        for batch in minibatch(examples, size=compounding(8.0, 64.0, 1.001)):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        if log:
            print(
                f"epoch {epoch + 1}/{epochs}: loss {losses.get('ner', 0.0):.1f} ({time.perf_counter() - started:.0f} s)"
            )
    nlp.meta.update({"name": TRAINED_MODEL_NAME, "version": MODEL_VERSION, "lang": "en"})
    nlp.meta["description"] = f"Guard NER: {', '.join(LABELS)}; {sentences} generated sentences, seed {seed}"
    out.mkdir(parents=True, exist_ok=True)
    # spacy.load expects the tokenizer its config names; pii.py swaps ours back in after loading.
    trained_tokenizer, nlp.tokenizer = nlp.tokenizer, spacy.blank("en", vocab=nlp.vocab).tokenizer
    nlp.to_disk(out)
    write_word_lists(out)
    nlp.tokenizer = trained_tokenizer
    return nlp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the guard's packaged NER model.")
    parser.add_argument("--out", type=Path, default=PACKAGED_NER_MODEL)
    parser.add_argument("--sentences", type=int, default=16000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    train(args.out, sentences=args.sentences, epochs=args.epochs, seed=args.seed)
    print(f"saved to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
