"""The console's sessions outlive the web server (web/session_stores.py): an agent signed in before a
restart is still signed in after it, and sign-out, the idle time and a password reset still end a session
across restarts. By default they are kept in an SQLite file beside the accounts file, readable by the
service account alone, under the SHA-256 of the cookie's value, never the value itself. (Redis, the
production profile's store shared by several web servers: tests/live/test_console_sessions_live.py.)"""

import json
import sqlite3
import stat
import time
import urllib.error
import urllib.request

import pytest

from stores.events_reader import EventsReader
from tests.unit.web_app import ServedApp
from web.accounts import AccountStore
from web.console_sessions import session_key
from web.settings import Settings

AGENT, PASSWORD = "restart-agent", "restart-password-0123456789"


def call(url, method="GET", cookie=None, body=None):
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


class WebServer:
    """The web server over one folder (accounts, audit log, sessions), started and restarted."""

    def __init__(self, folder, **env):
        self.folder, self.env, self.served = folder, env, None

    def start(self):
        settings = Settings(
            {
                "RASA_URL": "http://localhost:5999",
                "CONSOLE_ACCOUNTS": str(self.folder / "agents.json"),
                "CONSOLE_AUDIT_LOG": str(self.folder / "console-audit.log"),
                "SESSION_TOKEN_KEY_FILE": str(self.folder / "session-token.key"),
                **self.env,
            }
        )
        self.served = ServedApp(settings, EventsReader(f"sqlite:///{self.folder}/t.db"))
        return self.served.url

    def restart(self):
        self.stop()
        return self.start()

    def stop(self):
        if self.served:
            self.served.stop()
            self.served = None


@pytest.fixture
def web(tmp_path):
    AccountStore(tmp_path / "agents.json").add(AGENT, PASSWORD)
    server = WebServer(tmp_path)
    yield server
    server.stop()


def sign_in(url):
    body = json.dumps({"name": AGENT, "password": PASSWORD}).encode()
    status, headers, _ = call(f"{url}/api/session", "POST", body=body)
    assert status == 200
    return headers["Set-Cookie"].split(";")[0]


def whoami(url, cookie):
    status, _, body = call(f"{url}/api/session", cookie=cookie)
    return status, body.get("agent") or body.get("reason")


def test_an_agent_signed_in_before_a_restart_is_still_signed_in_after_it(web):
    cookie = sign_in(web.start())
    url = web.restart()
    assert whoami(url, cookie) == (200, AGENT)
    assert call(f"{url}/api/topics", cookie=cookie)[0] == 200


def test_signing_out_ends_the_session_for_good_across_a_restart(web):
    url = web.start()
    cookie = sign_in(url)
    assert call(f"{url}/api/session", "DELETE", cookie=cookie)[0] == 200
    url = web.restart()
    assert whoami(url, cookie) == (401, "none")


def test_a_session_idle_over_a_restart_still_expires(tmp_path, web):
    # Real time, on the wall clock the stored session is judged by; short, since nothing asks for the
    # session before the wait is over (test_web_server.py's idle test moves the clock instead).
    web.env["CONSOLE_IDLE_MINUTES"] = "0.005"  # 0.3 s
    cookie = sign_in(web.start())
    web.stop()
    time.sleep(0.4)
    assert whoami(web.start(), cookie) == (401, "expired")


def test_a_password_reset_while_the_server_is_down_ends_the_session(tmp_path, web):
    cookie = sign_in(web.start())
    web.stop()
    AccountStore(tmp_path / "agents.json").reset(AGENT)
    assert whoami(web.start(), cookie) == (401, "ended")


def test_sessions_are_kept_readable_by_the_service_account_alone_under_a_hash_of_the_cookie(tmp_path, web):
    cookie = sign_in(web.start())
    database = tmp_path / "console-sessions.db"
    for path in tmp_path.glob("console-sessions.db*"):  # the file, and SQLite's -wal and -shm beside it
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    token = cookie.split("=", 1)[1]
    with sqlite3.connect(database) as db:
        keys = [key for (key,) in db.execute("SELECT key FROM sessions")]
    assert keys == [session_key(token)]
    assert token.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("console-sessions.db*"))


def test_the_sessions_file_can_be_named(tmp_path, web):
    web.env["CONSOLE_SESSIONS_DB"] = str(tmp_path / "elsewhere" / "sessions.db")
    cookie = sign_in(web.start())
    assert whoami(web.restart(), cookie) == (200, AGENT)
    assert (tmp_path / "elsewhere" / "sessions.db").exists() and not (tmp_path / "console-sessions.db").exists()
