"""The web server without a browser: the console token guards the transcript, static files stay in
their folder, pages get the Rasa URL and a content security policy; transcripts from the store (read
by stores/events_reader.py, tested in test_events_reader.py)."""

import json
import sqlite3
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

import pytest

from stores.events_reader import EventsReader
from web.audit import AuditLog
from web.server import Settings, make_handler
from web.transcript import conversation_turns

TOKEN = "unit-test-token-0123456789"


def store(db_path) -> EventsReader:
    return EventsReader(f"sqlite:///{db_path}")


def write_events(db_path, sender_id, events):
    with sqlite3.connect(db_path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
            "timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        db.executemany(
            "INSERT INTO events (sender_id, type_name, data) VALUES (?, ?, ?)",
            [(sender_id, e["event"], json.dumps(e)) for e in events],
        )


SOURCE = {"document": "California Small Business Broker FAQ", "file": "000.txt", "section": "Terminating"}
CONVERSATION = [
    {"event": "action", "name": "action_listen"},
    {
        "event": "user",
        "text": "terminate a contract in LA?",
        "timestamp": 1.0,
        "parse_data": {
            "intent": {"name": "terminate_contract", "confidence": 0.97},
            "entities": [{"entity": "region", "value": "LA", "start": 22}],
        },
    },
    {
        "event": "bot",
        "text": "Call us.",
        "timestamp": 2.5,
        "data": {"custom": {"type": "answer", "region": "California", "sources": [SOURCE]}},
    },
    {"event": "slot", "name": "region", "value": "california"},
    {"event": "user", "text": "thanks", "parse_data": {"intent": {"name": "thank", "confidence": 0.9}}},
    {"event": "bot", "text": "You're welcome.", "data": {}},
]


def test_a_turn_has_the_question_its_nlu_the_region_after_it_and_the_bot_messages_with_times_and_sources(tmp_path):
    write_events(tmp_path / "t.db", "abc", CONVERSATION)
    first, second = conversation_turns(store(tmp_path / "t.db"), "abc")
    assert first == {
        "time": 1.0,
        "user": "terminate a contract in LA?",
        "intent": "terminate_contract",
        "confidence": 0.97,
        "entities": [{"entity": "region", "value": "LA"}],
        "bot": [
            {
                "time": 2.5,
                "text": "Call us.",
                "custom": {"type": "answer", "region": "California", "sources": [SOURCE]},
                "sources": [{"document": "California Small Business Broker FAQ", "section": "Terminating"}],
            }
        ],
        "region": "california",
    }
    assert second["region"] == "california"
    assert second["bot"] == [{"time": None, "text": "You're welcome.", "custom": None, "sources": []}]
    assert conversation_turns(store(tmp_path / "t.db"), "someone-else") == []
    assert conversation_turns(store(tmp_path / "missing.db"), "abc") == []


def serve(events: EventsReader, audit_log=None):
    env = {"WEB_PORT": "0", "RASA_URL": "http://localhost:5999", "AGENT_CONSOLE_TOKEN": TOKEN}
    settings = Settings({**env, "CONSOLE_AUDIT_LOG": str(audit_log or events.sqlite_file.with_suffix(".audit"))})
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(settings, events))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def web_url(tmp_path):
    write_events(tmp_path / "t.db", "abc", CONVERSATION)
    server = serve(store(tmp_path / "t.db"))
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def get(url, token=None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.mark.parametrize("token", [None, "wrong", TOKEN + "x", TOKEN.upper()])
def test_the_transcript_needs_the_console_token(web_url, token):
    status, headers, _ = get(f"{web_url}/api/conversations/abc", token)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")


def test_with_the_token_the_transcript_is_served_uncached(web_url):
    status, headers, body = get(f"{web_url}/api/conversations/abc", TOKEN)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert [turn["intent"] for turn in json.loads(body)["turns"]] == ["terminate_contract", "thank"]


def test_a_store_that_cannot_be_read_gets_a_clear_503_not_a_dropped_connection():
    server = serve(EventsReader("postgresql://nobody:secret@127.0.0.1:9/tracker"), "/nonexistent/audit")  # no port 9
    try:
        status, _, body = get(f"http://127.0.0.1:{server.server_port}/api/conversations/abc", TOKEN)
    finally:
        server.shutdown()
        server.server_close()
    assert status == 503 and "cannot be read" in json.loads(body)["error"] and "secret" not in body


def test_each_transcript_read_is_in_the_audit_log_with_who_and_what_never_the_text(web_url, tmp_path):
    for purpose in ("view", "copy", "download", "", ""):  # the details panel polls: recorded once
        assert get(f"{web_url}/api/conversations/abc?purpose={purpose}", TOKEN)[0] == 200
    get(f"{web_url}/api/conversations/nobody?purpose=view", TOKEN)  # no such conversation: nothing read
    get(f"{web_url}/api/conversations/abc?purpose=view", "wrong")  # refused: nothing read
    entries = AuditLog(tmp_path / "t.audit").entries()
    assert [(e["agent"], e["action"], e["conversation"]) for e in entries] == [
        ("console token", action, "abc") for action in ("view", "copy", "download", "details")
    ]
    assert all(e["time"] > 1.7e9 for e in entries) and "terminate" not in (tmp_path / "t.audit").read_text()


@pytest.mark.parametrize("path", ["/../endpoints.yml", "/%2e%2e/%2e%2e/endpoints.yml", "/widget/../../server.py"])
def test_nothing_outside_the_static_folder_is_served(web_url, path):
    assert get(web_url + path)[0] == 404


def test_pages_name_the_rasa_server_and_allow_only_it_and_themselves(web_url):
    status, headers, body = get(f"{web_url}/demo/")
    assert status == 200 and 'data-server-url="http://localhost:5999"' in body
    policy = headers["Content-Security-Policy"]
    assert "connect-src 'self' http://localhost:5999 ws://localhost:5999" in policy
    assert "script-src" not in policy and "default-src 'self'" in policy  # no inline scripts anywhere


def test_the_server_refuses_to_start_without_a_long_enough_token():
    with pytest.raises(SystemExit):
        Settings({"AGENT_CONSOLE_TOKEN": "short"})


@pytest.mark.parametrize("path", ["/api/directory?q=ebs", "/api/compare?topic=terminate_contract", "/api/topics"])
def test_the_directory_and_the_region_comparison_need_the_console_token(web_url, path):
    status, _, _ = get(f"{web_url}{path}")
    assert status == 401


def test_the_directory_filter_answers_with_cards_tolerant_of_typos(web_url):
    status, _, body = get(f"{web_url}/api/directory?q=consolidted%20fax", TOKEN)
    teams = json.loads(body)["teams"]
    assert status == 200 and teams[0]["team"] == "nw_consolidated_service_center"
    assert teams[0]["card"]["fax"] == "1-866-311-5974" and teams[0]["region"].startswith("Northwest")


def test_both_regions_of_a_topic_side_by_side_with_sources(web_url):
    status, _, body = get(f"{web_url}/api/compare?topic=terminate_contract", TOKEN)
    regions = json.loads(body)["regions"]
    assert status == 200 and [r["region"] for r in regions] == [
        "California",
        "Northwest (Oregon and Southwest Washington)",
    ]
    assert "800-790-4661, option 3" in regions[0]["text"] and "503-813-2630, option 3" in regions[1]["text"]
    assert get(f"{web_url}/api/compare?topic=nonsense", TOKEN)[0] == 404


def test_the_topics_to_compare_are_every_topic_answered_by_region_with_its_title(web_url, knowledge):
    status, _, body = get(f"{web_url}/api/topics", TOKEN)
    topics = json.loads(body)["topics"]
    assert status == 200 and topics[0] == {"topic": "update_address", "title": knowledge.topics["update_address"].title}
    assert [t["topic"] for t in topics] == [key for key, topic in knowledge.topics.items() if topic.answers]
    assert "team_contact" not in [t["topic"] for t in topics]  # a team's card, not an answer by region


def test_type_ahead_questions_are_public_and_ask_the_topic_directly(web_url):
    status, _, body = get(f"{web_url}/api/suggest?q=reinstat")
    [first, *_] = json.loads(body)["suggestions"]
    assert status == 200 and first["topic"] == "reinstatement" and first["payload"] == "/reinstatement"
    assert json.loads(get(f"{web_url}/api/suggest?q=r")[2])["suggestions"] == []
