"""The NLU data: the held-out file shares no sentence with training, and covers every intent."""

import re
from collections import Counter

import yaml

from tests.conftest import ROOT


def examples(*paths) -> list[tuple[str, str]]:
    found = []
    for path in paths:
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            found += [
                (block["intent"], line.strip()[2:].strip())
                for line in block["examples"].splitlines()
                if line.strip().startswith("- ")
            ]
    return found


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


TRAINING = examples(*sorted((ROOT / "data" / "nlu").glob("*.yml")))
HELD_OUT = examples(ROOT / "tests" / "nlu_holdout.yml")
DOMAIN_INTENTS = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])


def test_no_held_out_sentence_is_also_in_training():
    seen = {normalised(text) for _, text in TRAINING}
    assert [text for _, text in HELD_OUT if normalised(text) in seen] == []


def test_no_sentence_is_listed_twice():
    counts = Counter(normalised(text) for _, text in TRAINING + HELD_OUT)
    assert [text for text, count in counts.items() if count > 1] == []


def test_every_intent_has_training_and_held_out_examples():
    assert {intent for intent, _ in TRAINING} == DOMAIN_INTENTS
    assert {intent for intent, _ in HELD_OUT} == DOMAIN_INTENTS


REALISTIC = sorted((ROOT / "tests" / "realistic").glob("cases_*.yml"))


def realistic_sentences() -> list[str]:
    sentences = []
    for path in REALISTIC:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            for turn in case["turns"]:
                sentences += [s for s in re.split(r"[.?!\n]+", turn) if len(s.split()) >= 3]
    return sentences


def test_no_realistic_message_is_in_the_training_data():
    """The realistic-message sets (tests/realistic) are evaluation only: none of their sentences is
    a training example, and none long enough to be distinctive (8 words) is inside one."""
    training = [normalised(text) for _, text in TRAINING]
    seen = set(training)
    leaked = [s for s in realistic_sentences() if normalised(s) in seen]
    assert REALISTIC and leaked == []
    long_ones = [normalised(s) for s in realistic_sentences() if len(s.split()) >= 8]
    assert [s for s in long_ones if any(s in t for t in training)] == []
