"""Where the live handoff's state lives (broker_faq/handoff.py): in the Rasa server's memory by default,
in Redis in the production profile, so that a broker's socket and an agent's may land on different
Rasa servers. There, python-socketio's AsyncRedisManager (Redis pub/sub) carries every emit to the
sockets of every server, and RedisBoard keeps the queue, the holders and the connected agents.

Redis is used when HANDOFF_REDIS_URL is set (redis://[:password@]host:port/db), else when the lock
store's LOCK_STORE_HOST is (deploy/endpoints.production.yml: the same Redis, LOCK_STORE_PORT,
LOCK_STORE_PASSWORD, LOCK_STORE_DB).

Keys (prefix kp_handoff:): `queue` (sorted set, conversation by the time it joined), `entry:<id>`
(its question, region, topic), `holder:<id>` (the agent; taken with SET NX, so of two agents exactly
one gets it), `sockets` (hash: socket id -> agent|server), `connections:<agent>` (how often they
connected: a grace period ends at a reconnection) and `seen:<server>` (that server's heartbeat: the
sockets of a server that stopped beating no longer count).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from dataclasses import asdict, replace
from typing import Any
from urllib.parse import quote

from broker_faq.handoff import Board, MemoryBoard, Waiting

logger = logging.getLogger(__name__)

PREFIX = "kp_handoff:"
SERVER_TIMEOUT = 30.0  # seconds without a heartbeat after which a server's agent sockets are gone
HEARTBEAT = 10.0

# Take a waiting conversation: only if nobody holds it and it is still in the queue.
CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder then return {0, holder} end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {0, false} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
return {1, ARGV[2]}
"""


def redis_url(env: dict[str, str]) -> str | None:
    if env.get("HANDOFF_REDIS_URL"):
        return env["HANDOFF_REDIS_URL"]
    host = env.get("LOCK_STORE_HOST")
    if not host:
        return None
    password = env.get("LOCK_STORE_PASSWORD")
    auth = f":{quote(password, safe='')}@" if password else ""
    return f"redis://{auth}{host}:{env.get('LOCK_STORE_PORT', '6379')}/{env.get('LOCK_STORE_DB', '0')}"


def board_and_manager(env: dict[str, str] | None = None) -> tuple[Board, Any]:
    """The board, and the socket.io client manager to give the AsyncServer (None: its default)."""
    url = redis_url(dict(os.environ) if env is None else env)
    if url is None:
        return MemoryBoard(), None
    import socketio  # noqa: PLC0415 (the Redis pieces only where Redis is configured)

    return RedisBoard(url), socketio.AsyncRedisManager(url, channel=f"{PREFIX}socketio")


class RedisBoard:
    def __init__(self, url: str, clock=time.time) -> None:
        import redis.asyncio  # noqa: PLC0415

        self.red = redis.asyncio.from_url(url, decode_responses=True)
        self.clock, self.server = clock, uuid.uuid4().hex
        self._claim = self.red.register_script(CLAIM)
        self._beating: asyncio.Task | None = None

    async def _beat(self) -> None:
        await self.red.set(f"{PREFIX}seen:{self.server}", self.clock(), ex=int(SERVER_TIMEOUT))

    async def _keep_beating(self) -> None:
        """While this server runs, every HEARTBEAT seconds: its agents count as long as it lives."""
        while True:
            try:
                await self._beat()
            except Exception as error:  # Redis down a moment: the next beat will tell again
                logger.warning("Handoff heartbeat failed: %s", error.__class__.__name__)
            await asyncio.sleep(HEARTBEAT)

    async def connected(self, sid: str, agent: str) -> None:
        await self._beat()
        if self._beating is None or self._beating.done():
            self._beating = asyncio.get_running_loop().create_task(self._keep_beating())
        await self.red.hset(f"{PREFIX}sockets", sid, f"{agent}|{self.server}")
        await self.red.incr(f"{PREFIX}connections:{agent}")

    async def connections(self, agent: str) -> int:
        return int(await self.red.get(f"{PREFIX}connections:{agent}") or 0)

    async def disconnected(self, sid: str) -> str | None:
        value = await self.red.hget(f"{PREFIX}sockets", sid)
        await self.red.hdel(f"{PREFIX}sockets", sid)
        return value.split("|", 1)[0] if value else None

    async def agents(self) -> set[str]:
        sockets = await self.red.hgetall(f"{PREFIX}sockets")
        servers = {value.split("|", 1)[1] for value in sockets.values()}
        alive = {server for server in servers if await self.red.exists(f"{PREFIX}seen:{server}")}
        return {value.split("|", 1)[0] for value in sockets.values() if value.split("|", 1)[1] in alive}

    async def enqueue(self, waiting: Waiting) -> int:
        conversation = waiting.conversation
        if not await self.red.exists(f"{PREFIX}holder:{conversation}"):
            await self.red.set(f"{PREFIX}entry:{conversation}", json.dumps(asdict(waiting)), nx=True)
            await self.red.zadd(f"{PREFIX}queue", {conversation: waiting.since}, nx=True)
        return await self.position(conversation) or 0

    async def _entry(self, conversation: str) -> Waiting | None:
        raw = await self.red.get(f"{PREFIX}entry:{conversation}")
        return Waiting(**json.loads(raw)) if raw else None

    async def queue(self) -> list[Waiting]:
        found = [await self._entry(c) for c in await self.red.zrange(f"{PREFIX}queue", 0, -1)]
        return [w for w in found if w is not None]

    async def position(self, conversation: str) -> int | None:
        rank = await self.red.zrank(f"{PREFIX}queue", conversation)
        return None if rank is None else rank + 1

    async def claim(self, conversation: str, agent: str) -> tuple[bool, str | None]:
        taken, holder = await self._claim(
            keys=[f"{PREFIX}holder:{conversation}", f"{PREFIX}queue"], args=[conversation, agent]
        )
        return bool(taken), holder or None

    async def holder(self, conversation: str) -> str | None:
        return await self.red.get(f"{PREFIX}holder:{conversation}")

    async def held_by(self, agent: str) -> list[str]:
        held = []
        async for key in self.red.scan_iter(f"{PREFIX}holder:*"):
            if await self.red.get(key) == agent:
                held.append(key.removeprefix(f"{PREFIX}holder:"))
        return held

    async def release(self, conversation: str) -> Waiting | None:
        entry = await self._entry(conversation)
        removed = await self.red.delete(f"{PREFIX}holder:{conversation}")
        removed += await self.red.zrem(f"{PREFIX}queue", conversation)
        await self.red.delete(f"{PREFIX}entry:{conversation}")
        return entry if removed else None

    async def requeue(self, conversation: str) -> int | None:
        entry = await self._entry(conversation)
        if entry is None or not await self.red.delete(f"{PREFIX}holder:{conversation}"):
            return None
        await self.red.set(f"{PREFIX}entry:{conversation}", json.dumps(asdict(replace(entry, requeued=True))))
        await self.red.zadd(f"{PREFIX}queue", {conversation: entry.since})
        return await self.position(conversation)
