"""One Rasa server killed during load: nginx sends everything to the other, which carries on with
the same conversations (their state is in PostgreSQL)."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.scale.cluster import BALANCED, post, say

CONVERSATIONS, MESSAGES = 16, 8
OREGON_LINE, AMT_LINE = "503-813-2630, option 3", "800-790-4661, option 3"


def test_killed_server_leaves_the_others_answering_its_conversations(cluster, record_figure):
    senders = [f"loss-{uuid.uuid4().hex}" for _ in range(CONVERSATIONS)]
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        list(pool.map(lambda s: say(BALANCED, s, "How do I terminate a small group contract in Oakland?"), senders))
    killed_at, results = [], []

    def conversation(sender: str) -> None:
        for n in range(MESSAGES):
            start = time.monotonic()
            status, _ = post(BALANCED, sender, "what about Oregon?" if n % 2 else "what about California?")
            results.append((start, time.monotonic(), status))

    victim = cluster.servers[1]
    try:
        threads = [threading.Thread(target=conversation, args=(s,)) for s in senders]
        for thread in threads:
            thread.start()
        time.sleep(3)
        cluster.kill_rasa(victim)
        killed_at.append(time.monotonic())
        for thread in threads:
            thread.join(timeout=600)
        # Only a message the killed server had already accepted may be lost (nginx does not resend
        # a POST it has sent: it may have been processed); everything sent after is answered.
        lost = [r for r in results if r[2] != 200]
        assert all(start < killed_at[0] for start, _, _ in lost), lost
        assert len(lost) <= CONVERSATIONS
        record_figure(
            "server killed during load",
            f"{len(results) - len(lost)}/{len(results)} answered, {len(lost)} lost in flight on the killed server",
        )
        for sender in senders:  # every conversation goes on, with its topic, on the server left
            assert OREGON_LINE in say(BALANCED, sender, "what about Oregon?")
            assert AMT_LINE in say(BALANCED, sender, "what about California?")
    finally:
        if "rasa" not in victim.procs:
            victim.start("rasa")
