"""The console's sign-in sessions and the brake on repeated failed sign-ins, both in the web server's
memory (a restart signs everyone out).

A session is a random cookie value (only its SHA-256 is kept) naming an agent. It ends at sign-out,
after IDLE seconds without the agent doing anything (the console's background polling does not
count), after MAX_AGE in any case, and as soon as the agent's password is reset or the account
removed (web/accounts.py's `changed` differs from the one it was started with).

Failed sign-ins are counted per client address and per name tried: after FREE_FAILURES, each next
attempt waits 2, 4, 8 ... seconds, at most MAX_WAIT, and one made sooner is refused unchecked (429 with
Retry-After). A success clears the count; failures older than FORGET are forgotten.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

IDLE = 30 * 60  # seconds; CONSOLE_IDLE_MINUTES
MAX_AGE = 12 * 60 * 60  # a working day, however active
FREE_FAILURES = 3  # a typo or two, and a forgotten caps lock
MAX_WAIT = 5 * 60
FORGET = 15 * 60


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Session:
    agent: str
    changed: float  # the account's password stamp when it began
    started: float
    last_active: float


class Sessions:
    def __init__(self, still_valid: Callable[[str, float], bool], idle: float = IDLE, clock=time.monotonic):
        """still_valid(agent, changed): whether the account still exists with that password."""
        self.still_valid, self.idle, self.clock = still_valid, idle, clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, agent: str, changed: float) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._sessions[_key(token)] = Session(agent, changed, now, now)
        return token

    def agent(self, token: str | None, active: bool = True) -> tuple[str | None, str]:
        """The agent a cookie's session belongs to, or None and why not ("none", "expired", "ended");
        `active` counts the request as the agent's doing (resets the idle time)."""
        if not token:
            return None, "none"
        now = self.clock()
        with self._lock:
            session = self._sessions.get(_key(token))
            if session is None:
                return None, "none"
            if now - session.last_active > self.idle or now - session.started >= MAX_AGE:
                del self._sessions[_key(token)]
                return None, "expired"
            if not self.still_valid(session.agent, session.changed):
                del self._sessions[_key(token)]
                return None, "ended"
            if active:
                session.last_active = now
            return session.agent, "ok"

    def end(self, token: str | None) -> str | None:
        """Sign-out: the agent whose session it was, if any."""
        if not token:
            return None
        with self._lock:
            session = self._sessions.pop(_key(token), None)
        return session.agent if session else None


class SignInBrake:
    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, time of the last)
        self._lock = threading.Lock()

    @staticmethod
    def _keys(address: str, name: str) -> tuple[str, str]:
        return f"address:{address}", f"name:{name.lower()}"

    def wait(self, address: str, name: str) -> int:
        """Seconds before this address may try this name again (0: now)."""
        now = self.clock()
        longest = 0.0
        with self._lock:
            for key in self._keys(address, name):
                count, last = self._failures.get(key, (0, 0.0))
                if count and now - last > FORGET:
                    self._failures.pop(key, None)
                    continue
                if count >= FREE_FAILURES:
                    longest = max(longest, last + min(2 ** (count - FREE_FAILURES + 1), MAX_WAIT) - now)
        return max(0, int(longest + 0.999))

    def failed(self, address: str, name: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(address, name):
                count, _ = self._failures.get(key, (0, 0.0))
                self._failures[key] = (count + 1, now)

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            for key in self._keys(address, name):
                self._failures.pop(key, None)
