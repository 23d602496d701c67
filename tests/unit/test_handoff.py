"""The live handoff's plain-Python side (broker_faq/handoff.py): the queue, exactly-once taking, the
agent pass, and what the assistant says to "talk to a person" with and without agents."""

from __future__ import annotations

import asyncio

from broker_faq import handoff
from broker_faq.conversation import State, Turn
from broker_faq.handoff import MemoryBoard, Waiting
from tokens.signed import AgentTokens, SessionTokens
from web.transcript import bot_message, user_turn

KEY = "k" * 40


def waiting(conversation: str, since: float) -> Waiting:
    return Waiting(conversation, "How do I reinstate?", "oregon", "reinstatement", since)


def run(coroutine):
    return asyncio.run(coroutine)


def test_the_queue_is_oldest_first_and_a_conversation_is_queued_once():
    async def scenario():
        board = MemoryBoard()
        first = await board.enqueue(waiting("b" * 20, 200.0))
        second = await board.enqueue(waiting("a" * 20, 100.0))
        again = await board.enqueue(waiting("b" * 20, 300.0))
        return first, second, again, [w.conversation for w in await board.queue()]

    first, second, again, order = run(scenario())
    assert (first, second, again) == (1, 1, 2)
    assert order == ["a" * 20, "b" * 20]


def test_of_two_agents_taking_at_once_exactly_one_gets_the_conversation():
    async def scenario():
        board = MemoryBoard()
        await board.enqueue(waiting("c" * 20, 1.0))
        return await asyncio.gather(board.claim("c" * 20, "maria"), board.claim("c" * 20, "sam"))

    results = run(scenario())
    assert results == [(True, "maria"), (False, "maria")]


def test_a_conversation_that_is_not_waiting_cannot_be_taken():
    assert run(MemoryBoard().claim("d" * 20, "maria")) == (False, None)


def test_a_requeued_conversation_keeps_its_place_ahead_of_later_ones():
    async def scenario():
        board = MemoryBoard()
        await board.enqueue(waiting("early" * 4, 1.0))
        await board.claim("early" * 4, "maria")
        await board.enqueue(waiting("later" * 4, 2.0))
        position = await board.requeue("early" * 4)
        return position, await board.queue(), await board.holder("early" * 4)

    position, queue, holder = run(scenario())
    assert position == 1 and queue[0].requeued and holder is None


def test_release_ends_a_handoff_whether_waiting_or_held():
    async def scenario():
        board = MemoryBoard()
        await board.enqueue(waiting("e" * 20, 1.0))
        left = await board.release("e" * 20)
        again = await board.release("e" * 20)
        return left, again, await board.position("e" * 20)

    left, again, position = run(scenario())
    assert left is not None and left.region == "oregon" and again is None and position is None


def test_connected_agents_are_counted_by_name_not_by_socket():
    async def scenario():
        board = MemoryBoard()
        await board.connected("s1", "maria")
        await board.connected("s2", "maria")
        await board.connected("s3", "sam")
        gone = await board.disconnected("s3")
        return gone, await board.agents(), await board.disconnected("nobody")

    gone, agents, nobody = run(scenario())
    assert gone == "sam" and agents == {"maria"} and nobody is None


def test_the_broker_is_told_the_agents_name_as_given_never_changed():
    assert handoff.joined("Maria Lopez") == "Maria Lopez joined the conversation."
    assert handoff.closed("jo-ann_smith").startswith("jo-ann_smith ended the chat.")


def test_talk_to_a_person_with_an_agent_connected_joins_the_queue_with_what_was_asked(assistant):
    state = State(region="oregon", last_topic="reinstatement")
    turn = Turn("human_handoff", "agent please", state=state, desk_open=True, earlier_question="reinstate in Salem?")
    reply = assistant.respond(turn)
    assert reply.text == "Connecting you to an agent…"
    assert reply.payload == {
        "type": "handoff",
        "state": "waiting",
        "question": "reinstate in Salem?",
        "region": "oregon",
        "topic": "reinstatement",
        "group": None,  # no portal group: the queue shows none
    }
    assert reply.state == state  # the region is kept for when the agent hands back


def test_talk_to_a_person_about_a_group_in_a_place_queues_with_that_region(assistant):
    turn = Turn("human_handoff", "talk to a person about my Oregon group", state=State(), desk_open=True)
    reply = assistant.respond(turn)
    assert reply.text == "Connecting you to an agent…"
    assert reply.payload["region"] == "oregon" and reply.state.region == "oregon"


def test_talk_to_a_person_without_agents_gives_the_regions_team_and_no_queue(assistant):
    reply = assistant.respond(Turn("human_handoff", "agent please", state=State(region="oregon")))
    assert reply.payload["type"] == "answer" and "Connecting" not in reply.text
    assert [c["name"] for c in reply.payload["contacts"]] == [
        "Small Business Group",
        "Employer and Broker Service (EBS)",
    ]
    assert "503-813-2630, option 3" in reply.text and "Hours: Monday through Friday" in reply.text


def test_an_agent_pass_is_not_a_broker_session_token_and_expires():
    now = [1000.0]
    agents, sessions = AgentTokens(KEY, clock=lambda: now[0]), SessionTokens(KEY, clock=lambda: now[0])
    assert agents.agent(agents.issue("maria")) == "maria"
    assert agents.agent(sessions.issue("a" * 32)) is None  # a broker's token opens no desk
    assert sessions.conversation(agents.issue("maria")) is None
    assert AgentTokens("x" * 40).agent(agents.issue("maria")) is None  # another key
    token = agents.issue("maria")
    now[0] += 301
    assert agents.agent(token) is None


def test_the_transcript_names_the_agent_who_wrote_a_message():
    event = {"event": "bot", "text": "Hi, I'm on it.", "data": {"custom": {"type": "agent_message", "agent": "Maria"}}}
    assert bot_message(event)["agent"] == "Maria"
    assert "agent" not in bot_message({"event": "bot", "text": "An answer", "data": {}})


def test_a_payload_the_widget_or_a_button_sent_is_marked_as_no_text_of_the_brokers():
    assert user_turn({"event": "user", "text": "/greet"})["payload"] is True
    assert user_turn({"event": "user", "text": '/rate_helpful{"answer_id": "a1"}'})["payload"] is True
    assert user_turn({"event": "user", "text": "How do I add a dependent?"})["payload"] is False


def test_where_the_assistant_cannot_help_it_offers_a_person(assistant):
    """The fallback's last word and "outside what I can help with" carry the same button as the
    topic suggestions (broker_faq.answers.replies.TALK_TO_A_PERSON)."""

    from broker_faq import yaml_io
    from broker_faq.answers.replies import TALK_TO_A_PERSON
    from tests.rasa_cli import ROOT

    responses = yaml_io.load((ROOT / "domain.yml").read_text())["responses"]
    buttons = responses["utter_default"][0]["buttons"]
    assert {"title": TALK_TO_A_PERSON.title, "payload": TALK_TO_A_PERSON.payload} in buttons
    outside = assistant.respond(Turn("out_of_scope", "what's the weather like", (), State()))
    assert TALK_TO_A_PERSON in outside.buttons


def test_a_reconnection_ends_the_grace_period_of_the_earlier_disconnection():
    async def scenario():
        board = MemoryBoard()
        await board.connected("s1", "maria")
        await board.disconnected("s1")
        before = await board.connections("maria")
        await board.connected("s2", "maria")  # back within the grace period ...
        await board.disconnected("s2")  # ... and away again a moment when the first grace ends
        return before, await board.connections("maria")

    before, after = run(scenario())
    assert after != before  # so the first grace period does nothing (channels/handoff.py)
