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
