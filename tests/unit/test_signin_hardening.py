"""Sign-in hardening (the hardening issue's sign-in findings), against web/server.py in this process on
a free port: concurrent sign-ins cannot get past the brake on failed sign-ins, and password checks run
one at a time (argon2id takes 64 MiB each), a crowd beyond a short queue turned away with 429 (1);
every malformed sign-in request gets a clear 4xx at once, without the body being read past the 4 KB
cap (2); an unknown name is checked like a wrong password (3); failures from other addresses do not lock
an agent out of their own address, a looser per-name limit still slows an attack spread over many (4).

The password checks are counted by wrapping web.accounts' argon2 hasher, at a test's cost
(tests/unit/conftest.py) except where the cost is the point (the queue, an unknown name's timing);
client addresses are given with X-Forwarded-For, which the server takes from a loopback peer (a local
proxy). The memory the web server itself keeps is measured in tests/live/test_signin_hardening_live.py."""

from __future__ import annotations

import json
import os
import socket
import statistics
import threading
import time
import urllib.error
import urllib.request

import pytest

from stores.events_reader import EventsReader
from tests.unit.web_app import ServedApp
from web import accounts as accounts_module
from web import console_sessions, request_body
from web.accounts import AccountStore
from web.console_sessions import FREE_FAILURES, SignInBrake
from web.settings import Settings

AGENT, PASSWORD = "hardening-agent", "hardening-password-" + os.urandom(8).hex()
WRONG = "not-the-password"


class CountingHasher:
    """web.accounts' argon2 hasher, counting the password checks and how many ran at once."""

    def __init__(self, hasher):
        self.hasher = hasher
        self.calls = self.running = self.most_at_once = 0
        self._lock = threading.Lock()

    def hash(self, password):
        return self.hasher.hash(password)

    def verify(self, hashed, password):
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            return self.hasher.verify(hashed, password)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher(accounts_module._hasher)
    monkeypatch.setattr(accounts_module, "_hasher", counting)
    return counting


@pytest.fixture
def web(tmp_path, hasher):
    """(url, port) of the web server on a free port, with one agent account (AGENT)."""
    accounts = AccountStore(tmp_path / "agents.json")
    accounts.add(AGENT, PASSWORD)
    settings = Settings(
        {
            "WEB_PORT": "0",
            "RASA_URL": "http://localhost:5999",
            "CONSOLE_ACCOUNTS": str(tmp_path / "agents.json"),
            "CONSOLE_AUDIT_LOG": str(tmp_path / "console-audit.log"),
            "SESSION_TOKEN_KEY_FILE": str(tmp_path / "session-token.key"),
        }
    )
    server = ServedApp(settings, EventsReader(f"sqlite:///{tmp_path}/t.db"))
    yield server.url, server.port
    server.stop()


def sign_in(url: str, name: str = AGENT, password: str = PASSWORD, address: str | None = None) -> tuple[int, dict]:
    body = json.dumps({"name": name, "password": password}).encode()
    headers = {"Content-Type": "application/json", **({"X-Forwarded-For": address} if address else {})}
    request = urllib.request.Request(f"{url}/api/session", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def at_once(count: int, attempt) -> list[tuple[int, dict]]:
    """attempt(i) from `count` threads released together."""
    start = threading.Barrier(count)
    results: list = [None] * count

    def one(i: int) -> None:
        start.wait()
        try:
            results[i] = attempt(i)
        except OSError as error:  # a connection refused or dropped: no answer
            results[i] = (repr(error), {})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


# --- 1: concurrent sign-ins and the memory of password checks --------------------------------------------
def test_thirty_wrong_passwords_at_the_same_moment_are_checked_only_up_to_the_free_failures(web, hasher):
    url, _ = web
    statuses = [status for status, _ in at_once(30, lambda i: sign_in(url, AGENT, WRONG))]
    assert sorted(statuses) == [401] * FREE_FAILURES + [429] * (30 - FREE_FAILURES)
    assert hasher.calls == FREE_FAILURES  # the brake is reserved before the check, not updated after it
    assert sign_in(url)[0] == 429  # the right password from that address, too soon: the brake holds


def test_password_checks_run_one_at_a_time_and_a_crowd_beyond_the_queue_is_turned_away(production_hashes, web, hasher):
    # argon2id at its production cost (tests/unit/conftest.py): the queue fills because each check takes that long
    url, _ = web
    results = at_once(30, lambda i: sign_in(url, AGENT, WRONG, address=f"203.0.113.{i + 1}"))
    statuses = [status for status, _ in results]
    assert set(statuses) <= {401, 429} and 429 in statuses
    assert hasher.most_at_once == 1  # argon2id: 64 MiB a check; 30 at once took the server to ~1.9 GB
    assert hasher.calls == statuses.count(401)  # each check answered 401; the rest were refused unchecked
    turned_away = [body for status, body in results if status == 429]
    assert all(body["retry_after"] >= 1 and "Try again" in body["error"] for body in turned_away)


def test_agents_signing_in_at_the_same_moment_all_get_in(web, tmp_path):
    url, _ = web
    accounts = AccountStore(tmp_path / "agents.json")
    names = [f"agent-{n}" for n in range(3)]
    for name in names:
        accounts.add(name, PASSWORD)
    results = at_once(len(names), lambda i: sign_in(url, names[i], PASSWORD, address=f"198.51.100.{i + 1}"))
    assert [status for status, _ in results] == [200] * len(names)  # the queue waits its turn; it does not refuse


# --- 2: malformed requests get a clear 4xx at once -------------------------------------------------------
def raw_post(port: int, headers: list[tuple[str, str]], body: bytes, timeout: float = 3.0) -> tuple[int | None, float]:
    """The status of a POST /api/session sent as is (the socket kept open: no EOF), and how long it took."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    request = (
        f"POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n{head}\r\n"
    ).encode()
    began = time.monotonic()
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request + body)
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    took = time.monotonic() - began
    if not answer.startswith(b"HTTP/"):
        return None, took
    head_part, _, rest = answer.partition(b"\r\n\r\n")
    assert b"application/json" in head_part and "error" in json.loads(rest)
    return int(answer.split()[1]), took


SIGN_IN = json.dumps({"name": AGENT, "password": WRONG}).encode()


MALFORMED = {
    "no Content-Length": ([], SIGN_IN, 411),  # a body and no length
    "chunked": ([("Transfer-Encoding", "chunked")], b"5\r\nhello\r\n0\r\n\r\n", 411),
    "chunked and a length": ([("Transfer-Encoding", "chunked"), ("Content-Length", "5")], b"hello", 400),
    "length -1": ([("Content-Length", "-1")], b"x" * 65536, 400),  # read to EOF: with none, it hung
    "length -100": ([("Content-Length", "-100")], SIGN_IN, 400),
    "length abc": ([("Content-Length", "abc")], SIGN_IN, 400),  # a traceback and a dropped connection
    "length 1.5": ([("Content-Length", "1.5")], SIGN_IN, 400),
    "length 0x20": ([("Content-Length", "0x20")], SIGN_IN, 400),
    "length 1_0": ([("Content-Length", "1_0")], SIGN_IN, 400),
    "length of 5000 digits": ([("Content-Length", "9" * 5000)], SIGN_IN, 413),  # too long for int(): a traceback
    "two lengths": ([("Content-Length", str(len(SIGN_IN))), ("Content-Length", "4000")], SIGN_IN, 400),
    "length 1 GB": ([("Content-Length", str(10**9))], b"x" * 65536, 413),  # refused, the body not read
    "length 4097": ([("Content-Length", "4097")], b"x" * 4097, 413),
}


@pytest.mark.parametrize("headers, body, expected", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_sign_in_request_gets_a_clear_4xx_at_once(web, headers, body, expected, capsys):
    _, port = web
    status, took = raw_post(port, headers, body)
    assert (status, took < 2) == (expected, True)
    assert "Traceback" not in capsys.readouterr().err


NOT_TWO_STRINGS = {
    "4,000 deep": b"[" * 4000,  # a RecursionError, a dropped connection
    "400 objects deep": b'{"name": ' * 400 + b"1" + b"}" * 400,
    "20 deep": b"[" * 20 + b"]" * 20,
    "a list": b'["name", "password"]',
    "a string": b'"name"',
    "null": b"null",
    "a number": b"12",
    "an object for the name": b'{"name": {"first": "a"}, "password": "p"}',
    "a list for the password": b'{"name": "a", "password": ["p"]}',
    "no password": b'{"name": "a"}',
    "not UTF-8": b"\xff\xfe not json",
}


@pytest.mark.parametrize("body", NOT_TWO_STRINGS.values(), ids=NOT_TWO_STRINGS.keys())
def test_sign_in_json_nested_too_deep_or_not_an_object_of_two_strings_gets_400(web, body, capsys):
    _, port = web
    status, took = raw_post(port, [("Content-Length", str(len(body)))], body)
    assert (status, took < 2) == (400, True)
    assert "Traceback" not in capsys.readouterr().err


def test_a_body_that_stops_short_of_its_length_gets_408_and_frees_the_thread(web, monkeypatch, capsys):
    _, port = web
    monkeypatch.setattr(request_body, "BODY_SECONDS", 0.2)  # the real wait, short: the rest never comes
    status, took = raw_post(port, [("Content-Length", "200")], SIGN_IN, timeout=5)  # 200 promised, fewer sent
    assert status == 408 and took < 3
    assert "Traceback" not in capsys.readouterr().err


# --- 3: an unknown name takes the same path as a wrong password -------------------------------------------
def test_an_unknown_name_is_checked_like_a_wrong_password(production_hashes, web, hasher):
    # argon2id at its production cost (tests/unit/conftest.py): what the timing must not tell apart
    url, _ = web
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(FREE_FAILURES):  # each from an address of its own, and no more than the old per-name brake let by
        for kind, name in (("known", AGENT), ("unknown", f"nobody-{n}")):
            before, began = hasher.calls, time.perf_counter()
            status, body = sign_in(url, name, WRONG, address=f"192.0.2.{10 * n + len(kind)}")
            timings[kind].append(time.perf_counter() - began)
            assert (status, body["error"], hasher.calls - before) == (401, "Wrong name or password.", 1)
    known, unknown = statistics.median(timings["known"]), statistics.median(timings["unknown"])
    assert unknown > 0.5 * known, f"unknown name {unknown * 1000:.0f} ms, wrong password {known * 1000:.0f} ms"


# --- 4: failures from elsewhere do not lock the agent out -------------------------------------------------
def test_failures_from_other_addresses_do_not_lock_the_agent_out_of_their_own(web):
    url, _ = web
    for n in range(FREE_FAILURES + 2):
        assert sign_in(url, AGENT, WRONG, address=f"203.0.113.{n + 1}")[0] == 401
    assert sign_in(url, AGENT, PASSWORD, address="198.51.100.7")[0] == 200  # the agent at their desk
    for _ in range(FREE_FAILURES):
        sign_in(url, AGENT, WRONG, address="203.0.113.99")
    assert sign_in(url, AGENT, PASSWORD, address="203.0.113.99")[0] == 429  # the attacker's address is braked


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_name_tried_from_many_addresses_is_slowed_past_a_looser_limit_except_where_it_signed_in():
    clock = Clock()
    brake = SignInBrake(clock)
    assert brake.reserve("10.0.0.1", "alice") == 0
    brake.succeeded("10.0.0.1", "alice")  # the agent's own desk
    for n in range(console_sessions.NAME_FREE_FAILURES):
        assert brake.reserve(f"10.1.0.{n}", "alice") == 0  # each a failure from an address of its own
    assert brake.wait("10.2.0.1", "alice") > 0  # a new address: the spread attack is slowed
    assert brake.wait("10.2.0.1", "bob") == 0
    assert brake.wait("10.0.0.1", "alice") == 0  # the address the agent signed in from is not
    for _ in range(FREE_FAILURES):
        assert brake.reserve("10.0.0.1", "alice") == 0
    assert brake.wait("10.0.0.1", "alice") > 0  # ... but its own failures still count there


def test_an_address_trying_many_names_is_slowed_too():
    brake = SignInBrake(Clock())
    for n in range(console_sessions.ADDRESS_FREE_FAILURES):
        assert brake.reserve("10.0.0.50", f"name-{n}") == 0
    assert brake.wait("10.0.0.50", "someone-else") > 0 and brake.wait("10.0.0.51", "someone-else") == 0


def test_reserving_is_atomic_and_an_unchecked_attempt_is_given_back():
    brake = SignInBrake(Clock())
    granted = at_once(30, lambda i: brake.reserve("10.0.0.1", "alice"))
    assert granted.count(0) == FREE_FAILURES
    brake = SignInBrake(Clock())
    for _ in range(FREE_FAILURES + 5):
        assert brake.reserve("10.0.0.1", "alice") == 0
        brake.release("10.0.0.1", "alice")  # turned away before its check: not a failure
    assert brake.wait("10.0.0.1", "alice") == 0
