"""Rate limits in the scale-out profile (issue 15, finding 12): nginx limits each client address
(limit_req, tests/scale/services.py) before a flood reaches any Rasa server, with the assistant's own
"too many messages" reply and 429; everyone else is served, and 16 normal conversations through the
balancer are all answered (their p95 idle and flooded is printed). Load to 127.0.0.1 only, from loopback source
addresses, bounded (tests/live/flood.py)."""

import asyncio
import statistics

from tests.live.flood import TOO_MANY, TURNS, Client, new_sender, normal_load_idle_and_flooded, p95, run
from tests.live.servers import texts
from tests.scale.cluster import BALANCED


def test_nginx_refuses_a_flooding_address_with_429_and_serves_everyone_else(cluster, services):
    async def flood():
        async with Client(BALANCED, "127.0.0.2") as flooder, Client(BALANCED, "127.0.0.3") as broker:
            sent = asyncio.gather(*(flooder.say(new_sender(), "hello") for _ in range(120)))
            return await asyncio.gather(sent, broker.say(new_sender(), "who handles billing questions in Oregon?"))

    flooded, normal = run(flood())
    statuses = [status for status, _, _ in flooded]
    assert set(statuses) == {200, 429}
    assert 30 <= statuses.count(200) <= 45  # 30 at once, then 5 a second
    for status, messages, headers in flooded:
        if status == 429:
            assert TOO_MANY in texts(messages) and headers["Retry-After"] == "1"
    assert normal[0] == 200 and "866-868-7220" in texts(normal[1])
    # Refused by nginx itself, before any Rasa server.
    log = (services.dir / "nginx-error.log").read_text()
    assert "limiting requests" in log and "client: 127.0.0.2" in log


def test_a_flood_through_the_balancer_is_refused_and_16_normal_conversations_are_all_answered(cluster, record_figure):
    """The share refused is asserted; the p95 ratio is printed (it follows the shared machine's other load)."""
    idle, flooded, statuses = normal_load_idle_and_flooded(BALANCED)
    ratio = p95(flooded) / p95(idle)
    record_figure(
        "rate limits (nginx, 2 servers), 16 conversations x 8 messages",
        f"p95 idle {1000 * p95(idle):.0f} ms, under a flood of {len(statuses)} messages from one address "
        f"({statuses.count(429)} refused with 429) {1000 * p95(flooded):.0f} ms, x{ratio:.2f}; "
        f"median {1000 * statistics.median(idle):.0f} -> {1000 * statistics.median(flooded):.0f} ms",
    )
    assert statuses.count(429) >= 0.8 * len(statuses)
    assert len(flooded) == 16 * len(TURNS)  # every normal message answered (normal_conversations checks each)
