"""Rasa's Redis lock store, with every change to a conversation's lock made atomic across servers.

Rasa's LockStore changes the stored ticket lock by reading it, changing it in Python and writing it
back (issue_ticket, update_lock, finish_serving + cleanup). Another Rasa server can do the same in
between, and the later write wins: two messages of one conversation get the same ticket, or a
waiting message's ticket is erased with the lock; two servers then handle one conversation at once,
or a message fails with LockError (RasaHQ/rasa#9213). Here each change is a Redis optimistic
transaction (WATCH the key, read, MULTI/EXEC the write, retry if the key changed meanwhile). Rasa's
own TicketLock logic and stored format are kept, so waiting and ordering behave as in Rasa.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds lock stores named by module path from the endpoint config alone.
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            ticket = self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime), create=True)
        except redis.RedisError as err:  # Rasa's contract: issuing fails with LockError
            raise LockError(f"Error while acquiring lock. Error:\n{err}") from err
        assert ticket is not None  # create=True: the lock exists (None is only "no lock to change")
        return ticket

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, TicketLock.remove_expired_tickets)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving already deletes the lock once nobody waits, in the same transaction; a
        # separate "anyone waiting? then delete" would erase a ticket issued in between.
        self.finish_serving(conversation_id, ticket_number)

    def _change(
        self, conversation_id: str, change: Callable[[TicketLock], Result], create: bool = False
    ) -> Result | None:
        """Apply `change` to the stored lock atomically; store it, or delete it once empty."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    if stored is None and not create:
                        return None
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else self.create_lock(conversation_id)
                    result = change(lock)
                    if stored is not None and lock.dumps() == stored.decode():
                        return result  # unchanged (most waiting checks): writing would only slow the others
                    pipe.multi()
                    if lock.is_someone_waiting():
                        pipe.set(key, lock.dumps())
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the lock after we read it: read it again
