"""Personal data in every place it could leak (issue 15, findings 1 to 4), against the live assistant:
socket.io metadata never stored, the formats the masker used to miss read back masked from the store,
a birth date never taken for a termination date, and logs that hold no conversation, even when
actions fail."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.live.servers import running, texts
from tests.live.sockets import Chat

MARKER = "zebracanary"  # a word no log line of ours contains unless it copied a message


def stored_events(assistant, sender: str) -> list[dict]:
    with sqlite3.connect(assistant.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
        return [json.loads(data) for (data,) in rows]


def user_texts(events: list[dict]) -> str:
    """Every user-supplied string of the stored user events: text, parse data, entities, metadata."""
    found = []
    for event in events:
        if event["event"] == "user":
            parse = event.get("parse_data") or {}
            found += [event.get("text") or "", parse.get("text") or "", json.dumps(event.get("metadata"))]
            found += [str(e.get("value")) for e in parse.get("entities") or []]
        if event["event"] in ("session_started", "slot"):
            found.append(json.dumps(event.get("metadata") or event.get("value"), ensure_ascii=False))
    return "\n".join(found)


# --- finding 1: socket.io metadata -------------------------------------------------------------------
def test_socketio_metadata_is_never_stored(assistant):
    note = {"note": f"SSN 123-45-6789, DOB 04/12/1980 {MARKER}", "blob": "Q" * 20_000}

    async def conversation() -> str:
        chat = Chat(f"http://localhost:{assistant.rasa_port}")
        await chat.connect()
        await chat.start(session_id=f"metadata-{uuid.uuid4().hex}")
        replies = await chat.say("How do I terminate a California group contract?", metadata=note)
        await chat.close()
        assert "Account Management Support" in texts(replies)
        return chat.session_id

    events = stored_events(assistant, asyncio.run(conversation()))
    assert any(e["event"] == "user" for e in events)
    stored = json.dumps(events, ensure_ascii=False)
    for leaked in ("123-45-6789", "04/12/1980", MARKER, "QQQQ"):
        assert leaked not in stored


def test_rest_metadata_and_input_channel_are_never_stored(assistant, sender):
    status, _ = assistant.post(
        {
            "sender": sender,
            "message": "hello",
            "metadata": {"note": f"SSN 123-45-6789 {MARKER}"},
            "input_channel": f"{MARKER} DOB 04/12/1980",
        }  # fmt: skip
    )
    assert status == 200
    stored = json.dumps(stored_events(assistant, sender), ensure_ascii=False)
    assert "123-45-6789" not in stored and MARKER not in stored and '"input_channel": "rest"' in stored


# --- finding 3: the formats the masker missed, read back from the store --------------------------------
FORMATS = [  # (message, the personal part, a word that stays)
    ("my SSN is 456.78.9012", "456.78.9012", "SSN"),
    ("my SSN is 456\u201378\u20139012", "456\u201378\u20139012", "SSN"),
    ("my SSN is 456\u00a078\u00a09012", "456\u00a078\u00a09012", "SSN"),
    ("my SSN is 789 - 01 - 2345", "789 - 01 - 2345", "SSN"),
    ("her ID# 7651234 is lost", "7651234", "lost"),
    ("member ID number 7654321 needs a card", "7654321", "card"),
    ("DOB 03.04.1975, in Oakland", "03.04.1975", "Oakland"),
    ("DOB 1975/03/04, in Oakland", "1975/03/04", "Oakland"),
    ("the owner was born 2nd of January 1980", "2nd of January 1980", "owner"),
    ("call me on +44 20 7946 0958", "7946 0958", "call"),
    ("call me on 503\u2013555\u20130123", "555\u20130123", "call"),
    ("write to jane.roe at gmail dot com", "jane.roe", "write"),
    ("card 4111 1111 1111 1111 was charged", "4111 1111", "charged"),
]


@pytest.mark.parametrize("message, personal, kept", FORMATS)
def test_the_formats_the_masker_missed_are_stored_masked(assistant, sender, message, personal, kept):
    assert texts(assistant.say(sender, message)).strip()
    stored = user_texts(stored_events(assistant, sender))
    assert kept in stored  # the message is there...
    assert personal not in stored and "[" in stored  # ...with a placeholder for the personal data


# --- finding 4: a birth date never feeds a computation ------------------------------------------------
@pytest.mark.parametrize(
    "message",
    [
        "Can a California group get reinstatement? The owner was born 2nd of January 1980",
        "Can a California group get reinstatement? 1/2/1980, which is when the owner was born",
        "California group reinstatement deadline? owner b. 1/2/1980",
    ],
)
def test_a_birth_date_is_never_taken_for_the_termination_date(assistant, sender, message):
    reply = texts(assistant.say(sender, message))
    assert "window has passed" not in reply and "1980" not in reply
    assert "termination date" in reply


def test_with_a_birth_date_beside_it_the_termination_date_is_used(assistant, sender):
    reply = texts(
        assistant.say(sender, "A California group terminated 10/31/2026; the owner was born 1/2/1980. Reinstatement?")
    )
    assert "December 30, 2026" in reply and "1980" not in reply


# --- finding 2: logs hold no conversation ------------------------------------------------------------
SECRET_MESSAGES = [
    f"{MARKER} SSN 123-45-6789, member ID number 7654321, how do I terminate an Oregon group?",
    f"/inform_region{{not json {MARKER} 123-45-6789",
    f"/nosuchintent {MARKER} 123-45-6789",
    f'/greet{{"x": 1}} {MARKER}',
    f'/billing_questions{{"region": "Colorado {MARKER} <img src=x>"}}',
    f'/rate_unhelpful{{"answer_id": "ab12cd34", "comment": "{MARKER} call me at 503-555-0123"}}',
]


def test_the_logs_hold_no_message_text(assistant, sender):
    for message in SECRET_MESSAGES:
        assert texts(assistant.say(sender, message)).strip()
    logs = "".join(path.read_text() for path in assistant.workdir.glob("*.log"))
    for leaked in (MARKER, "123-45-6789", "7654321", "503-555-0123"):
        assert leaked not in logs


class EchoingActionServer(ThreadingHTTPServer):
    """An action server that fails as rasa_sdk does on an exception: 500, with the whole request
    (the conversation's tracker) in the body."""

    def __init__(self, port: int):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                body = json.dumps({"error": "something broke", "request_body": request}).encode()
                self.send_response(500)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_):
                pass

        super().__init__(("127.0.0.1", port), Handler)


@pytest.fixture(scope="module")
def failing_actions(tmp_path_factory):
    """The Rasa server with an action server that answers every action with a 500 and the tracker."""
    server = EchoingActionServer(5171)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with running(tmp_path_factory.mktemp("failing-actions"), 5121, 5171, components=("rasa",)) as live:
            yield live
    finally:
        server.shutdown()
        server.server_close()


def test_a_failing_action_logs_one_line_not_the_conversation(failing_actions):
    sender = f"failing-{uuid.uuid4().hex}"
    log = failing_actions.workdir / "rasa.log"
    for n in range(15):  # a long conversation: the tracker the action server echoes grows each time
        reply = texts(failing_actions.say(sender, f"{MARKER} {n}: SSN 123-45-6789, how do I terminate a contract?"))
        assert "can't look that up right now" in reply  # the broker still gets real contacts
    before = log.stat().st_size
    failing_actions.say(sender, f"{MARKER}: one more")
    written = log.read_text()
    assert f"Custom action 'action_answer' failed for conversation {sender}: HTTP 500" in written
    assert MARKER not in written and "123-45-6789" not in written and "request_body" not in written
    assert log.stat().st_size - before < 1_000  # one message, a few lines: not the conversation
