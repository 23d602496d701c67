"""The production profile on this machine: PostgreSQL, Redis, nginx, and two Rasa servers each with
its action server (Rasa 5601/5602, actions 5651/5652), all on loopback, all stopped at the end."""
from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live.servers import Assistant, texts
from tests.scale.services import NGINX_PORT, NGINX_SINGLE_PORT, Services

RASA_PORTS, ACTIONS_PORTS = [5601, 5602], [5651, 5652]
BALANCED = f"http://localhost:{NGINX_PORT}/webhooks/rest/webhook"
SINGLE = f"http://localhost:{NGINX_SINGLE_PORT}/webhooks/rest/webhook"


class Cluster:
    def __init__(self, services: Services, workdir) -> None:
        self.services = services
        self.servers = [Assistant(workdir / f"server-{n}", rasa, actions, env=services.env())
                        for n, (rasa, actions) in enumerate(zip(RASA_PORTS, ACTIONS_PORTS), start=1)]
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

    def stop(self) -> None:
        for server in self.servers:
            server.stop_all()

    def logs(self) -> str:
        return "\n".join((server.workdir / "rasa.log").read_text() for server in self.servers)


def post(url: str, sender: str, text: str, timeout: float = 120) -> tuple[int, list[dict]]:
    request = urllib.request.Request(url, json.dumps({"sender": sender, "message": text}).encode(),
                                     {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, []


def say(url: str, sender: str, text: str) -> str:
    status, messages = post(url, sender, text)
    assert status == 200, f"{status} from {url}"
    return texts(messages)


def health(rasa_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://localhost:{rasa_port}/webhooks/rest/health", timeout=15) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture(scope="session")
def services():
    started = Services()
    try:
        started.init_postgres()
        started.start_redis()
        started.start_nginx(RASA_PORTS)
        yield started
    finally:
        started.stop_all()


@pytest.fixture(scope="session")
def cluster(services, tmp_path_factory):
    started = Cluster(services, tmp_path_factory.mktemp("cluster"))
    try:
        started.start()
        yield started
    finally:
        started.stop()


@pytest.fixture
def sender():
    return f"scale-{uuid.uuid4().hex}"
