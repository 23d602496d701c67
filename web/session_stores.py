"""Where the console's sign-in sessions are kept (web/console_sessions.Sessions decides what they mean):
outside the web server's memory, so that restarting it signs no one out and several web servers share
them.

- By default an SQLite file (CONSOLE_SESSIONS_DB; console-sessions.db beside the accounts file, so
  var/console-sessions.db with `make run`), readable by the service account alone (0600, its folder
  0700), as the accounts file and the tracker database are.
- In Redis when the production profile has one (CONSOLE_SESSIONS_REDIS_URL, else the Redis the servers
  share, stores/handoff_board.redis_url: HANDOFF_REDIS_URL or the lock store's LOCK_STORE_*), so that web
  servers behind a balancer share them. A session is a hash under kp_console:session:<key>, which Redis
  itself drops after MAX_AGE.
- MemorySessions (this process only) for the unit tests of the rules.

A session is stored under the SHA-256 of its cookie value (web/console_sessions.session_key), never the
value itself: whoever reads the store cannot sign in with what they read. Each call is one local file
access or one Redis round trip (well under a millisecond on this host), so the stores are called
directly from the web server's handlers.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from stores.handoff_board import redis_url

ROOT = Path(__file__).resolve().parent.parent
REDIS_PREFIX = "kp_console:session:"
# A session's last activity, only while it is still there: a sign-out on another server is not undone.
TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'last_active', ARGV[1]) end
"""


@dataclass
class Session:
    agent: str
    changed: float  # the account's password stamp when it began
    started: float  # seconds since the epoch: the same on every server and after a restart
    last_active: float


class SessionStore(Protocol):
    def put(self, key: str, session: Session) -> None: ...

    def get(self, key: str) -> Session | None: ...

    def touch(self, key: str, last_active: float) -> None: ...

    def pop(self, key: str) -> Session | None: ...

    def sweep(self, ended_before: float, started_before: float) -> None:
        """Forget sessions idle since `ended_before` or started before `started_before`."""


class MemorySessions:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def put(self, key: str, session: Session) -> None:
        with self._lock:
            self._sessions[key] = session

    def get(self, key: str) -> Session | None:
        with self._lock:
            found = self._sessions.get(key)
            return Session(**asdict(found)) if found else None

    def touch(self, key: str, last_active: float) -> None:
        with self._lock:
            if key in self._sessions:
                self._sessions[key].last_active = last_active

    def pop(self, key: str) -> Session | None:
        with self._lock:
            return self._sessions.pop(key, None)

    def sweep(self, ended_before: float, started_before: float) -> None:
        with self._lock:
            self._sessions = {
                key: s
                for key, s in self._sessions.items()
                if s.last_active >= ended_before and s.started >= started_before
            }


class SqliteSessions:
    """One table in a file of its own; WAL, so two web servers on one machine can share the file."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))  # before SQLite creates it with the umask's mode
        path.chmod(0o600)  # a file an earlier version left readable is closed too
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=5)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")  # -wal and -shm get the file's own mode
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, agent TEXT NOT NULL, "
                "changed REAL NOT NULL, started REAL NOT NULL, last_active REAL NOT NULL)"
            )

    def put(self, key: str, session: Session) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?)",
                (key, session.agent, session.changed, session.started, session.last_active),
            )

    def get(self, key: str) -> Session | None:
        with self._lock:
            row = self._db.execute(
                "SELECT agent, changed, started, last_active FROM sessions WHERE key = ?", (key,)
            ).fetchone()
        return Session(*row) if row else None

    def touch(self, key: str, last_active: float) -> None:
        with self._lock:
            self._db.execute("UPDATE sessions SET last_active = ? WHERE key = ?", (last_active, key))

    def pop(self, key: str) -> Session | None:
        with self._lock:
            row = self._db.execute(
                "DELETE FROM sessions WHERE key = ? RETURNING agent, changed, started, last_active", (key,)
            ).fetchone()
        return Session(*row) if row else None

    def sweep(self, ended_before: float, started_before: float) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM sessions WHERE last_active < ? OR started < ?", (ended_before, started_before)
            )


class RedisSessions:
    def __init__(self, url: str, lifetime: float):
        """`lifetime`: how long Redis keeps a session at most (MAX_AGE: none lasts longer)."""
        import redis  # noqa: PLC0415 (only where Redis is configured)

        self._red = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self._lifetime = int(lifetime) + 1
        self._touch = self._red.register_script(TOUCH)

    def put(self, key: str, session: Session) -> None:
        name = REDIS_PREFIX + key
        pipe = self._red.pipeline()
        pipe.hset(name, mapping={k: str(v) for k, v in asdict(session).items()})
        pipe.expire(name, self._lifetime)
        pipe.execute()

    def get(self, key: str) -> Session | None:
        return self._session(self._red.hgetall(REDIS_PREFIX + key))

    def touch(self, key: str, last_active: float) -> None:
        self._touch(keys=[REDIS_PREFIX + key], args=[str(last_active)])

    def pop(self, key: str) -> Session | None:
        pipe = self._red.pipeline()  # a transaction: read and removed at once
        pipe.hgetall(REDIS_PREFIX + key)
        pipe.delete(REDIS_PREFIX + key)
        fields, _ = pipe.execute()
        return self._session(fields)

    def sweep(self, ended_before: float, started_before: float) -> None:
        """Redis forgets each session after its lifetime by itself."""

    @staticmethod
    def _session(fields: dict[str, str]) -> Session | None:
        if not fields.keys() >= {"agent", "changed", "started", "last_active"}:
            return None
        return Session(
            fields["agent"], float(fields["changed"]), float(fields["started"]), float(fields["last_active"])
        )


def session_store(env: dict[str, str], accounts: Path, lifetime: float) -> SessionStore:
    """The store the environment names (see the module's docstring)."""
    url = env.get("CONSOLE_SESSIONS_REDIS_URL") or redis_url(env)
    if url:
        return RedisSessions(url, lifetime)
    configured = env.get("CONSOLE_SESSIONS_DB")
    return SqliteSessions(ROOT / configured if configured else accounts.parent / "console-sessions.db")
