"""Faults: nothing is lost and the broker is never left in silence. These tests break their own
assistant (ports 5106/5156), not the shared one."""

import json
import socket
import sqlite3
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live.servers import Assistant, health, running, texts

AMT_LINE = "800-790-4661, option 3"


@pytest.fixture(scope="module")
def breakable(tmp_path_factory):
    with running(tmp_path_factory.mktemp("breakable"), rasa_port=5106, actions_port=5156) as live:
        yield live


def stored_events(live: Assistant, sender: str) -> list[dict]:
    with sqlite3.connect(live.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_action_server_down_gets_a_reply_with_a_real_contact_then_recovers(breakable, sender):
    breakable.stop("actions")
    reply = texts(breakable.say(sender, "How do I terminate a California small group contract?"))
    assert "can't look that up right now" in reply and AMT_LINE in reply
    breakable.start("actions")
    reply = texts(breakable.say(sender, "How do I terminate a California small group contract?"))
    assert reply.startswith("To help a California small group terminate") and AMT_LINE in reply


def test_action_server_hanging_times_out_into_a_reply(breakable, sender):
    breakable.stop("actions")
    hanging = socket.socket()
    hanging.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hanging.bind(("127.0.0.1", breakable.actions_port))
    hanging.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(hanging.accept()), daemon=True).start()
    try:
        start = time.monotonic()
        reply = texts(breakable.say(sender, "who do I call to cancel a California group contract?", timeout=60))
        assert "can't look that up right now" in reply and AMT_LINE in reply
        assert time.monotonic() - start < 30  # the 10 s action timeout, not Rasa's 5 minutes
    finally:
        hanging.close()
        breakable.start("actions")


def test_rasa_restart_keeps_the_conversation_and_every_event(breakable, sender):
    breakable.say(sender, "How do I terminate a small group contract in Oakland?")
    before = stored_events(breakable, sender)
    breakable.stop("rasa")
    breakable.start("rasa")
    reply = texts(breakable.say(sender, "what about Oregon?"))
    assert "503-813-2630, option 3" in reply  # the last question, re-answered from the kept slots
    after = stored_events(breakable, sender)
    assert after[: len(before)] == before and len(after) > len(before)


def test_tracker_store_failure_is_loud_and_recovers(breakable, sender):
    breakable.say(sender, "How do I terminate a small group contract in Oakland?")
    assert health(breakable.rasa_port) == 200
    # Another process holds the database's write lock: the store can read but not save.
    blocker = sqlite3.connect(breakable.tracker_db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        reply = texts(breakable.say(sender, "what about Oregon?"))
        assert "can't save this conversation right now" in reply and AMT_LINE in reply
        assert health(breakable.rasa_port) == 503
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert health(breakable.rasa_port) == 200
    assert "503-813-2630, option 3" in texts(breakable.say(sender, "what about Oregon?"))
    log = (breakable.workdir / "rasa.log").read_text()
    assert "Tracker store unavailable, message refused" in log


def test_50_conversations_of_20_messages_are_all_answered_in_order(breakable, record_figure):
    turns = [
        "hello",
        "who handles billing questions?",
        "Oregon",
        "what about California?",
        "How do I terminate a small group contract?",
        "what's the reinstatement deadline?",
        "terminated on 2026-10-01",
        "HQ in Oakland with 20 subscribers in San Diego, split?",
        "phone number of the Consolidated Service Center",
        "thanks",
    ] * 2
    latencies, lock = [], threading.Lock()

    def conversation(_: int) -> tuple[str, int]:
        sender, answered = f"load-{uuid.uuid4().hex}", 0
        for turn in turns:
            start = time.monotonic()
            answered += bool(texts(breakable.say(sender, turn, timeout=120)).strip())
            with lock:
                latencies.append(time.monotonic() - start)
        return sender, answered

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(conversation, range(50), timeout=900))
    answered = sum(count for _, count in results)
    p95 = sorted(latencies)[int(0.95 * (len(latencies) - 1))]
    record_figure(
        "load, 50 conversations x 20 messages",
        f"{answered}/1000 answered, p50 {1000 * statistics.median(latencies):.0f} ms, p95 {1000 * p95:.0f} ms",
    )
    assert answered == 1000
    for sender, _ in results:
        said = [e["text"] for e in stored_events(breakable, sender) if e["event"] == "user"]
        assert said == turns, sender
    assert "LockError" not in (breakable.workdir / "rasa.log").read_text()
