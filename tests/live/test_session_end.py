"""A stolen session token stops working at "New conversation" (hardening issue 21): the widget ends the
conversation (`session_end` with its token, channels/socket_io.py) before it starts a new one, and from
then no copy of the token opens the old conversation, and a socket already in it (opened with the copy)
can post nothing more. Before, the token kept working for 24 hours after its last use: the widget only
forgot it. Uses the shared live assistant (tests/live/conftest.py)."""

import asyncio

from channels.socket_io import BAD_SESSION_REPLY
from tests.live.sockets import Chat, texts

QUESTION = "How do I terminate a California group contract?"


def url(assistant) -> str:
    return f"http://localhost:{assistant.rasa_port}"


def test_a_copied_token_opens_the_conversation_until_its_broker_starts_a_new_one(assistant):
    async def scenario():
        broker = Chat(url(assistant))
        await broker.connect()
        await broker.start()
        await broker.say(QUESTION)
        stolen = broker.token
        thief = Chat(url(assistant))
        await thief.connect()
        await thief.start(token=stolen)
        before = thief.session_id
        ended = await broker.client.call("session_end", {"session_token": broker.token}, timeout=15)
        posted = await thief.say("what about Oregon?")
        late = Chat(url(assistant))
        await late.connect()
        await late.start(token=stolen)
        for chat in (broker, thief, late):
            await chat.close()
        return broker.session_id, before, ended, posted, late.session_id

    conversation, before, ended, posted, late = asyncio.run(asyncio.wait_for(scenario(), 120))
    assert before == conversation  # the copy opened it while the conversation went on
    assert ended == {"ok": True}
    assert BAD_SESSION_REPLY in texts(posted)  # the socket already in it can post nothing more
    assert late != conversation  # and no copy opens it again: a new, empty conversation


def test_ending_a_conversation_needs_a_token_or_a_session_of_it(assistant):
    async def scenario():
        stranger = Chat(url(assistant))
        await stranger.connect()  # no session asked for
        refused = await stranger.client.call("session_end", {"session_token": "not-a-token"}, timeout=15)
        await stranger.close()
        return refused

    assert asyncio.run(asyncio.wait_for(scenario(), 60)) == {"ok": False, "error": "session"}
