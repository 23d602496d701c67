"""The project's intent classifier (nlu_components/ngram_classifier.py), outside Rasa's training
loop: it learns intents from examples, survives being saved and loaded, and sees entity kinds."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu_components.ngram_classifier import NgramIntentClassifier, _counters, _idf, _tfidf

EXAMPLES = {
    "stop_autopay": [
        "who turns off autopay",
        "how do I stop automatic payments",
        "cancel the autopay please",
        "stop auto pay for my group",
    ],
    "replace_id_card": [
        "member lost their ID card",
        "order a replacement ID card",
        "need a new member card",
        "where do I get a new ID card",
    ],
    "greet": ["hello", "hi there", "good morning", "hey"],
}


def training_data() -> TrainingData:
    return TrainingData(
        [Message(data={TEXT: text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    )


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path), Resource("intent_classifier"), ExecutionContext(GraphSchema({}), "test")


def trained(storage) -> NgramIntentClassifier:
    classifier = NgramIntentClassifier.create({}, *storage)
    classifier.train(training_data())
    return classifier


def classify(classifier: NgramIntentClassifier, text: str) -> Message:
    return classifier.process([Message(data={TEXT: text})])[0]


def test_unseen_wordings_get_the_right_intent_with_a_ranking(storage):
    classifier = trained(storage)
    for text, intent in [
        ("how can the group turn off auto-payments", "stop_autopay"),
        ("the employee lost his card", "replace_id_card"),
        ("hi!", "greet"),
    ]:
        message = classify(classifier, text)
        ranking = message.get("intent_ranking")
        assert message.get("intent")["name"] == intent
        assert [r["name"] for r in ranking][0] == intent
        assert ranking == sorted(ranking, key=lambda r: -r["confidence"])
        assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_a_saved_and_loaded_classifier_answers_exactly_the_same(storage):
    before = classify(trained(storage), "who stops autopay when a group leaves")
    after = classify(NgramIntentClassifier.load({}, *storage), "who stops autopay when a group leaves")
    assert after.get("intent_ranking") == before.get("intent_ranking")


def test_without_training_examples_nothing_is_classified(storage):
    classifier = NgramIntentClassifier.create({}, *storage)
    classifier.train(TrainingData([]))
    assert classify(classifier, "hello").get("intent") is None
    assert classify(NgramIntentClassifier.load({}, *storage), "hello").get("intent") is None


def test_its_weights_are_sklearns_sublinear_tf_idf():
    texts = [text for texts in EXAMPLES.values() for text in texts]
    for counter in _counters(NgramIntentClassifier.get_default_config()):
        reference = TfidfVectorizer(
            analyzer=counter.analyzer,
            token_pattern=counter.token_pattern,
            ngram_range=counter.ngram_range,
            sublinear_tf=True,
        ).fit(texts)
        ours = _tfidf(counter.fit_transform(texts), _idf(counter.transform(texts)))
        unseen = ["stop the autopay for an ID card", "zzz"]
        assert np.allclose(ours.toarray(), reference.transform(texts).toarray())
        assert np.allclose(
            _tfidf(counter.transform(unseen), _idf(counter.transform(texts))).toarray(),
            reference.transform(unseen).toarray(),
        )


def test_places_dates_and_counts_found_by_the_spacy_pipeline_become_features(storage, nlp):
    # `nlp`: the project's pipeline built in memory from the knowledge file (tests/conftest.py), so the
    # fast loop (`make unit`) needs no `make train` step; build/spacy_kp_en is the same pipeline on disk.
    message = Message(data={TEXT: "the group is in Fresno"})
    message.set(SPACY_DOCS[TEXT], nlp(message.get(TEXT)))
    assert NgramIntentClassifier.create({}, *storage)._text(message) == "the group is in Fresno __region__"


@pytest.mark.parametrize(
    "text",
    [
        "Terminations for CA groups: 800-790-4661, option 3 - correct?",
        "is it 1-866-868-7220 or (503) 813-2630, press 2?",
        "the fax is 503.813.3109 right",
        "5038132630 ext 3?",
    ],
)
def test_a_quoted_phone_number_or_option_is_not_a_count(storage, nlp, text):
    message = Message(data={TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text))
    kinds = NgramIntentClassifier.create({}, *storage)._text(message)[len(text) :].split()
    assert "__phone__" in kinds and "__count__" not in kinds


def test_counts_beside_a_phone_number_are_still_counts(storage, nlp):
    text = "HQ Oakland, 14 subscribers in LA, called 800-790-4661 option 3"
    message = Message(data={TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text))
    kinds = NgramIntentClassifier.create({}, *storage)._text(message)[len(text) :].split()
    assert kinds.count("__count__") == 1 and kinds.count("__phone__") == 2


def test_its_scores_are_the_sparse_matrix_product_of_its_features(storage):
    # The scoring reads each text's n-grams itself; what it computes is features @ weights + bias over
    # the TF-IDF blocks the training used (test above), for seen, unseen and empty wordings alike.
    classifier = trained(storage)
    texts = [text for texts in EXAMPLES.values() for text in texts]
    texts += ["stop the autopay for an ID card", "zzz", "", "¿Cómo cancelo el pago automático?", "ID ID ID card card"]
    # white space of every kind, capitals that lower-case by context (a final sigma) or into two characters
    texts += ["  stop\tthe\n\nAUTOPAY\u00a0now\u2003 ", "ΟΔΟΣ ΣΑΣ", "İD card", "a"]
    reference = classifier._features(texts) @ classifier._weights + classifier._bias
    ours = np.vstack([classifier._scores(text) for text in texts])
    assert np.allclose(ours, reference, rtol=1e-12, atol=1e-12)
    ours = np.vstack([classifier._scores(text) for text in texts])  # again, each word's columns remembered
    assert np.allclose(ours, reference, rtol=1e-12, atol=1e-12)
    loaded = NgramIntentClassifier.load({}, *storage)
    assert np.allclose(np.vstack([loaded._scores(text) for text in texts]), reference, rtol=1e-12, atol=1e-12)
