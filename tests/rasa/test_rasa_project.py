"""The Rasa project itself: valid training data, every flow predicted right, held-out NLU scores."""

import json

import pytest

from tests.rasa_cli import MODEL, ROOT, rasa


@pytest.fixture(scope="module", autouse=True)
def trained_model():
    assert MODEL.exists(), "no trained model: `make test` trains one before running the tests"


def test_training_data_is_valid():
    result = rasa("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0


def test_every_test_story_is_predicted_without_error():
    result = rasa(
        "test",
        "core",
        "--stories",
        "tests/test_stories.yml",
        "--model",
        str(MODEL),
        "--out",
        "results/core",
        "--fail-on-prediction-errors",
    )
    assert result.returncode == 0, (ROOT / "results/core/failed_test_stories.yml").read_text()


def test_held_out_nlu_macro_f1_is_at_least_0_90(record_figure):
    result = rasa("test", "nlu", "--nlu", "tests/nlu_holdout.yml", "--model", str(MODEL), "--out", "results/nlu")
    assert result.returncode == 0
    report = json.loads((ROOT / "results/nlu/intent_report.json").read_text())
    accuracy, macro_f1 = report["accuracy"], report["macro avg"]["f1-score"]
    record_figure("held-out NLU intent accuracy", round(accuracy, 4))
    record_figure("held-out NLU macro F1", round(macro_f1, 4))
    print(f"held-out NLU: accuracy {accuracy:.4f}, macro F1 {macro_f1:.4f}")
    assert macro_f1 >= 0.90


def test_the_served_graphs_run_in_order_give_what_the_dask_runner_gives():
    """rasa_server/graph_runner.py on the trained model: every message of the held-out set parsed, and
    the next action predicted after it, with Rasa's dask runner and with the in-order one: the same."""
    import asyncio

    import yaml
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_server import graph_runner

    agent = Agent.load(str(MODEL))
    processor = agent.processor
    texts = [
        line.strip()[2:]
        for block in yaml.safe_load((ROOT / "tests/nlu_holdout.yml").read_text())["nlu"]
        for line in block.get("examples", "").splitlines()
        if line.strip().startswith("- ")
    ]
    assert len(texts) > 100

    def understood(run) -> list:
        DaskGraphRunner.run = run
        results = []
        for number, text in enumerate(texts):
            parsed = asyncio.run(agent.parse_message(text))
            tracker = DialogueStateTracker.from_events(
                f"graph-runner-{number}",
                [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"], parsed["entities"], parsed)],
                slots=agent.domain.slots,
            )
            prediction = processor._predict_next_with_tracker(tracker)
            results.append((parsed, prediction.policy_name, prediction.probabilities, prediction.events))
        return results

    original = DaskGraphRunner.run
    try:
        assert understood(graph_runner.run_in_order) == understood(graph_runner.DASK_RUN)
    finally:
        DaskGraphRunner.run = original


def test_entities_read_from_spacynlps_doc_are_the_ones_a_second_spacy_run_finds():
    """rasa_server/patches.entities_from_the_same_doc on the trained model: every held-out message, and
    the same in capitals and in lower case, parsed with the entity extractor reading SpacyNLP's doc and
    with Rasa's own extractor running spaCy again: the same parse, entities included."""
    import asyncio

    import yaml
    from rasa.core.agent import Agent
    from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor

    from rasa_server import patches

    agent = Agent.load(str(MODEL))
    texts = [
        line.strip()[2:]
        for block in yaml.safe_load((ROOT / "tests/nlu_holdout.yml").read_text())["nlu"]
        for line in block.get("examples", "").splitlines()
        if line.strip().startswith("- ")
    ]
    texts += [text.upper() for text in texts] + [text.lower() for text in texts]

    def parsed(process) -> list:
        SpacyEntityExtractor.process = process
        return [asyncio.run(agent.parse_message(text)) for text in texts]

    original = SpacyEntityExtractor.process
    try:
        rasa_way = parsed(patches._rasa_spacy_entities)
        assert parsed(patches.entities_from_the_same_doc) == rasa_way
    finally:
        SpacyEntityExtractor.process = original
    assert sum(bool(p["entities"]) for p in rasa_way) > len(texts) / 5  # the comparison has entities to tell
