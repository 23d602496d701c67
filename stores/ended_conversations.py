"""Conversations their broker has ended ("New conversation" in the widget): no session token opens one
again, whoever holds it.

A session token (tokens/signed.py) is valid for 24 hours after its last use, and before this it kept
working after "New conversation": the widget forgot it, but a copy (a shared computer's localStorage, a
stolen token) still opened the old conversation and everything said in it. Now the widget ends the
conversation first (`session_end`, channels/socket_io.py) and the conversation is listed here until
every token for it has expired (SESSION_TOKEN_HOURS and the allowed clock skew), so the list never grows
beyond a day's ended conversations.

In this process by default; in Redis when the handoff board is (stores/handoff_board.redis_url: the
production profile), so that every Rasa server refuses the token. A Redis that cannot be read counts
as "not ended" for reading (the broker keeps the conversation) and is logged; ending one that cannot be
written is logged as an ERROR, since the old token then still works.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Protocol

from tokens.signed import CLOCK_SKEW_SECONDS, SESSION_TOKEN_HOURS

from .handoff_board import redis_url

logger = logging.getLogger(__name__)

KEEP_SECONDS = SESSION_TOKEN_HOURS * 3600 + CLOCK_SKEW_SECONDS  # after that no token for it is valid
PREFIX = "kp_ended:"


class EndedConversations(Protocol):
    async def end(self, conversation: str) -> None: ...

    async def ended(self, conversation: str) -> bool: ...


class MemoryEnded:
    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._until: dict[str, float] = {}  # conversation -> when its last token has expired

    async def end(self, conversation: str) -> None:
        now = self.clock()
        self._until = {c: until for c, until in self._until.items() if until > now}  # the expired go
        self._until[conversation] = now + KEEP_SECONDS

    async def ended(self, conversation: str) -> bool:
        return self._until.get(conversation, -1.0) > self.clock()


class RedisEnded:
    def __init__(self, url: str) -> None:
        import redis.asyncio  # noqa: PLC0415 (only where Redis is configured)

        self.red = redis.asyncio.from_url(url, decode_responses=True, socket_timeout=2)

    async def end(self, conversation: str) -> None:
        try:
            await self.red.set(PREFIX + conversation, "1", ex=KEEP_SECONDS)
        except Exception as error:
            logger.error("Conversation %s not ended, Redis unavailable: %s", conversation, error.__class__.__name__)

    async def ended(self, conversation: str) -> bool:
        try:
            return bool(await self.red.exists(PREFIX + conversation))
        except Exception as error:
            logger.warning("Ended conversations unreadable, Redis unavailable: %s", error.__class__.__name__)
            return False


def ended_conversations(env: dict[str, str] | None = None) -> EndedConversations:
    url = redis_url(dict(os.environ) if env is None else env)
    return MemoryEnded() if url is None else RedisEnded(url)
