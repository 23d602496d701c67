"""Rate limits in front of the assistant: per conversation (the sender id) and per client address.

One Rasa server is one event loop: before this, 300 messages from 300 senders slowed a normal
broker's median reply from 32 to 106 ms, and one sender's 300 messages queued for 33 s. Now a
message over either limit gets, at once and without reaching the NLU or the stores, the reply
TOO_MANY_REPLY (REST: HTTP 429 with Retry-After; socket.io: a bot message).

Each limit is a token bucket, "COUNT/SECONDS": up to COUNT messages at once, refilled at COUNT per
SECONDS; a refused message takes nothing from either bucket. Defaults, far above what people type
and what an office of brokers behind one address sends, so only scripts meet them:
- RATE_LIMIT_SENDER  = 60/60   one conversation: 60 at once, then one a second (Rasa handles a
                               conversation's messages one at a time: more would only queue)
- RATE_LIMIT_ADDRESS = 30/6    one client address: 30 at once, then 5 a second
("off" turns a limit off.) The client address is the connection's peer, or, when the peer is a
trusted proxy (RATE_LIMIT_TRUSTED_PROXIES, addresses or networks; default this machine: 127.0.0.1,
::1, where the gateway in front of the loopback-only servers runs), the nearest untrusted address
in X-Forwarded-For. A request from this machine itself, with no untrusted address forwarded (health
checks, operators' tools, the tests' load generators), has no address limit; its conversation's
limit applies as to everyone. Buckets live in this process: with several servers each counts its
own (the balancer's limit_req counts per address for all of them, see the README's Deployment).

Why not the `limits` package: its releases since 2.5 need packaging >= 21, and Rasa 3.6 pins
packaging 20.9; what is left is a 2022 release, for thirty lines of arithmetic tested here.

The plain RateLimiter has no Rasa or Sanic import (tests/unit/test_rate_limit.py); the rest of
the module hooks it into the server: remember_address() is a server-wide request middleware
(rasa_server/hooks.py installs it for every channel), too_many_status() the REST channel's 429, and
refused() is asked by the guard (channels/guard.py).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

TOO_MANY_REPLY = "Too many messages at once: please wait a moment, then send your question again."
DEFAULTS = {"RATE_LIMIT_SENDER": "60/60", "RATE_LIMIT_ADDRESS": "30/6", "RATE_LIMIT_TRUSTED_PROXIES": "127.0.0.1,::1"}
MAX_KEYS = 100_000  # buckets kept; the least recently used beyond that are forgotten (memory stays flat)


@dataclass(frozen=True)
class Rate:
    count: int  # messages at once (the bucket's size)
    seconds: float  # in which `count` more are allowed

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """ "20/60" -> 20 per 60 s; "off" -> None."""
        if text.strip().lower() in ("off", "0", ""):
            return None
        count, _, seconds = text.partition("/")
        rate = cls(int(count), float(seconds.strip().rstrip("s") or 1))
        if rate.count < 1 or rate.seconds <= 0:
            raise ValueError(f"a rate limit is COUNT/SECONDS with both above 0, or off: {text!r}")
        return rate

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


class RateLimiter:
    """Token buckets per sender and per client address; check() counts a message or says how long to wait."""

    def __init__(
        self,
        per_sender: Rate | None,
        per_address: Rate | None,
        trusted_proxies: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ):
        self.rates = {"sender": per_sender, "address": per_address}
        self.trusted = [ipaddress.ip_network(net.strip(), strict=False) for net in trusted_proxies if net.strip()]
        self.clock, self.max_keys = clock, max_keys
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()  # key -> (tokens, when)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RateLimiter:
        value = {name: env.get(name, default) for name, default in DEFAULTS.items()}
        return cls(
            Rate.parse(value["RATE_LIMIT_SENDER"]),
            Rate.parse(value["RATE_LIMIT_ADDRESS"]),
            value["RATE_LIMIT_TRUSTED_PROXIES"].split(","),
        )

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip().strip("[]"))
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def client_address(self, peer: str, forwarded_for: str | None = None) -> str | None:
        """Whose message this is: the peer, or behind trusted proxies the nearest untrusted address they
        forwarded; None when every hop is trusted (this machine itself)."""
        forwarded = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
        for hop in [peer, *reversed(forwarded)]:  # nearest first; each trusted hop vouches for the next
            if not self._is_trusted(hop):
                return hop
        return None

    def _tokens(self, key: tuple[str, str], rate: Rate, now: float) -> float:
        tokens, when = self._buckets.get(key, (rate.count, now))
        return min(rate.count, tokens + (now - when) * rate.per_second)

    def check(self, sender: str, address: str | None) -> float:
        """0 when the message may go on (it is counted against both limits), else the seconds to wait."""
        now = self.clock()
        keys = [(kind, value) for kind, value in (("sender", sender), ("address", address)) if value]
        limited = [(key, rate) for key in keys if (rate := self.rates[key[0]]) is not None]
        tokens = {key: self._tokens(key, rate, now) for key, rate in limited}
        wait = max([(1 - tokens[key]) / rate.per_second for key, rate in limited if tokens[key] < 1], default=0.0)
        for key, _ in limited:
            self._buckets[key] = (tokens[key] - (0 if wait else 1), now)
            self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


# The server side: the address of the request that carries each message, and REST's 429.
@dataclass
class _Request:
    address: str | None
    retry_after: float = 0.0


_current: ContextVar[_Request | None] = ContextVar("rate_limit_request", default=None)
_limiter: RateLimiter | None = None
LOG_EVERY_SECONDS = 10  # a flood is one WARNING line per 10 s, not one per message
_refusals = {"count": 0, "logged": -math.inf}


def limiter() -> RateLimiter:
    global _limiter
    if _limiter is None:
        _limiter = RateLimiter.from_env(os.environ)
    return _limiter


async def remember_address(request: Any) -> None:
    """Every request to the server (REST, socket.io polling and websocket upgrades): whose it is. A
    socket.io message is handled in a task started within its request, so it sees the same value."""
    _current.set(_Request(limiter().client_address(request.ip, request.headers.get("x-forwarded-for"))))


async def too_many_status(_: Any, response: Any) -> None:
    """REST: a refused message's reply goes with 429 and Retry-After (the body is the usual list)."""
    state = _current.get()
    if state is not None and state.retry_after:
        response.status = 429
        response.headers["Retry-After"] = str(math.ceil(state.retry_after))


async def refused(message: Any) -> bool:
    """For the guard: True when the message is over a limit; the broker has been told so."""
    state = _current.get()
    wait = limiter().check(message.sender_id, state.address if state else None)
    if not wait:
        return False
    if state is not None:
        state.retry_after = wait
    _refusals["count"] += 1
    if time.monotonic() - _refusals["logged"] >= LOG_EVERY_SECONDS:
        logger.warning(
            "Rate limit: %d message(s) refused (too many from one conversation or address)", _refusals["count"]
        )
        _refusals.update(count=0, logged=time.monotonic())
    await message.output_channel.send_response(message.sender_id, {"text": TOO_MANY_REPLY})
    return True
