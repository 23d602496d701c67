"""Who may continue a socket.io conversation (issue 15, findings 7 and 8): the holder of the session
token the server issued for it, for 24 hours after its last use; a page of an origin the server's
CORS allows (or the server's own)."""

import os

import pytest

from channels.socket_io import origin_allowed
from tokens import signed as sessions
from tokens.signed import SessionTokens


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def tokens(clock):
    return SessionTokens("k" * 40, clock=clock)


def test_a_token_opens_the_conversation_it_was_issued_for(tokens):
    conversation = tokens.new_conversation()
    assert tokens.conversation(tokens.issue(conversation)) == conversation


def test_conversations_are_random_and_never_the_clients(tokens):
    made = {tokens.new_conversation() for _ in range(100)}
    assert len(made) == 100 and all(len(c) == 32 for c in made)


@pytest.mark.parametrize(
    "presented",
    [None, "", 42, {"sub": "x"}, "not-a-token", "e30.e30.", "x" * 5000],
)
def test_anything_but_a_token_opens_nothing(tokens, presented):
    assert tokens.conversation(presented) is None


def test_a_token_signed_with_another_key_or_altered_opens_nothing(tokens, clock):
    conversation = tokens.new_conversation()
    assert SessionTokens("o" * 40, clock=clock).conversation(tokens.issue(conversation)) is None
    header, claims, signature = tokens.issue(conversation).split(".")
    assert tokens.conversation(f"{header}.{claims}.{signature[:-2]}AA") is None
    forged = SessionTokens("k" * 40, clock=clock).issue("someone-elses-conversation")
    assert tokens.conversation(forged) == "someone-elses-conversation"  # only with the servers' key


def test_a_token_expires_24_hours_after_it_was_issued(tokens, clock):
    token = tokens.issue("conversation-1")
    clock.now += 23.9 * 3600
    assert tokens.conversation(token) == "conversation-1"
    clock.now += 0.2 * 3600
    assert tokens.conversation(token) is None


def test_the_key_is_made_once_beside_the_tracker_database_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SESSION_TOKEN_KEY", raising=False)
    monkeypatch.delenv("SESSION_TOKEN_KEY_FILE", raising=False)
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    first = sessions.load_key()
    assert sessions.load_key() == first and len(first) >= sessions.MIN_KEY_CHARS
    key_file = tmp_path / "session-token.key"
    assert key_file.read_text() == first and (os.stat(key_file).st_mode & 0o777) == 0o600


def test_a_configured_key_must_be_long(monkeypatch):
    monkeypatch.setenv("SESSION_TOKEN_KEY", "short")
    with pytest.raises(ValueError, match="32 characters"):
        sessions.load_key()


WIDGET = ["http://localhost:8080", "http://127.0.0.1:8080"]
SERVER = {"wsgi.url_scheme": "http", "HTTP_HOST": "localhost:5005"}


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("http://localhost:8080", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:5005", False),  # the server's own is no page that embeds the widget
        (None, True),  # no browser: CORS does not concern it
        ("http://evil.example", False),
        ("http://localhost:8081", False),
        ("null", False),
        ("http://localhost:8080.evil.example", False),
    ],
)
def test_only_the_widget_origins_may_connect(origin, allowed):
    environ = {**SERVER, **({"HTTP_ORIGIN": origin} if origin else {})}
    assert origin_allowed(environ, WIDGET) is allowed
    assert origin_allowed(environ, []) is (origin is None)


def test_an_origin_equal_to_a_forged_host_is_refused():
    """DNS rebinding: a page on evil.example resolving to this machine sends Origin and Host alike."""
    environ = {**SERVER, "HTTP_HOST": "evil.example:5005", "HTTP_ORIGIN": "http://evil.example:5005"}
    assert origin_allowed(environ, WIDGET) is False
