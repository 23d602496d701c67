"""One limit for all the Rasa servers (hardening issue 21): in the production profile the rate limits'
buckets are in Redis (rasa_server/redis_buckets.py), so a client address sending to both servers meets
one limit of 30 at once, then 5 a second, not one per server. Before, each process counted its own: 30
messages to each of the two servers, 60 in all, were all served. The messages go to the servers directly
(not through nginx, whose own limit would hide theirs), each with its conversation, the address behind
this trusted machine in X-Forwarded-For. They are empty, so each is answered at once ("looks empty",
after the limits are checked) and the refill while they arrive stays small."""

import asyncio
import random
import time

from tests.live.flood import TOO_MANY, Client, new_sender, run
from tests.live.servers import texts
from tests.scale.cluster import RASA_PORTS


def test_two_servers_enforce_one_address_limit_together(cluster):
    address = f"198.51.100.{random.randrange(1, 255)}"  # a client of its own, whatever ran before
    urls = [f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in RASA_PORTS]

    async def flood():
        headers = {"X-Forwarded-For": address}
        async with Client(urls[0], headers=headers) as first, Client(urls[1], headers=headers) as second:
            start = time.monotonic()
            replies = await asyncio.gather(
                *(client.say(new_sender(), "") for client in (first, second) for _ in range(30))
            )
            return replies, time.monotonic() - start

    replies, elapsed = run(flood())
    statuses = [status for status, _, _ in replies]
    served, refused = statuses.count(200), statuses.count(429)
    assert served + refused == 60
    assert 30 <= served <= 30 + 5 * elapsed + 1, (served, elapsed)  # before: 60, 30 by each server
    for status, messages, _ in replies:
        assert (TOO_MANY if status == 429 else "looks empty") in texts(messages)
