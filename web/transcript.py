"""A conversation as the agent console shows it, read from Rasa's SQL tracker store.

Rasa saves a conversation's events in one `events` table (sender_id, type_name, timestamp,
intent_name, data JSON). A turn is one user message and everything up to the next: what NLU made
of it, the region slot after it, and the bot's messages with their structured payloads.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path


REGION_SLOT = "region"


def conversation_turns(db_path: Path, sender_id: str) -> list[dict]:
    if not db_path.exists():  # nothing said yet since the store was created
        return []
    # Read-only: the Rasa server is the one writer.
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT type_name, data FROM events WHERE sender_id = ? "
                          "AND type_name IN ('user', 'bot', 'slot', 'restart') ORDER BY id",
                          (sender_id,)).fetchall()
    turns: list[dict] = []
    region = None
    for type_name, data in rows:
        event = json.loads(data)
        if type_name == "restart":
            region = None
        elif type_name == "slot" and event.get("name") == REGION_SLOT:
            region = event.get("value")
        elif type_name == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            turns.append({"time": event.get("timestamp"), "user": event.get("text"),
                          "intent": intent.get("name"), "confidence": intent.get("confidence"),
                          "entities": [{"entity": e.get("entity"), "value": e.get("value")}
                                       for e in parse.get("entities", [])],
                          "bot": []})
        elif type_name == "bot" and turns:
            turns[-1]["bot"].append({"text": event.get("text"),
                                     "custom": (event.get("data") or {}).get("custom")})
        if turns:
            turns[-1]["region"] = region
    return turns
