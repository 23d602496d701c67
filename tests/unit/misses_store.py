"""A tracker store holding misses of every kind, for the misses inbox's tests (test_misses.py,
test_misses_api.py, tests/browser/test_misses_inbox.py): written as Rasa's SQL tracker store writes rows."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

NOW = time.time()


def user(text: str, intent: str, ago: float) -> dict:
    return {"event": "user", "text": text, "timestamp": NOW - ago, "parse_data": {"intent": {"name": intent}}}


def feedback(rating: str, ago: float) -> dict:
    return {"event": "slot", "name": "feedback", "timestamp": NOW - ago, "value": {"rating": rating, "topic": "x"}}


def bot(text: str, ago: float) -> dict:
    return {"event": "bot", "text": text, "timestamp": NOW - ago, "data": {}}


CONVERSATIONS = {
    "conv-one": [
        user("what is the fax for EBS", "nlu_fallback", 400),
        bot("Sorry, I did not get that.", 399),
        user("who won the Lakers game", "out_of_scope", 390),
        user("how do I terminate a contract", "terminate_contract", 380),  # answered: no miss
    ],
    "conv-two": [
        user("fax number for EBS please", "nlu_fallback", 300),
        user("how do I reinstate a group", "reinstatement", 200),
        bot("Here is how.", 199),
        user("/rate_unhelpful", "rate_unhelpful", 190),
        feedback("unhelpful", 190),
    ],
    "conv-three": [
        user("can my client change plans midyear", "accumulators", 100),
        user("talk to a person", "human_handoff", 90),
        feedback("helpful", 80),
    ],
}


def write_misses(db_path: Path, conversations: dict[str, list[dict]] = CONVERSATIONS) -> None:
    with sqlite3.connect(db_path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
            "timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        rows = [
            (
                sender,
                e["event"],
                e["timestamp"],
                (e.get("parse_data") or {}).get("intent", {}).get("name"),
                e.get("name"),
                json.dumps(e),
            )
            for sender, events in conversations.items()
            for e in events
        ]
        db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            sorted(rows, key=lambda row: row[2]),
        )
