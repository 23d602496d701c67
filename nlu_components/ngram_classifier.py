"""An intent classifier over word and character n-grams of the message, plus the kinds of entity the
project's spaCy pipeline found in it (region, date, count, team).

Why not Rasa's CountVectorsFeaturizer + LogisticRegressionClassifier: Rasa builds token-sequence
and sentence features for every featurizer and stacks them per message as scipy matrices, which was
about a third of the Rasa server's time per message (pyinstrument, `make bench`), and its features
cannot say "a place was named here". This component vectorises the text itself (TF-IDF, sublinear)
and scores it with a multinomial logistic regression; the entity kinds are extra word tokens
(`__region__`), so "we're in Fresno" and "they're in Salem" look alike to it.

Persisted as JSON and NumPy arrays (no pickles: a model file never runs code when loaded).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from broker_faq.reading.segments import question_spans

logger = logging.getLogger(__name__)

WORDS = r"(?u)\b\w+\b|__\w+__"  # single letters count ("a CID"), and the entity-kind tokens
SEGMENTS = "segments"  # the parse data key for the candidate questions of a message
KNOWN_WORDS = 50_000  # words whose character n-grams' columns are kept (_char_columns), ~20 MB at most


def _counters(config: dict[str, Any]) -> list[CountVectorizer]:
    return [
        CountVectorizer(analyzer="word", token_pattern=WORDS, ngram_range=tuple(config["word_ngrams"])),
        CountVectorizer(analyzer="char_wb", ngram_range=tuple(config["char_ngrams"])),
    ]


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency, as sklearn's TfidfTransformer computes it."""
    documents_with_term = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1 + counts.shape[0]) / (1 + documents_with_term)) + 1


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF with unit-length rows: TfidfVectorizer(sublinear_tf=True), computed on the
    few non-zero entries directly (sklearn's own checks cost more than the arithmetic here)."""
    weighted = counts.astype(np.float64)
    weighted.data = (1 + np.log(weighted.data)) * idf[weighted.indices]
    for row in range(weighted.shape[0]):
        values = weighted.data[weighted.indptr[row] : weighted.indptr[row + 1]]
        norm = np.sqrt(values @ values)
        if norm:
            values /= norm
    return weighted


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NgramIntentClassifier(IntentClassifier, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "C": 30.0,
            "max_iter": 300,
            "entity_kinds": True,
            "ranking_length": LABEL_RANKING_LENGTH,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage, self._resource = model_storage, resource
        self._counters: list[CountVectorizer] = []  # word n-grams, character n-grams
        self._idfs: list[np.ndarray] = []
        self._weights: np.ndarray | None = None  # features x intents
        self._bias: np.ndarray | None = None
        self._intents: list[str] = []
        self._columns_of: list[Callable[[str], list[int]]] | None = None  # built on first use (_blocks)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NgramIntentClassifier:
        return cls(config, model_storage, resource)

    def _text(self, message: Message, start: int = 0, end: int | None = None) -> str:
        """The text (or the part of it from start to end), with the kinds of entity found in it."""
        text = (message.get(TEXT) or "")[start:end]
        doc = message.get(SPACY_DOCS[TEXT])
        if self.config["entity_kinds"] and doc is not None:
            text += "".join(
                f" __{entity.label_.lower()}__"
                for entity in doc.ents
                if start <= entity.start_char and (end is None or entity.end_char <= end)
            )
        return text

    def _probabilities(self, texts: list[str]) -> np.ndarray:
        scores = np.vstack([self._scores(text) for text in texts])
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def _scores(self, text: str) -> np.ndarray:
        """features(text) @ weights + bias, from the text's few n-grams: each block's vocabulary columns
        and counts as CountVectorizer.transform gives them, weighted as _tfidf weighs them, and only
        those rows of the weights are summed. Building scipy matrices for one short text (transform,
        hstack) was three quarters of the classifier's time per message (pyinstrument, 2026-12-02);
        test_ngram_classifier.py holds the two ways equal."""
        assert self._weights is not None and self._bias is not None  # process() checks it is trained
        total = self._bias.copy()
        offset = 0
        for columns_of, size, idf in self._blocks():
            if counts := Counter(columns_of(text)):
                columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                values = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[columns]
                # Summed row by row (einsum), not as a BLAS product: for a hundred rows OpenBLAS wakes
                # its threads, whose spinning doubled the server's CPU per message.
                total += np.einsum("i,ij->j", values / np.sqrt(values @ values), self._weights[offset + columns])
            offset += size
        return total

    def _blocks(self) -> list[tuple[Callable[[str], list[int]], int, np.ndarray]]:
        """(the text's columns, the block's size, idf) of each counter, in the order of the feature columns."""
        if self._columns_of is None:
            words, chars = self._counters
            self._columns_of = [self._word_columns(words), self._char_columns(chars)]
        return [
            (columns_of, len(counter.vocabulary_), idf)
            for columns_of, counter, idf in zip(self._columns_of, self._counters, self._idfs, strict=True)
        ]

    @staticmethod
    def _word_columns(counter: CountVectorizer) -> Callable[[str], list[int]]:
        analyzer, column = counter.build_analyzer(), counter.vocabulary_.get
        return lambda text: [found for gram in analyzer(text) if (found := column(gram)) is not None]

    @staticmethod
    def _char_columns(counter: CountVectorizer) -> Callable[[str], list[int]]:
        """The character n-grams' columns, word by word: `char_wb` n-grams never cross a space, so a
        text's are its words' one after the other (sklearn: lower-case the text, split it at white
        space, each word's n-grams), and a word's columns are looked up once (the same few thousand
        words come back in every message). Two thirds of the scoring's time otherwise."""
        lowered, ngrams, column = counter.build_preprocessor(), counter._char_wb_ngrams, counter.vocabulary_.get
        known: dict[str, list[int]] = {}

        def columns(text: str) -> list[int]:
            found: list[int] = []
            for word in lowered(text).split():
                of_word = known.get(word)
                if of_word is None:
                    if len(known) >= KNOWN_WORDS:
                        known.clear()
                    of_word = known[word] = [i for gram in ngrams(word) if (i := column(gram)) is not None]
                found += of_word
            return found

        return columns

    def _features(self, texts: list[str]) -> sp.csr_matrix:
        return self._weighted([counter.transform(texts) for counter in self._counters])

    def _weighted(self, counts: list[sp.csr_matrix]) -> sp.csr_matrix:
        """One row per text: each counter's TF-IDF block, side by side."""
        return sp.hstack([_tfidf(block, idf) for block, idf in zip(counts, self._idfs, strict=True)], format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: %s stays untrained.", self.__class__.__name__)
            return self._resource
        texts = [self._text(example) for example in examples]
        self._counters = _counters(self.config)
        counts = [counter.fit_transform(texts) for counter in self._counters]
        self._idfs = [_idf(block) for block in counts]
        model = LogisticRegression(
            C=self.config["C"], max_iter=self.config["max_iter"], class_weight="balanced", random_state=42
        )
        model.fit(self._weighted(counts), [example.get(INTENT) for example in examples])
        # Scoring is features @ weights + bias, then softmax: what predict_proba does for a
        # multinomial model, without sklearn copying the whole coefficient matrix per call.
        # With two intents sklearn keeps one row w (probability sigmoid(x.w)); softmax over
        # (-w/2, w/2) gives the same probabilities.
        coef = model.coef_ if len(model.classes_) > 2 else np.vstack([-model.coef_, model.coef_]) / 2
        bias = model.intercept_ if len(model.classes_) > 2 else np.array([-1, 1]) * model.intercept_ / 2
        self._weights = np.ascontiguousarray(coef.T)
        self._bias, self._intents = bias.copy(), [str(intent) for intent in model.classes_]
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self._weights is None or not messages:
            return messages
        probabilities = self._probabilities([self._text(message) for message in messages])
        for message, row in zip(messages, probabilities, strict=True):
            order = np.argsort(-row)
            ranking = [{"name": self._intents[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config["ranking_length"] > 0:
                ranking = ranking[: self.config["ranking_length"]]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            self._classify_segments(message)
        return messages

    def _classify_segments(self, message: Message) -> None:
        """A message that may ask several things ("how long does a separation take and do
        accumulators transfer?") gets each candidate question classified too (broker_faq/reading/segments.py):
        `segments` in the parse data, read by the answering action."""
        spans = question_spans(message.get(TEXT) or "")
        if len(spans) < 2:
            return
        rows = self._probabilities([self._text(message, span.start, span.end) for span in spans])
        message.set(
            SEGMENTS,
            [
                {
                    "start": span.start,
                    "end": span.end,
                    "asks": span.asks,
                    "listed": span.listed,
                    "intent": self._intents[int(row.argmax())],
                    "confidence": float(row.max()),
                }
                for span, row in zip(spans, rows, strict=True)
            ],
            add_to_output=True,
        )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "vocabularies.json").write_text(
                json.dumps(
                    {
                        "intents": self._intents,
                        "vocabularies": [
                            {term: int(index) for term, index in counter.vocabulary_.items()}
                            for counter in self._counters
                        ],
                    }
                )
            )
            assert self._weights is not None and self._bias is not None  # trained (persist follows train)
            np.savez(
                directory / "arrays.npz",
                weights=self._weights,
                bias=self._bias,
                **{f"idf_{i}": idf for i, idf in enumerate(self._idfs)},
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NgramIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                saved = json.loads((directory / "vocabularies.json").read_text())
                with np.load(directory / "arrays.npz", allow_pickle=False) as arrays:
                    component._weights, component._bias = arrays["weights"], arrays["bias"]
                    component._idfs = [arrays[f"idf_{i}"] for i in range(len(saved["vocabularies"]))]
        except ValueError:  # no resource: the model was trained without intent examples
            return component
        component._counters = _counters(component.config)
        for counter, vocabulary in zip(component._counters, saved["vocabularies"], strict=True):
            counter.vocabulary_ = vocabulary
        component._intents = saved["intents"]
        return component
