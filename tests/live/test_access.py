"""Access: Rasa's HTTP API is closed unless opened with a token, servers listen on loopback only,
and no foreign web origin is allowed."""

import subprocess
import urllib.error
import urllib.request

import pytest

from tests.live.servers import running
from tests.rasa_cli import ENV, ROOT


def status(url: str, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


def test_http_api_is_closed_by_default(assistant):
    assert status(f"http://localhost:{assistant.rasa_port}/status")[0] == 404
    assert status(f"http://localhost:{assistant.rasa_port}/conversations/x/tracker")[0] == 404


def test_servers_listen_on_loopback_only(assistant):
    for port in (assistant.rasa_port, assistant.actions_port):
        assert listening_addresses(port) == {"0100007F"}, port  # 127.0.0.1


def test_only_the_widget_origin_is_allowed(assistant):
    url = f"http://localhost:{assistant.rasa_port}/webhooks/rest/health"
    _, headers = status(url, {"Origin": "http://localhost:8080"})  # the web server's (serve.sh WEB_PORT)
    assert headers.get("Access-Control-Allow-Origin") == "http://localhost:8080"
    _, headers = status(url, {"Origin": "http://evil.example"})
    assert headers.get("Access-Control-Allow-Origin") in (None, "")


def test_opening_the_api_without_a_token_is_refused():
    result = subprocess.run(
        [str(ROOT / "scripts" / "serve.sh"), "rasa"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**ENV, "RASA_ENABLE_API": "1", "RASA_PORT": "5107"},
    )
    assert result.returncode == 2 and "needs RASA_AUTH_TOKEN" in result.stderr


@pytest.fixture
def api_assistant(tmp_path):
    with running(
        tmp_path,
        rasa_port=5107,
        actions_port=5157,
        components=("rasa",),
        env={"RASA_ENABLE_API": "1", "RASA_AUTH_TOKEN": "test-token-7f3a9c"},
    ) as live:
        yield live


def test_an_opened_api_requires_its_token(api_assistant):
    url = f"http://localhost:{api_assistant.rasa_port}/status"
    assert status(url)[0] == 401
    assert status(url + "?token=wrong")[0] == 401
    assert status(url + "?token=test-token-7f3a9c")[0] == 200
