"""The console's sessions outlive the real web server (scripts/serve.sh web, as `make run` starts it):
an agent signed in before a restart is still signed in after it, with the default SQLite file; and with
Redis (the production profile's store), two web servers share them: signed in on one, the agent is
signed in on the other, and signing out on one ends the session on both."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.live.servers import Assistant
from tests.scale.services import wait_for_port
from web.accounts import AccountStore

AGENT, PASSWORD = "sessions-agent", "live-sessions-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(port: int, method: str = "GET", cookie: str | None = None, body: bytes | None = None):
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/session", body, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def sign_in(port: int) -> str:
    status, headers, _ = call(port, "POST", body=json.dumps({"name": AGENT, "password": PASSWORD}).encode())
    assert status == 200
    return headers["Set-Cookie"].split(";")[0]


def whoami(port: int, cookie: str) -> tuple[int, str]:
    status, _, body = call(port, cookie=cookie)
    return status, body.get("agent") or body.get("reason")


def web_server(workdir, **env) -> Assistant:
    """A web server alone (the Rasa and action ports are never used) over the accounts in `workdir`."""
    return Assistant(workdir, free_port(), free_port(), web_port=free_port(), env=env)


def test_a_web_server_restart_keeps_the_agent_signed_in(tmp_path):
    AccountStore(tmp_path / "agents.json").add(AGENT, PASSWORD)
    web = web_server(tmp_path)
    try:
        web.start("web")
        cookie = sign_in(web.ports["web"])
        web.stop("web")
        web.start("web")
        assert whoami(web.ports["web"], cookie) == (200, AGENT)
        assert call(web.ports["web"], "DELETE", cookie=cookie)[0] == 200
        web.stop("web")
        web.start("web")
        assert whoami(web.ports["web"], cookie) == (401, "none")
    finally:
        web.stop_all()
    assert (tmp_path / "console-sessions.db").exists()


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/3"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_with_redis_two_web_servers_share_the_agents_session(tmp_path, redis_url):
    AccountStore(tmp_path / "agents.json").add(AGENT, PASSWORD)
    first = web_server(tmp_path, CONSOLE_SESSIONS_REDIS_URL=redis_url)
    second = web_server(tmp_path, CONSOLE_SESSIONS_REDIS_URL=redis_url)
    try:
        first.start("web")
        second.start("web")
        cookie = sign_in(first.ports["web"])
        assert whoami(second.ports["web"], cookie) == (200, AGENT)
        first.stop("web")
        first.start("web")  # restarted: the session is still there
        assert whoami(first.ports["web"], cookie) == (200, AGENT)
        assert call(second.ports["web"], "DELETE", cookie=cookie)[0] == 200  # signed out on the other one
        assert whoami(first.ports["web"], cookie) == (401, "none")
    finally:
        first.stop_all()
        second.stop_all()
    assert not (tmp_path / "console-sessions.db").exists()  # nothing kept beside the accounts
