"""Tracker -> Turn and Reply -> messages + slot events: the only place that knows both worlds."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import fields
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from broker_faq.conversation import Mention, Reply, Segment, State, Turn

# Every State field is a slot of the same name in domain.yml.
STATE_SLOTS = tuple(f.name for f in fields(State))


def state_from(tracker: Tracker) -> State:
    values: dict[str, Any] = {name: tracker.get_slot(name) for name in STATE_SLOTS}
    if values["subscribers"] is not None:
        values["subscribers"] = int(values["subscribers"])
    if values["last_teams"] is not None:
        values["last_teams"] = tuple(values["last_teams"])
    return State(**values)


def turn_from(tracker: Tracker, today: dt.date | None = None) -> Turn:
    message = tracker.latest_message or {}
    mentions = tuple(
        Mention(e["entity"], str(e.get("value", "")), e.get("start") or 0) for e in message.get("entities", [])
    )
    segments = tuple(
        Segment(s["start"], s["end"], bool(s.get("asks")), s.get("intent"), float(s.get("confidence", 0)))
        for s in message.get("segments") or []
    )
    return Turn(
        intent=(message.get("intent") or {}).get("name"),
        text=message.get("text") or "",
        mentions=mentions,
        state=state_from(tracker),
        today=today or dt.date.today(),
        segments=segments,
    )


def send(reply: Reply, dispatcher: CollectingDispatcher, before: State) -> list[dict]:
    """Utter the reply (text, buttons, structured payload) and return the slot changes.

    Each answer gets an id, kept with it in the tracker, so feedback can name what it rates."""
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    payload = reply.payload
    if payload and payload.get("type") == "answer":
        payload = {**payload, "answer_id": uuid.uuid4().hex}
    dispatcher.utter_message(text=reply.text, buttons=buttons, json_message=payload)
    return [
        SlotSet(name, list(value) if isinstance(value, tuple) else value)
        for name, value in reply.state.changed_from(before).items()
    ]
