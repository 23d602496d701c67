"""The one reader of stored conversations (stores/events_reader.py): it opens the tracker store the
endpoints file names, exactly where Rasa writes, and reads it without ever writing."""

import json
import sqlite3

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from stores.events_reader import EventsReader, tracker_store_url

PRODUCTION_ENV = {
    "TRACKER_DB_HOST": "db.internal",
    "TRACKER_DB_PORT": "5432",
    "TRACKER_DB_NAME": "kp_tracker",
    "TRACKER_DB_USER": "kp_assistant",
    "TRACKER_DB_PASSWORD": "s3cret",
    "LOCK_STORE_HOST": "redis.internal",
    "LOCK_STORE_PORT": "6379",
    "LOCK_STORE_PASSWORD": "",
    "LOCK_STORE_DB": "1",
    "ACTION_ENDPOINT_URL": "http://localhost:5055/webhook",
}


def write_events(db_path, rows):
    with sqlite3.connect(db_path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
            "timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(s, e["event"], e["timestamp"], e.get("intent"), e.get("name"), json.dumps(e)) for s, e in rows],
        )


ROWS = [
    ("a", {"event": "action", "name": "action_listen", "timestamp": 10.0}),
    ("a", {"event": "user", "text": "hello", "intent": "greet", "timestamp": 11.0}),
    ("b", {"event": "user", "text": "other conversation", "intent": "greet", "timestamp": 12.0}),
    ("a", {"event": "bot", "text": "Hi!", "timestamp": 13.0}),
    ("a", {"event": "slot", "name": "region", "value": "oregon", "timestamp": 20.0}),
]


def test_the_embedded_profile_reads_the_sqlite_file_rasa_writes(monkeypatch):
    monkeypatch.setenv("TRACKER_DB", "/srv/kp/tracker.db")
    monkeypatch.delenv("ACTION_ENDPOINT_URL", raising=False)  # only the tracker store's variables are needed
    assert tracker_store_url("endpoints.yml") == sa.engine.make_url(
        str(SQLTrackerStore.get_db_url("sqlite", db="/srv/kp/tracker.db"))
    )


def test_the_production_profile_reads_the_postgresql_database_rasa_writes(monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    url = tracker_store_url("deploy/endpoints.production.yml")
    rasa_url = SQLTrackerStore.get_db_url("postgresql", "db.internal", 5432, "kp_tracker", "kp_assistant", "s3cret")
    assert url == sa.engine.make_url(rasa_url.render_as_string(hide_password=False))
    assert "s3cret" not in EventsReader(url).where  # messages never show the password


def test_a_missing_variable_is_named(monkeypatch):
    monkeypatch.delenv("TRACKER_DB", raising=False)
    with pytest.raises(ValueError, match=r"tracker_store.db needs .*TRACKER_DB"):
        tracker_store_url("endpoints.yml")


def test_an_endpoints_file_without_an_sql_tracker_store_is_refused(tmp_path):
    (tmp_path / "endpoints.yml").write_text("tracker_store:\n  type: redis\n")
    with pytest.raises(ValueError, match="no SQL tracker store"):
        tracker_store_url(tmp_path / "endpoints.yml")


def test_a_conversation_is_its_events_in_stored_order_optionally_of_some_types(tmp_path):
    write_events(tmp_path / "t.db", ROWS)
    reader = EventsReader(f"sqlite:///{tmp_path / 't.db'}")
    assert [e.event["event"] for e in reader.conversation("a")] == ["action", "user", "bot", "slot"]
    user, bot = reader.conversation("a", types=("user", "bot"))
    assert (user.sender_id, user.intent_name, user.timestamp, user.event["text"]) == ("a", "greet", 11.0, "hello")
    assert bot.event["text"] == "Hi!"
    assert reader.conversation("nobody") == []


def test_events_between_two_times_cover_every_conversation(tmp_path):
    write_events(tmp_path / "t.db", ROWS)
    reader = EventsReader(f"sqlite:///{tmp_path / 't.db'}")
    assert [(e.sender_id, e.type_name) for e in reader.between(11.0, 20.0)] == [
        ("a", "user"),
        ("b", "user"),
        ("a", "bot"),
    ]
    assert reader.between(21.0, 30.0) == []


def test_a_store_nothing_was_written_to_yet_holds_no_conversations_and_is_not_created(tmp_path):
    reader = EventsReader(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not reader.exists() and reader.conversation("a") == [] and reader.between(0, 1e12) == []
    assert not (tmp_path / "missing.db").exists()


def test_the_reader_never_writes(tmp_path):
    write_events(tmp_path / "t.db", ROWS)
    reader = EventsReader(f"sqlite:///{tmp_path / 't.db'}")
    with pytest.raises(sa.exc.OperationalError, match="readonly"), reader.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events"))
    assert len(reader.conversation("a")) == 4
