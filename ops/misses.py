"""The misses inbox's reading of the tracker store (web/misses_api.py): the brokers' messages the assistant
did not answer well, grouped by similar wording (ops/review.group_indices), newest group first.

A message is a miss when it ended in a fallback (nlu_fallback) or out of scope, or when it is the broker's
question just before a "this didn't help" rating or a request for a person: the question the rating or
the handoff was about (the rating or "talk to a person" itself is no miss). Text is masked as stored
(stores/masking_sql.py). A miss is named by its conversation and the event's row: "sender/id".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ops.review import FAILED_INTENTS, group_indices
from stores.events_reader import EventsReader, StoredEvent
from stores.miss_labels import Label

HANDOFF_INTENT = "human_handoff"
RATING_INTENTS = ("rate_helpful", "rate_unhelpful")
KIND_OF_INTENT = {"nlu_fallback": "fallback", "out_of_scope": "out of scope"}


@dataclass
class Miss:
    id: str
    conversation: str
    time: float
    text: str
    kinds: list[str] = field(default_factory=list)  # "fallback", "out of scope", "unhelpful", "handed to a person"


def message_id(stored: StoredEvent) -> str:
    return f"{stored.sender_id}/{stored.id}"


def is_question(stored: StoredEvent) -> bool:
    """A broker's own words: not a rating, a handoff request or a button's payload."""
    text = stored.event.get("text") or ""
    return stored.intent_name not in (*RATING_INTENTS, HANDOFF_INTENT) and bool(text) and not text.startswith("/")


def read_misses(events: EventsReader, start: float, end: float) -> list[Miss]:
    """The misses between two times, in the order stored."""
    found: dict[str, Miss] = {}
    last_question: dict[str, Miss] = {}  # per conversation

    def mark(miss: Miss | None, kind: str) -> None:
        if miss is not None and kind not in miss.kinds:
            miss.kinds.append(kind)
            found[miss.id] = miss

    for stored in events.between(start, end):
        if stored.type_name == "user" and is_question(stored):
            question = Miss(message_id(stored), stored.sender_id, stored.timestamp, stored.event.get("text") or "")
            last_question[stored.sender_id] = question
            if stored.intent_name in FAILED_INTENTS:
                mark(question, KIND_OF_INTENT[stored.intent_name])
        elif stored.type_name == "user" and stored.intent_name == HANDOFF_INTENT:
            mark(last_question.get(stored.sender_id), "handed to a person")
        elif stored.type_name == "slot" and stored.action_name == "feedback" and unhelpful(stored):
            mark(last_question.get(stored.sender_id), "unhelpful")
    return list(found.values())


def unhelpful(stored: StoredEvent) -> bool:
    value = stored.event.get("value")
    return isinstance(value, dict) and value.get("rating") == "unhelpful"


def inbox(misses: list[Miss], labels: dict[str, Label]) -> list[dict]:
    """The misses grouped by similar wording: each group's messages newest first, the group whose newest
    message is newest first; every message with its label, if it has one."""
    groups = [[misses[i] for i in members] for members in group_indices([m.text for m in misses])]
    shown = [sorted(group, key=lambda m: -m.time) for group in groups]
    shown.sort(key=lambda group: -group[0].time)
    return [{"messages": [message(m, labels.get(m.id)) for m in group]} for group in shown]


def message(miss: Miss, label: Label | None) -> dict:
    shown = {"id": miss.id, "conversation": miss.conversation, "time": miss.time, "text": miss.text}
    labelled = {"label": label.label, "batch": label.batch, "by": label.by, "at": label.at} if label else None
    return {**shown, "kinds": miss.kinds, "label": labelled}
