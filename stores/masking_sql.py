"""Rasa's SQL tracker store (with the conversation cache of cached_sql.py), made safe for member
data and honest about failures.

- What users typed is masked (broker_faq.pii) as events are written, so SSNs, member numbers,
  dates of birth and personal contacts never reach the database, even for messages that did not
  come through the guarded channels (which mask them first, see channels/guard.py).
- Rasa wraps every store in FailSafeTrackerStore, which on error silently starts an empty
  conversation or keeps it in memory. This store records its last failure and offers `ping()`, so
  the channel guard (channels/guard.py) can refuse loudly instead, and the health check can say so.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from broker_faq import runtime
from stores.cached_sql import CachedSQLTrackerStore

logger = logging.getLogger(__name__)


class MaskingSQLTrackerStore(CachedSQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_error: Exception | None = None

    @staticmethod
    def mask(text: str) -> str:
        # The masker of the knowledge the assistant currently serves (broker_faq/runtime.py).
        return runtime.current().masker.mask(text)

    def _masked(self, event: UserUttered) -> UserUttered:
        masked = copy.deepcopy(event)
        masked.text = self.mask(event.text or "")
        # The parse data's text is the cleaned message the NLU read (nlu_components/understanding.py).
        masked.parse_data["text"] = self.mask(event.parse_data.get("text") or "")
        for entity in masked.parse_data.get("entities", []):
            if isinstance(entity.get("value"), str):
                entity["value"] = self.mask(entity["value"])
        return masked

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        for event in super()._additional_events(session, tracker):
            yield self._masked(event) if isinstance(event, UserUttered) else event

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
