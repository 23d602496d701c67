"""The SQL tracker store, without re-reading the whole conversation for every message.

Stock SQLTrackerStore.retrieve() loads every event of the conversation session from the database
and replays it into a new tracker on each message, so a message costs more the longer the
conversation: at turn 200 that was about half the Rasa server's time (`make bench`, pyinstrument).
This store keeps the tracker it last saved for each conversation (least recently used first out)
and hands it back while nothing has changed it since; the database is still written on every save
and read whenever the cached tracker cannot be trusted. One Rasa server per database, which the
in-memory lock store in endpoints.yml already requires; with several Rasa servers on one database
(deploy/, the scale-out profile) set `cached_conversations: 0`, since another server may have
changed the conversation.

Rasa's policies and the action call also go over every event of the tracker they are given, so the
tracker handed back is kept short: past COMPACT_ABOVE events it is rebuilt from the current slot
values and the last KEEP or so events (whole turns). Dialogue here is decided by single-turn rules
and slots (config.yml), so nothing reads further back; the database keeps the full conversation.

SQLite only: one open connection, write-ahead logging with synchronous=NORMAL, so a commit no
longer waits for a disk flush; a power cut may lose the last moments of conversations, a crash of
the server does not.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY


def stored_row(sender_id: str, event: Event) -> dict[str, Any]:
    """An event's row as SQLTrackerStore.save writes it."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


# SQLTrackerStore's statements, as SQLAlchemy 1.4 writes them for SQLite (_event_query, save).
_INSERT = (
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES (:sender_id, :type_name, :timestamp, :intent_name, :action_name, :data)"
)
_SESSION_EVENTS = (
    "SELECT events.data FROM events, (SELECT max(events.timestamp) AS session_start FROM events "
    "WHERE events.sender_id = ? AND events.type_name = ?) AS anon_1 WHERE events.sender_id = ? "
    "AND (events.timestamp >= anon_1.session_start OR anon_1.session_start IS NULL) ORDER BY events.id"
)
_ALL_EVENTS = "SELECT events.data FROM events WHERE events.sender_id = ? ORDER BY events.id"


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class CachedSQLTrackerStore(SQLTrackerStore):
    engine: Any  # SQLTrackerStore's (Rasa has no type information): replaced for SQLite below

    def __init__(
        self, *args: Any, cached_conversations: int = 1000, compact_above: int = 200, keep: int = 80, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._compact_above, self._keep = int(compact_above), int(keep)
        if self.engine.dialect.name == "sqlite":
            # One connection per thread, kept open. SQLAlchemy 1.4 gives SQLite files a NullPool:
            # a connection opened and closed per query, and closing the last one checkpoints the
            # write-ahead log (a third of the server's time under 16 concurrent conversations).
            self.engine.dispose()
            self.engine = sa.create_engine(self.engine.url, poolclass=sa.pool.SingletonThreadPool)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._limit = int(cached_conversations)
        # sender id -> (the tracker last saved, how many of its events are in the database)
        self._cache: OrderedDict[str, tuple[DialogueStateTracker, int]] = OrderedDict()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        cached = self._cache.pop(sender_id, None)
        if cached and len(cached[0].events) == cached[1]:
            self._cache[sender_id] = cached  # now the most recently used
            return cached[0]
        # Unknown, evicted, or a turn that failed before saving changed it: read the database.
        return await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._write_new_events(tracker)
        self._cache.pop(tracker.sender_id, None)
        tracker = self._as_read_back(tracker)
        if len(tracker.events) > self._compact_above:
            tracker = self._recent_part(tracker)
        self._cache[tracker.sender_id] = (tracker, len(tracker.events))
        while len(self._cache) > self._limit:
            self._cache.popitem(last=False)

    async def _write_new_events(self, tracker: DialogueStateTracker) -> None:
        """SQLTrackerStore.save's rows (the same columns, the same JSON, in the same order), written
        with one multi-row INSERT instead of an ORM object per event: the ORM's unit of work was half
        the save's time, 1.9 ms a message under 16 concurrent conversations (pyinstrument, 2026-12-02).
        tests/unit/test_tracker_store.py compares the rows with the stock store's."""
        await self.stream_events(tracker)
        if self.engine.dialect.name == "sqlite":  # no ORM session unless the stored events must be counted
            rows = [stored_row(tracker.sender_id, event) for event in self._additional_events(None, tracker)]
            if rows:
                self._on_sqlite(lambda cursor: cursor.executemany(_INSERT, rows), commit=True)
            return
        with self.session_scope() as session:
            rows = [stored_row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """SQLTrackerStore._retrieve, on SQLite by the query SQLAlchemy builds for it (_SESSION_EVENTS,
        _ALL_EVENTS) run on the DB-API connection: building and running it through the ORM took 1.2 ms,
        for every new conversation's first message; 28 us so. The same rows, the same tracker."""
        if self.engine.dialect.name != "sqlite":
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        query, parameters = (
            (_ALL_EVENTS, (sender_id,))
            if fetch_events_from_all_sessions
            else (_SESSION_EVENTS, (sender_id, SessionStarted.type_name, sender_id))
        )
        found = self._on_sqlite(lambda cursor: cursor.execute(query, parameters).fetchall())
        events = [json.loads(data) for (data,) in found]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _on_sqlite(self, work: Any, commit: bool = False) -> Any:
        """work(cursor) on the pooled SQLite connection (one per thread), committed if asked; whatever
        fails is rolled back as the session would, and raised."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                result = work(cursor)
                if commit:
                    connection.commit()
                return result
            except BaseException:
                connection.rollback()
                raise
            finally:
                cursor.close()
        finally:
            connection.close()  # back to the pool

    def _as_read_back(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """What the stock store would read back for this conversation: the events timed from its
        latest SessionStarted on. A new conversation's first turn holds more (the listen before its
        session started); without this, every conversation's second message was a database read."""
        starts = [event.timestamp for event in tracker.events if isinstance(event, SessionStarted)]
        if not starts:
            return tracker
        events = [event for event in tracker.events if event.timestamp >= starts[-1]]
        if len(events) == len(tracker.events):
            return tracker
        return DialogueStateTracker.from_events(tracker.sender_id, events, self.domain.slots)

    def _recent_part(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """The same conversation state with only the last turns: a new session start, the slot
        values, then whole turns from about KEEP events back. Its events count as saved."""
        events = list(tracker.events)
        cut = next(
            (
                i
                for i in range(len(events) - self._keep, 0, -1)
                if isinstance(events[i], UserUttered)
                and isinstance(events[i - 1], ActionExecuted)
                and events[i - 1].action_name == ACTION_LISTEN_NAME
            ),
            None,
        )
        if cut is None or tracker.active_loop_name:  # no turn boundary, or mid-loop: keep it whole
            return tracker
        at = events[cut].timestamp
        state = [SessionStarted(timestamp=at)]  # first: it resets the slots
        state += [
            SlotSet(slot.name, slot.value, timestamp=at)
            for slot in tracker.slots.values()
            if slot.value != slot.initial_value
        ]
        state.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=at))
        return DialogueStateTracker.from_events(tracker.sender_id, state + events[cut:], self.domain.slots)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events to write: the stock store counts the stored ones with a query; a cached
        tracker already knows (and may hold an earlier session the query would not count). With no
        session given, one is opened for the query only when it is needed: opening and closing an
        ORM session for every message was 2 % of the server's time (pyinstrument, 2026-12-03)."""
        cached = self._cache.get(tracker.sender_id)
        if cached and cached[0] is tracker:
            return itertools.islice(tracker.events, cached[1], len(tracker.events))
        if not tracker.events:  # a new conversation's empty tracker (create_tracker): nothing to count or write
            return iter(())
        if session is None:
            with self.session_scope() as own:
                return iter(list(super()._additional_events(own, tracker)))
        return super()._additional_events(session, tracker)
