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
limit applies as to everyone.

The agents' desk and the handoff queue have limits of their own, the same kind of bucket:
- RATE_LIMIT_DESK_TYPING    = 20/10   one agent's typing notices: 20 at once, then 2 a second (the
                                      console sends one per burst of keystrokes, and again every 10 s)
- RATE_LIMIT_DESK_SAY       = 20/20   one agent's messages to brokers: 20 at once, then one a second
- RATE_LIMIT_HANDOFF_ADDRESS = 10/600 requests for a person from one client address: 10 at once, then
                                      one a minute (an office of brokers asks for a few, a script for
                                      hundreds, each a broker the agents would have to take)
Before, 1,000 typing notices in 1.3 s all reached the broker, 200 agent messages of 4.9 KB in 2 s were
all stored (1 MB), and one address put 60 requests for a person in the queue in 16 s. An agent's refused
event is acknowledged {"ok": false, "error": ...} (the console says "Not sent: ..."); a refused request
for a person gets the team's phone card and why, as when no agent is free.

Where the buckets live: in this process by default; in Redis when the production profile configures
it (rasa_server/redis_buckets.py: the same arithmetic, atomic, on Redis's clock), so that n servers
behind the balancer enforce one limit, not n.

Why not the `limits` package: its releases since 2.5 need packaging >= 21, and Rasa 3.6 pins
packaging 20.9; what is left is a 2022 release, for thirty lines of arithmetic tested here.

The plain RateLimiter has no Rasa or Sanic import (tests/unit/test_rate_limit.py); the rest of
the module hooks it into the server: remember_address() is a server-wide request middleware
(rasa_server/hooks.py installs it for every channel), too_many_status() the REST channel's 429, and
refused() is asked by the guard (channels/guard.py), over_limit() by the desk (channels/handoff.py).
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

from stores.handoff_board import redis_url

from .redis_buckets import RedisBuckets

logger = logging.getLogger(__name__)

TOO_MANY_REPLY = "Too many messages at once: please wait a moment, then send your question again."
DEFAULTS = {"RATE_LIMIT_SENDER": "60/60", "RATE_LIMIT_ADDRESS": "30/6", "RATE_LIMIT_TRUSTED_PROXIES": "127.0.0.1,::1"}
# The limits of other events than a broker's message, by the kind of key they count (see above).
EVENT_DEFAULTS = {
    "desk_typing": ("RATE_LIMIT_DESK_TYPING", "20/10"),
    "desk_say": ("RATE_LIMIT_DESK_SAY", "20/20"),
    "handoff_address": ("RATE_LIMIT_HANDOFF_ADDRESS", "10/600"),
}
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
        events: Mapping[str, Rate | None] | None = None,
        shared: RedisBuckets | None = None,
    ):
        self.rates = {"sender": per_sender, "address": per_address}
        self.event_rates = dict(events or {})  # the desk's and the queue's (EVENT_DEFAULTS)
        self.shared = shared  # the buckets in Redis, else in self._buckets
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
            events={kind: Rate.parse(env.get(name, default)) for kind, (name, default) in EVENT_DEFAULTS.items()},
            shared=RedisBuckets(url) if (url := redis_url(dict(env))) else None,
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
        return self.take([("sender", sender), ("address", address)])

    def limited(self, keys: Iterable[tuple[str, str | None]]) -> list[tuple[tuple[str, str], Rate]]:
        """The (kind, value) keys that have a value and a limit, with the limit."""
        rates = {**self.rates, **self.event_rates}
        return [((kind, value), rate) for kind, value in keys if value and (rate := rates.get(kind)) is not None]

    def take(self, keys: Iterable[tuple[str, str | None]]) -> float:
        """0 when the event may go on (counted in each key's bucket), else the seconds to wait (counted
        in none): one bucket per (kind, value), kind one of self.rates."""
        now, limited = self.clock(), self.limited(keys)
        tokens = {key: self._tokens(key, rate, now) for key, rate in limited}
        wait = max([(1 - tokens[key]) / rate.per_second for key, rate in limited if tokens[key] < 1], default=0.0)
        for key, _ in limited:
            self._buckets[key] = (tokens[key] - (0 if wait else 1), now)
            self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait

    async def counted(self, keys: Iterable[tuple[str, str | None]]) -> float:
        """take(), as the server asks it: in Redis when the buckets are shared."""
        if self.shared is not None:
            return await self.shared.take(self.limited(keys))
        return self.take(keys)


# The server side: the address of the request that carries each message, and REST's 429.
@dataclass
class _Request:
    address: str | None
    retry_after: float = 0.0


_current: ContextVar[_Request | None] = ContextVar("rate_limit_request", default=None)
_limiter: RateLimiter | None = None
LOG_EVERY_SECONDS = 10  # a flood is one WARNING line per 10 s, not one per message
_refusals: dict[str, dict[str, float]] = {}  # per kind of refusal: refused since logged, when logged


def limiter() -> RateLimiter:
    """This process's limiter: its buckets in Redis when the production profile configures Redis."""
    global _limiter
    if _limiter is None:
        _limiter = RateLimiter.from_env(os.environ)
    return _limiter


def current_address() -> str | None:
    """The client address of the request being handled (None: this machine, or no request)."""
    state = _current.get()
    return state.address if state else None


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
    wait = await limiter().counted([("sender", message.sender_id), ("address", state.address if state else None)])
    if not wait:
        return False
    if state is not None:
        state.retry_after = wait
    _log_refusal("message(s) refused (too many from one conversation or address)")
    await message.output_channel.send_response(message.sender_id, {"text": TOO_MANY_REPLY})
    return True


async def over_limit(kind: str, key: str | None) -> float:
    """For the desk: 0 when this event of `kind` (EVENT_DEFAULTS) for `key` may go on, else the
    seconds to wait; the caller refuses it with a clear answer."""
    wait = await limiter().counted([(kind, key)])
    if wait:
        _log_refusal(f"{kind.replace('_', ' ')} event(s) refused")
    return wait


def _log_refusal(what: str) -> None:
    """A flood is one WARNING line per LOG_EVERY_SECONDS for each kind, not one per event."""
    counts = _refusals.setdefault(what, {"count": 0, "logged": -math.inf})
    counts["count"] += 1
    if time.monotonic() - counts["logged"] >= LOG_EVERY_SECONDS:
        logger.warning("Rate limit: %d %s", counts["count"], what)
        counts.update(count=0, logged=time.monotonic())
