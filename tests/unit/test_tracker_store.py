"""stores.cached_sql: the cached SQL tracker store writes what the stock one writes, and reads
the database back whenever its cached tracker cannot be trusted."""

import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from stores.cached_sql import CachedSQLTrackerStore
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def store(domain, tmp_path):
    return CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))


def turn(tracker, text, region):
    tracker.update(UserUttered(text, {"name": "inform_region", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_answer"))
    tracker.update(SlotSet("region", region))
    tracker.update(ActionExecuted("action_listen"))


def stored(store, sender):
    """The conversation as the stock store reads it from the same database."""
    stock = SQLTrackerStore(domain=store.domain, dialect="sqlite", db=store.engine.url.database)
    return asyncio.run(stock.retrieve(sender))


def test_every_event_is_written_once_and_the_saved_tracker_is_reused(store):
    tracker = asyncio.run(store.get_or_create_tracker("broker-1"))
    for region in ("california", "oregon", "washington"):
        turn(tracker, f"what about {region}?", region)
        asyncio.run(store.save(tracker))
        assert asyncio.run(store.retrieve("broker-1")) is tracker
    from_db = stored(store, "broker-1")
    assert list(from_db.events) == list(tracker.events)
    assert from_db.get_slot("region") == "washington"
    assert store.engine.dialect.name == "sqlite"
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def rows(database):
    import sqlite3

    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        ).fetchall()


def test_the_rows_written_are_the_stock_stores_rows(domain, tmp_path):
    stock = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "stock.db"))
    ours = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    for store in (stock, ours):
        for sender in ("broker-a", "broker-b"):
            tracker = DialogueStateTracker(sender, domain.slots)
            tracker.update(ActionExecuted("action_session_start", timestamp=1.0))
            tracker.update(SessionStarted(timestamp=1.0))
            for number, region in enumerate(("california", "oregon")):
                intent, entities = {"name": "ask_fax", "confidence": 0.9}, [{"entity": "region", "value": region}]
                tracker.update(UserUttered(f"fax for {region}", intent, entities, timestamp=2.0 + number))
                tracker.update(ActionExecuted("action_answer", timestamp=2.1 + number))
                tracker.update(SlotSet("region", region, timestamp=2.2 + number))
                tracker.update(ActionExecuted("action_listen", timestamp=2.3 + number))
                asyncio.run(store.save(tracker))
    written = rows(str(tmp_path / "ours.db"))
    assert written == rows(str(tmp_path / "stock.db"))
    assert len(written) == 2 * (2 + 2 * 4)  # each event once, in order
    assert {row[4] for row in written} == {None, "ask_fax"} and "action_answer" in {row[5] for row in written}


def test_a_turn_that_failed_before_saving_is_read_back_from_the_database(store):
    tracker = asyncio.run(store.get_or_create_tracker("broker-2"))
    turn(tracker, "california", "california")
    asyncio.run(store.save(tracker))
    turn(tracker, "oregon", "oregon")  # changed in memory, never saved
    again = asyncio.run(store.retrieve("broker-2"))
    assert again is not tracker
    assert again.get_slot("region") == "california"


def test_a_conversation_read_back_after_leaving_the_cache_writes_only_its_new_events(domain, tmp_path):
    store = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"), cached_conversations=1)
    first = asyncio.run(store.get_or_create_tracker("broker-1"))
    turn(first, "fax for california?", "california")
    asyncio.run(store.save(first))
    asyncio.run(store.get_or_create_tracker("broker-2"))  # takes the cache's one place
    again = asyncio.run(store.retrieve("broker-1"))
    assert again is not first  # read from the database: the stored events are counted there
    turn(again, "and oregon?", "oregon")
    asyncio.run(store.save(again))
    assert list(stored(store, "broker-1").events) == list(again.events)  # each event once, in order
    assert stored(store, "broker-1").get_slot("region") == "oregon"


def test_a_new_session_is_saved_and_then_read_as_stock_rasa_reads_it(store):
    tracker = asyncio.run(store.get_or_create_tracker("broker-3"))
    turn(tracker, "california", "california")
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("broker-3")) is tracker
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(SlotSet("region", "california"))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("broker-3"))
    assert again is not tracker
    assert list(again.events) == list(stored(store, "broker-3").events)
    assert isinstance(again.events[0], SessionStarted) and again.get_slot("region") == "california"
    everything = asyncio.run(store.retrieve_full_tracker("broker-3"))
    assert list(everything.events) == list(tracker.events)  # each event written once


def test_a_new_conversation_is_cached_as_stock_rasa_reads_it_back_from_its_first_turn(store):
    tracker = asyncio.run(store.get_or_create_tracker("broker-4"))  # starts with a listen
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "california", "california")
    asyncio.run(store.save(tracker))
    second_turn = asyncio.run(store.retrieve("broker-4"))
    assert list(second_turn.events) == list(stored(store, "broker-4").events)
    assert second_turn.get_slot("region") == "california"
    assert asyncio.run(store.retrieve("broker-4")) is second_turn  # from the cache, not the database
    turn(second_turn, "oregon", "oregon")
    asyncio.run(store.save(second_turn))
    everything = asyncio.run(store.retrieve_full_tracker("broker-4"))
    assert list(everything.events) == list(tracker.events) + list(second_turn.events)[-4:]  # each once


def test_least_recently_used_conversations_leave_the_cache(domain, tmp_path):
    store = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"), cached_conversations=2)
    trackers = [asyncio.run(store.get_or_create_tracker(f"broker-{n}")) for n in range(3)]
    assert asyncio.run(store.retrieve("broker-0")) is not trackers[0]
    assert asyncio.run(store.retrieve("broker-2")) is trackers[2]


def test_a_long_conversation_is_handed_back_short_with_the_same_state(domain, tmp_path):
    store = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"), compact_above=40, keep=12)
    tracker = asyncio.run(store.get_or_create_tracker("broker-long"))
    tracker.update(SlotSet("last_topic", "stop_autopay"))
    for n in range(30):
        turn(tracker, f"what about region {n}?", f"region-{n}")
        asyncio.run(store.save(tracker))
        tracker = asyncio.run(store.retrieve("broker-long"))
        assert len(tracker.events) <= 40 + 4  # bounded (plus the one turn added before saving)
    assert tracker.get_slot("region") == "region-29" and tracker.get_slot("last_topic") == "stop_autopay"
    assert tracker.latest_message.text == "what about region 29?"
    assert tracker.latest_action_name == "action_listen"
    turn(tracker, "and oregon?", "oregon")
    asyncio.run(store.save(tracker))
    everything = asyncio.run(store.retrieve_full_tracker("broker-long"))
    texts = [e.text for e in everything.events if isinstance(e, UserUttered)]
    assert texts == [f"what about region {n}?" for n in range(30)] + ["and oregon?"]  # all, once
    assert everything.get_slot("region") == "oregon"


def test_a_conversation_is_read_from_sqlite_as_the_stock_store_reads_it(domain, tmp_path):
    """CachedSQLTrackerStore._retrieve on SQLite (its own query on the DB-API connection): for every
    conversation of a database with several sessions, senders and an unknown sender, the latest
    session and the whole conversation come back as SQLTrackerStore's ORM query gives them."""
    database = str(tmp_path / "tracker.db")
    writer = SQLTrackerStore(domain=domain, dialect="sqlite", db=database)
    for sender, sessions in (("one-session", 1), ("three-sessions", 3), ("no-session", 0)):
        tracker = DialogueStateTracker(sender, domain.slots)
        for number in range(max(sessions, 1)):
            if sessions:
                tracker.update(ActionExecuted("action_session_start", timestamp=10.0 * number))
                tracker.update(SessionStarted(timestamp=10.0 * number))
            turn(tracker, f"turn {number}", ("california", "oregon", "washington")[number])
        asyncio.run(writer.save(tracker))
    ours = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=database)
    for sender in ("one-session", "three-sessions", "no-session", "unknown"):
        for whole in (False, True):
            mine = asyncio.run(ours._retrieve(sender, whole))
            stock = asyncio.run(SQLTrackerStore._retrieve(ours, sender, whole))
            assert (mine and mine.current_state()) == (stock and stock.current_state()), (sender, whole)
            assert (mine is None) == (sender == "unknown")
    latest = asyncio.run(ours._retrieve("three-sessions", False))
    assert len(latest.events) < len(asyncio.run(ours._retrieve("three-sessions", True)).events)
