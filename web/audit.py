"""Who did what in the agent console, and when: one JSON line per sign-in, refused sign-in, sign-out
and transcript view or export, in the console's audit log (CONSOLE_AUDIT_LOG, default
var/console-audit.log; serve.sh's umask makes it 0600).

What is recorded: the time, the agent's name and role (agent or lead, web/accounts.py; none for a name
that is no account), at a sign-in the display name brokers will see if the account has one, what they
did (for a conversation: "view", "copy" or "download" from the transcript panel, "details" the first
time the answer-details panel reads it, which it then polls every 2 s) and the conversation id.
Never a password or a conversation's text.

Sign-ins turned away unchecked (429: too many failures, too many at once) are summarised, as the Rasa
server's log summarises its rate limit's refusals (rasa_server/rate_limit.py): a line per kind of refusal
and REFUSALS_EVERY seconds, with their count and the names tried (at most NAMES_LISTED, by count; how
many more in "other_agents"), instead of a line each (30 wrong passwords at once were 27 lines; a crowd, thousands).
The first refusal after a quiet interval is written at once; the web server writes what is pending every
REFUSALS_EVERY seconds and when it stops (flush), so none goes unrecorded.

A lead's labels on the misses inbox (web/misses_api.py) are lines too: "label" or "undo label", the label,
its batch and the messages' ids (never their text).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ACTIONS = ("view", "copy", "download")  # what the transcript panel says it is reading for
DETAILS = "details"  # the answer-details panel's polling: recorded once per agent and conversation
REFUSALS_EVERY = 10.0  # seconds, as rasa_server/rate_limit.LOG_EVERY_SECONDS
NAMES_LISTED = 20


class AuditLog:
    def __init__(
        self,
        path: Path,
        clock: Callable[[], float] = time.monotonic,
        roles: Callable[[str], str | None] = lambda _: None,
    ):
        """`roles`: an account's role by name (AccountStore.role), written in each line of a known name."""
        self.path = path
        self.clock = clock
        self.roles = roles
        self._lock = threading.Lock()
        self._details_seen: set[tuple[str, str]] = set()
        self._refused: dict[str, Counter[str]] = {}  # action -> names tried, since the last line
        self._refusals_written = -math.inf

    def transcript_read(self, agent: str, action: str, sender_id: str) -> None:
        if action not in ACTIONS:
            if (agent, sender_id) in self._details_seen:
                return
            self._details_seen.add((agent, sender_id))
            action = DETAILS
        self.record(agent, action, sender_id)

    def record(self, agent: str, action: str, conversation: str | None = None, **details: object) -> None:
        entry: dict[str, object] = {"time": round(time.time(), 3), "agent": agent, "action": action}
        role = self.roles(agent)
        if role:
            entry["role"] = role
        if conversation:
            entry["conversation"] = conversation
        self._write([{**entry, **details}])

    def refused(self, agent: str, action: str) -> None:
        """A sign-in turned away unchecked: counted, and written in a summary (see the module's docstring)."""
        with self._lock:
            self._refused.setdefault(action, Counter())[agent] += 1
            due = self.clock() - self._refusals_written >= REFUSALS_EVERY
        if due:
            self.flush()

    def flush(self) -> None:
        """The refusals counted since the last summary, a line per kind (none when there were none)."""
        with self._lock:
            pending, self._refused = self._refused, {}
            if pending:
                self._refusals_written = self.clock()
        now = round(time.time(), 3)
        self._write([summary(now, action, names) for action, names in pending.items()])

    def _write(self, entries: list[dict]) -> None:
        if not entries:
            return
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.writelines(json.dumps(entry) + "\n" for entry in entries)

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]


def summary(now: float, action: str, names: Counter[str]) -> dict:
    listed = dict(names.most_common(NAMES_LISTED))
    others = sum(names.values()) - sum(listed.values())
    entry = {"time": now, "action": action, "count": sum(names.values()), "agents": listed}
    return {**entry, "other_agents": others} if others else entry
