"""Rasa's SQL tracker store (with the conversation cache of cached_sql.py), made safe for member
data and honest about failures.

- What users typed is masked (broker_faq.privacy) as events are written, so SSNs, member numbers,
  dates of birth and personal contacts never reach the database, even for messages that did not
  come through the guarded channels (which mask them first, see channels/guard.py). So is every
  event's metadata (a user message's, a session start's and its `session_started_metadata` slot),
  which the guarded channels drop: whatever reaches the store by another way is masked, and cut
  to nothing past MAX_METADATA_CHARS; a user message's input channel is cut to a channel name's length.
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
from stores.cached_sql import CachedSQLTrackerStore

logger = logging.getLogger(__name__)

MAX_METADATA_CHARS = 2000  # as JSON; the channels keep none, Rasa's own (bot messages) is far shorter
MAX_INPUT_CHANNEL_CHARS = 32


class MaskingSQLTrackerStore(CachedSQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_error: Exception | None = None

    @staticmethod
    def mask(text: str) -> str:
        # The masker of the knowledge the assistant currently serves (broker_faq/knowledge/runtime.py).
        return runtime.current().masker.mask(text)

    def _masked_data(self, value: Any) -> Any:
        masked = runtime.current().masker.mask_data(value)
        if len(json.dumps(masked, default=str)) > MAX_METADATA_CHARS:
            return {} if isinstance(value, dict) else None
        return masked

    def _masked(self, event: Event) -> Event:
        is_metadata_slot = isinstance(event, SlotSet) and event.key == SESSION_START_METADATA_SLOT
        if not (isinstance(event, UserUttered) or event.metadata or is_metadata_slot):
            return event
        masked = copy.deepcopy(event)
        if masked.metadata:
            masked.metadata = self._masked_data(masked.metadata)
        if isinstance(masked, SlotSet):
            masked.value = self._masked_data(masked.value)
        if isinstance(masked, UserUttered):
            masked.text = self.mask(masked.text or "")
            # The parse data's text is the cleaned message the NLU read (nlu_components/understanding.py).
            masked.parse_data["text"] = self.mask(masked.parse_data.get("text") or "")
            if "metadata" in masked.parse_data:  # Rasa keeps a second copy there
                masked.parse_data["metadata"] = masked.metadata
            for entity in masked.parse_data.get("entities", []):
                if isinstance(entity.get("value"), str):
                    entity["value"] = self.mask(entity["value"])
            masked.input_channel = (masked.input_channel or "")[:MAX_INPUT_CHANNEL_CHARS] or None
        return masked

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        for event in super()._additional_events(session, tracker):
            yield self._masked(event)

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
        with self.engine.connect() as connection:
            # A real read of the events table: SQLite "connects" even to a missing file.
            connection.execute(sa.select(self.SQLEvent.id).limit(1))
            if self.engine.dialect.name == "sqlite":
                # And a write lock, released at once: a locked SQLite file still reads.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                connection.exec_driver_sql("ROLLBACK")
