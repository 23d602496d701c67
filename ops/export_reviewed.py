"""`make export-reviewed` (and the misses inbox's Export button, web/misses_api.py): the messages leads
labelled (stores/miss_labels.py), masked as stored, written as NLU examples to one reviewed data file,
data/nlu/reviewed.yml (REVIEWED_NLU), that a maintainer reads and commits; `make train` then trains on it
with the rest of data/nlu.

A message labelled with a topic becomes an example of that topic's intent, one labelled out of scope an
example of out_of_scope; "needs a new topic" is not exported (no intent to train yet), nor is a label whose
topic the knowledge no longer has. The file is written whole each time from the current labels, so an
undone label leaves it at the next export.

Never trained on an evaluation set: a message that is, or nearly is (rapidfuzz ratio >= NEAR_COPY), a
sentence of the held-out NLU file or of the realistic and dev evaluation sets, or holds a distinctive one
(LONG_SENTENCE words or more), is left out and counted; so is one already a training example elsewhere
(tests/unit/test_training_data.py holds the written file to the same rules).

    python -m ops.export_reviewed [--out data/nlu/reviewed.yml]
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from broker_faq import yaml_io
from stores.miss_labels import NEW_TOPIC, OUT_OF_SCOPE, Label, label_store
from web.accounts import accounts_path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = "data/nlu/reviewed.yml"
NEAR_COPY = 90  # as tests/unit/test_training_data.NEAR_COPY
LONG_SENTENCE = 8  # words: a realistic sentence this long is distinctive even inside a longer message
HEADER = """\
# Written by `make export-reviewed` (ops/export_reviewed.py) from the misses leads labelled in the agent
# console, masked as stored. Read it before committing it; it is written whole at each export.
"""


@dataclass
class Export:
    examples: dict[str, list[str]] = field(default_factory=dict)  # intent -> texts, in labelling order
    evaluation_copies: int = 0
    already_trained: int = 0
    new_topic: int = 0

    def summary(self) -> dict:
        return {
            "examples": sum(len(texts) for texts in self.examples.values()),
            "intents": len(self.examples),
            "left_out_as_evaluation_copies": self.evaluation_copies,
            "left_out_as_already_trained": self.already_trained,
            "needing_a_new_topic": self.new_topic,
        }


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def nlu_examples(path: Path) -> list[str]:
    blocks = (yaml_io.load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []
    return [
        line.strip()[2:].strip()
        for block in blocks
        for line in (block.get("examples") or "").splitlines()
        if line.strip().startswith("- ")
    ]


@functools.cache
def evaluation_sentences() -> tuple[str, ...]:
    """Every normalised sentence of two words or more of the evaluation files (as the leakage tests read them)."""
    sentences = [normalised(text) for text in nlu_examples(ROOT / "tests" / "nlu_holdout.yml")]
    realistic = sorted((ROOT / "tests" / "realistic").glob("cases_*.yml"))
    sets = [*realistic, ROOT.parent / "shared" / "eval" / "dev_cases.yml"]  # the shared dev checks, when present
    for path in sets:
        if not path.exists():
            continue
        for case in yaml_io.load(path.read_text(encoding="utf-8")) or []:
            for turn in case.get("turns") or []:
                pieces = (normalised(s) for s in re.split(r"[.?!\n]+", turn))
                sentences += [s for s in pieces if len(s.split()) >= 2]
    return tuple(sentences)


@functools.cache
def _distinctive_sentences() -> tuple[str, ...]:
    """The evaluation sentences of LONG_SENTENCE words or more, picked once, not for every message checked."""
    return tuple(s for s in evaluation_sentences() if len(s.split()) >= LONG_SENTENCE)


def is_evaluation_copy(text: str) -> bool:
    said, evaluated = normalised(text), evaluation_sentences()
    if process.extractOne(said, evaluated, scorer=fuzz.ratio, score_cutoff=NEAR_COPY):
        return True
    return any(s in said for s in _distinctive_sentences())


def trained_elsewhere(out: Path) -> set[str]:
    files = sorted((ROOT / "data" / "nlu").glob("*.yml"))
    return {normalised(text) for path in files if path.resolve() != out.resolve() for text in nlu_examples(path)}


def collect(labels: Iterable[Label], topics: set[str], trained: set[str]) -> Export:
    export, seen = Export(), set(trained)
    for label in labels:
        text = " ".join(label.text.split())
        if label.label == NEW_TOPIC:
            export.new_topic += 1
            continue
        if label.label != OUT_OF_SCOPE and label.label not in topics:
            continue
        if normalised(text) in seen:
            export.already_trained += 1
        elif is_evaluation_copy(text):
            export.evaluation_copies += 1
        else:
            seen.add(normalised(text))
            export.examples.setdefault(label.label, []).append(text)
    return export


def render(export: Export) -> str:
    """Rasa's NLU format, each intent's examples a literal block (one message a line, so no text needs quoting)."""
    lines = [HEADER + 'version: "3.1"', "", "nlu:" if export.examples else "nlu: []"]
    for intent, texts in sorted(export.examples.items()):
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {text}" for text in texts), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def export_reviewed(labels: Iterable[Label], topics: set[str], out: Path) -> Export:
    """Writes the reviewed file from the labels; what was written and left out."""
    export = collect(labels, topics, trained_elsewhere(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(export), encoding="utf-8")
    return export


def reviewed_path(env: dict[str, str]) -> Path:
    return ROOT / env.get("REVIEWED_NLU", DEFAULT_OUT)


def main(argv: list[str]) -> int:
    from broker_faq.knowledge import runtime

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=reviewed_path(dict(os.environ)))
    args = parser.parse_args(argv)
    labels = label_store(dict(os.environ), accounts_path()).current().values()
    export = export_reviewed(labels, set(runtime.current().knowledge.topics), args.out)
    print(f"written: {args.out}: {export.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
