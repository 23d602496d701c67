"""Tracker -> Turn and Reply -> messages + slot events: the only place that knows both worlds.

A payload ('/inform_region{"region": "oregon"}') is typed by whoever holds the socket, not chosen
from our buttons: its entity values are checked against the knowledge before the domain sees them
(a place or team the knowledge names, a bounded count, a real date) and any other value is dropped,
so text chosen by a client never reaches the bot's words or a computation.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import fields, replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from broker_faq.conversation import Mention, Reply, Segment, State, Turn
from broker_faq.knowledge import runtime
from broker_faq.portal import PortalContext, context_from_dict
from broker_faq.reading.dates import find_dates

# Every State field is a slot of the same name in domain.yml.
STATE_SLOTS = tuple(f.name for f in fields(State))


def state_from(tracker: Tracker) -> State:
    values: dict[str, Any] = {name: tracker.get_slot(name) for name in STATE_SLOTS}
    if values["subscribers"] is not None:
        values["subscribers"] = int(values["subscribers"])
    for name in ("last_teams", "last_details", "located_counts"):  # list slots, tuples in State
        if values[name] is not None:
            values[name] = tuple(values[name])
    return State(**values)


# The longest entity value a payload may carry (the longest place or team name is far shorter).
MAX_PAYLOAD_VALUE_CHARS = 80
MAX_PAYLOAD_COUNT = 99_999


def valid_payload_value(label: str, value: Any, today: dt.date) -> bool:
    """Whether a payload's entity value is one the knowledge knows: a whole place or team name (or its
    key), a count of at most MAX_PAYLOAD_COUNT in ASCII digits, or one real date and nothing else."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return False
    value = str(value).strip()
    if not value or len(value) > MAX_PAYLOAD_VALUE_CHARS:
        return False
    loaded = runtime.current()
    if label == "region":
        places = loaded.assistant.replies.places
        found = places.find(value)
        return places.place(value) is not None or (len(found) == 1 and found[0].text.strip(" ,.") == value.strip(" ,."))
    if label == "team":
        return value in loaded.knowledge.teams or loaded.knowledge.team_named(value) is not None
    if label == "count":
        return re.fullmatch(r"[0-9]{1,5}", value) is not None and int(value) <= MAX_PAYLOAD_COUNT
    if label == "date":
        dates = find_dates(value, today)
        return len(dates) == 1 and (dates[0].start, dates[0].end) == (0, len(value))
    return False  # nothing else is read from a payload by the domain


def mentions_from(message: dict, today: dt.date) -> tuple[Mention, ...]:
    entities = [e for e in message.get("entities") or [] if isinstance(e, dict)]
    if (message.get("text") or "").startswith("/"):
        entities = [e for e in entities if valid_payload_value(str(e.get("entity")), e.get("value"), today)]
    return tuple(Mention(str(e.get("entity")), str(e.get("value", "")), e.get("start") or 0) for e in entities)


def turn_from(tracker: Tracker, today: dt.date | None = None) -> Turn:
    turn = turn_from_message(
        tracker.latest_message or {}, state_from(tracker), today or dt.date.today(), earlier_question(tracker)
    )
    return replace(turn, context=portal_context(tracker))


# The slot that keeps the portal's context for the whole conversation: set once, from the first message
# that carries it, so a conversation keeps the context it started with.
PORTAL_SLOT = "portal_context"


def portal_context(tracker: Tracker) -> PortalContext | None:
    """The broker's groups: as the conversation kept them, else as the channel put them in this message's
    metadata after verifying the portal's signed token (`portal`; a client's own metadata never arrives
    there: the channels drop it)."""
    areas = runtime.current().assistant.replies.places.area_keys()
    kept = tracker.get_slot(PORTAL_SLOT)
    if kept:
        return context_from_dict(kept, areas)
    return context_from_dict(((tracker.latest_message or {}).get("metadata") or {}).get("portal"), areas)


def kept_context(tracker: Tracker, turn: Turn) -> list[dict]:
    """The slot event that keeps a context first seen in this message."""
    if turn.context is None or tracker.get_slot(PORTAL_SLOT):
        return []
    return [SlotSet(PORTAL_SLOT, turn.context.as_dict())]


def turn_from_message(message: dict, state: State, today: dt.date, earlier: str | None = None) -> Turn:
    """A Turn from the NLU's parse data of one message (what the tracker's latest_message holds)."""
    segments = tuple(
        Segment(
            s["start"],
            s["end"],
            bool(s.get("asks")),
            s.get("intent"),
            float(s.get("confidence", 0)),
            bool(s.get("listed")),
        )
        for s in message.get("segments") or []
    )
    desk = (message.get("metadata") or {}).get("desk") or {}
    return Turn(
        intent=(message.get("intent") or {}).get("name"),
        text=message.get("text") or "",
        mentions=mentions_from(message, today),
        state=state,
        today=today,
        segments=segments,
        desk_open=bool(desk.get("agents")),
        earlier_question=earlier,
        language=message.get("language") if message.get("language") in ("es",) else None,
    )


def earlier_question(tracker: Tracker) -> str | None:
    """The broker's last typed message before the latest one (what an agent taking over wants first)."""
    said = [e.get("text") for e in tracker.events if e.get("event") == "user"][:-1]
    return next((text for text in reversed(said) if text and not text.startswith("/")), None)


def send(reply: Reply, dispatcher: CollectingDispatcher, before: State) -> list[dict]:
    """Utter the reply (text, buttons, structured payload) and return the slot changes.

    Each answer gets an id, kept with it in the tracker, so feedback can name what it rates."""
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    payload = reply.payload
    if payload and payload.get("type") == "answer":
        payload = {**payload, "answer_id": uuid.uuid4().hex}
    dispatcher.utter_message(text=reply.text, buttons=buttons, json_message=payload)
    events = [
        SlotSet(name, list(value) if isinstance(value, tuple) else value)
        for name, value in reply.state.changed_from(before).items()
    ]
    # "Connecting you to an agent…": the assistant stays silent until the agent hands back (Rasa's pause).
    return events + [ConversationPaused()] if payload and payload.get("type") == "handoff" else events
