"""The web server without a browser: a signed-in agent's session (named accounts, a session cookie)
guards the transcript, the directory and the comparison; sign-in, sign-out, idle expiry and the brake
on failed sign-ins; static files stay in their folder, pages get the Rasa URL and a content security
policy; transcripts from the store (read by stores/events_reader.py, tested in test_events_reader.py)."""

import json
import os
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from stores.events_reader import EventsReader
from tests.unit.web_app import ServedApp
from tokens.signed import AgentTokens
from web.accounts import AccountStore
from web.audit import AuditLog
from web.settings import Settings
from web.transcript import conversation_turns

AGENT, PASSWORD = "unit-agent", "unit-test-password-" + os.urandom(8).hex()


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
            "reading": {"places": [{"said": "LA", "place": "southern_california", "role": "the group's"}]},
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
        "payload": False,
        "intent": "terminate_contract",
        "confidence": 0.97,
        "entities": [{"entity": "region", "value": "LA"}],
        "reading": {"places": [{"said": "LA", "place": "southern_california", "role": "the group's"}]},
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


def serve(events: EventsReader, folder: Path, **env: str):
    """The web server on a free port, its accounts (one agent) and audit log in `folder`."""
    accounts = AccountStore(folder / "agents.json")
    if AGENT not in accounts.names():
        accounts.add(AGENT, PASSWORD)
    settings = Settings(
        {
            "WEB_PORT": "0",
            "RASA_URL": "http://localhost:5999",
            "CONSOLE_ACCOUNTS": str(folder / "agents.json"),
            "CONSOLE_AUDIT_LOG": str(folder / "console-audit.log"),
            "SESSION_TOKEN_KEY_FILE": str(folder / "session-token.key"),
            **env,
        }
    )
    return ServedApp(settings, events)


@pytest.fixture
def web_url(tmp_path):
    write_events(tmp_path / "t.db", "abc", CONVERSATION)
    server = serve(store(tmp_path / "t.db"), tmp_path)
    yield server.url
    server.stop()


def call(url, method="GET", cookie=None, body=None, headers=None):
    """(status, headers, text) of one request; `cookie` is a session cookie ("kp_console=...")."""
    headers = {**({"Cookie": cookie} if cookie else {}), **(headers or {})}
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def get(url, cookie=None):
    return call(url, cookie=cookie)


def sign_in(web_url, name=AGENT, password=PASSWORD, **headers):
    body = json.dumps({"name": name, "password": password}).encode()
    return call(f"{web_url}/api/session", "POST", body=body, headers={"Content-Type": "application/json", **headers})


def cookie_of(response) -> str:
    return response[1]["Set-Cookie"].split(";")[0]


@pytest.fixture
def session(web_url):
    """A signed-in agent's session cookie."""
    return cookie_of(sign_in(web_url))


@pytest.mark.parametrize("cookie", [None, "kp_console=forged", "kp_console=", "other=1"])
def test_the_transcript_needs_a_signed_in_agent(web_url, cookie):
    status, _, body = get(f"{web_url}/api/conversations/abc", cookie)
    assert status == 401 and json.loads(body)["reason"] == "none" and "turns" not in body


def test_signed_in_the_transcript_is_served_uncached(web_url, session):
    status, headers, body = get(f"{web_url}/api/conversations/abc", session)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert [turn["intent"] for turn in json.loads(body)["turns"]] == ["terminate_contract", "thank"]


def test_a_store_that_cannot_be_read_gets_a_clear_503_not_a_dropped_connection(tmp_path):
    server = serve(EventsReader("postgresql://nobody:secret@127.0.0.1:9/tracker"), tmp_path)  # nothing on port 9
    url = server.url
    try:
        status, _, body = get(f"{url}/api/conversations/abc", cookie_of(sign_in(url)))
    finally:
        server.stop()
    assert status == 503 and "cannot be read" in json.loads(body)["error"] and "secret" not in body


def test_each_transcript_read_is_in_the_audit_log_with_the_agents_name_never_the_text(web_url, session, tmp_path):
    for purpose in ("view", "copy", "download", "", ""):  # the details panel polls: recorded once
        assert get(f"{web_url}/api/conversations/abc?purpose={purpose}", session)[0] == 200
    get(f"{web_url}/api/conversations/nobody?purpose=view", session)  # no such conversation: nothing read
    get(f"{web_url}/api/conversations/abc?purpose=view", "kp_console=forged")  # refused: nothing read
    entries = AuditLog(tmp_path / "console-audit.log").entries()
    assert [(e["agent"], e["action"], e.get("conversation")) for e in entries] == [
        (AGENT, "sign-in", None),
        *[(AGENT, action, "abc") for action in ("view", "copy", "download", "details")],
    ]
    logged = (tmp_path / "console-audit.log").read_text()
    assert all(e["time"] > 1.7e9 for e in entries) and "terminate" not in logged and PASSWORD not in logged


# --- signing in -----------------------------------------------------------------------------------------
def test_signing_in_sets_an_http_only_same_site_strict_session_cookie(web_url):
    status, headers, body = sign_in(web_url)
    assert status == 200 and json.loads(body) == {"agent": AGENT, "role": "agent", "display_name": AGENT}
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("kp_console=") and len(cookie.split(";")[0]) > 40
    assert {"Path=/", "HttpOnly", "SameSite=Strict"} <= {part.strip() for part in cookie.split(";")}
    assert "Secure" not in cookie  # plain HTTP on localhost: a Secure cookie would never come back
    assert json.loads(get(f"{web_url}/api/session", cookie_of((status, headers, body)))[2])["agent"] == AGENT


def test_a_sign_in_names_the_display_name_brokers_will_see_in_the_answer_and_the_audit_log(tmp_path):
    write_events(tmp_path / "t.db", "abc", CONVERSATION)
    AccountStore(tmp_path / "agents.json").add("dana", PASSWORD, display_name="Dana Reyes")
    server = serve(store(tmp_path / "t.db"), tmp_path)
    try:
        status, headers, body = sign_in(server.url, name="dana")
        session = json.loads(get(f"{server.url}/api/session", cookie_of((status, headers, body)))[2])
        sign_in(server.url)  # an account without one: its name, and no display name in the record
    finally:
        server.stop()
    assert json.loads(body)["display_name"] == "Dana Reyes" and session["display_name"] == "Dana Reyes"
    entries = AuditLog(tmp_path / "console-audit.log").entries()
    assert [(e["agent"], e["action"], e.get("display_name")) for e in entries] == [
        ("dana", "sign-in", "Dana Reyes"),
        (AGENT, "sign-in", None),
    ]


def test_over_tls_the_cookie_is_secure_too(web_url):
    assert "; Secure" in sign_in(web_url, **{"X-Forwarded-Proto": "https"})[1]["Set-Cookie"]


@pytest.mark.parametrize(
    "name, password",
    [(AGENT, PASSWORD + "x"), (AGENT, ""), ("nobody", PASSWORD), ("", "")],
    ids=["wrong password", "no password", "unknown name", "neither"],  # never the password: the same in each process
)
def test_a_wrong_name_or_password_is_refused_alike_without_a_cookie(web_url, name, password):
    status, headers, body = sign_in(web_url, name, password)
    assert status == 401 and json.loads(body)["error"] == "Wrong name or password." and "Set-Cookie" not in headers


def test_repeated_failed_sign_ins_are_slowed_even_for_the_right_password(web_url):
    for _ in range(3):
        assert sign_in(web_url, AGENT, "guess")[0] == 401
    status, headers, body = sign_in(web_url)  # the right password, too soon
    assert status == 429 and int(headers["Retry-After"]) >= 1 and "Try again in" in json.loads(body)["error"]
    assert "Set-Cookie" not in headers


def test_sign_in_only_from_the_consoles_own_page_and_as_json(web_url):
    body = json.dumps({"name": AGENT, "password": PASSWORD}).encode()
    other_site = {"Content-Type": "application/json", "Origin": "https://evil.example"}
    assert call(f"{web_url}/api/session", "POST", body=body, headers=other_site)[0] == 403
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert call(f"{web_url}/api/session", "POST", body=b"name=a&password=b", headers=form)[0] == 403


def test_signing_out_ends_the_session_on_the_server(web_url, session, tmp_path):
    accounts = AccountStore(tmp_path / "agents.json")
    before = accounts.standing_since(AGENT)
    status, headers, _ = call(f"{web_url}/api/session", "DELETE", cookie=session)
    assert status == 200 and "Max-Age=0" in headers["Set-Cookie"]
    assert accounts.standing_since(AGENT) > before  # the live desk's passes issued before now stand no more
    status, _, body = get(f"{web_url}/api/conversations/abc", session)  # the old cookie, kept by hand
    assert status == 401 and json.loads(body)["reason"] == "none"


def test_an_idle_session_expires(tmp_path, monkeypatch):
    write_events(tmp_path / "t.db", "abc", CONVERSATION)
    server = serve(store(tmp_path / "t.db"), tmp_path, CONSOLE_IDLE_MINUTES="0.02")  # 1.2 s
    url, sessions = server.url, server.app.ctx.services.auth.sessions
    try:
        cookie = cookie_of(sign_in(url))
        assert get(f"{url}/api/conversations/abc", cookie)[0] == 200
        # 1.5 s later on the sessions' clock (the wall clock, time.time), without waiting them here: the
        # wait itself is test_console_session_store.py's, across a restart.
        monkeypatch.setattr(sessions, "clock", lambda: time.time() + 1.5)
        status, _, body = get(f"{url}/api/conversations/abc", cookie)
    finally:
        server.stop()
    assert status == 401 and json.loads(body)["reason"] == "expired"
    assert "without activity" in json.loads(body)["error"]


def test_a_password_reset_ends_the_agents_sessions(web_url, session, tmp_path):
    AccountStore(tmp_path / "agents.json").reset(AGENT)  # `make agent-reset` while the server runs
    status, _, body = get(f"{web_url}/api/conversations/abc", session)
    assert status == 401 and json.loads(body)["reason"] == "ended"


@pytest.mark.parametrize("path", ["/../endpoints.yml", "/%2e%2e/%2e%2e/endpoints.yml", "/widget/../../server.py"])
def test_nothing_outside_the_static_folder_is_served(web_url, path):
    assert get(web_url + path)[0] == 404


def test_pages_name_the_rasa_server_and_allow_only_it_and_themselves(web_url):
    status, headers, body = get(f"{web_url}/demo/")
    assert status == 200 and 'data-server-url="http://localhost:5999"' in body
    policy = headers["Content-Security-Policy"]
    assert "connect-src 'self' http://localhost:5999 ws://localhost:5999" in policy
    assert "script-src" not in policy and "default-src 'self'" in policy  # no inline scripts anywhere


def test_with_no_account_the_server_starts_and_lets_no_one_in(tmp_path):
    settings = Settings(
        {
            "CONSOLE_ACCOUNTS": str(tmp_path / "none.json"),
            "CONSOLE_AUDIT_LOG": str(tmp_path / "audit.log"),
            "SESSION_TOKEN_KEY_FILE": str(tmp_path / "session-token.key"),
        }
    )
    server = ServedApp(settings, store(tmp_path / "t.db"))
    url = server.url
    try:
        assert sign_in(url)[0] == 401 and get(f"{url}/api/conversations/abc")[0] == 401
    finally:
        server.stop()


@pytest.mark.parametrize("path", ["/api/directory?q=ebs", "/api/compare?topic=terminate_contract", "/api/topics"])
def test_the_directory_and_the_region_comparison_need_a_signed_in_agent(web_url, path):
    status, _, _ = get(f"{web_url}{path}")
    assert status == 401


def test_the_directory_filter_answers_with_cards_tolerant_of_typos(web_url, session):
    status, _, body = get(f"{web_url}/api/directory?q=consolidted%20fax", session)
    teams = json.loads(body)["teams"]
    assert status == 200 and teams[0]["team"] == "nw_consolidated_service_center"
    assert teams[0]["card"]["fax"] == "1-866-311-5974" and teams[0]["region"].startswith("Northwest")


def test_both_regions_of_a_topic_side_by_side_with_sources(web_url, session):
    status, _, body = get(f"{web_url}/api/compare?topic=terminate_contract", session)
    regions = json.loads(body)["regions"]
    assert status == 200 and [r["region"] for r in regions] == [
        "California",
        "Northwest (Oregon and Southwest Washington)",
    ]
    assert "800-790-4661, option 3" in regions[0]["text"] and "503-813-2630, option 3" in regions[1]["text"]
    assert get(f"{web_url}/api/compare?topic=nonsense", session)[0] == 404


def test_the_topics_to_compare_are_every_topic_answered_by_region_with_its_title(web_url, session, knowledge):
    status, _, body = get(f"{web_url}/api/topics", session)
    topics = json.loads(body)["topics"]
    assert status == 200 and topics[0] == {"topic": "update_address", "title": knowledge.topics["update_address"].title}
    assert [t["topic"] for t in topics] == [key for key, topic in knowledge.topics.items() if topic.answers]
    assert "team_contact" not in [t["topic"] for t in topics]  # a team's card, not an answer by region


def test_type_ahead_questions_are_public_and_ask_the_topic_directly(web_url):
    status, _, body = get(f"{web_url}/api/suggest?q=reinstat")
    [first, *_] = json.loads(body)["suggestions"]
    assert status == 200 and first["topic"] == "reinstatement" and first["payload"] == "/reinstatement"
    assert json.loads(get(f"{web_url}/api/suggest?q=r")[2])["suggestions"] == []


def test_a_signed_in_agent_gets_a_desk_pass_for_the_live_handoff_and_no_one_else_does(web_url, session, tmp_path):
    assert get(f"{web_url}/api/desk-token")[0] == 401
    status, headers, body = get(f"{web_url}/api/desk-token", session)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    token = json.loads(body)["token"]
    key = (tmp_path / "session-token.key").read_text().strip()  # the Rasa servers' key
    assert AgentTokens(key).agent(token) == AGENT
