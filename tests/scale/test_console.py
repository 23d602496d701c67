"""The agent console on the production profile: its transcript endpoint reads a conversation the two
Rasa servers stored in PostgreSQL, through the same endpoints file they run with, for an agent signed
in with their own account; its sessions are kept in the profile's Redis (web/session_stores.py), where
any web server of the profile finds them."""

import json
import os
import urllib.error
import urllib.request

import pytest
import redis

from tests.live.servers import Assistant
from tests.scale.cluster import ACTIONS_PORTS, RASA_PORTS, say
from tests.scale.services import REDIS_PORT
from web.accounts import AccountStore
from web.console_sessions import session_key

WEB_PORT = 5680  # beside the profile's other 56xx ports
AGENT, PASSWORD = "scale-agent", "scale-console-" + os.urandom(12).hex()
AMT_LINE = "800-790-4661, option 3"
OREGON_LINE = "503-813-2630, option 3"


@pytest.fixture(scope="module")
def console(cluster, services, tmp_path_factory):
    """The web server (scripts/serve.sh web) given what each Rasa server of the profile is given."""
    workdir = tmp_path_factory.mktemp("console")
    AccountStore(workdir / "agents.json").add(AGENT, PASSWORD)
    web = Assistant(
        workdir,
        RASA_PORTS[0],
        ACTIONS_PORTS[0],
        web_port=WEB_PORT,
        env={
            **services.env(),
            "CONSOLE_ACCOUNTS": str(workdir / "agents.json"),
            "CONSOLE_AUDIT_LOG": str(workdir / "console-audit.log"),
        },
    )
    try:
        web.start("web")
        yield f"http://localhost:{WEB_PORT}"
    finally:
        web.stop_all()
    assert not (workdir / "console-sessions.db").exists()  # none kept beside the accounts: Redis has them


def signed_in(console: str) -> str:
    """A session cookie for the test's agent."""
    body = json.dumps({"name": AGENT, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{console}/api/session", body, {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers["Set-Cookie"].split(";")[0]


def transcript(console: str, sender: str, cookie: str | None = None) -> tuple[int, dict]:
    cookie = signed_in(console) if cookie is None else cookie
    request = urllib.request.Request(f"{console}/api/conversations/{sender}", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_the_console_transcript_of_a_conversation_held_in_postgresql(console, sender):
    asked = ["How do I terminate a small group contract in Oakland?", "what about Oregon?"]
    for port, text in zip(RASA_PORTS, asked, strict=True):  # one message to each server
        say(f"http://localhost:{port}/webhooks/rest/webhook", sender, text)

    status, body = transcript(console, sender)
    assert status == 200 and body["sender_id"] == sender
    first, second = body["turns"]
    assert [first["user"], second["user"]] == asked
    assert first["intent"] == "terminate_contract" and first["confidence"] > 0.5
    assert (first["region"], second["region"]) == ("northern_california", "oregon")  # the slot after each
    answer = next(m["custom"] for m in first["bot"] if m["custom"])
    assert answer["type"] == "answer" and answer["region"] == "Northern California" and answer["sources"]
    assert AMT_LINE in "\n".join(m["text"] or "" for m in first["bot"])
    # The transcript's times and sources, as on SQLite (tests/browser/test_desk.py): each message's own.
    assert all(first["time"] <= m["time"] <= second["time"] for m in first["bot"])
    assert next(m["sources"] for m in first["bot"] if m["custom"]) == [
        {"document": s["document"], "section": s["section"]} for s in answer["sources"]
    ]
    assert OREGON_LINE in "\n".join(m["text"] or "" for m in second["bot"])


def test_the_console_transcript_still_needs_a_signed_in_agent_on_postgresql(console, sender):
    assert transcript(console, sender, cookie="kp_console=forged-session-value")[0] == 401


def test_the_consoles_sessions_are_kept_in_the_profiles_redis_under_a_hash(console, services):
    token = signed_in(console).split("=", 1)[1]
    kept = redis.Redis(host="127.0.0.1", port=REDIS_PORT, password=services.redis_password, db=1)
    assert kept.hget(f"kp_console:session:{session_key(token)}", "agent") == AGENT.encode()
    assert not kept.keys(f"*{token}*")
