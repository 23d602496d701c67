"""The console's sign-in sessions and the brake on repeated failed sign-ins. Sessions are kept outside the
web server (web/session_stores.py: an SQLite file, or Redis in the production profile), so a restart
signs no one out and web servers can share them; the brake is each web server's own, in its memory.

A session is a random cookie value (only its SHA-256 is kept) naming an agent. It ends at sign-out,
after IDLE seconds without the agent doing anything (the console's background polling does not
count), after MAX_AGE in any case, and as soon as the agent's password is reset or the account
removed (web/accounts.py's `changed` differs from the one it was started with).

Failed sign-ins are counted per client address and name together (FREE_FAILURES), per address across
names (ADDRESS_FREE_FAILURES) and per name across addresses (NAME_FREE_FAILURES, much looser, so
failures from elsewhere do not lock an agent out of their own desk yet an attack spread over many
addresses is still slowed). Past a count's free failures each next attempt waits 2, 4, 8 ... seconds, at
most MAX_WAIT, and one made sooner is refused unchecked (429 with Retry-After). An address an agent
signed in from is exempt from the per-address and per-name counts for that agent for TRUSTED (its own
failures there still count). An attempt is reserved, counted as a failure, before its password is checked
(reserve), so sign-ins sent at the same moment cannot all get past the brake; a success (succeeded)
takes it back and clears the address and name's count, one turned away unchecked (release) takes it
back. Failures older than FORGET are forgotten.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable

from web.session_stores import MemorySessions, Session, SessionStore

IDLE = 30 * 60  # seconds; CONSOLE_IDLE_MINUTES
MAX_AGE = 12 * 60 * 60  # a working day, however active
FREE_FAILURES = 3  # a typo or two, and a forgotten caps lock: per address and name
ADDRESS_FREE_FAILURES = 10  # one address trying many names (several agents may share one)
NAME_FREE_FAILURES = 20  # one name tried from many addresses
MAX_WAIT = 5 * 60
FORGET = 15 * 60
TRUSTED = MAX_AGE  # how long an address an agent signed in from is theirs
TIDY_AT = 10_000  # counts kept before the stale ones are swept out
SWEEP_EVERY = 100  # sessions started between two sweeps of the ended ones out of the store


def session_key(token: str) -> str:
    """What a session is stored under: never the cookie's value itself."""
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(
        self,
        still_valid: Callable[[str, float], bool],
        idle: float = IDLE,
        clock: Callable[[], float] = time.time,
        store: SessionStore | None = None,
    ):
        """still_valid(agent, changed): whether the account still exists with that password. The clock
        is the wall clock: a stored session outlives the process (and its monotonic clock)."""
        self.still_valid, self.idle, self.clock = still_valid, idle, clock
        self.store: SessionStore = store if store is not None else MemorySessions()
        self._started = 0

    def start(self, agent: str, changed: float) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self.store.put(session_key(token), Session(agent, changed, now, now))
        self._started += 1
        if self._started % SWEEP_EVERY == 0:
            self.store.sweep(ended_before=now - self.idle, started_before=now - MAX_AGE)
        return token

    def agent(self, token: str | None, active: bool = True) -> tuple[str | None, str]:
        """The agent a cookie's session belongs to, or None and why not ("none", "expired", "ended");
        `active` counts the request as the agent's doing (resets the idle time)."""
        if not token:
            return None, "none"
        now, key = self.clock(), session_key(token)
        session = self.store.get(key)
        if session is None:
            return None, "none"
        if now - session.last_active > self.idle or now - session.started >= MAX_AGE:
            self.store.pop(key)
            return None, "expired"
        if not self.still_valid(session.agent, session.changed):
            self.store.pop(key)
            return None, "ended"
        if active:
            self.store.touch(key, now)
        return session.agent, "ok"

    def end(self, token: str | None) -> str | None:
        """Sign-out: the agent whose session it was, if any."""
        if not token:
            return None
        session = self.store.pop(session_key(token))
        return session.agent if session else None


class SignInBrake:
    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, time of the last)
        self._trusted: dict[str, float] = {}  # pair key -> when the agent last signed in from there
        self._lock = threading.Lock()

    @staticmethod
    def _keys(address: str, name: str) -> dict[str, int]:
        """The counts an attempt is in, each with its free failures; the pair's first."""
        name = name.lower()
        return {
            f"pair:{address} {name}": FREE_FAILURES,
            f"address:{address}": ADDRESS_FREE_FAILURES,
            f"name:{name}": NAME_FREE_FAILURES,
        }

    def _wait(self, keys: dict[str, int], now: float) -> int:
        pair = next(iter(keys))
        signed_in = self._trusted.get(pair)
        trusted = signed_in is not None and now - signed_in < TRUSTED
        longest = 0.0
        for key, free in keys.items():
            if trusted and key != pair:
                continue
            count, last = self._failures.get(key, (0, 0.0))
            if count and now - last > FORGET:
                self._failures.pop(key, None)
                continue
            if count >= free:
                longest = max(longest, last + min(2 ** (count - free + 1), MAX_WAIT) - now)
        return max(0, int(longest + 0.999))

    def _count(self, keys: dict[str, int], now: float) -> None:
        if len(self._failures) > TIDY_AT:
            self._failures = {k: v for k, v in self._failures.items() if now - v[1] <= FORGET}
        for key in keys:
            count, _ = self._failures.get(key, (0, 0.0))
            self._failures[key] = (count + 1, now)

    def _uncount(self, key: str) -> None:
        count, last = self._failures.get(key, (0, 0.0))
        if count > 1:
            self._failures[key] = (count - 1, last)
        else:
            self._failures.pop(key, None)

    def wait(self, address: str, name: str) -> int:
        """Seconds before this address may try this name again (0: now)."""
        with self._lock:
            return self._wait(self._keys(address, name), self.clock())

    def reserve(self, address: str, name: str) -> int:
        """0: go ahead, the attempt counted as a failure until succeeded() or release(); otherwise the
        seconds to wait, and nothing counted. Atomic: attempts at the same moment are counted one by one."""
        keys, now = self._keys(address, name), self.clock()
        with self._lock:
            wait = self._wait(keys, now)
            if not wait:
                self._count(keys, now)
            return wait

    def release(self, address: str, name: str) -> None:
        """A reserved attempt turned away before its password was checked: not a failure."""
        with self._lock:
            for key in self._keys(address, name):
                self._uncount(key)

    def failed(self, address: str, name: str) -> None:
        """A failure not reserved beforehand."""
        with self._lock:
            self._count(self._keys(address, name), self.clock())

    def succeeded(self, address: str, name: str) -> None:
        """The reserved attempt was right: the address and name's failures cleared, the address trusted
        for the agent; the per-address and per-name counts keep the others' failures."""
        keys, now = self._keys(address, name), self.clock()
        pair, *others = keys
        with self._lock:
            self._failures.pop(pair, None)
            for key in others:
                self._uncount(key)
            if len(self._trusted) > TIDY_AT:
                self._trusted = {k: t for k, t in self._trusted.items() if now - t < TRUSTED}
            self._trusted[pair] = now
