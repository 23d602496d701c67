"""What leads said the assistant's misses should have been (web/misses_api.py, the console's misses inbox):
one SQLite file (CONSOLE_LABELS_DB, by default miss-labels.db beside the accounts file).

Each labelling is a batch: one or more messages (a group of similar ones, or one), the label, who and when.
A batch is undone, never deleted, so the file keeps the whole history; a message's label is that of its
newest batch not undone (undoing a relabelling brings the earlier label back). The message's text is kept
with its label, masked as the tracker store holds it, so the export (ops/export_reviewed.py) needs only
this file.

Labels: a topic of the knowledge (the intent that should have answered), OUT_OF_SCOPE, or NEW_TOPIC (no
topic answers it yet: nothing to train on until one is written).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

OUT_OF_SCOPE = "out_of_scope"
NEW_TOPIC = "new_topic"
ROOT = Path(__file__).resolve().parent.parent

SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    batch TEXT NOT NULL,
    message TEXT NOT NULL,        -- the miss's id: sender id and event id (ops/misses.py)
    text TEXT NOT NULL,           -- masked, as stored
    label TEXT NOT NULL,
    labelled_by TEXT NOT NULL,
    labelled_at REAL NOT NULL,
    undone_by TEXT,
    undone_at REAL,
    PRIMARY KEY (batch, message)
);
CREATE INDEX IF NOT EXISTS labels_by_message ON labels (message, labelled_at);
"""


@dataclass(frozen=True)
class Label:
    message: str
    text: str
    label: str
    batch: str
    by: str
    at: float


class LabelStore:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def label(self, messages: dict[str, str], label: str, by: str) -> str:
        """Labels the messages (id -> masked text) in one batch; returns the batch's id."""
        batch, now = uuid.uuid4().hex, time.time()
        with self._lock, self._connect() as db:
            db.executemany(
                "INSERT INTO labels (batch, message, text, label, labelled_by, labelled_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(batch, message, text, label, by, now) for message, text in messages.items()],
            )
        return batch

    def undo(self, batch: str, by: str) -> list[str]:
        """Undoes a batch; returns its messages (none when there is no such batch or it was undone)."""
        with self._lock, self._connect() as db:
            rows = db.execute("SELECT message FROM labels WHERE batch = ? AND undone_at IS NULL", (batch,)).fetchall()
            db.execute(
                "UPDATE labels SET undone_by = ?, undone_at = ? WHERE batch = ? AND undone_at IS NULL",
                (by, time.time(), batch),
            )
        return sorted(message for (message,) in rows)

    def current(self) -> dict[str, Label]:
        """Each labelled message's label: its newest batch not undone."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT message, text, label, batch, labelled_by, labelled_at FROM labels "
                "WHERE undone_at IS NULL ORDER BY labelled_at, rowid"
            ).fetchall()
        return {row[0]: Label(*row) for row in rows}  # later rows win


def label_store(env: dict[str, str], accounts: Path) -> LabelStore:
    configured = env.get("CONSOLE_LABELS_DB")
    return LabelStore(ROOT / configured if configured else accounts.parent / "miss-labels.db")
