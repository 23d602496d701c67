"""The understanding layer's two Rasa NLU components, thin adapters over broker_faq/reading/message.py.

- MessageCleaner (first in the pipeline): the text every later component reads is the message
  cleaned: the question part of a pasted e-mail, capitals lowered, shorthand expanded, typos
  corrected against a dictionary of the knowledge's and the training data's words (kept in
  the model, so a model answers the same way wherever it is loaded). The stored user event keeps
  what was typed (masked); the parse data's `text` is the cleaned text the entities point into.
- IntentRouter (last): where the classifier missed what the message plainly asks (a team or a
  contact detail, a quoted misprint, a part that asks about a topic), the intent to act on.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from broker_faq.knowledge.loader import load_knowledge
from broker_faq.knowledge.vocabulary import load_vocabulary
from broker_faq.reading.cleanup import is_spanish
from broker_faq.reading.message import Reader, read_message

ROUTED_FROM = "routed_from"  # parse data: the classifier's intent when the router chose another
LANGUAGE = "language"  # parse data: "es" for a message written in Spanish
READING = "reading"  # parse data: what the message says, read once (broker_faq/reading.read_message)


def _reader(words: Sequence[str] = ()) -> Reader:
    return Reader(load_knowledge(), load_vocabulary(), words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class MessageCleaner(GraphComponent):
    def __init__(self, model_storage: ModelStorage, resource: Resource, words: list[str] | None = None):
        self._model_storage, self._resource = model_storage, resource
        self._words = sorted(words or [])
        self._reader = _reader(self._words)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageCleaner:
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """The training data's words join the spelling dictionary: a word the classifier learned
        is never "corrected" into another."""
        words = {w for e in training_data.training_examples for w in re.findall(r"[a-z]+", (e.get(TEXT) or "").lower())}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "words.json").write_text(json.dumps(sorted(words)))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MessageCleaner:
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / "words.json").read_text())
        except ValueError:  # not trained yet
            words = []
        return cls(model_storage, resource, words)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and not text.startswith("/"):
                message.set(TEXT, self._reader.clean(text) or text, add_to_output=True)
                if is_spanish(text):  # the answer says it is in English (broker_faq/assistant.py)
                    message.set(LANGUAGE, "es", add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process([e for e in training_data.training_examples if e.get(TEXT)])
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentRouter(GraphComponent):
    def __init__(self) -> None:
        self._reader = _reader()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentRouter:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            parts = [s.get("intent") for s in message.get("segments") or []]
            ranking = [(r["name"], r["confidence"]) for r in message.get(INTENT_RANKING_KEY) or []]
            message.set(READING, read_message(self._reader, text, dt.date.today()), add_to_output=True)
            routed = self._reader.route(intent, text, parts, ranking)
            if routed:
                message.set(ROUTED_FROM, intent, add_to_output=True)
                message.set(INTENT, {"name": routed, "confidence": 1.0}, add_to_output=True)
        return messages
