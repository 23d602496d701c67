"""Messages per second through nginx with one Rasa server and with two, at 16 and 64 concurrent
conversations (each sends its messages one after another, as a broker does)."""

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.scale.cluster import BALANCED, SINGLE, post

TURNS = [
    "How do I terminate a small group contract in Oakland?",
    "what about Oregon?",
    "who handles billing questions?",
    "what about California?",
    "thanks",
]


def load(url: str, conversations: int) -> tuple[float, float, int]:
    """(messages per second, median latency in seconds, failures)"""
    latencies, failures = [], []

    def conversation(_: int) -> None:
        sender = f"load-{uuid.uuid4().hex}"
        for turn in TURNS:
            start = time.monotonic()
            status, reply = post(url, sender, turn)
            latencies.append(time.monotonic() - start)
            if status != 200 or not reply:
                failures.append(status)

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        list(pool.map(conversation, range(conversations), timeout=600))
    elapsed = time.monotonic() - start
    return conversations * len(TURNS) / elapsed, statistics.median(latencies), len(failures)


@pytest.mark.parametrize("conversations", [16, 64])
def test_throughput_one_server_against_two(cluster, conversations, record_figure):
    load(BALANCED, 4)  # warm both servers
    one_rate, one_p50, one_failed = load(SINGLE, conversations)
    two_rate, two_p50, two_failed = load(BALANCED, conversations)
    record_figure(
        f"throughput, {conversations} concurrent conversations x {len(TURNS)} messages",
        f"1 server {one_rate:.1f} msg/s (p50 {1000 * one_p50:.0f} ms), "
        f"2 servers {two_rate:.1f} msg/s (p50 {1000 * two_p50:.0f} ms), x{two_rate / one_rate:.2f}",
    )
    assert one_failed == two_failed == 0
