"""Live handoff on the real servers, socket.io clients in place of the widget and the console: a broker
asks for a person, an agent takes the conversation, they talk, the agent hands back and the assistant
carries on; and what must not happen (a broker on the desk, two agents with one conversation). These
servers have no accounts file (the pass alone decides), so brokers see each account's name as typed
("maria.lopez"), never capitalised; display names are in tests/browser/test_handoff_browser.py."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from tests.live.servers import running, texts
from tests.live.sockets import Chat, Desk, waiting_broker
from tokens.signed import AgentTokens

pytestmark = pytest.mark.live

RASA_PORT, ACTIONS_PORT = 5405, 5455
URL = f"http://localhost:{RASA_PORT}"
GRACE = 2.0


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("handoff")
    with running(
        workdir, rasa_port=RASA_PORT, actions_port=ACTIONS_PORT, env={"HANDOFF_GRACE_SECONDS": str(GRACE)}
    ) as assistant:
        yield assistant


def agent_pass(live, agent: str) -> str:
    return AgentTokens((live.workdir / "session-token.key").read_text().strip()).issue(agent)


QUESTION = "How do I reinstate a terminated group in Oregon?"


async def broker(question: str | None = QUESTION) -> Chat:
    chat = Chat(URL)
    await chat.connect()
    await chat.start()
    if question:
        await chat.say(question)
    return chat


def stored_events(live, conversation: str) -> list[dict]:
    with sqlite3.connect(live.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (conversation,)).fetchall()
    return [json.loads(row[0]) for row in rows]


def without_times(value):
    """The stored events without Rasa's clock readings: a timestamp's digits ("…319.051961") are no broker data,
    and once held the date of birth's year by chance."""
    if isinstance(value, dict):
        return {key: without_times(item) for key, item in value.items() if key != "timestamp"}
    if isinstance(value, list):
        return [without_times(item) for item in value]
    return value


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def test_without_an_agent_talk_to_a_person_gives_the_regions_team_card(live):
    async def scenario():
        chat = await broker()
        replies = await chat.say("talk to a person")
        await chat.close()
        return replies

    replies = run(scenario())
    assert "Connecting" not in texts(replies)
    card = json.dumps(replies)  # the team card for the Oregon group, with its hours
    assert "503-813-2630" in card and "small.group.respond@kp.org" in card and "Monday through Friday" in card


def test_a_broker_is_queued_taken_talked_to_handed_back_and_the_assistant_carries_on(live):
    async def scenario():
        desk = Desk(URL, agent_pass(live, "maria.lopez"))
        await desk.connect()
        chat = await broker()
        replies = await chat.say("agent please")
        waiting = await chat.wait_handoff("handoff", lambda d: d["state"] == "waiting")
        queue = await desk.wait_for("queue", lambda q: any(w["conversation"] == chat.session_id for w in q["waiting"]))
        entry = next(w for w in queue["waiting"] if w["conversation"] == chat.session_id)

        taken = await desk.call("take", {"conversation": chat.session_id})
        joined = await chat.wait_handoff("handoff", lambda d: d["state"] == "joined")

        before = len(chat.bot)
        await chat.client.emit("user_uttered", {"message": "my client's DOB is 03/14/1961, can you check?"})
        heard = await desk.wait_for("broker_uttered", lambda d: d["conversation"] == chat.session_id)
        await asyncio.sleep(1.0)
        assistant_silent = len(chat.bot) == before

        said = await desk.call("say", {"conversation": chat.session_id, "message": "<b>Hi</b>, I'm on it."})
        agent_message = await chat.wait_handoff("agent_uttered")

        back = await desk.call("hand_back", {"conversation": chat.session_id})
        handed_back = await chat.wait_handoff("handoff", lambda d: d["state"] == "handed_back")
        after = await chat.say("what's the fax?")
        await chat.close()
        await desk.close()
        return (
            replies,
            waiting,
            entry,
            taken,
            joined,
            heard,
            assistant_silent,
            said,
            agent_message,
            back,
            handed_back,
            after,
        )

    (replies, waiting, entry, taken, joined, heard, silent, said, agent_message, back, handed_back, after) = run(
        scenario()
    )
    assert texts(replies).startswith("Connecting you to an agent")
    assert waiting["position"] == 1
    assert entry["question"] == "How do I reinstate a terminated group in Oregon?"
    assert entry["region"] == "oregon" and entry["region_name"] == "Oregon" and entry["topic"] == "reinstatement"
    assert taken == {"ok": True, "conversation": entry["conversation"]}
    assert joined["agent"] == "maria.lopez" and joined["text"] == "maria.lopez joined the conversation."
    assert heard["text"] == "my client's [DATE_OF_BIRTH], can you check?"  # masked as stored
    assert silent, "the assistant answered while an agent had the conversation"
    assert said["ok"] and agent_message == {"text": "<b>Hi</b>, I'm on it.", "agent": "maria.lopez"}
    assert back == {"ok": True}
    assert "Oregon" in handed_back["text"]
    # The assistant carries on where it was: the Oregon group's reinstatement team, its fax.
    assert texts(after).startswith("Fax for the Small Business Group")
    assert after[-1]["custom"]["region"] == "Northwest (Oregon and Southwest Washington)"

    events = stored_events(live, entry["conversation"])
    kinds = [e["event"] for e in events]
    assert kinds.index("pause") < kinds.index("resume")
    bot = [e for e in events if e["event"] == "bot"]
    customs = [(e.get("data") or {}).get("custom") or {} for e in bot]
    assert {"type": "agent_message", "agent": "maria.lopez"} in customs
    assert any(c.get("type") == "handoff" and c.get("state") == "joined" for c in customs)
    assert any(c.get("type") == "handoff" and c.get("state") == "handed_back" for c in customs)
    assert "1961" not in json.dumps(without_times(events))  # the date of birth, masked before it was stored


def test_talk_to_a_person_about_a_group_in_a_region_starts_the_handoff_for_that_region(live):
    async def scenario():
        desk = Desk(URL, agent_pass(live, "maria"))
        await desk.connect()
        chat = await broker(None)
        replies = await chat.say("talk to a person about my Oregon group")
        waiting = await chat.wait_handoff("handoff", lambda d: d["state"] == "waiting")
        queue = await desk.wait_for("queue", lambda q: any(w["conversation"] == chat.session_id for w in q["waiting"]))
        await chat.client.emit("handoff_cancel", {})
        await chat.close()
        await desk.close()
        return replies, waiting, next(w for w in queue["waiting"] if w["conversation"] == chat.session_id)

    replies, waiting, entry = run(scenario())
    assert texts(replies).startswith("Connecting you to an agent")  # not the fallback's buttons
    assert waiting["position"] >= 1
    assert entry["region_name"] == "Oregon"  # the group's region, for the agent


def test_of_two_agents_taking_one_conversation_exactly_one_gets_it(live):
    async def scenario():
        desks = [Desk(URL, agent_pass(live, name)) for name in ("maria", "sam")]
        for desk in desks:
            await desk.connect()
        chat = await waiting_broker(URL, QUESTION)
        results = await asyncio.gather(*(d.call("take", {"conversation": chat.session_id}) for d in desks))
        closed = await desks[[r["ok"] for r in results].index(True)].call("close", {"conversation": chat.session_id})
        ended = await chat.wait_handoff("handoff", lambda d: d["state"] == "closed")
        for desk in desks:
            await desk.close()
        await chat.close()
        return results, closed, ended

    results, closed, ended = run(scenario())
    assert sorted(r["ok"] for r in results) == [False, True]
    loser = next(r for r in results if not r["ok"])
    assert loser["error"] == "taken" and loser["by"] in ("maria", "sam")
    assert closed == {"ok": True} and "ended the chat" in ended["text"]


def test_a_broker_cannot_open_the_desk_and_an_agent_cannot_write_a_conversation_it_does_not_hold(live):
    async def scenario():
        chat = await broker(None)
        refused = []
        for token in (None, chat.token, "not-a-token"):
            intruder = Desk(URL, token)
            try:
                await intruder.connect()
                refused.append(False)
                await intruder.close()
            except Exception:
                refused.append(True)
        desk = Desk(URL, agent_pass(live, "maria"))
        await desk.connect()
        wrote = await desk.call("say", {"conversation": chat.session_id, "message": "hello"})
        took = await desk.call("take", {"conversation": chat.session_id})
        await desk.close()
        await chat.close()
        return refused, wrote, took

    refused, wrote, took = run(scenario())
    assert refused == [True, True, True]
    assert wrote["ok"] is False and took == {"ok": False, "error": "gone", "by": None}


def test_an_agent_disconnected_past_the_grace_period_puts_the_broker_back_in_the_queue(live):
    async def scenario():
        first, second = Desk(URL, agent_pass(live, "maria")), Desk(URL, agent_pass(live, "sam"))
        await first.connect()
        await second.connect()
        chat = await waiting_broker(URL, QUESTION)
        await first.call("take", {"conversation": chat.session_id})
        await first.close()
        requeued = await chat.wait_handoff("handoff", lambda d: d["state"] == "requeued", timeout=GRACE + 10)
        queue = await second.wait_for(
            "queue", lambda q: any(w["conversation"] == chat.session_id and w["requeued"] for w in q["waiting"])
        )
        taken = await second.call("take", {"conversation": chat.session_id})
        await second.call("close", {"conversation": chat.session_id})
        await second.close()
        await chat.close()
        return requeued, queue, taken

    requeued, queue, taken = run(scenario())
    assert requeued["position"] == 1 and "maria was disconnected" in requeued["text"]
    assert taken["ok"] is True


def test_a_broker_who_reloads_keeps_the_handoff(live):
    async def scenario():
        desk = Desk(URL, agent_pass(live, "maria"))
        await desk.connect()
        chat = await waiting_broker(URL, QUESTION)
        await desk.call("take", {"conversation": chat.session_id})
        token = chat.token
        await chat.close()
        again = Chat(URL)
        await again.connect()
        await again.start(token=token)
        restored = await again.wait_handoff("handoff", lambda d: d.get("restored"))
        await again.client.emit("user_uttered", {"message": "still there?"})
        heard = await desk.wait_for("broker_uttered", lambda d: d["text"] == "still there?")
        await desk.call("close", {"conversation": again.session_id})
        await desk.close()
        await again.close()
        return restored, heard

    restored, heard = run(scenario())
    assert restored["state"] == "joined" and restored["agent"] == "maria"
    assert heard["text"] == "still there?"


def test_when_the_last_agent_is_gone_the_waiting_broker_gets_the_phone_card(live):
    async def scenario():
        desk = Desk(URL, agent_pass(live, "maria"))
        await desk.connect()
        chat = await waiting_broker(URL, QUESTION)
        before = len(chat.bot)
        await desk.close()
        gone = await chat.wait_handoff("handoff", lambda d: d["state"] == "unavailable", timeout=GRACE + 10)
        await chat._wait_for(before + 1)
        card = chat.bot[before:]
        after = await chat.say("what's the fax?")
        await chat.close()
        return gone, card, after

    gone, card, after = run(scenario())
    assert gone["text"].startswith("No agent is available any more")
    assert "503-813-2630" in json.dumps(card) and "Monday through Friday" in json.dumps(card)
    assert texts(after).startswith("Fax for")  # the assistant is back


def test_when_the_last_agent_drops_a_chat_they_held_the_broker_gets_one_line_not_a_queue_place_then_none(live):
    async def scenario():
        desk = Desk(URL, agent_pass(live, "maria"))
        await desk.connect()
        chat = await waiting_broker(URL, QUESTION)
        await desk.call("take", {"conversation": chat.session_id})
        await chat.wait_handoff("handoff", lambda d: d["state"] == "joined")
        before = len(chat.handoff.events)
        await desk.close()  # the only agent, gone past the grace period
        gone = await chat.wait_handoff("handoff", lambda d: d["state"] == "unavailable", timeout=GRACE + 10)
        after = await chat.say("what's the fax?")
        await chat.close()
        return gone, [data for name, data in chat.handoff.events[before:] if name == "handoff"], after

    gone, lines, after = run(scenario())
    assert [line["state"] for line in lines] == ["unavailable"]  # no "back in the queue" the same second
    assert gone["text"].startswith("maria was disconnected and no other agent is available")
    assert "queue" not in gone["text"]
    assert texts(after).startswith("Fax for")  # the assistant is back


def test_a_handoff_lost_in_a_server_restart_gives_the_conversation_back_to_the_assistant(live):
    async def start_held() -> str:
        desk = Desk(URL, agent_pass(live, "maria"))
        await desk.connect()
        chat = await waiting_broker(URL, QUESTION)
        await desk.call("take", {"conversation": chat.session_id})
        await chat.wait_handoff("handoff", lambda d: d["state"] == "joined")
        await chat.close()
        return chat.token

    async def after_restart(token: str):
        chat = Chat(URL)
        await chat.connect()
        await chat.start(token=token)
        await chat.client.emit("user_uttered", {"message": "hello? still there?"})
        lost = await chat.wait_handoff("handoff", lambda d: d["state"] == "unavailable")
        answered = await chat.say("what's the fax?")
        await chat.close()
        return lost, answered

    token = run(start_held())
    live.stop("rasa")
    live.start("rasa")
    lost, answered = run(after_restart(token))
    assert "interrupted" in lost["text"]
    assert texts(answered).startswith("Fax for")


def test_a_waiting_broker_sees_their_place_in_the_queue_move(live):
    async def scenario():
        desk = Desk(URL, agent_pass(live, "maria"))
        await desk.connect()
        first, second = await broker(), await broker()
        queued = []
        for chat in (first, second):
            await chat.say("talk to a person")
            queued.append(await chat.wait_handoff("handoff", lambda d: d["state"] == "waiting"))
        queued_second = queued[1]
        await desk.call("take", {"conversation": first.session_id})
        moved = await second.wait_handoff("handoff_position", lambda d: d["position"] == 1)
        for chat in (first, second):
            await desk.call("take", {"conversation": chat.session_id})
            await desk.call("close", {"conversation": chat.session_id})
            await chat.close()
        await desk.close()
        return queued_second, moved

    queued_second, moved = run(scenario())
    assert queued_second["position"] == 2 and "number 2" in queued_second["text"]
    assert moved == {"position": 1, "text": "You're number 1 in the queue."}
