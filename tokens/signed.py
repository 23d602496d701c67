"""Who may read and write a socket.io conversation: whoever holds the session token the server
issued for it.

Rasa's socket.io channel lets any socket join any conversation whose id it names (`session_request`)
and post into any conversation (`user_uttered` with a foreign `session_id`): knowing an id was
enough to read another broker's replies. Here a conversation id is made by the server, never taken
from the client, and comes with a token: an HS256 JSON Web Token (PyJWT, which Rasa already uses for
its own JWT options) naming the conversation, signed with a key only the servers hold, valid for
SESSION_TOKEN_HOURS (24) after it was issued. The widget keeps the token with the conversation
(localStorage) and presents it on every connection, so a reload, a reconnection or a server restart
continues the conversation; each confirmation and each answered message brings a fresh token, so the
24 hours count from the last activity. A socket that presents no valid token gets a new, empty
conversation.

The key: SESSION_TOKEN_KEY (32 characters or more; give every server of a scale-out deployment the
same one), else a random key created once in a file beside the tracker database
(SESSION_TOKEN_KEY_FILE, default the directory of TRACKER_DB, else var/: `session-token.key`, mode
0600), so a restart keeps the conversations of the day.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

import jwt

SESSION_TOKEN_HOURS = 24
MIN_KEY_CHARS = 32
AUDIENCE = "kp-broker-chat"
ALGORITHM = "HS256"
CLOCK_SKEW_SECONDS = 60  # between the servers of a deployment


def _key_file(env: Mapping[str, str]) -> Path:
    if env.get("SESSION_TOKEN_KEY_FILE"):
        return Path(env["SESSION_TOKEN_KEY_FILE"])
    tracker_db = env.get("TRACKER_DB")
    return (Path(tracker_db).parent if tracker_db else Path("var")) / "session-token.key"


def _file_key(path: Path) -> str:
    """The key in `path`, made (random, mode 0600) by whichever server gets there first."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    descriptor = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
    try:
        os.link(fresh, path)  # atomic: a server starting at the same moment keeps the first key
    except FileExistsError:
        pass
    finally:
        fresh.unlink()
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < MIN_KEY_CHARS:
        raise ValueError(f"{path}: the session token key must be {MIN_KEY_CHARS} characters or more")
    return key


def load_key(env: Mapping[str, str] | None = None) -> str:
    """The key of this process's environment (or of `env`: the web server's settings)."""
    env = os.environ if env is None else env
    key = env.get("SESSION_TOKEN_KEY", "")
    if key:
        if len(key) < MIN_KEY_CHARS:
            raise ValueError(f"SESSION_TOKEN_KEY must be {MIN_KEY_CHARS} characters or more")
        return key
    return _file_key(_key_file(env))


class SignedTokens:
    """HS256 tokens naming one subject for one audience, valid `seconds` after they were issued."""

    audience = AUDIENCE

    def __init__(self, key: str, seconds: float, clock=time.time):
        self._key, self._seconds, self._clock = key, seconds, clock

    def issue(self, subject: str) -> str:
        now = int(self._clock())
        claims = {"sub": subject, "aud": self.audience, "iat": now, "exp": now + int(self._seconds)}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def subject(self, token: object) -> str | None:
        """What a token names, or None if it is no valid token of ours for this audience (or has expired)."""
        if not isinstance(token, str) or len(token) > 1000:
            return None
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                # Times are checked here against this instance's clock (one clock, testable).
                options={"require": ["sub", "exp", "iat"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            return None
        now = self._clock()
        if not (isinstance(claims["iat"], int) and isinstance(claims["exp"], int)):
            return None
        if claims["iat"] > now + CLOCK_SKEW_SECONDS or claims["exp"] <= now:
            return None
        subject = claims.get("sub")
        return subject if isinstance(subject, str) else None


class SessionTokens(SignedTokens):
    """A broker's socket.io session: the conversation the token opens."""

    def __init__(self, key: str, hours: float = SESSION_TOKEN_HOURS, clock=time.time):
        super().__init__(key, hours * 3600, clock)

    @staticmethod
    def new_conversation() -> str:
        return uuid.uuid4().hex

    def conversation(self, token: object) -> str | None:
        return self.subject(token)


AGENT_AUDIENCE = "kp-agent-desk"
AGENT_TOKEN_SECONDS = 300  # only opening the console's live connection needs one; it asks anew each time


class AgentTokens(SignedTokens):
    """The pass a signed-in agent's console presents to open its live connection to a Rasa server
    (channels/handoff.py): the web server, which holds the console's sign-in sessions, issues it for
    the session's agent; the Rasa servers check it. Same key as the session tokens, another audience,
    so a broker's session token is never an agent's pass, and a few minutes' life."""

    audience = AGENT_AUDIENCE

    def __init__(self, key: str, seconds: float = AGENT_TOKEN_SECONDS, clock=time.time):
        super().__init__(key, seconds, clock)

    def agent(self, token: object) -> str | None:
        return self.subject(token)

    def issued(self, token: object) -> int | None:
        """When a valid pass was issued (its `iat`): a pass older than the account's last change (a
        password reset) no longer stands."""
        if self.subject(token) is None:
            return None
        claims = jwt.decode(token, options={"verify_signature": False})  # type: ignore[arg-type]
        return claims["iat"]
