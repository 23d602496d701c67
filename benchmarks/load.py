"""Load client for `make bench`: replays broker conversations over Rasa's REST channel.

Runs as its own process (so its CPU use is not charged to the server being measured) and prints one
JSON object. Bounded twice: it stops after --messages messages or --seconds seconds, whichever
comes first, and only ever talks to localhost.

  load.py --port 5305 --concurrency 16 --messages 400 --seconds 60
  load.py --port 5305 --growth 200
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import sys
import time

import aiohttp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conversations import GROWTH_CYCLE, MIX  # noqa: E402

TIMEOUT_S = 30  # one message; a reply slower than this counts as an error


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p% of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * p / 100), 1) - 1]


class Client:
    def __init__(self, session: aiohttp.ClientSession, url: str):
        self.session, self.url = session, url
        self.latencies_ms: list[float] = []
        self.errors = self.checked = self.as_expected = 0

    async def say(self, sender: str, text: str, expect: str | None) -> float | None:
        start = time.perf_counter()
        try:
            async with self.session.post(self.url, json={"sender": sender, "message": text}) as resp:
                body = await resp.json(content_type=None) if resp.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            body = None
        elapsed = (time.perf_counter() - start) * 1000
        if not body:  # non-200, unreadable or an empty reply list are all errors
            self.errors += 1
            return None
        self.latencies_ms.append(elapsed)
        if expect is not None:
            reply = " ".join(m.get("text") or "" for m in body)
            self.checked += 1
            self.as_expected += expect.lower() in reply.lower()
        return elapsed

    def summary(self, wall_s: float) -> dict:
        done = len(self.latencies_ms)
        return {
            "messages": done + self.errors,
            "errors": self.errors,
            "wall_s": round(wall_s, 2),
            "messages_per_s": round(done / wall_s, 2) if wall_s else None,
            **{f"p{p}_ms": _round(percentile(self.latencies_ms, p)) for p in (50, 95, 99)},
            "answers_checked": self.checked,
            "answers_as_expected": self.as_expected,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


async def converse(client: Client, tag: str, concurrency: int, budget: int, deadline: float) -> dict:
    """`concurrency` brokers, each starting a new conversation (new sender id) after the last."""
    sent = itertools.count()
    conversations = itertools.count()

    async def broker(worker: int) -> None:
        while True:
            number = next(conversations)
            turns = MIX[(number + worker) % len(MIX)]
            for text, expect in turns:
                if next(sent) >= budget or time.monotonic() >= deadline:
                    return
                await client.say(f"{tag}-{worker}-{number}", text, expect)

    start = time.perf_counter()
    await asyncio.gather(*(broker(w) for w in range(concurrency)))
    return client.summary(time.perf_counter() - start)


async def growth(client: Client, tag: str, turns: int, deadline: float) -> dict:
    """One sender, `turns` messages in one session: how latency grows with the tracker."""
    per_turn: list[float | None] = []
    start = time.perf_counter()
    for turn in range(turns):
        if time.monotonic() >= deadline:
            break
        text, expect = GROWTH_CYCLE[turn % len(GROWTH_CYCLE)]
        per_turn.append(await client.say(f"{tag}-long", text, expect))
    first = [v for v in per_turn[:10] if v is not None]
    last = [v for v in per_turn[-10:] if v is not None] if len(per_turn) >= 20 else []
    first_med, last_med = percentile(first, 50), percentile(last, 50)
    return {
        **client.summary(time.perf_counter() - start),
        "turns": len(per_turn),
        "turn_1_ms": _round(per_turn[0]) if per_turn else None,
        "turn_last_ms": _round(per_turn[-1]) if per_turn else None,
        "first_10_median_ms": _round(first_med),
        "last_10_median_ms": _round(last_med),
        "last_over_first": round(last_med / first_med, 2) if first_med and last_med else None,
        "per_turn_ms": [_round(v) for v in per_turn],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tag", default="bench", help="sender-id prefix, unique per run")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--growth", type=int, default=0, help="turns of one long conversation")
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}/webhooks/rest/webhook"
    deadline = time.monotonic() + args.seconds
    connector = aiohttp.TCPConnector(limit=max(args.concurrency, 1))
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        client = Client(session, url)
        if args.growth:
            result = await growth(client, args.tag, args.growth, deadline)
        else:
            result = await converse(client, args.tag, args.concurrency, args.messages, deadline)
    print(json.dumps({"concurrency": args.concurrency, **result}))


if __name__ == "__main__":
    asyncio.run(main())
