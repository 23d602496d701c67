"""Rasa's SQL tracker store (with the conversation cache of cached_sql.py), made safe for member
data and honest about failures.

- What users typed is masked (broker_faq.privacy) as events are written, so SSNs, member numbers,
  dates of birth and personal contacts never reach the database, even for messages that did not
  come through the guarded channels (which mask them first, see channels/guard.py). So is every
  event's metadata (a user message's, a session start's and its `session_started_metadata` slot),
  which the guarded channels drop: whatever reaches the store by another way is masked, and cut
  to nothing past MAX_METADATA_CHARS; a user message's input channel is cut to a channel name's length.
- On start-up it creates the indexes the Insights tab's aggregates need (stores/insights_sql.py,
  INDEXES), if the events table lacks them: the readers of the store are read-only.
- Rasa wraps every store in FailSafeTrackerStore, which on error silently starts an empty
  conversation or keeps it in memory. This store records its last failure and offers `ping()`, so
  the channel guard (channels/guard.py) can refuse loudly instead, and the health check can say so.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from broker_faq.knowledge import runtime
from broker_faq.privacy import PiiMasker
from stores.cached_sql import CachedSQLTrackerStore
from stores.insights_sql import create_indexes

logger = logging.getLogger(__name__)

MAX_METADATA_CHARS = 2000  # as JSON; the channels keep none, Rasa's own (bot messages) is far shorter
MAX_INPUT_CHANNEL_CHARS = 32


def _surely_short(value: Any) -> bool:
    """Whether a flat dict of texts is within MAX_METADATA_CHARS as JSON without writing it out: no
    character takes more than 12 in JSON (an escaped pair of surrogates), and each item adds 8 at most
    (two pairs of quotes, the colon and the comma, each with its space). Rasa's own metadata (model
    and assistant ids) always is; anything else is measured."""
    if not isinstance(value, dict):
        return False
    size = 2
    for key, item in value.items():
        if not (isinstance(key, str) and isinstance(item, str)):
            return False
        size += 12 * (len(key) + len(item)) + 8
    return size <= MAX_METADATA_CHARS


class MaskingSQLTrackerStore(CachedSQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_error: Exception | None = None
        try:  # the Insights aggregates' indexes (stores/insights_sql.py): Rasa creates sender_id's only
            create_indexes(self.engine)
        except sa.exc.SQLAlchemyError as error:  # another server creating them at the same moment
            logger.warning("the events indexes were not created: %s", str(error).splitlines()[0])

    @staticmethod
    def _masked_data(value: Any, masker: PiiMasker, memo: dict[str, str]) -> Any:
        masked = masker.mask_data(value, memo)
        if not _surely_short(masked) and len(json.dumps(masked, default=str)) > MAX_METADATA_CHARS:
            return {} if isinstance(value, dict) else None
        return masked

    def _masked(self, event: Event, masker: PiiMasker, memo: dict[str, str]) -> Event:
        """The event as it is written: a copy with what may be personal masked. Only what is masked is
        copied (the tracker keeps its own events): metadata and slot values come back from mask_data
        as new containers, a user message's parse data is a new dict with new entity dicts."""
        is_metadata_slot = isinstance(event, SlotSet) and event.key == SESSION_START_METADATA_SLOT
        if not (isinstance(event, UserUttered) or event.metadata or is_metadata_slot):
            return event
        metadata = self._masked_data(event.metadata, masker, memo) if event.metadata else event.metadata
        if metadata == event.metadata and not isinstance(event, UserUttered | SlotSet):
            return event  # nothing masked (Rasa's model and assistant ids): written as it is, uncopied
        masked = copy.copy(event)
        masked.metadata = metadata
        if isinstance(masked, SlotSet):
            masked.value = self._masked_data(masked.value, masker, memo)
        if isinstance(masked, UserUttered):
            masked.text = masker.mask(masked.text or "")
            # The parse data's text is the cleaned message the NLU read (nlu_components/understanding.py).
            parse_data = {**masked.parse_data, "text": masker.mask(masked.parse_data.get("text") or "")}
            if "metadata" in parse_data:  # Rasa keeps a second copy there
                parse_data["metadata"] = masked.metadata
            if "entities" in parse_data:
                parse_data["entities"] = [
                    {**e, "value": masker.mask(e["value"])} if isinstance(e.get("value"), str) else e
                    for e in parse_data["entities"]
                ]
            masked.parse_data = parse_data
            masked.input_channel = (masked.input_channel or "")[:MAX_INPUT_CHANNEL_CHARS] or None
        return masked

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        # The masker of the knowledge the assistant serves (broker_faq/knowledge/runtime.py), taken once
        # for the turn's events, and each string of their metadata masked once: Rasa puts the same model
        # and assistant ids in every event's (10-15 events a turn).
        masker = runtime.current().masker
        memo: dict[str, str] = {}
        for event in super()._additional_events(session, tracker):
            yield self._masked(event, masker, memo)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._recording(super().save(tracker))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._recording(super().retrieve(sender_id))

    async def _recording(self, operation: Any) -> Any:
        try:
            result = await operation
        except Exception as err:
            self.last_error = err
            logger.error("Tracker store failed: %s", err.__class__.__name__)
            raise
        self.last_error = None
        return result

    def ping(self) -> None:
        """Raise if the database cannot be reached right now."""
        try:
            try:
                self._read_one_event()
            except sa.exc.DBAPIError as err:
                if not err.connection_invalidated:
                    raise
                # A pooled connection that a restarted database server dropped: SQLAlchemy has now
                # discarded the pool, so a fresh connection tells whether the database is back.
                self._read_one_event()
        except Exception as err:
            self.last_error = err
            raise

    def _read_one_event(self) -> None:
        if self.engine.dialect.name == "sqlite":
            self._read_one_event_sqlite()
            return
        with self.engine.connect() as connection:
            connection.execute(sa.select(self.SQLEvent.id).limit(1))

    def _read_one_event_sqlite(self) -> None:
        """A real read of the events table (SQLite "connects" even to a missing file) and a write lock,
        released at once (a locked SQLite file still reads), on the pooled DB-API connection itself
        (CachedSQLTrackerStore._on_sqlite): through SQLAlchemy's Connection the three statements took
        330 µs of every message, 36 µs so."""

        def read_and_lock(cursor: Any) -> None:
            cursor.execute("SELECT id FROM events LIMIT 1").fetchall()
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("ROLLBACK")

        self._on_sqlite(read_and_lock)
