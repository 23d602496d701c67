"""One conversation, several servers: the state is one, and its messages are handled one at a time."""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.live.servers import texts
from tests.scale.cluster import RASA_PORTS, post, say

AMT_LINE = "800-790-4661, option 3"
OREGON_LINE = "503-813-2630, option 3"
SIMULTANEOUS = [
    "How do I terminate a small group contract in Oakland?",
    "what about Oregon?",
    "who handles billing questions?",
    "phone number of the Consolidated Service Center",
    "what's the reinstatement deadline?",
    "what about California?",
    "thanks",
    "hello",
]


def server_url(index: int) -> str:
    return f"http://localhost:{RASA_PORTS[index % len(RASA_PORTS)]}/webhooks/rest/webhook"


def test_messages_alternating_between_servers_keep_one_state(cluster, services, sender):
    said = ["How do I terminate a small group contract in Oakland?", "what about Oregon?", "what about California?"]
    replies = [say(server_url(n), sender, text) for n, text in enumerate(said)]
    assert replies[0].startswith("To help a California small group terminate") and AMT_LINE in replies[0]
    assert OREGON_LINE in replies[1]  # the question asked on the other server, re-answered for Oregon
    assert AMT_LINE in replies[2]
    stored = services.events(sender)
    assert [e["text"] for e in stored if e["event"] == "user"] == said
    assert [e["value"] for e in stored if e["event"] == "slot" and e["name"] == "region"][-1] == "california"


def turns(events: list[dict]) -> dict[str, str]:
    """Each user message with the bot text stored after it, checking that turns never interleave:
    every turn ends with action_listen before the next user message."""
    result, current, last_action = {}, None, None
    for event in events:
        if event["event"] == "user":
            assert current is None or last_action == "action_listen", f"turn of {current!r} interleaved"
            current, last_action = event["text"], None
            assert current not in result, f"{current!r} stored twice"
            result[current] = ""
        elif current is not None and event["event"] == "action":
            last_action = event["name"]
        elif current is not None and event["event"] == "bot" and event.get("text"):
            result[current] += ("\n" if result[current] else "") + event["text"]
    return result


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def hammer(services, conversations: int, messages: list[str]) -> list[str]:
    """Send every message of every conversation at the same moment, alternating servers; check the
    stored trackers; return the problems found."""
    senders = [f"hammer-{uuid.uuid4().hex}" for _ in range(conversations)]
    jobs = [(sender, n, text) for sender in senders for n, text in enumerate(messages)]
    start = threading.Barrier(len(jobs))

    def send(job):
        sender, n, text = job
        start.wait()
        status, reply = post(server_url(n), sender, text)
        return job, status, texts(reply)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(send, jobs, timeout=600))
    problems = [f"{status} for {job}" for job, status, _ in results if status != 200]
    for sender in senders:
        events = services.events(sender)
        keys = Counter((e["event"], e.get("timestamp"), e.get("name"), e.get("text")) for e in events)
        problems += [f"{sender}: event stored {count} times: {key}" for key, count in keys.items() if count > 1]
        try:
            stored = turns(events)
        except AssertionError as err:
            problems.append(f"{sender}: {err}")
            continue
        if sorted(stored) != sorted(messages):
            problems.append(f"{sender}: stored user messages {sorted(stored)} != sent {sorted(messages)}")
        for (job_sender, _, text), status, reply in results:
            if job_sender == sender and status == 200 and lines(stored.get(text, "")) != lines(reply):
                problems.append(
                    f"{sender}: the reply to {text!r} is not the one stored after it: "
                    f"{reply[:300]!r} != {stored.get(text, '')[:300]!r}"
                )
    return problems


def test_simultaneous_messages_to_one_conversation_are_handled_one_at_a_time(cluster, services):
    assert hammer(services, conversations=1, messages=SIMULTANEOUS) == []


def test_hammering_conversations_from_both_servers_loses_and_mixes_nothing(cluster, services, record_figure):
    problems = hammer(services, conversations=6, messages=SIMULTANEOUS)
    record_figure(
        "race, 6 conversations x 8 simultaneous messages over 2 servers (atomic lock store)",
        f"{len(problems)} problems",
    )
    assert problems == []
    assert "LockError" not in cluster.logs()
