"""Rasa's RedisLockStore against the project's AtomicRedisLockStore, under the same contention:
two lock store clients (two "servers") and 16 workers take one conversation's lock over and over
against the real Redis. A correct lock never lets two holders in at once and never fails a taker."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from stores.redis_lock_store import AtomicRedisLockStore
from tests.scale.services import REDIS_PORT

WORKERS, ROUNDS = 16, 20
# Short enough that a ticket orphaned by a lost update (it blocks everyone until it expires) stalls
# the test for seconds, not a minute; far longer than the queue of 16 takers ever waits.
LOCK_LIFETIME, DEADLINE_SECONDS = 2, 20
# A taker still waiting after this is stuck: Rasa's store can leave an emptied lock behind whose
# waiters' tickets were lost, and they then wait forever.
STUCK_SECONDS = 5


def two_servers(store_class, services) -> list[RedisLockStore]:
    config = EndpointConfig(url="127.0.0.1", port=REDIS_PORT, password=services.redis_password, db=1)
    if store_class is AtomicRedisLockStore:
        return [AtomicRedisLockStore(config) for _ in range(2)]
    return [RedisLockStore(host=config.url, **config.kwargs) for _ in range(2)]


def contend(stores: list[RedisLockStore]) -> dict[str, int]:
    conversation = f"race-{uuid.uuid4().hex}"
    counts = {"held": 0, "overlaps": 0, "lock_errors": 0, "stuck": 0}
    inside, tally = [0], threading.Lock()
    deadline = time.monotonic() + DEADLINE_SECONDS

    async def take_once(store: RedisLockStore) -> None:
        async with store.lock(conversation, lock_lifetime=LOCK_LIFETIME, wait_time_in_seconds=0.005):
            with tally:
                inside[0] += 1
                counts["held"] += 1
                counts["overlaps"] += inside[0] > 1
            try:
                await asyncio.sleep(0.002)  # a message being handled
            finally:
                with tally:
                    inside[0] -= 1

    async def take_lock_repeatedly(store: RedisLockStore) -> None:
        for _ in range(ROUNDS):
            if time.monotonic() > deadline:
                return
            try:
                await asyncio.wait_for(take_once(store), STUCK_SECONDS)
            except LockError:
                with tally:
                    counts["lock_errors"] += 1
            except asyncio.TimeoutError:
                with tally:
                    counts["stuck"] += 1

    threads = [
        threading.Thread(target=asyncio.run, args=(take_lock_repeatedly(stores[n % 2]),)) for n in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts["seconds"] = round(time.monotonic() - deadline + DEADLINE_SECONDS)
    return counts


def test_atomic_lock_store_serializes_where_rasas_may_not(services, record_figure):
    stock = contend(two_servers(RedisLockStore, services))
    atomic = contend(two_servers(AtomicRedisLockStore, services))
    record_figure(
        f"lock race, {WORKERS} workers x {ROUNDS} takes over 2 clients, Rasa's RedisLockStore",
        f"{stock['overlaps']} overlapping holders, {stock['lock_errors']} LockErrors, "
        f"{stock['stuck']} stuck, "
        f"{stock['held']}/{WORKERS * ROUNDS} held in {stock['seconds']} s",
    )
    record_figure(
        f"lock race, {WORKERS} workers x {ROUNDS} takes over 2 clients, AtomicRedisLockStore",
        f"{atomic['overlaps']} overlapping holders, {atomic['lock_errors']} LockErrors, "
        f"{atomic['stuck']} stuck, "
        f"{atomic['held']}/{WORKERS * ROUNDS} held in {atomic['seconds']} s",
    )
    # Rasa's store has failed in every run here (RasaHQ/rasa#9213); if it ever stops, recheck
    # whether stores/redis_lock_store.py is still needed.
    assert stock["overlaps"] + stock["lock_errors"] + stock["stuck"] > 0
    assert (atomic["held"], atomic["overlaps"], atomic["lock_errors"], atomic["stuck"]) == (WORKERS * ROUNDS, 0, 0, 0)
