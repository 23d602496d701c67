"""How many labelled examples it takes to move a held-out figure (issue 22, "the learning loop"), measured on
simulated lead labels (benchmarks/simulated_labels.yml: written for this, not real broker data).

The labels are split once, at random with a fixed seed, into a label pool (60 %) and a held-out part. For
each n the NLU is trained as `make train` trains it (config.yml; Rasa's own train_nlu) on a copy of
data/nlu plus the first n pool labels, written by ops.export_reviewed as a lead's labels would be (so its
rules apply: no evaluation copies, no duplicates). Each model is scored on the held-out labels (accuracy,
and macro F1 over their intents; a fallback counts as wrong) and on tests/nlu_holdout.yml (macro F1 as
`rasa test nlu` computes it) to show nothing else got worse. Prints a table; about 45 s per n here.

    python benchmarks/label_curve.py [--n 0 5 10 20 40 all]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker_faq.knowledge.loader import load_knowledge  # noqa: E402
from ops.export_reviewed import export_reviewed  # noqa: E402
from stores.miss_labels import Label  # noqa: E402

LABELS = ROOT / "benchmarks" / "simulated_labels.yml"
HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
SEED = 20261202
POOL_SHARE = 0.6
DEFAULT_N = ["0", "5", "10", "20", "40", "all"]


def simulated_labels(path: Path = LABELS) -> list[tuple[str, str]]:
    """(text, intent) in file order."""
    by_intent = yaml.safe_load(path.read_text(encoding="utf-8"))["labels"]
    return [(text, intent) for intent, texts in by_intent.items() for text in texts]


def split(labels: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The label pool (in the order labels are added) and the held-out part: one shuffle, a fixed seed."""
    shuffled = list(labels)
    random.Random(SEED).shuffle(shuffled)
    cut = round(len(shuffled) * POOL_SHARE)
    return shuffled[:cut], shuffled[cut:]


def as_labels(pool: list[tuple[str, str]]) -> list[Label]:
    return [Label(f"sim/{i}", text, intent, "sim", "simulated", float(i)) for i, (text, intent) in enumerate(pool)]


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    scores = []
    for intent in sorted(set(truth)):
        tp = sum(t == p == intent for t, p in zip(truth, predicted, strict=True))
        fp = sum(p == intent != t for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == intent != p for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def train(work: Path, labels: list[Label], topics: set[str], name: str) -> tuple[str, dict]:
    from rasa.model_training import train_nlu

    nlu = work / name / "nlu"
    shutil.copytree(ROOT / "data" / "nlu", nlu)
    export = export_reviewed(labels, topics, nlu / "reviewed.yml")
    model = train_nlu(str(ROOT / "config.yml"), str(nlu), str(work / name), fixed_model_name=name)
    assert model, f"training {name} failed"
    return model, export.summary()


async def score(model: str, held_out: list[tuple[str, str]], out: Path) -> dict:
    from rasa.core.agent import Agent
    from rasa.nlu.test import run_evaluation

    agent = Agent.load(model)
    truth = [intent for _, intent in held_out]
    predicted = [(await agent.parse_message(text))["intent"]["name"] for text, _ in held_out]
    project = await run_evaluation(
        str(HOLDOUT), agent.processor, output_directory=str(out), disable_plotting=True, report_as_dict=True
    )
    return {
        "accuracy": sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth),
        "macro_f1": macro_f1(truth, predicted),
        "holdout_macro_f1": project["intent_evaluation"]["report"]["macro avg"]["f1-score"],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", nargs="+", default=DEFAULT_N, help="pool sizes to train with; 'all' is the pool")
    args = parser.parse_args(argv)
    from rasa.utils.log_utils import configure_structlog

    logging.disable(logging.WARNING)
    configure_structlog(logging.WARNING)  # else one debug line per parsed message
    pool, held_out = split(simulated_labels())
    sizes = [len(pool) if n == "all" else min(int(n), len(pool)) for n in args.n]
    topics = set(load_knowledge().topics)
    print(f"simulated labels: {len(pool) + len(held_out)} ({len(pool)} pool, {len(held_out)} held out, "
          f"{len(set(i for _, i in held_out))} intents held out), seed {SEED}")  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory(prefix="label-curve-") as tmp:
        for n in sizes:
            model, exported = train(Path(tmp), as_labels(pool[:n]), topics, f"n{n}")
            rows.append((n, exported["examples"], asyncio.run(score(model, held_out, Path(tmp) / f"eval{n}"))))
            print(f"  n={n}: {exported}", flush=True)
    print("| labels added | exported | held-out accuracy | held-out macro F1 | nlu_holdout.yml macro F1 |")
    print("|---|---|---|---|---|")
    for n, exported, s in rows:
        print(f"| {n} | {exported} | {s['accuracy']:.3f} | {s['macro_f1']:.3f} | {s['holdout_macro_f1']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
