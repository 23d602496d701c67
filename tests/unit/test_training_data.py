"""The NLU data: the held-out file shares no sentence with training, and covers every intent."""

import functools
import re
from collections import Counter

from broker_faq import yaml_io
from tests.conftest import ROOT


def examples(*paths) -> list[tuple[str, str]]:
    found = []
    for path in paths:
        for block in yaml_io.load(path.read_text(encoding="utf-8"))["nlu"]:
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
DOMAIN_INTENTS = set(yaml_io.load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])


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


@functools.cache
def cases(path) -> list[dict]:
    """An evaluation file's cases, read once for the tests below: the realistic sets are 340 KB of YAML."""
    return yaml_io.load(path.read_text(encoding="utf-8"))


def realistic_sentences() -> list[str]:
    sentences = []
    for path in REALISTIC:
        for case in cases(path):
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
    examples = "\n".join(training)  # inside one example: a normalised sentence holds no line break
    assert [s for s in long_ones if s in examples] == []


# Every evaluation file: the realistic and blind sets, the shared dev checks, the held-out NLU file.
EVALUATION = [*REALISTIC, ROOT.parent / "shared" / "eval" / "dev_cases.yml"]
# Formulas with no topic that every conversation set opens or closes with ("hi team", "thank you"):
# not what an evaluation measures, so a training example of these intents may match one.
SOCIAL = {"greet", "thank", "goodbye", "affirm", "deny", "bot_challenge"}
NEAR_COPY = 90  # rapidfuzz ratio of the normalised sentences


def evaluation_sentences() -> list[str]:
    """Every sentence of two words or more of every evaluation file, short look-ups included ("EBS fax")."""
    sentences = [normalised(text) for _, text in HELD_OUT]
    for path in EVALUATION:
        for case in cases(path):
            for turn in case["turns"]:
                sentences += [normalised(s) for s in re.split(r"[.?!\n]+", turn) if len(normalised(s).split()) >= 2]
    return sentences


def test_no_training_example_is_a_near_copy_of_an_evaluation_sentence():
    """Near-copies too ("do deductible accumulations follow members to the new location" beside the dev
    check's "... follow members who move to the new location"): a set measures nothing its training has."""
    from rapidfuzz import fuzz, process

    evaluated = evaluation_sentences()
    assert len(EVALUATION) >= 6 and evaluated
    texts = [text for intent, text in TRAINING if intent not in SOCIAL]
    # Every example against every sentence in one call (what extractOne found one example at a time, at a
    # quarter of the time); a ratio under the cutoff is 0, and each copy is named with its closest sentence.
    ratios = process.cdist([normalised(text) for text in texts], evaluated, scorer=fuzz.ratio, score_cutoff=NEAR_COPY)
    copies = [(text, evaluated[row.argmax()]) for text, row in zip(texts, ratios, strict=True) if row.max() > 0]
    assert copies == []


# The misses leads labelled, exported by `make export-reviewed` (ops/export_reviewed.py) for a maintainer to
# commit: trained on, so never an evaluation sentence, near copy or distinctive part of one.
REVIEWED = ROOT / "data" / "nlu" / "reviewed.yml"


def test_the_reviewed_file_is_training_data_and_holds_no_evaluation_sentence():
    from rapidfuzz import fuzz, process

    from ops.export_reviewed import DEFAULT_OUT, is_evaluation_copy

    assert ROOT / DEFAULT_OUT == REVIEWED
    reviewed = examples(REVIEWED) if REVIEWED.exists() else []
    assert set(reviewed) <= set(TRAINING)  # data/nlu/*.yml: what `rasa train` reads
    evaluated = evaluation_sentences()
    copies = [
        text
        for _, text in reviewed
        if normalised(text) in set(evaluated)
        or process.extractOne(normalised(text), evaluated, scorer=fuzz.ratio, score_cutoff=NEAR_COPY)
        or is_evaluation_copy(text)
    ]
    assert copies == []


def test_the_export_refuses_every_held_out_and_realistic_sentence():
    """The export's own guard (ops/export_reviewed.is_evaluation_copy) knows every evaluation file."""
    from ops.export_reviewed import is_evaluation_copy

    assert [text for _, text in HELD_OUT if not is_evaluation_copy(text)] == []
    long_ones = [s for s in realistic_sentences() if len(s.split()) >= 4]
    assert long_ones and [s for s in long_ones if not is_evaluation_copy(s)] == []


# The simulated lead labels of benchmarks/label_curve.py (benchmarks/simulated_labels.yml): the figure they move
# is measured on them, so none is a training example or an evaluation sentence, nor a near copy of either.
SIMULATED = ROOT / "benchmarks" / "simulated_labels.yml"


def test_the_simulated_labels_are_neither_training_data_nor_an_evaluation_set():
    from rapidfuzz import fuzz, process

    from ops.export_reviewed import is_evaluation_copy

    simulated = [
        text for texts in yaml_io.load(SIMULATED.read_text(encoding="utf-8"))["labels"].values() for text in texts
    ]
    training = [normalised(text) for _, text in TRAINING]
    assert len(simulated) >= 100
    assert len({normalised(text) for text in simulated}) == len(simulated)  # none listed twice
    trained = [
        t for t in simulated if process.extractOne(normalised(t), training, scorer=fuzz.ratio, score_cutoff=NEAR_COPY)
    ]
    assert trained == []
    assert [text for text in simulated if is_evaluation_copy(text)] == []
