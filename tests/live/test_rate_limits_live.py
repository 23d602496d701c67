"""Rate limits (issue 15, finding 12; rasa_server/rate_limit.py): a conversation or a client address that
sends too much is told to wait (REST: 429 with Retry-After), everyone else is served as before, and a
flood does not take the server from 16 normal conversations. Ports 5131/5181; the load goes to
127.0.0.1 only, from loopback source addresses (127.0.0.2, ...: other clients to the server), and is
bounded in messages and seconds."""

import asyncio
import math
import os
import sqlite3
import statistics
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
import socketio

from tests.live.flood import TOO_MANY, TURNS, Client, new_sender, normal_load_idle_and_flooded, p95, run
from tests.live.servers import running, texts


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """The assistant with its default limits (scripts/serve.sh, as `make run`)."""
    with running(tmp_path_factory.mktemp("rate-limit"), rasa_port=5131, actions_port=5181) as live:
        yield live


def test_a_conversation_sending_too_fast_is_told_to_wait_with_429_then_served_again(limited):
    question = "who handles billing questions in Oregon?"

    async def flood():
        async with Client(limited.url) as client:
            sender, start = new_sender(), time.monotonic()
            replies = [await client.say(sender, question) for _ in range(70)]
            elapsed = time.monotonic() - start
            await asyncio.sleep(1)
            return replies, elapsed, await client.say(sender, question)

    replies, elapsed, later = run(flood())
    statuses = [status for status, _, _ in replies]
    assert statuses[:60] == [200] * 60  # 60 at once
    assert 429 in statuses and statuses.count(200) <= 60 + elapsed + 1  # then one a second
    for status, messages, headers in replies:
        if status == 200:
            assert "866-868-7220" in texts(messages)
        else:
            assert TOO_MANY in texts(messages) and "866-868-7220" not in texts(messages)
            assert headers["Retry-After"] == "1"
    assert later[0] == 200 and "866-868-7220" in texts(later[1])


def test_an_address_sending_for_many_conversations_is_limited_and_no_one_else(limited):
    async def flood():
        async with Client(limited.url, source="127.0.0.2") as flooder, Client(limited.url, "127.0.0.3") as broker:
            sent = [flooder.say(new_sender(), "hello") for _ in range(120)]
            flooded, normal = await asyncio.gather(
                asyncio.gather(*sent), broker.say(new_sender(), "who handles billing questions in Oregon?")
            )
            return flooded, normal

    flooded, normal = run(flood())
    statuses = [status for status, _, _ in flooded]
    assert set(statuses) == {200, 429}
    assert 30 <= statuses.count(200) <= 45  # 30 at once, then 5 a second
    assert all(TOO_MANY in texts(messages) for status, messages, _ in flooded if status == 429)
    assert normal[0] == 200 and "866-868-7220" in texts(normal[1])


def test_behind_the_gateway_the_forwarded_address_is_limited_and_a_client_cannot_choose_its_own(limited):
    async def flood(source, forwarded_for):
        async with Client(limited.url, source, {"X-Forwarded-For": forwarded_for}) as client:
            replies = await asyncio.gather(*(client.say(new_sender(), "hi") for _ in range(80)))
            return [status for status, _, _ in replies]

    # From the trusted gateway on this machine (127.0.0.1): the client it forwards is limited.
    assert 30 <= run(flood("127.0.0.1", "203.0.113.7")).count(200) <= 45
    # From another machine, X-Forwarded-For is the client's own word: its real address is limited.
    assert 30 <= run(flood("127.0.0.4", f"198.51.100.{uuid.uuid4().int % 250}")).count(200) <= 45


def test_a_socketio_conversation_sending_too_fast_is_told_to_wait(limited):
    """60 at once, then one a second (RATE_LIMIT_SENDER=60/60): of 70 sent together, all beyond 60 and
    what the seconds the server took refilled are told to wait. The refill is counted from the replies'
    own times, so a loaded machine (slower handling, more refilled) is no failure, and a limit that
    refuses nothing, or more than the 10 beyond the burst, is."""

    async def flood():
        client, said, confirmed = socketio.AsyncClient(), [], asyncio.Future()
        client.on("bot_uttered", lambda message: said.append((time.monotonic(), message.get("text", ""))))
        client.on("session_confirm", lambda session: confirmed.done() or confirmed.set_result(session))
        await client.connect(f"http://127.0.0.1:{limited.rasa_port}", transports=["websocket"])
        await client.emit("session_request", {})
        session = await asyncio.wait_for(confirmed, 10)  # the conversation the server opened
        session_id = session["session_id"] if isinstance(session, dict) else session
        started = time.monotonic()
        for _ in range(70):
            await client.emit("user_uttered", {"message": "hello", "session_id": session_id})
        deadline = time.monotonic() + 60
        while len(said) < 70 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await client.disconnect()
        return started, said

    started, said = run(flood())
    assert len(said) == 70
    refused = sum(TOO_MANY in text for _, text in said)
    took = max(at for at, _ in said) - started
    assert 10 - math.ceil(took) - 1 <= refused <= 10 and refused >= 1, (refused, f"{took:.1f} s")


def test_socketio_conversations_from_one_address_are_limited_together(limited):
    async def one(http, said) -> None:
        client, confirmed, mine = socketio.AsyncClient(http_session=http), asyncio.Future(), []
        client.on("bot_uttered", lambda message: mine.append(message.get("text", "")))
        client.on("session_confirm", lambda session: confirmed.done() or confirmed.set_result(session))
        await client.connect(f"http://127.0.0.1:{limited.rasa_port}", transports=["websocket"])
        await client.emit("session_request", {})
        session = await asyncio.wait_for(confirmed, 10)
        await client.emit("user_uttered", {"message": "hello", "session_id": session.get("session_id")})
        deadline = time.monotonic() + 60
        while not mine and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await client.disconnect()
        said.extend(mine)

    async def flood():
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.6", 0), limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            said, start = [], time.monotonic()
            await asyncio.gather(*(one(http, said) for _ in range(60)))
            return said, time.monotonic() - start

    said, elapsed = run(flood())  # 60 conversations, one message each, from one machine
    refused = sum(TOO_MANY in text for text in said)
    assert len(said) == 60 and refused >= 1
    assert 30 <= 60 - refused <= 30 + 5 * elapsed + 1  # 30 at once, then 5 a second


def test_a_flood_is_refused_cheaply_and_16_normal_conversations_are_all_answered(limited, record_figure):
    """What the limit controls is what a refused message costs, so that is what is asserted: the share
    refused, the server's CPU per refused message against an answered one, and nothing stored for a
    refused message. The latency ratio depends on whatever else the shared 2-core machine runs at the
    time (x1.7-x2.4 measured under other work), so it is a printed figure, not a pass mark."""
    idle, flooded, statuses = normal_load_idle_and_flooded(limited.url)
    ratio = p95(flooded) / p95(idle)
    record_figure(
        "rate limits (embedded), 16 conversations x 8 messages",
        f"p95 idle {1000 * p95(idle):.0f} ms, under a flood of {len(statuses)} messages from one address "
        f"({statuses.count(429)} refused with 429) {1000 * p95(flooded):.0f} ms, x{ratio:.2f}; "
        f"median {1000 * statistics.median(idle):.0f} -> {1000 * statistics.median(flooded):.0f} ms",
    )
    assert statuses.count(429) >= 0.8 * len(statuses)
    assert len(flooded) == 16 * len(TURNS)  # every normal message answered (normal_conversations checks each)

    answered, refused = refused_and_answered_cost(limited)
    record_figure(
        "rate limits (embedded), Rasa server CPU per message",
        f"answered {1000 * answered:.1f} ms, refused with 429 {1000 * refused:.2f} ms ({refused / answered:.1%})",
    )
    assert refused <= 0.2 * answered


def server_cpu_seconds(live) -> float:
    """User + system CPU time of the Rasa server's process group (serve.sh starts it in a session of its own)."""
    group, ticks = live.procs["rasa"].pid, 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # field 5 of stat, the process group
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def refused_and_answered_cost(live) -> tuple[float, float]:
    """The server's CPU seconds per answered and per refused message, and that a refused message is
    never stored. Answered: 48 questions from this machine (no address limit). Refused: one client
    address sends its 30 at once, then 400 more within about a second; the few let through by the
    refill (5 a second) are charged at the answered cost."""
    question = "How do I terminate a small group contract?"

    async def answered_cost() -> float:
        async with Client(live.url) as client:
            await asyncio.gather(*(client.say(new_sender(), question) for _ in range(8)))  # warm up
            before = server_cpu_seconds(live)
            replies = await asyncio.gather(*(client.say(new_sender(), question) for _ in range(48)))
            assert all(status == 200 for status, _, _ in replies)
            return (server_cpu_seconds(live) - before) / 48

    async def flood() -> tuple[float, list[tuple[str, int]]]:
        async with Client(live.url, source="127.0.0.9") as client:

            async def one(sender: str) -> tuple[str, int]:
                return sender, (await client.say(sender, question))[0]

            first = await asyncio.gather(*(one(new_sender()) for _ in range(30)))
            before = server_cpu_seconds(live)
            rest = await asyncio.gather(*(one(new_sender()) for _ in range(400)))
            await asyncio.sleep(0.5)  # the last replies' stores written
            return server_cpu_seconds(live) - before, first + rest

    per_answer = run(answered_cost())
    spent, sent = run(flood())
    refused = [sender for sender, status in sent[30:] if status == 429]
    through = len(sent) - 30 - len(refused)
    assert len(refused) >= 350
    with sqlite3.connect(live.tracker_db) as db:
        marks = ",".join("?" * len(refused))
        stored = db.execute(f"SELECT COUNT(*) FROM events WHERE sender_id IN ({marks})", refused).fetchone()[0]
    assert stored == 0  # a refused message leaves nothing in the tracker store
    return per_answer, max(0.0, spent - through * per_answer) / len(refused)
