"""action_record_feedback: "Was this helpful?" stored with the conversation, tied to the answer.

The rating is a `feedback` slot event: it lives in the tracker store beside the answer it rates,
so the review report (ops/review.py) reads both from one place."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from broker_faq.answers.replies import TALK_TO_A_PERSON

THANKS = {
    "helpful": "Thanks for letting me know!",
    "unhelpful": "Thanks for telling me; the team reviews answers marked unhelpful. "
    "You can rephrase the question, or ask for the contact of a team.",
}


def rated_answer(tracker: Tracker, answer_id: str | None) -> dict | None:
    """The answer payload with this id, else the latest answer."""
    for event in reversed(tracker.events):
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if custom and custom.get("type") == "answer" and answer_id in (None, custom.get("answer_id")):
            return custom
    return None


def unhelpful_ratings(tracker: Tracker) -> int:
    """How many answers of this conversation were rated unhelpful before now."""
    return sum(
        1
        for e in tracker.events
        if e.get("event") == "slot"
        and e.get("name") == "feedback"
        and (e.get("value") or {}).get("rating") == "unhelpful"
    )


class ActionRecordFeedback(Action):
    def name(self) -> str:
        return "action_record_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        rating = "helpful" if tracker.latest_message["intent"].get("name") == "rate_helpful" else "unhelpful"
        answer = rated_answer(tracker, next(tracker.get_latest_entity_values("answer_id"), None))
        if answer is None:
            dispatcher.utter_message(text="There's no answer to rate yet. What would you like to know?")
            return []
        comment = next(tracker.get_latest_entity_values("comment"), None)
        if rating == "unhelpful" and unhelpful_ratings(tracker) >= 1:  # this one is the second
            person = TALK_TO_A_PERSON
            dispatcher.utter_message(text=THANKS[rating], buttons=[{"title": person.title, "payload": person.payload}])
        else:
            dispatcher.utter_message(text=THANKS[rating])
        return [
            SlotSet(
                "feedback",
                {
                    "rating": rating,
                    "answer_id": answer.get("answer_id"),
                    "topic": answer.get("topic"),
                    "region": answer.get("region"),
                    "comment": comment,
                },
            )
        ]
