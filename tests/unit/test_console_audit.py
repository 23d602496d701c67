"""The console's audit log (web/audit.py) summarises sign-ins turned away unchecked (429), as the Rasa
server's log summarises its rate limit's refusals: a line per kind of refusal and interval, with the count
and the names tried, instead of a line each; a sign-in, a wrong password, a sign-out and every transcript
read still get a line of their own (tests/unit/test_web_server.py)."""

import json
import os
import threading
import urllib.error
import urllib.request

from stores.events_reader import EventsReader
from tests.unit.web_app import ServedApp
from web import audit
from web.accounts import AccountStore
from web.audit import AuditLog
from web.console_sessions import FREE_FAILURES
from web.settings import Settings

TOO_MANY = "sign-in refused (too many failures)"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_refusals_in_one_interval_are_one_line_with_their_count_and_names(tmp_path):
    clock = Clock()
    log = AuditLog(tmp_path / "audit.log", clock)
    for n in range(30):
        clock.now += 0.1
        log.refused("alice" if n % 3 else "bob", TOO_MANY)  # the first is written at once, the rest counted
    log.flush()  # the web server does this every interval and when it stops
    clock.now += audit.REFUSALS_EVERY
    log.refused("alice", TOO_MANY)  # a quiet interval later: at once again
    entries = log.entries()
    assert [(e["action"], e["count"], e["agents"]) for e in entries] == [
        (TOO_MANY, 1, {"bob": 1}),
        (TOO_MANY, 29, {"alice": 20, "bob": 9}),
        (TOO_MANY, 1, {"alice": 1}),
    ]
    log.flush()
    assert len(log.entries()) == 3  # nothing pending: no empty line


def test_a_summary_lists_the_most_tried_names_and_counts_the_others(tmp_path):
    log = AuditLog(tmp_path / "audit.log", Clock())
    log.refused("first", TOO_MANY)
    for n in range(audit.NAMES_LISTED + 5):
        log.refused(f"name-{n:02d}", TOO_MANY)
    log.flush()
    last = log.entries()[-1]
    assert last["count"] == audit.NAMES_LISTED + 5 and len(last["agents"]) == audit.NAMES_LISTED
    assert last["other_agents"] == 5


def sign_in(url, name, password, address):
    body = json.dumps({"name": name, "password": password}).encode()
    headers = {"Content-Type": "application/json", "X-Forwarded-For": address}
    request = urllib.request.Request(f"{url}/api/session", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_thirty_wrong_sign_ins_at_once_are_three_lines_and_a_summary_not_thirty(tmp_path):
    AccountStore(tmp_path / "agents.json").add("crowd-agent", "the-password-" + os.urandom(8).hex())
    settings = Settings(
        {
            "RASA_URL": "http://localhost:5999",
            "CONSOLE_ACCOUNTS": str(tmp_path / "agents.json"),
            "CONSOLE_AUDIT_LOG": str(tmp_path / "console-audit.log"),
            "SESSION_TOKEN_KEY_FILE": str(tmp_path / "session-token.key"),
        }
    )
    server = ServedApp(settings, EventsReader(f"sqlite:///{tmp_path}/t.db"))
    start, statuses = threading.Barrier(30), []

    def one():
        start.wait()
        statuses.append(sign_in(server.url, "crowd-agent", "wrong", "192.0.2.7"))

    threads = [threading.Thread(target=one) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    server.stop()  # what is pending is written when the server stops
    assert sorted(statuses) == [401] * FREE_FAILURES + [429] * (30 - FREE_FAILURES)
    entries = AuditLog(tmp_path / "console-audit.log").entries()
    wrong = [e for e in entries if e["action"] == "sign-in refused (wrong name or password)"]
    summaries = [e for e in entries if e["action"] == TOO_MANY]
    assert len(wrong) == FREE_FAILURES and all(e["agent"] == "crowd-agent" for e in wrong)
    assert len(summaries) <= 2 and sum(e["count"] for e in summaries) == 30 - FREE_FAILURES
    assert all(set(e["agents"]) == {"crowd-agent"} for e in summaries)
