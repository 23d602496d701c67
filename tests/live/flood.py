"""Load from several client machines on loopback for the rate-limit tests (tests/live/test_rate_limits_live.py,
tests/scale/test_rate_limits_at_nginx.py): every request goes to 127.0.0.1, from a source address of the
client's own (127.0.0.2, ...; Linux routes all of 127/8 to loopback), bounded in messages and seconds."""

import asyncio
import json
import time
import uuid

import aiohttp

from tests.live.servers import texts

TOO_MANY = "Too many messages at once: please wait a moment"
TURNS = [
    "hello",
    "How do I terminate a small group contract in Oakland?",
    "what about Oregon?",
    "who handles billing questions?",
    "what about California?",
    "HQ in Oakland with 20 subscribers in San Diego, split?",
    "what's the reinstatement deadline?",
    "thanks",
]


def new_sender() -> str:
    return f"limit-{uuid.uuid4().hex}"


class Client:
    """One client machine: its own source address, as many conversations as it likes."""

    def __init__(self, url: str, source: str = "127.0.0.1", headers: dict | None = None):
        self.url, self.source, self.headers = url, source, headers or {}

    async def __aenter__(self):
        connector = aiohttp.TCPConnector(local_addr=(self.source, 0), limit=0)
        self.session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120))
        return self

    async def __aexit__(self, *_):
        await self.session.close()

    async def say(self, sender: str, text: str) -> tuple[int, list[dict], dict]:
        body = {"sender": sender, "message": text}
        async with self.session.post(self.url, json=body, headers=self.headers) as response:
            body = await response.text()
            try:
                messages = json.loads(body)
            except ValueError:  # an error page: no messages
                messages = []
            return response.status, messages, dict(response.headers)


async def normal_conversations(url: str, conversations: int = 16) -> list[float]:
    """Brokers: each conversation sends its turns one after another; the latency of every message."""
    latencies = []

    async def conversation(client: Client) -> None:
        sender = new_sender()
        for turn in TURNS:
            start = time.monotonic()
            status, messages, _ = await client.say(sender, turn)
            latencies.append(time.monotonic() - start)
            assert status == 200 and texts(messages), (status, messages)

    async with Client(url) as client:
        await asyncio.gather(*(conversation(client) for _ in range(conversations)))
    return latencies


async def flood_while(url: str, normal, waves_of: int = 100, every: float = 0.25, most: int = 4000):
    """Run `normal` while one client machine (127.0.0.2) sends `waves_of` messages of as many new
    conversations every `every` seconds (400 a second: the issue's 300 messages from 300 senders, and
    more), for as long as the normal load lasts: at most `most` messages, never past 60 s. Returns
    (the flood's statuses, what `normal` returned)."""
    statuses: list[int] = []
    async with Client(url, source="127.0.0.2") as flooder:

        async def one() -> None:
            try:
                status, _, _ = await flooder.say(new_sender(), "How do I terminate a small group contract?")
            except aiohttp.ClientConnectionError:
                # The flooder's own connection dropped under its flood: recorded as no answer (status 0),
                # which counts against the share the tests want refused with 429, never for it.
                status = 0
            statuses.append(status)

        task, sent, pending, deadline = asyncio.ensure_future(normal), 0, set(), time.monotonic() + 60
        while not task.done() and sent < most and time.monotonic() < deadline:
            pending |= {asyncio.ensure_future(one()) for _ in range(waves_of)}
            sent += waves_of
            await asyncio.sleep(every)
        await asyncio.gather(*pending)
        return statuses, await task


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def run(coroutine):
    return asyncio.run(coroutine)


def normal_load_idle_and_flooded(url: str) -> tuple[list[float], list[float], list[int]]:
    """16 normal conversations on an otherwise idle server, then the same under a flood: (latencies idle,
    latencies flooded, the flood's statuses). Every normal message must be answered (normal_conversations
    checks each). The latencies are figures to print: on a shared 2-core machine their ratio follows
    whatever else runs, so the tests assert what the limit controls instead (the share refused, the cost
    of a refused message)."""

    async def measure():
        await normal_conversations(url, 4)  # warm up
        idle = await normal_conversations(url)
        statuses, flooded = await flood_while(url, normal_conversations(url))
        return idle, flooded, statuses

    return run(measure())
