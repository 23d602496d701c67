"""Odd input gets a clear answer or refusal, never a traceback or a false ERROR line (hardening issue 21):
socket.io events sent without data, a polling request that is not UTF-8, and Rasa's own commands typed
by a broker ("/restart", "/session_start", "/back"), which reset or rewound the conversation with no
reply, so the broker got "can't look that up" and the log "No reply was produced (action server
down...)". Uses the shared live assistant (tests/live/conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.error
import urllib.request

import pytest

from channels.guard import COMMAND_REPLY
from channels.socket_io import NOT_TEXT_REPLY
from tests.live.servers import texts
from tests.live.sockets import Chat, Desk
from tokens.signed import AgentTokens


@contextlib.contextmanager
def new_log_lines(assistant, into: list[str]):
    """The Rasa server's log lines written inside the block (the log is shared with other tests)."""
    log = assistant.workdir / "rasa.log"
    start = log.stat().st_size
    yield
    asyncio.run(asyncio.sleep(0.5))  # let the server write what it is writing
    with log.open(encoding="utf-8", errors="replace") as file:
        file.seek(start)
        into.extend(file.read().splitlines())


def assert_clean(lines: list[str]) -> None:
    assert not [line for line in lines if "Traceback" in line or " ERROR " in line], "\n".join(lines[-40:])


@pytest.mark.parametrize("command", ["/restart", "/session_start", "/back", "/restart{}"])
def test_rasas_own_commands_typed_by_a_broker_get_a_clear_reply_and_reset_nothing(assistant, sender, command):
    lines: list[str] = []
    assistant.say(sender, "How do I terminate a California group contract?")
    with new_log_lines(assistant, lines):
        replies = assistant.say(sender, command)
    assert texts(replies) == COMMAND_REPLY
    assert "can't look that up" not in json.dumps(replies)
    assert_clean(lines)
    # The conversation was not reset: the topic is still terminations, now for Oregon.
    assert "503-813-2630" in json.dumps(assistant.say(sender, "what about Oregon?"))


def test_socketio_events_without_data_are_answered_not_crashed_on(assistant):
    lines: list[str] = []

    async def scenario():
        chat = Chat(f"http://localhost:{assistant.rasa_port}")
        await chat.connect()
        await chat.start()
        before = len(chat.bot)
        message_ack = await chat.client.call("user_uttered", timeout=15)
        await asyncio.sleep(0.5)
        chat._confirmed.clear()
        await chat.client.emit("session_request")
        await asyncio.wait_for(chat._confirmed.wait(), 15)  # a session (a new one: no token was sent)
        cancel_ack = await chat.client.call("handoff_cancel", timeout=15)
        said = chat.bot[before:]
        await chat.close()
        return message_ack, cancel_ack, said

    with new_log_lines(assistant, lines):
        message_ack, cancel_ack, said = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert message_ack == {"error": "message"} and NOT_TEXT_REPLY in texts(said)
    assert cancel_ack == {"ok": False}
    assert_clean(lines)


def test_desk_events_without_data_are_refused_in_their_acknowledgement(assistant):
    lines: list[str] = []
    key = (assistant.workdir / "session-token.key").read_text().strip()

    async def scenario():
        desk = Desk(f"http://localhost:{assistant.rasa_port}", AgentTokens(key).issue("odd.input"))
        await desk.connect()
        acks = [await desk.client.call(event, namespace="/desk", timeout=15) for event in ("take", "say", "typing")]
        await desk.close()
        return acks

    with new_log_lines(assistant, lines):
        take, say, typing = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert take == {"ok": False, "error": "bad request"}
    assert say == typing == {"ok": False, "error": "not yours"}
    assert_clean(lines)


def polling(port: int, query: str, body: bytes | None = None) -> tuple[int, bytes]:
    url = f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling{query}"
    request = urllib.request.Request(url, body, {"Content-Type": "text/plain;charset=UTF-8"} if body else {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_polling_message_that_is_not_utf8_is_refused_with_400(assistant):
    lines: list[str] = []
    with new_log_lines(assistant, lines):
        status, opened = polling(assistant.rasa_port, "")
        sid = json.loads(opened[1:])["sid"]
        assert polling(assistant.rasa_port, f"&sid={sid}", b"40") == (200, b"OK")  # joins the namespace
        bad = polling(assistant.rasa_port, f"&sid={sid}", b'42["user_uttered",{"message":"\xff\xfe hello"}]')
    assert status == 200
    assert bad == (400, b"a socket.io message must be UTF-8 text")
    assert_clean(lines)
