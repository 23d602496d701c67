"""The first stage of Rasa's two-stage fallback, made useful: instead of "Did you mean 'intent_x'?",
offer the likeliest topics by their titles as buttons."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from broker_faq.knowledge import runtime

from .tracker_adapter import send, state_from


class ActionAskAffirmation(Action):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        ranking = [entry["name"] for entry in tracker.latest_message.get("intent_ranking", [])]
        state = state_from(tracker)
        return send(runtime.current().assistant.replies.suggest(ranking, state), dispatcher, state)
