"""Two Rasa servers of the production profile, each with its action server (Rasa 5601/5602, actions
5651/5652, on loopback), and how the scale tests talk to them: directly or through nginx."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.live.servers import Assistant, texts
from tests.scale.services import NGINX_PORT, NGINX_SINGLE_PORT, Services

RASA_PORTS, ACTIONS_PORTS = [5601, 5602], [5651, 5652]
BALANCED = f"http://localhost:{NGINX_PORT}/webhooks/rest/webhook"
SINGLE = f"http://localhost:{NGINX_SINGLE_PORT}/webhooks/rest/webhook"


class Cluster:
    def __init__(self, services: Services, workdir) -> None:
        self.servers = [
            Assistant(workdir / f"server-{n}", rasa, actions, env=services.env())
            for n, (rasa, actions) in enumerate(zip(RASA_PORTS, ACTIONS_PORTS, strict=True), start=1)
        ]
        for server in self.servers:
            server.workdir.mkdir()

    def start(self) -> None:
        for server in self.servers:
            server.start("actions")
        # The first server creates the tables; the others then start side by side.
        self.servers[0].start("rasa")
        with ThreadPoolExecutor() as pool:
            list(pool.map(lambda server: server.start("rasa"), self.servers[1:]))

    def kill_rasa(self, server: Assistant) -> None:
        """A crash, not a shutdown: SIGKILL, no chance to finish anything."""
        proc = server.procs.pop("rasa")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        # Until the kernel has torn the process down, its port still accepts connections, which
        # then fail: the crash is complete only once the port refuses.
        deadline = time.monotonic() + 30
        while not port_refuses(server.rasa_port):
            assert time.monotonic() < deadline, f"port {server.rasa_port} still open after SIGKILL"
            time.sleep(0.05)

    def stop(self) -> None:
        for server in self.servers:
            server.stop_all()

    def logs(self) -> str:
        return "\n".join((server.workdir / "rasa.log").read_text() for server in self.servers)


def port_refuses(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def post(
    url: str, sender: str, text: str, timeout: float = 120, message_id: str | None = None
) -> tuple[int, list[dict]]:
    """One message, with an id of its own as a REST client sends it (a retry would reuse it)."""
    body = {"sender": sender, "message": text, "message_id": message_id or uuid.uuid4().hex}
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, []


def say(url: str, sender: str, text: str) -> str:
    status, messages = post(url, sender, text)
    assert status == 200, f"{status} from {url}"
    return texts(messages)
