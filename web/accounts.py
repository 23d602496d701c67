"""Named agent accounts for the console: one file (CONSOLE_ACCOUNTS, default var/agents.json, 0600)
holding, per agent, an argon2id hash of a generated password (argon2-cffi, salted per hash), when
the password last changed, the role and, if given, the display name brokers see ("Dana Reyes"; without one,
the account name as typed). Passwords are never stored; sessions started before a reset or a removal
end (web/console_sessions.py compares `changed`).

`make agent-add NAME [ROLE] [DISPLAY_NAME="Dana Reyes"]`, `make agent-display NAME DISPLAY_NAME=...`,
`make agent-reset NAME`, `make agent-remove NAME` (ops/agents.py) edit it; the web server and the Rasa
servers' live desk (channels/handoff.py) read it again whenever it changes on disk.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = "var/agents.json"
NAME = re.compile(r"[a-z][a-z0-9._-]{1,31}")
PASSWORD_BYTES = 15  # 20 URL-safe characters, 120 random bits: no dictionary or guessing attack reaches it
FIRST_AGENT = "agent"  # the account `make run` creates on a fresh clone
# What an account may do: an agent uses the console; a lead also reviews the misses inbox (web/misses_api.py).
# An account written before roles existed has none and is an agent.
ROLES = ("agent", "lead")
DEFAULT_ROLE = "agent"
# The name brokers see when the agent joins and on their messages, and the console's transcripts: a person's
# name, at most this long (a chat line's width), with no control or formatting character (line breaks,
# bidi overrides, zero-width joiners would change how the line around it reads). It reaches the broker's
# browser: the widget and the console draw it as text (textContent), never as markup.
DISPLAY_NAME_CHARS = 64

# argon2id with the library's defaults (RFC 9106's second recommendation: 64 MiB, 3 passes, 4 lanes):
# ~60 ms a check on this 2-core machine, which also slows password guessing.
_hasher = PasswordHasher()
# Checked when a name is unknown, so a wrong name takes as long as a wrong password.
_UNKNOWN = _hasher.hash(secrets.token_urlsafe(PASSWORD_BYTES))


class AccountError(ValueError):
    """A name that is not valid, taken, or unknown: the message says which."""


def accounts_path(env: dict[str, str] | None = None) -> Path:
    return ROOT / (env if env is not None else os.environ).get("CONSOLE_ACCOUNTS", DEFAULT_PATH)


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def valid_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise AccountError(
            f"{name!r} is not a valid agent name: 2 to 32 characters, lower-case letters first, then letters, "
            "digits, '.', '_' or '-'"
        )
    return name


def valid_display_name(text: str) -> str:
    """The display name, trimmed, or AccountError saying what is wrong with it."""
    odd = [char for char in text if unicodedata.category(char)[0] == "C" or char in "\u2028\u2029"]
    if odd:  # Cc (line breaks and tabs too), Cf, Cs, Co, Cn; and the line and paragraph separators
        raise AccountError(f"a display name has no control or formatting characters ({ascii(odd[0])} given)")
    shown = " ".join(text.split())  # no leading, trailing or repeated spaces
    if not shown:
        raise AccountError("a display name needs at least one letter")
    if len(shown) > DISPLAY_NAME_CHARS:
        raise AccountError(f"a display name is at most {DISPLAY_NAME_CHARS} characters ({len(shown)} given)")
    return shown


class AccountStore:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._cache: tuple[tuple[int, int], dict[str, dict]] | None = None

    # --- reading ---------------------------------------------------------------------------------
    def _agents(self) -> dict[str, dict]:
        """The agents on disk, read again only when the file changed."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        version = (stat.st_mtime_ns, stat.st_size)
        if self._cache is None or self._cache[0] != version:
            agents = json.loads(self.path.read_text(encoding="utf-8")).get("agents", {})
            self._cache = (version, agents)
        return self._cache[1]

    def names(self) -> list[str]:
        return sorted(self._agents())

    def known(self) -> bool:
        """Whether this machine has the accounts file (a Rasa server elsewhere may not)."""
        return self.path.exists()

    def changed(self, name: str) -> float | None:
        """When the agent's password last changed; None when there is no such agent (any more)."""
        agent = self._agents().get(name)
        return agent["changed"] if agent else None

    def role(self, name: str) -> str | None:
        """The account's role (ROLES), DEFAULT_ROLE when it was made before roles; None when unknown."""
        agent = self._agents().get(name)
        return agent.get("role", DEFAULT_ROLE) if agent else None

    def display_name(self, name: str) -> str | None:
        """The name brokers see: the account's display name, else its name as typed; None when unknown."""
        agent = self._agents().get(name)
        return agent.get("display", name) if agent else None

    def standing_since(self, name: str) -> float | None:
        """Since when the agent's desk passes stand: the last password change or sign-out (a pass issued
        before either opens nothing, channels/handoff.py); None when there is no such agent."""
        agent = self._agents().get(name)
        return max(agent["changed"], agent.get("signed_out", 0.0)) if agent else None

    def verify(self, name: str, password: str) -> bool:
        """Whether the password is the agent's. Takes as long for an unknown name."""
        return self.check(name, password) is not None

    def check(self, name: str, password: str) -> float | None:
        """The agent's `changed` if the password is theirs, else None (a wrong password, an unknown name).
        One argon2 check either way, an unknown name's against a hash of no one's password, so the two
        take as long and an answer's time does not tell whether a name exists; the stamp comes from the
        same reading of the file as the hash checked."""
        agent = self._agents().get(name)
        try:
            _hasher.verify(agent["hash"] if agent else _UNKNOWN, password)
        except (VerificationError, InvalidHashError):
            return None
        return agent["changed"] if agent else None

    # --- changing (ops/agents.py) -----------------------------------------------------------------
    def add(
        self, name: str, password: str | None = None, role: str = DEFAULT_ROLE, display_name: str | None = None
    ) -> str:
        """A new agent (or lead: `role`), shown to brokers as `display_name` if given; returns its password,
        to be shown once: a random one unless one is given (tests give theirs; `make agent-add` never does)."""
        valid_name(name)
        if role not in ROLES:
            raise AccountError(f"{role!r} is not a role: {' or '.join(ROLES)}")
        shown = {} if display_name is None else {"display": valid_display_name(display_name)}
        with self._lock:
            agents = dict(self._agents())
            if name in agents:
                raise AccountError(
                    f"there is already an agent named {name!r} (make agent-reset {name} for a new password)"
                )
            agents[name] = {"role": role, **shown}
            return self._set_password(agents, name, password)

    def set_display_name(self, name: str, display_name: str | None) -> None:
        """Gives an account the name brokers see, or (None) takes it away: the account name shows again.
        Sessions and passes stand: only what brokers read from now on changes."""
        shown = None if display_name is None else valid_display_name(display_name)
        with self._lock:
            agents = dict(self._agents())
            if name not in agents:
                raise AccountError(f"there is no agent named {name!r}")
            agent = {key: value for key, value in agents[name].items() if key != "display"}
            agents[name] = {**agent, **({"display": shown} if shown else {})}
            self._write(agents)

    def reset(self, name: str) -> str:
        """A new password for an agent (their sessions end); returns it, to be shown once."""
        with self._lock:
            agents = dict(self._agents())
            if name not in agents:
                raise AccountError(f"there is no agent named {name!r}")
            return self._set_password(agents, name)

    def signed_out(self, name: str) -> None:
        """The agent signed out of the console: their open live desk is cut, on every Rasa server that
        reads this file, and passes issued before now open nothing (their web sessions elsewhere stay)."""
        with self._lock:
            agents = dict(self._agents())
            if name in agents:
                agents[name] = {**agents[name], "signed_out": time.time()}
                self._write(agents)

    def remove(self, name: str) -> None:
        with self._lock:
            agents = dict(self._agents())
            if agents.pop(name, None) is None:
                raise AccountError(f"there is no agent named {name!r}")
            self._write(agents)

    def _set_password(self, agents: dict[str, dict], name: str, password: str | None = None) -> str:
        password = password or new_password()
        kept = agents.get(name, {})  # a reset keeps the role and the display name
        agents[name] = {
            "hash": _hasher.hash(password),
            "changed": time.time(),
            "role": kept.get("role", DEFAULT_ROLE),
            **({"display": kept["display"]} if "display" in kept else {}),
        }
        self._write(agents)
        return password

    def _write(self, agents: dict[str, dict]) -> None:
        """Atomically, readable by this account alone."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".agents-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
                json.dump({"agents": agents}, out, indent=1, sort_keys=True)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._cache = None
