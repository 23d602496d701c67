"""A conversation as the agent console shows it, from the events the tracker store holds
(read by stores/events_reader.py, the same reader as the review report).

A turn is one user message and everything up to the next: when it was sent, what NLU made of it,
the region slot after it, and the bot's messages, each with its time, its structured payload and, for
an answer, its sources. Texts are as the store holds them: personal data masked
(stores/masking_sql.py). Times are the events' own (seconds since the epoch), the same number on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable

from stores.events_reader import EventsReader, StoredEvent

REGION_SLOT = "region"
# Rasa's INTENT_MESSAGE_PREFIX: a message so written (the widget's /greet, a button's payload) is read as
# an intent, not as words, so it is no text of the broker's to show.
PAYLOAD_PREFIX = "/"
TURN_EVENTS = ("user", "bot", "slot", "restart")


def conversation_turns(reader: EventsReader, sender_id: str) -> list[dict]:
    return turns(reader.conversation(sender_id, types=TURN_EVENTS))


def turns(events: Iterable[StoredEvent]) -> list[dict]:
    result: list[dict] = []
    region = None
    for stored in events:
        event = stored.event
        if stored.type_name == "restart":
            region = None
        elif stored.type_name == "slot" and event.get("name") == REGION_SLOT:
            region = event.get("value")
        elif stored.type_name == "user":
            result.append(user_turn(event))
        elif stored.type_name == "bot" and result:
            result[-1]["bot"].append(bot_message(event))
        if result:
            result[-1]["region"] = region
    return result


def user_turn(event: dict) -> dict:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    text = event.get("text")
    return {
        "time": event.get("timestamp"),
        "user": text,
        "payload": isinstance(text, str) and text.startswith(PAYLOAD_PREFIX),
        "intent": intent.get("name"),
        "confidence": intent.get("confidence"),
        "entities": [{"entity": e.get("entity"), "value": e.get("value")} for e in parse.get("entities", [])],
        # What the NLU read in the message (broker_faq/reading.read_message): why the answer was given.
        "reading": parse.get("reading") if isinstance(parse.get("reading"), dict) else None,
        "bot": [],
    }


def bot_message(event: dict) -> dict:
    custom = (event.get("data") or {}).get("custom")
    answer = custom if isinstance(custom, dict) and custom.get("type") == "answer" else {}
    sources = [{"document": s.get("document"), "section": s.get("section")} for s in answer.get("sources", [])]
    message = {"time": event.get("timestamp"), "text": event.get("text"), "custom": custom, "sources": sources}
    if isinstance(custom, dict) and custom.get("type") == "agent_message":
        message["agent"] = custom.get("agent")  # said by a person (live handoff), not the assistant
    return message
