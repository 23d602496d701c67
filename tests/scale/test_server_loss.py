"""One Rasa server killed during load: no message is lost. nginx sends the messages the dead server
had taken to the other (proxy_next_upstream ... non_idempotent), which handles each once: a message it
finds already stored (the dead server had handled it) gets the stored reply (rasa_server/patches.py).
Every conversation carries on with its state (in PostgreSQL), every message stored once, in order."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.scale.cluster import BALANCED, post, say

CONVERSATIONS, MESSAGES = 16, 8
FIRST = "How do I terminate a small group contract in Oakland?"
OREGON_LINE, AMT_LINE = "503-813-2630, option 3", "800-790-4661, option 3"


def said(n: int) -> str:
    return "what about Oregon?" if n % 2 else "what about California?"


def test_killed_server_loses_no_message_and_stores_each_once_in_order(cluster, services, record_figure):
    senders = [f"loss-{uuid.uuid4().hex}" for _ in range(CONVERSATIONS)]
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        list(pool.map(lambda s: say(BALANCED, s, FIRST), senders))
    killed_at, results, sent_ids = [], [], {sender: [] for sender in senders}

    def conversation(sender: str) -> None:
        for n in range(MESSAGES):
            message_id = uuid.uuid4().hex
            sent_ids[sender].append(message_id)
            start = time.monotonic()
            status, _ = post(BALANCED, sender, said(n), message_id=message_id)
            results.append((start, time.monotonic(), status))

    victim = cluster.servers[1]
    try:
        threads = [threading.Thread(target=conversation, args=(s,)) for s in senders]
        for thread in threads:
            thread.start()
        while len(results) < CONVERSATIONS * MESSAGES // 4:  # well into the load, whatever its pace
            time.sleep(0.01)
        cluster.kill_rasa(victim)
        killed_at.append(time.monotonic())
        for thread in threads:
            thread.join(timeout=900)
        lost = [r for r in results if r[2] != 200]
        in_flight = [r for r in results if r[0] < killed_at[0] < r[1]]
        record_figure(
            "server killed during load",
            f"{len(results) - len(lost)}/{len(results)} answered, {len(in_flight)} in flight when it died",
        )
        assert len(results) == CONVERSATIONS * MESSAGES and lost == []
        assert in_flight, "the kill came after the load: nothing was tested"
        for sender in senders:  # each message stored once, in the order sent
            users = [e for e in services.events(sender) if e["event"] == "user"]
            assert [e["text"] for e in users] == [FIRST] + [said(n) for n in range(MESSAGES)], sender
            assert [e["message_id"] for e in users[1:]] == sent_ids[sender], sender
        for sender in senders:  # every conversation goes on, with its topic, on the server left
            assert OREGON_LINE in say(BALANCED, sender, "what about Oregon?")
            assert AMT_LINE in say(BALANCED, sender, "what about California?")
    finally:
        if "rasa" not in victim.procs:
            victim.start("rasa")
