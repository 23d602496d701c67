"""stores.masking_sql: nothing personal is written, whichever field of an event carries it (issue 15,
findings 1 and 11): a user message's text and metadata, a session start's metadata and the slot
Rasa copies it into, all masked; oversized metadata and input channel names cut."""

import asyncio
import json
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from stores.masking_sql import MAX_METADATA_CHARS, MaskingSQLTrackerStore
from tests.conftest import ROOT

NOTE = {"note": "SSN 123-45-6789, DOB 03.04.1975, call 503\u2013555\u20130123", "nested": [{"mail": "jo@gmail.com"}]}
PERSONAL = ["123-45-6789", "03.04.1975", "503\u2013555\u20130123", "jo@gmail.com"]


@pytest.fixture
def store(tmp_path):
    domain = Domain.load(str(ROOT / "domain.yml"))
    return MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))


def stored_rows(store, sender) -> list[dict]:
    with sqlite3.connect(store.engine.url.database) as db:
        return [json.loads(row[0]) for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))]


def save_turn(store, sender, **user):
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    tracker.update(SessionStarted(metadata=NOTE))
    tracker.update(SlotSet("session_started_metadata", NOTE))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(user.pop("text", "hello"), {"name": "greet", "confidence": 1.0}, **user))
    tracker.update(BotUttered("Hi!", metadata={"utter_action": "utter_greet"}))
    asyncio.run(store.save(tracker))
    return stored_rows(store, sender)


def test_metadata_is_masked_in_the_user_message_the_session_start_and_its_slot(store):
    rows = save_turn(store, "metadata-1", metadata=NOTE)
    written = json.dumps(rows, ensure_ascii=False)
    for personal in PERSONAL:
        assert personal not in written
    user = next(row for row in rows if row["event"] == "user")
    assert user["metadata"]["note"] == "SSN [SSN], [DATE_OF_BIRTH], call [PHONE]"
    assert next(row for row in rows if row["event"] == "session_started")["metadata"]["nested"] == [{"mail": "[EMAIL]"}]
    slot = next(row for row in rows if row["event"] == "slot" and row["name"] == "session_started_metadata")
    assert slot["value"]["note"].startswith("SSN [SSN]")
    assert next(row for row in rows if row["event"] == "bot")["metadata"] == {"utter_action": "utter_greet"}


def test_oversized_metadata_and_input_channel_are_not_stored(store):
    rows = save_turn(store, "metadata-2", metadata={"blob": "Q" * 100_000}, input_channel="Q" * 100_000)
    user = next(row for row in rows if row["event"] == "user")
    assert user["metadata"] == {} and len(user["input_channel"]) <= 32
    assert sum(len(json.dumps(row)) for row in rows) < 4 * MAX_METADATA_CHARS + 5_000


def test_what_is_written_is_masked_and_the_tracker_kept_between_messages_is_not_changed(store):
    """Only the written copy is masked (the store copies what it masks, not whole events): the tracker
    the store keeps for the next message still holds the message as the NLU read it."""
    said = "member 123-45-6789 in Portland"
    entity = {"entity": "region", "value": "123-45-6789", "start": 7, "end": 18}
    tracker = asyncio.run(store.get_or_create_tracker("metadata-3"))
    tracker.update(ActionExecuted("action_listen"))
    user = UserUttered(said, {"name": "greet", "confidence": 1.0}, [entity], {"text": said}, metadata=NOTE)
    tracker.update(user)
    asyncio.run(store.save(tracker))
    written = next(row for row in stored_rows(store, "metadata-3") if row["event"] == "user")
    assert written["text"] == written["parse_data"]["text"] == "member [SSN] in Portland"
    assert written["parse_data"]["entities"][0]["value"] == "[SSN]"
    note = "SSN [SSN], [DATE_OF_BIRTH], call [PHONE]"
    assert written["metadata"]["note"] == written["parse_data"]["metadata"]["note"] == note
    kept = asyncio.run(store.retrieve("metadata-3")).events[-1]
    assert kept is user and kept.text == kept.parse_data["text"] == said
    assert kept.parse_data["entities"][0]["value"] == "123-45-6789" and kept.metadata == NOTE


def test_the_store_check_reads_the_events_table_and_fails_once_it_is_gone(store):
    """ping(), the check the channel guard makes before every message (SQLite: on the pooled DB-API
    connection): it passes on a working store, raises once the events table cannot be read, and passes
    again when it is back."""
    store.ping()
    save_turn(store, "ping-1")
    with sqlite3.connect(store.engine.url.database) as db:
        db.execute("ALTER TABLE events RENAME TO events_away")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        store.ping()
    with sqlite3.connect(store.engine.url.database) as db:
        db.execute("ALTER TABLE events_away RENAME TO events")
    store.ping()


@given(st.dictionaries(st.text(max_size=40), st.text(max_size=120), max_size=8))
def test_metadata_judged_short_without_writing_it_out_is_short_as_json(metadata):
    """stores.masking_sql._surely_short never passes metadata that JSON makes longer than the cap."""
    from stores.masking_sql import _surely_short

    if _surely_short(metadata):
        assert len(json.dumps(metadata, default=str)) <= MAX_METADATA_CHARS
    assert _surely_short({"model_id": "9ef4483aa54e41d4bf9c4bf1fb5312a2", "assistant_id": "kp-broker-faq"})
