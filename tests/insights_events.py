"""Conversations as Rasa's SQL tracker store holds them, with every kind of figure the Insights tab counts
(answers by topic and region, fallbacks, out of scope, uncovered regions, ratings, live handoffs taken,
abandoned and still waiting), and a plain count of the same events in Python to hold the SQL aggregates
against (tests/unit/test_insights.py). The benchmark seeds 100,000 of them (benchmarks/insights_scale.py):
about ten events each, an answer's text and payload as long as a real one's, each turn's action as Rasa stores it."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

TOPICS = ("terminate_contract", "billing_questions", "reinstatement", "update_address", "cid_split", "id_cards")
REGIONS = ("Northern California", "Southern California", "Oregon", "Southwest Washington", None)
PLACES = ("Colorado", "Texas", "Hawaii")
BODY = "To terminate a small-group contract, the employer sends a signed request on letterhead. " * 8
CARD = {"team": "Account Management Support", "phones": [{"number": "800-790-4661", "option": "3"}]}

Row = tuple[str, str, float, "str | None", "str | None", str]  # sender, type, time, intent, action, data


def user(text: str, intent: str, at: float) -> dict:
    parse = {"intent": {"name": intent, "confidence": 0.93}, "entities": [], "text": text}
    return {"event": "user", "timestamp": at, "text": text, "parse_data": parse, "input_channel": "socketio"}


def bot(text: str, at: float, custom: dict | None = None) -> dict:
    return {"event": "bot", "timestamp": at, "text": text, "data": {"custom": custom} if custom else {}}


def action(name: str, at: float) -> dict:
    return {"event": "action", "timestamp": at, "name": name, "policy": "RulePolicy", "confidence": 1.0}


def answer(topic: str, region: str | None, at: float) -> dict:
    custom = {
        "type": "answer",
        "topic": topic,
        "region": region,
        "body": BODY,
        "answer_id": f"{int(at * 1000):x}",
        "sources": [{"document": "California Small Business Broker FAQ", "section": "Terminating"}],
        "contacts": [CARD],
    }
    return bot(BODY + "Account Management Support: 800-790-4661, option 3.", at, custom)


def note(state: str, at: float) -> dict:
    return bot(f"handoff {state}", at, {"type": "handoff", "state": state})


def conversation(rng: random.Random, start: float) -> list[dict]:
    """One conversation from `start`: a session start, a question or two, and now and then a miss, a
    rating or a request for a person, each a few seconds after the last."""
    clock = [start]

    def at(seconds: float = 3.0) -> float:
        clock[0] += seconds
        return clock[0]

    events = [action("action_session_start", at(0)), {"event": "session_started", "timestamp": at(0)}]
    events.append(action("action_listen", at(0)))
    topic, region = rng.choice(TOPICS), rng.choice(REGIONS)
    events += [
        user(f"question about {topic}", topic, at()),
        action("action_answer", at(1)),
        answer(topic, region, at(0)),
    ]
    events += [{"event": "slot", "timestamp": at(0), "name": "region", "value": region}, action("action_listen", at(0))]
    roll = rng.random()
    if roll < 0.10:
        events += [user("what is the weather", "nlu_fallback", at()), bot("Sorry, I did not get that.", at(1))]
    elif roll < 0.15:
        events += [
            user("who won the game", "out_of_scope", at()),
            bot("I only answer...", at(1), {"type": "out_of_scope"}),
        ]
    elif roll < 0.20:
        place = rng.choice(PLACES)
        events += [
            user(f"a group in {place}", topic, at()),
            bot("No source.", at(1), {"type": "uncovered_region", "place": place}),
        ]
    if rng.random() < 0.25:
        rating = "helpful" if rng.random() < 0.7 else "unhelpful"
        value = {
            "rating": rating,
            "topic": topic,
            "region": region,
            "comment": "needed the fax" if rating == "unhelpful" else "",
        }
        events += [
            user(f"/rate_{rating}", f"rate_{rating}", at()),
            {"event": "slot", "timestamp": at(0), "name": "feedback", "value": value},
        ]
    if rng.random() < 0.08:
        events += handoff(rng, at)
    return events


def handoff(rng: random.Random, at) -> list[dict]:
    events = [user("talk to a person", "human_handoff", at()), note("waiting", at(1))]
    fate = rng.random()
    if fate < 0.70:
        events += [note("joined", at(rng.uniform(5, 300))), bot("Hi, Maria here.", at(), {"type": "agent_message"})]
        events.append(note("closed", at(60)))
    elif fate < 0.85:
        events.append(note("left", at(rng.uniform(30, 400))))
    elif fate < 0.90:
        events.append(note("unavailable", at(rng.uniform(30, 400))))
    return events  # else: still waiting


def conversations(count: int, first_day: dt.date, days: int, seed: int = 7) -> Iterator[tuple[str, list[dict]]]:
    """`count` conversations spread over `days` UTC days from `first_day`, each its own sender id, in the
    order they started: as the Rasa server writes them, rows in time order (what the indexes' range
    scans find together on disk)."""
    rng = random.Random(seed)
    base = dt.datetime.combine(first_day, dt.time.min, tzinfo=dt.timezone.utc).timestamp()
    starts = sorted(base + rng.uniform(0, days * 86400 - 3600) for _ in range(count))  # whole ones in the range
    for n, start in enumerate(starts):
        yield f"insights-{n:08d}-{rng.getrandbits(32):08x}", conversation(rng, start)


def rows(sender: str, events: list[dict]) -> Iterator[Row]:
    """The rows Rasa's SQLTrackerStore.save writes for the events."""
    for e in events:
        intent = (e.get("parse_data") or {}).get("intent", {}).get("name")
        yield sender, e["event"], e["timestamp"], intent, e.get("name"), json.dumps(e)


def write_sqlite(path: Path, seeded: list[tuple[str, list[dict]]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
            "timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (row for sender, events in seeded for row in rows(sender, events)),
        )


@dataclass
class PlainCount:
    """The figures counted one event at a time, as the review once did: the reference for the SQL."""

    conversations: set = field(default_factory=set)
    asked_for_person: set = field(default_factory=set)
    messages: int = 0
    fallback: int = 0
    out_of_scope: int = 0
    answers: Counter = field(default_factory=Counter)  # (day, topic, region)
    uncovered: Counter = field(default_factory=Counter)  # place
    ratings: Counter = field(default_factory=Counter)  # (topic, rating)
    waits: list = field(default_factory=list)
    handoffs: int = 0
    abandoned: int = 0


def plain_count(seeded: list[tuple[str, list[dict]]], start: float, end: float) -> PlainCount:
    count = PlainCount()
    for sender, events in seeded:
        asked: float | None = None
        for e in events:
            if not start <= e["timestamp"] < end:
                continue
            day = dt.datetime.fromtimestamp(e["timestamp"], dt.timezone.utc).date().isoformat()
            custom = (e.get("data") or {}).get("custom") or {}
            if e["event"] == "user":
                intent = e["parse_data"]["intent"]["name"]
                count.conversations.add(sender)
                count.messages += 1
                count.fallback += intent == "nlu_fallback"
                count.out_of_scope += intent == "out_of_scope"
                if intent == "human_handoff":
                    count.asked_for_person.add(sender)
            elif e["event"] == "bot" and custom.get("type") == "answer":
                count.answers[(day, custom["topic"], custom.get("region") or "region not known")] += 1
            elif e["event"] == "bot" and custom.get("type") == "uncovered_region":
                count.uncovered[custom["place"]] += 1
            elif e["event"] == "bot" and custom.get("type") == "handoff":
                if custom["state"] == "waiting":
                    asked = e["timestamp"]
                    count.handoffs += 1
                elif custom["state"] == "joined" and asked is not None:
                    count.waits.append(e["timestamp"] - asked)
                    asked = None
                elif custom["state"] in ("left", "unavailable") and asked is not None:
                    count.abandoned += 1
                    asked = None
            elif e["event"] == "slot" and e["name"] == "feedback":
                count.ratings[(e["value"]["topic"], e["value"]["rating"])] += 1
    return count
