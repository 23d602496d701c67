"""Limits and client-chosen values against the live assistant (issue 15, findings 9, 10, 11 and 14):
payload values the knowledge does not know are ignored, odd values get a clear answer and no
traceback, request bodies are capped and client fields not stored (the store and the server's memory
stay flat), and a message sent twice is handled once."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from tests.live.servers import texts

MB = 1024 * 1024


def stored_events(assistant, sender: str) -> list[dict]:
    with sqlite3.connect(assistant.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
        return [json.loads(data) for (data,) in rows]


def stored_bytes(assistant, senders: list[str]) -> int:
    with sqlite3.connect(assistant.tracker_db) as db:
        marks = ",".join("?" * len(senders))
        return db.execute(
            f"SELECT COALESCE(SUM(LENGTH(data)), 0) FROM events WHERE sender_id IN ({marks})", senders
        ).fetchone()[0]


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (serve.sh -> rasa), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


def post_huge(assistant, body: dict) -> int:
    """The status a POST of this body gets, asked first (Expect: 100-continue): a server that refuses
    the length answers before the body is sent (10 MB sent into a closed connection would fail); one
    that accepts it ("100 Continue") gets the body."""
    data = json.dumps(body).encode()
    head = (
        f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", assistant.rasa_port), timeout=2) as connection:
        connection.sendall(head)
        answered = b""
        with contextlib.suppress(TimeoutError):  # what the server says before the body: 100, or a refusal
            while chunk := connection.recv(65536):
                answered += chunk
        final = [int(line.split()[1]) for line in answered.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]
        final = [status for status in final if status != 100]
        if final:
            return final[0]
        connection.settimeout(120)
        connection.sendall(data)
        return int(connection.makefile("rb").readline().split()[1])


# --- finding 9: payload values ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "payload",
    [
        '/billing_questions{"region":"Colorado <img src=x>"}',
        '/billing_questions{"region":"Colorado <img src=x onerror=alert(1)> Oregon"}',
        '/inform_region{"region":"<script>alert(1)</script>"}',
    ],
)
def test_payload_values_the_knowledge_does_not_know_are_ignored(assistant, sender, payload):
    reply = texts(assistant.say(sender, payload))
    assert "<" not in reply and "Colorado" not in reply and "script" not in reply
    stored = [e for e in stored_events(assistant, sender) if e["event"] == "slot" and e["name"] == "region"]
    assert all(e["value"] in (None, "oregon", "california") for e in stored)


def test_a_payload_region_the_knowledge_names_is_used(assistant, sender):
    reply = texts(assistant.say(sender, '/billing_questions{"region":"Oregon"}'))
    assert "Consolidated Service Center" in reply


# --- finding 10: odd values ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "messages, expected",
    [
        (["A California group terminated 12/31/9999, what is the reinstatement deadline?"], "termination date"),
        (["what's the reinstatement deadline for a California group?", "12/31/9999"], "termination date"),
        (['/cid_split{"count":"²"}'], "?"),
        (["HQ in Oakland, ² subscribers in San Diego: do they need to split?"], "split"),
        (['/inform_count{"count":"99999999999999999999"}'], ""),
    ],
)
def test_odd_values_get_a_clear_answer_and_no_traceback(assistant, sender, messages, expected):
    for message in messages:
        reply = texts(assistant.say(sender, message))
    assert expected in reply and "can't look that up right now" not in reply
    logs = "".join(path.read_text() for path in assistant.workdir.glob("*.log"))
    for failure in ("OverflowError", "invalid literal for int()", "Encountered an exception while running action"):
        assert failure not in logs


# --- finding 11: bounded storage and memory -----------------------------------------------------------
def test_a_body_over_64_kb_is_refused_and_nothing_is_stored_or_kept(assistant):
    pid = assistant.procs["rasa"].pid
    senders = [f"huge-{uuid.uuid4().hex}" for _ in range(5)]
    assistant.say(senders[0], "hello")  # warm: the first message of a conversation allocates
    before_store, before_rss = stored_bytes(assistant, senders), tree_rss_kb(pid)
    for sender in senders:
        assert post_huge(assistant, {"sender": sender, "message": "hi", "input_channel": "Q" * 10**7}) == 413
    time.sleep(1)
    assert stored_bytes(assistant, senders) - before_store < 10_000  # Rasa stored 10 MB for each
    assert tree_rss_kb(pid) - before_rss < 30 * 1024  # kB: Rasa's tracker cache kept each 10 MB too


def test_client_fields_inside_the_limit_are_not_stored(assistant):
    senders = [f"fields-{uuid.uuid4().hex}" for _ in range(30)]
    for sender in senders:
        status, _ = assistant.post(
            {"sender": sender, "message": "hello", "input_channel": "Q" * 30_000, "metadata": {"q": "Q" * 30_000}}
        )
        assert status == 200
    assert stored_bytes(assistant, senders) < len(senders) * 5_000  # a greeting's events, not 60 KB each
    user = next(e for e in stored_events(assistant, senders[0]) if e["event"] == "user")
    assert user["input_channel"] == "rest" and "QQQ" not in json.dumps(user)


# --- finding 14: a message sent twice is handled once ------------------------------------------------
def test_a_repeated_message_id_gets_the_stored_reply_and_is_stored_once(assistant, sender):
    first = assistant.post({"sender": sender, "message": "How do I terminate a California group contract?",
                            "message_id": "repeat-0001"})  # fmt: skip
    assistant.say(sender, "what about Oregon?")
    again = assistant.post({"sender": sender, "message": "How do I terminate a California group contract?",
                            "message_id": "repeat-0001"})  # fmt: skip
    assert first[0] == again[0] == 200
    assert json.loads(first[1]) == json.loads(again[1])  # the same reply, not Oregon's again
    users = [e for e in stored_events(assistant, sender) if e["event"] == "user"]
    assert [e["text"] for e in users] == ["How do I terminate a California group contract?", "what about Oregon?"]
    assert users[0]["message_id"] == "repeat-0001"


def test_the_request_id_names_a_message_without_an_id(assistant, sender):
    request = {"sender": sender, "message": "who handles billing questions in Oregon?"}
    assert assistant.post(request, headers={"X-Request-ID": "nginx-request-00000001"})[0] == 200
    assert assistant.post(request, headers={"X-Request-ID": "nginx-request-00000001"})[0] == 200
    assert len([e for e in stored_events(assistant, sender) if e["event"] == "user"]) == 1


@pytest.mark.parametrize("message_id", ["x", "a" * 200, "has space 1234", 12345678])
def test_a_malformed_message_id_gets_a_400(assistant, sender, message_id):
    status, body = assistant.post({"sender": sender, "message": "hello", "message_id": message_id})
    assert status == 400 and "message_id" in body


def test_the_body_limit_is_64_kb(assistant, sender):
    assert assistant.post({"sender": sender, "message": "hello", "pad": "x" * 60_000})[0] == 200
    assert assistant.post({"sender": sender, "message": "hello", "pad": "x" * 70_000})[0] == 413
