"""Who did what in the agent console, and when: one JSON line per sign-in, refused sign-in, sign-out
and transcript view or export, in the console's audit log (CONSOLE_AUDIT_LOG, default
var/console-audit.log; serve.sh's umask makes it 0600).

What is recorded: the time, the agent's name, what they did (for a conversation: "view", "copy" or
"download" from the transcript panel, "details" the first time the answer-details panel reads it, which
it then polls every 2 s) and the conversation id. Never a password or a conversation's text.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

ACTIONS = ("view", "copy", "download")  # what the transcript panel says it is reading for
DETAILS = "details"  # the answer-details panel's polling: recorded once per agent and conversation


class AuditLog:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._details_seen: set[tuple[str, str]] = set()

    def transcript_read(self, agent: str, action: str, sender_id: str) -> None:
        if action not in ACTIONS:
            if (agent, sender_id) in self._details_seen:
                return
            self._details_seen.add((agent, sender_id))
            action = DETAILS
        self.record(agent, action, sender_id)

    def record(self, agent: str, action: str, conversation: str | None = None) -> None:
        entry = {"time": round(time.time(), 3), "agent": agent, "action": action}
        line = json.dumps({**entry, "conversation": conversation} if conversation else entry)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(line + "\n")

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]
