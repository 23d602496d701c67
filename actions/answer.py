"""action_answer: the one action behind every topic and follow-up ("what about Oregon?")."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from broker_faq.knowledge import runtime

from .tracker_adapter import kept_context, send, turn_from


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        with runtime.one_message() as loaded:  # the knowledge checked for an edit once per answer
            turn = turn_from(tracker)
            return send(loaded.assistant.respond(turn), dispatcher, turn.state) + kept_context(tracker, turn)
