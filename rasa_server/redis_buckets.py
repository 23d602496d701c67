"""The rate limits' buckets in Redis (production profile), so that every Rasa server counts against
the same limit: with buckets in each process, two servers behind the balancer let one conversation
send twice its limit, n servers n times.

The arithmetic is rate_limit.RateLimiter's (a token bucket per kind and value, refilled at COUNT per
SECONDS, a refused event counted in none), done by one Lua script so that it is atomic across servers,
and on Redis's own clock (TIME), so that servers whose clocks differ agree. A bucket is a hash
(`tokens`, `when`) under kp_rate:<kind>:<value>, expiring once it would be full again, so Redis holds
only the buckets of the last minutes.

Redis is the one the handoff board uses (stores/handoff_board.redis_url: HANDOFF_REDIS_URL, else the
lock store's LOCK_STORE_HOST ...; rate_limit.RateLimiter.from_env). If it cannot be reached, the event
is let through and one ERROR line says so every 10 s: the limits protect the service, and with Redis
down the lock store refuses messages anyway (channels/guard.py).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

PREFIX = "kp_rate:"
LOG_EVERY_SECONDS = 10

# KEYS: the buckets; ARGV: count and per-second rate of each, in order. Returns the wait, as a string
# (Lua numbers become integers on the way back).
TAKE = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local tokens, wait = {}, 0
for i, key in ipairs(KEYS) do
  local count, rate = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local stored = redis.call('HMGET', key, 'tokens', 'when')
  local left = tonumber(stored[1]) or count
  local since = math.max(0, now - (tonumber(stored[2]) or now))
  tokens[i] = math.min(count, left + since * rate)
  if tokens[i] < 1 then wait = math.max(wait, (1 - tokens[i]) / rate) end
end
for i, key in ipairs(KEYS) do
  local count, rate = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local left = tokens[i]
  if wait == 0 then left = left - 1 end
  redis.call('HSET', key, 'tokens', tostring(left), 'when', tostring(now))
  redis.call('EXPIRE', key, math.ceil((count - left) / rate) + 1)
end
return tostring(wait)
"""


class RedisBuckets:
    """The buckets of rate_limit.RateLimiter in Redis: take() is its take(), for every server at once."""

    # After Redis restarted, the pooled connections are dead and each fails its next command: a command
    # is tried again on another (measured: 8 of 60 flood messages let through after an outage, with none).
    ATTEMPTS = 3

    def __init__(self, url: str) -> None:
        import redis.asyncio  # noqa: PLC0415 (only where Redis is configured)

        self.red = redis.asyncio.from_url(url, decode_responses=True, socket_timeout=2)
        self._take = self.red.register_script(TAKE)
        self._stale = redis.exceptions.ConnectionError
        self._logged = -math.inf

    async def _run(self, names: list[str], rates: list[float]) -> float:
        for _ in range(self.ATTEMPTS - 1):
            try:
                return float(await self._take(keys=names, args=rates))
            except self._stale:  # the dead connection is dropped; the next attempt opens another
                continue
        return float(await self._take(keys=names, args=rates))

    async def take(self, limited: Sequence[tuple[tuple[str, str], Any]]) -> float:
        """0 when the event may go on (counted in each bucket), else the seconds to wait (counted in
        none). `limited`: ((kind, value), rate) pairs, the rate with `count` and `per_second`."""
        if not limited:
            return 0.0
        names = [f"{PREFIX}{kind}:{value}" for (kind, value), _ in limited]
        rates = [number for _, rate in limited for number in (rate.count, rate.per_second)]
        try:
            return await self._run(names, rates)
        except Exception as error:  # Redis down or slow: let the event through, and say so
            if time.monotonic() - self._logged >= LOG_EVERY_SECONDS:
                logger.error("Rate limits not applied, Redis unavailable: %s", error.__class__.__name__)
                self._logged = time.monotonic()
            return 0.0
