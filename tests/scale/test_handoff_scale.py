"""The live handoff in the production profile: the broker's socket on one Rasa server, the agent's on
the other (Redis pub/sub carries what each says, Redis holds the queue), and both through nginx with
sticky socket.io sessions."""

from __future__ import annotations

import asyncio
import json

from tests.live.servers import texts
from tests.live.sockets import Chat, Desk, waiting_broker
from tests.scale.cluster import RASA_PORTS
from tests.scale.services import NGINX_PORT
from tokens.signed import AgentTokens

QUESTION = "How do I reinstate a terminated group in Salem, Oregon?"
SERVER = [f"http://localhost:{port}" for port in RASA_PORTS]
BALANCED = f"http://localhost:{NGINX_PORT}"


def agent_pass(services, agent: str) -> str:
    return AgentTokens(services.session_key).issue(agent)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def test_a_broker_on_one_server_and_an_agent_on_the_other_talk_and_the_assistant_carries_on(cluster, services):
    async def scenario():
        desk = Desk(SERVER[1], agent_pass(services, "maria"))
        await desk.connect()
        chat = await waiting_broker(SERVER[0], QUESTION)
        queue = await desk.wait_for("queue", lambda q: any(w["conversation"] == chat.session_id for w in q["waiting"]))
        taken = await desk.call("take", {"conversation": chat.session_id})
        joined = await chat.wait_handoff("handoff", lambda d: d["state"] == "joined")
        await chat.client.emit("user_uttered", {"message": "is the group's grace period over?"})
        heard = await desk.wait_for("broker_uttered", lambda d: d["conversation"] == chat.session_id)
        await desk.call("say", {"conversation": chat.session_id, "message": "Let me check the dates."})
        agent_said = await chat.wait_handoff("agent_uttered")
        await desk.call("hand_back", {"conversation": chat.session_id})
        back = await chat.wait_handoff("handoff", lambda d: d["state"] == "handed_back")
        after = await chat.say("what's the fax?")
        await chat.close()
        await desk.close()
        return chat.session_id, queue, taken, joined, heard, agent_said, back, after

    conversation, queue, taken, joined, heard, agent_said, back, after = run(scenario())
    entry = next(w for w in queue["waiting"] if w["conversation"] == conversation)
    assert entry["question"] == QUESTION
    assert taken["ok"] and joined["agent"] == "maria"
    assert heard["text"] == "is the group's grace period over?"
    assert agent_said == {"text": "Let me check the dates.", "agent": "maria"}
    assert "Oregon" in back["text"] and texts(after).startswith("Fax for the Small Business Group")
    stored = services.events(conversation)  # PostgreSQL: everything said, by all three
    kinds = [e["event"] for e in stored]
    assert "pause" in kinds and "resume" in kinds
    customs = [(e.get("data") or {}).get("custom") or {} for e in stored if e["event"] == "bot"]
    assert {"type": "agent_message", "agent": "maria"} in customs


def test_two_agents_on_different_servers_taking_at_once_one_gets_it(cluster, services):
    async def scenario():
        desks = [Desk(SERVER[n], agent_pass(services, name)) for n, name in enumerate(("maria", "sam"))]
        for desk in desks:
            await desk.connect()
        chat = await waiting_broker(SERVER[0], QUESTION)
        results = await asyncio.gather(*(desk.call("take", {"conversation": chat.session_id}) for desk in desks))
        winner = desks[[r["ok"] for r in results].index(True)]
        await winner.call("close", {"conversation": chat.session_id})
        for desk in desks:
            await desk.close()
        await chat.close()
        return results

    results = run(scenario())
    assert sorted(r["ok"] for r in results) == [False, True]
    assert next(r for r in results if not r["ok"])["error"] == "taken"


def test_through_nginx_long_polling_sticks_to_one_server_and_the_handoff_works(cluster, services):
    async def scenario():
        desk = Desk(BALANCED, agent_pass(services, "maria"))
        await desk.connect()
        chat = await waiting_broker(BALANCED, QUESTION, transports=("polling",))
        await desk.call("take", {"conversation": chat.session_id})
        joined = await chat.wait_handoff("handoff", lambda d: d["state"] == "joined")
        await desk.call("say", {"conversation": chat.session_id, "message": "Hello from the desk."})
        agent_said = await chat.wait_handoff("agent_uttered")
        await desk.call("close", {"conversation": chat.session_id})
        await chat.wait_handoff("handoff", lambda d: d["state"] == "closed")
        await chat.close()
        await desk.close()
        return joined, agent_said

    joined, agent_said = run(scenario())
    assert joined["agent"] == "maria" and agent_said["text"] == "Hello from the desk."


def test_an_agent_gone_from_the_other_server_puts_the_broker_back_in_the_queue(cluster, services):
    async def scenario():
        first, second = Desk(SERVER[1], agent_pass(services, "maria")), Desk(SERVER[0], agent_pass(services, "sam"))
        await first.connect()
        await second.connect()
        chat = await waiting_broker(SERVER[0], QUESTION)
        await first.call("take", {"conversation": chat.session_id})
        await first.close()
        requeued = await chat.wait_handoff("handoff", lambda d: d["state"] == "requeued", timeout=20)
        taken = await second.call("take", {"conversation": chat.session_id})
        await second.call("close", {"conversation": chat.session_id})
        await second.close()
        await chat.close()
        return requeued, taken

    requeued, taken = run(scenario())
    assert "maria was disconnected" in requeued["text"] and taken["ok"]


def test_with_every_agent_gone_talk_to_a_person_gives_the_phone_card(cluster, services):
    async def scenario():
        chat = Chat(SERVER[1])
        await chat.connect()
        await chat.start()
        await chat.say("my group is in Portland, Oregon")
        replies = await chat.say("talk to a person")
        await chat.close()
        return replies

    replies = run(scenario())
    assert "Connecting" not in texts(replies) and "503-813-2630" in json.dumps(replies)
