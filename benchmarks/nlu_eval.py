"""Held-out NLU scores for trained models, as `rasa test nlu` computes them, in one process.

Uses Rasa's own evaluation (rasa.nlu.test.run_evaluation: fallback predictions are undone, the
report is sklearn's) so the figures match tests/rasa's; one process loads every model, saving a
TensorFlow start-up per model. Also counts how many held-out messages got a region or date entity
(the stock pipeline has no extractor for them). Prints one JSON object keyed by model name.

  nlu_eval.py results/bench/holdout project=path/to/project.tar.gz baseline=path/to/baseline.tar.gz
"""

import asyncio
import json
import logging
import sys
from pathlib import Path

from rasa.core.agent import Agent
from rasa.nlu.test import run_evaluation
from rasa.shared.nlu.training_data.loading import load_data

HOLDOUT = "tests/nlu_holdout.yml"
OOS = "out_of_scope"


async def score(name: str, model: str, out: Path) -> dict:
    agent = Agent.load(model)
    result = await run_evaluation(
        HOLDOUT, agent.processor, output_directory=str(out / name), disable_plotting=True, report_as_dict=True
    )
    report = result["intent_evaluation"]["report"]
    with_entity = 0
    for example in load_data(HOLDOUT).intent_examples:
        parsed = await agent.parse_message(example.get("text"))
        with_entity += any(e["entity"] in ("region", "date") for e in parsed.get("entities", []))
    return {
        "examples": report["macro avg"]["support"],
        "intent_accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "oos_recall": round(report[OOS]["recall"], 4) if OOS in report else None,
        "messages_with_region_or_date_entity": with_entity,
    }


async def main() -> None:
    logging.disable(logging.INFO)
    out = Path(sys.argv[1])
    scores = {}
    for arg in sys.argv[2:]:
        name, model = arg.split("=", 1)
        scores[name] = await score(name, model, out)
    print(json.dumps(scores))


if __name__ == "__main__":
    asyncio.run(main())
