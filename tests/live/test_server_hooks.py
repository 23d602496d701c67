"""The Rasa server's own hooks (rasa_server/hooks.py) hold whichever channels it opens: with the
socket.io channel alone (no REST in its credentials), a body over 64 KB is still refused before it is
read, and a client address sending for many conversations is still limited. Before, the REST channel
installed both for the whole server, so without it a socket.io-only server took 100 MB bodies and
counted no address. Port 5161; the Rasa server only (what is tested happens before any action)."""

import asyncio
import socket
import time
import urllib.error
import urllib.request

import aiohttp
import pytest
import socketio

from tests.live.flood import TOO_MANY, run
from tests.live.servers import running

SOCKETIO_ONLY = """\
channels.socket_io.GuardedSocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
"""


@pytest.fixture(scope="module")
def socketio_only(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("socketio-only")
    credentials = workdir / "credentials.yml"
    credentials.write_text(SOCKETIO_ONLY)
    env = {"SERVE_CREDENTIALS": str(credentials)}
    with running(workdir, rasa_port=5161, actions_port=5162, components=("rasa",), env=env) as live:
        yield live


def status_of_post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_without_rest_the_server_has_no_rest_webhook(socketio_only):
    assert status_of_post(f"http://127.0.0.1:{socketio_only.rasa_port}/webhooks/rest/webhook", b"{}") == 404


def first_line_for_a_body_announced_but_not_sent(port: int, path: str, length: int) -> str:
    """The server's first response line to a POST whose headers announce `length` bytes, of which
    none are sent: a server that caps bodies answers at once; one that reads them waits."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: {length}\r\n\r\n"
        )
        connection.sendall(head.encode())
        try:
            return connection.recv(200).decode(errors="replace").split("\r\n")[0]
        except TimeoutError:
            return "no answer in 10 s (the server is waiting for the body)"


def test_without_rest_a_body_over_64_kb_is_still_refused_unread(socketio_only):
    polling = "/socket.io/?EIO=4&transport=polling"
    line = first_line_for_a_body_announced_but_not_sent(socketio_only.rasa_port, polling, 10 * 1024 * 1024)
    assert line.split(" ")[1:2] == ["413"], line


def test_without_rest_one_address_sending_for_many_conversations_is_still_limited(socketio_only):
    async def one(http, said) -> None:
        client, confirmed, mine = socketio.AsyncClient(http_session=http), asyncio.Future(), []
        client.on("bot_uttered", lambda message: mine.append(message.get("text", "")))
        client.on("session_confirm", lambda session: confirmed.done() or confirmed.set_result(session))
        await client.connect(f"http://127.0.0.1:{socketio_only.rasa_port}", transports=["websocket"])
        await client.emit("session_request", {})
        session = await asyncio.wait_for(confirmed, 10)
        await client.emit("user_uttered", {"message": "hello", "session_id": session.get("session_id")})
        deadline = time.monotonic() + 60
        while not mine and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await client.disconnect()
        said.extend(mine)

    async def flood():
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.8", 0), limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            said, start = [], time.monotonic()
            await asyncio.gather(*(one(http, said) for _ in range(45)))
            return said, time.monotonic() - start

    said, elapsed = run(flood())  # 45 conversations, one message each, from one machine
    refused = sum(TOO_MANY in text for text in said)
    assert len(said) == 45
    assert 30 <= 45 - refused <= 30 + 5 * elapsed + 1  # 30 at once, then 5 a second
    assert refused >= 1


@pytest.fixture(scope="module")
def with_http_api(tmp_path_factory):
    """Rasa's HTTP API open (RASA_ENABLE_API with a token), as an operator may run it."""
    env = {"RASA_ENABLE_API": "1", "RASA_AUTH_TOKEN": "hooks-test-token"}
    with running(
        tmp_path_factory.mktemp("http-api"), rasa_port=5163, actions_port=5164, components=("rasa",), env=env
    ) as live:
        yield live


def status_of_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("conversation", ["%00", "abc%00def", "line%0Abreak", "%7F"])
def test_a_conversation_id_with_a_control_character_is_refused_with_400(with_http_api, conversation):
    """Before: 200, and a tracker named by a NUL created (SQLite; PostgreSQL's driver cannot store one)."""
    url = f"http://127.0.0.1:{with_http_api.rasa_port}/conversations/{conversation}/tracker?token=hooks-test-token"
    assert status_of_get(url) == 400
    ordinary = (
        f"http://127.0.0.1:{with_http_api.rasa_port}/conversations/hooks-test-0001/tracker?token=hooks-test-token"
    )
    assert status_of_get(ordinary) == 200
