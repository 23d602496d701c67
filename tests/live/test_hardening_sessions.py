"""socket.io origins and sessions against the live assistant (issue 15, findings 7, 8 and 10): a page
of a foreign origin cannot connect; knowing a conversation id is not enough to read or write it, the
session token the server issued is; reconnecting with that token continues the conversation; odd
messages get a clear reply and no traceback."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid

import pytest
import socketio

from tests.live.sockets import Chat, texts

WIDGET_ORIGIN = "http://localhost:8080"  # the web server's: scripts/serve.sh gives Rasa --cors for it
OREGON_NUMBER = "503-813-2630"


def url(assistant) -> str:
    return f"http://localhost:{assistant.rasa_port}"


# --- finding 7: origins ----------------------------------------------------------------------------------
@pytest.mark.parametrize("transports", [("websocket",), ("polling",)])
def test_a_page_of_a_foreign_origin_cannot_connect(assistant, transports):
    async def attempt():
        chat = Chat(url(assistant), origin="http://evil.example")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await chat.connect(transports)
        await chat.client.disconnect()

    asyncio.run(attempt())


@pytest.mark.parametrize("transports", [("websocket",), ("polling",)])
def test_the_widget_origin_connects(assistant, transports):
    async def attempt():
        chat = Chat(url(assistant), origin=WIDGET_ORIGIN)
        await chat.connect(transports)
        await chat.start()
        replies = await chat.say("How do I terminate a California group contract?")
        await chat.close()
        return texts(replies)

    assert "Account Management Support" in asyncio.run(attempt())


def test_the_polling_handshake_from_a_foreign_origin_gives_it_nothing(assistant):
    # The handshake itself is open (engine.io), but the browser is given no CORS permission to read it,
    # and the socket.io connection above is refused whatever the transport.
    request = urllib.request.Request(
        f"{url(assistant)}/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://evil.example"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers.get("Access-Control-Allow-Origin") in (None, "")


# --- finding 8: sessions ---------------------------------------------------------------------------------
async def owner_and_intruder(assistant):
    owner = Chat(url(assistant), origin=WIDGET_ORIGIN)
    await owner.connect()
    await owner.start(session_id=f"owner-{uuid.uuid4().hex}")
    await owner.say("How do I terminate a California group contract?")
    intruder = Chat(url(assistant))
    await intruder.connect()
    return owner, intruder


def test_knowing_a_conversation_id_does_not_join_it(assistant):
    async def attempt():
        owner, intruder = await owner_and_intruder(assistant)
        await intruder.start(session_id=owner.session_id)  # Rasa's channel put it in the owner's room
        seen_before = len(owner.bot)
        await owner.say("what about Oregon?")
        await asyncio.sleep(1)
        await owner.close()
        await intruder.close()
        return owner, intruder, seen_before

    owner, intruder, seen_before = asyncio.run(attempt())
    assert intruder.session_id != owner.session_id
    assert len(owner.bot) > seen_before  # the owner got its reply...
    assert not any("Oregon" in (m.get("text") or "") or "503-813" in (m.get("text") or "") for m in intruder.bot)


def test_a_message_into_another_conversation_is_refused(assistant):
    async def attempt():
        owner, intruder = await owner_and_intruder(assistant)
        await intruder.start()
        refused = await intruder.say("what about Oregon?", session_id=owner.session_id)
        await asyncio.sleep(1)
        await owner.close()
        await intruder.close()
        return owner, refused

    owner, refused = asyncio.run(attempt())
    assert "not valid" in texts(refused)
    assert not any("Oregon" in (m.get("text") or "") for m in owner.bot)  # nothing was posted into it


def test_the_session_token_continues_the_conversation_on_a_new_socket(assistant):
    async def attempt():
        first = Chat(url(assistant), origin=WIDGET_ORIGIN)
        await first.connect()
        await first.start()
        await first.say("How do I terminate a California group contract?")
        await first.close()  # a reload, a lost connection, a server restart
        again = Chat(url(assistant), origin=WIDGET_ORIGIN)
        await again.connect()
        await again.start(token=first.token)
        replies = await again.say("what about Oregon?")
        await again.close()
        return first, again, replies

    first, again, replies = asyncio.run(attempt())
    assert again.session_id == first.session_id
    # The topic is remembered (the same conversation): terminations, for Oregon, with its card.
    assert "terminations" in texts(replies) and OREGON_NUMBER in json.dumps(replies)


def test_the_acknowledgement_gives_the_stored_masked_text_and_a_fresh_token(assistant):
    async def attempt():
        chat = Chat(url(assistant), origin=WIDGET_ORIGIN)
        await chat.connect()
        await chat.start()
        ack = await chat.call(
            {
                "message": "SSN 123-45-6789: how do I terminate?",
                "message_id": "ack-test-0001",
                "session_id": chat.session_id,
            }
        )
        await chat.close()
        return chat, ack

    chat, ack = asyncio.run(attempt())
    assert ack["message_id"] == "ack-test-0001" and ack["text"] == "SSN [SSN]: how do I terminate?"
    assert isinstance(ack["session_token"], str) and ack["session_token"].count(".") == 2


# --- finding 10: odd values on socket.io ------------------------------------------------------------------
@pytest.mark.parametrize(
    "data, expected",
    [
        ({"message": 42}, "I can only read text messages"),
        ({"message": ["list"]}, "I can only read text messages"),
        ({"message": None}, "I can only read text messages"),
        ({"message": "How do I terminate a California group?", "metadata": "{not json"}, "Account Management"),
        ({"message": "hello", "metadata": 12}, "Kaiser Permanente"),
    ],
)
def test_odd_socketio_messages_get_a_clear_reply_and_no_traceback(assistant, data, expected):
    async def attempt():
        chat = Chat(url(assistant), origin=WIDGET_ORIGIN)
        await chat.connect()
        await chat.start()
        replies = await chat.say(data.pop("message"), **data)
        await chat.close()
        return texts(replies)

    assert expected in asyncio.run(attempt())
    log = (assistant.workdir / "rasa.log").read_text()
    assert "Task exception was never retrieved" not in log and "TypeError" not in log
    assert "JSONDecodeError" not in log
