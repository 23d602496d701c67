"""The one reader of stored conversations: the `events` table of Rasa's SQL tracker store, read-only.

Everything outside the Rasa server that looks at what was said reads it here: the agent console's
transcript endpoint (web/transcript.py), the review report (ops/review.py) and the Insights tab
(ops/insights.py), whose figures are SQL aggregates (`insights()`, stores/insights_sql.py). By default it opens
the tracker store named in the endpoints file the Rasa server runs with (`SERVE_ENDPOINTS`, else
endpoints.yml): SQLite embedded, PostgreSQL in the production profile (deploy/). Its
`tracker_store` section is read as Rasa reads it, `${VARIABLE}`s filled from the environment, so
the reader and the server always meet at the same database.

Rasa writes one row per event: sender_id, type_name, timestamp, intent_name, action_name, and the
event itself as JSON in `data`. Only the Rasa server writes; this never does (SQLite is opened
read-only, PostgreSQL sessions are read-only).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
import yaml

from broker_faq import yaml_io
from stores.insights_sql import InsightsQueries

ROOT = Path(__file__).resolve().parent.parent  # where serve.sh runs Rasa: relative SQLite paths start here
DEFAULT_ENDPOINTS = "endpoints.yml"

EVENTS = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("intent_name"),
    sa.column("action_name"),
    sa.column("data"),
)


@dataclass(frozen=True)
class StoredEvent:
    sender_id: str
    type_name: str  # "user", "bot", "slot", "action", "restart", ...
    timestamp: float
    intent_name: str | None  # of a user message
    action_name: str | None  # of an action, or the slot's name
    event: dict  # the event as Rasa serialised it
    id: int = 0  # the row's, in the order stored: with sender_id, names one message (ops/misses.py)


class EventsReader:
    def __init__(self, url: str | sa.engine.URL):
        url = sa.engine.make_url(url)
        self.sqlite_file: Path | None = None
        options: dict = {"pool_pre_ping": True}  # a restarted database's dropped connections are replaced
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            # Read-only: the Rasa server is the one writer. A relative path is the server's, from ROOT.
            self.sqlite_file = ROOT / url.database
            url = url.set(database=f"file:{self.sqlite_file}", query={"mode": "ro", "uri": "true"})
        elif url.get_backend_name() == "postgresql":
            options["connect_args"] = {"options": "-c default_transaction_read_only=on"}
        self.engine = sa.create_engine(url, **options)
        self._table_seen = False

    @classmethod
    def from_endpoints(cls, endpoints: str | Path | None = None) -> EventsReader:
        """The tracker store the endpoints file names (default: $SERVE_ENDPOINTS, else endpoints.yml)."""
        return cls(tracker_store_url(endpoints or os.environ.get("SERVE_ENDPOINTS") or DEFAULT_ENDPOINTS))

    @property
    def where(self) -> str:
        """The database, for messages: its URL with any password hidden."""
        return repr(self.engine.url)

    def exists(self) -> bool:
        """Whether the store holds an events table yet (Rasa creates it on its first start)."""
        if not self._table_seen:
            if self.sqlite_file is not None and not self.sqlite_file.exists():
                return False
            with self.engine.connect() as connection:
                self._table_seen = sa.inspect(connection).has_table("events")
        return self._table_seen

    def conversation(self, sender_id: str, types: Iterable[str] | None = None) -> list[StoredEvent]:
        """A conversation's events in the order they were stored; none when it was never stored."""
        query = EVENTS.select().where(EVENTS.c.sender_id == sender_id)
        if types is not None:
            query = query.where(EVENTS.c.type_name.in_(list(types)))
        return list(self._read(query))

    def between(self, start: float, end: float) -> list[StoredEvent]:
        """Every conversation's events with start <= timestamp < end, in the order they were stored."""
        return list(self._read(EVENTS.select().where(EVENTS.c.timestamp >= start, EVENTS.c.timestamp < end)))

    def _read(self, query: sa.sql.Select) -> Iterator[StoredEvent]:
        if not self.exists():
            return
        with self.engine.connect() as connection:
            for row in connection.execute(query.order_by(EVENTS.c.id)):
                yield StoredEvent(
                    row.sender_id,
                    row.type_name,
                    row.timestamp,
                    row.intent_name,
                    row.action_name,
                    json.loads(row.data),
                    row.id,
                )

    def insights(self) -> InsightsQueries:
        """The Insights and review aggregates over this store (stores/insights_sql.py)."""
        return InsightsQueries(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def tracker_store_url(endpoints: str | Path) -> sa.engine.URL:
    """The SQLAlchemy URL of the SQL tracker store an endpoints file names, built as Rasa's
    SQLTrackerStore.get_db_url builds it (tests/unit/test_events_reader.py holds the two together)."""
    store = _tracker_store_section(Path(endpoints))
    kind = str(store.get("type", ""))
    if kind.lower() != "sql" and not kind.endswith("SQLTrackerStore"):
        raise ValueError(
            f"{endpoints} names no SQL tracker store (type: {kind or 'none'}); "
            "stored conversations can be read only from one"
        )
    host, port = store.get("url"), store.get("port")
    if host and "://" in str(host):
        return sa.engine.make_url(str(host))
    if host:  # Rasa accepts host:port in `url`
        parsed = urlsplit(f"scheme://{host}")
        host, port = parsed.hostname or host, parsed.port or port
    return sa.engine.URL.create(
        store.get("dialect", "sqlite"),
        store.get("username"),
        store.get("password"),
        host,
        int(port) if port else None,
        store.get("db", "rasa.db"),
        query=store.get("query") or {},
    )


def _tracker_store_section(path: Path) -> dict:
    """The file's `tracker_store`, its ${VARIABLE}s filled from the environment as Rasa fills them.
    Only this section: the reader needs no action server URL or lock store password."""
    try:
        content = yaml_io.load((path if path.is_absolute() else ROOT / path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read the tracker store from {path}: {error}") from error
    store = dict(content.get("tracker_store") or {})
    for key, value in store.items():
        if isinstance(value, str) and "${" in value:
            store[key] = os.path.expandvars(value)
            if "${" in store[key]:
                raise ValueError(f"{path}: tracker_store.{key} needs the environment variable(s) in {value}")
    return store
