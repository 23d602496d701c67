"""`make bench` beside a running `make run` (issue 15, finding 15): the benchmark serves on ports and a
log folder of its own, so it neither crashes on make run's web port nor rotates make run's logs.

The benchmark's serving step (benchmarks/stack.py, what `make bench` starts for each configuration) is
run here with make run's ports taken: 8080 (web server), 5005 and 5055, held by this test when free."""

import contextlib
import http.server
import json
import os
import socket
import sys
import threading
import time
import urllib.request
import uuid

import pytest

from tests.rasa_cli import MODEL, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import stack  # noqa: E402

MAKE_RUN_PORTS = (5005, 5055, 8080)
LOGS = ROOT / "var" / "log"


def some_free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


class MakeRun(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"make run")

    def log_message(self, *_):
        pass


@contextlib.contextmanager
def make_run_is_up():
    """make run's ports in use and answering (so a readiness check there succeeds, as it would against a
    real make run): by a developer's make run, or else by small HTTP servers held here."""
    held = []
    for port in MAKE_RUN_PORTS:
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), MakeRun)
        except OSError:
            continue  # already in use: a make run is up
        threading.Thread(target=server.serve_forever, daemon=True).start()
        held.append(server)
    try:
        yield
    finally:
        for server in held:
            server.shutdown()
            server.server_close()


def make_run_logs() -> dict[str, int]:
    return {path.name: path.stat().st_ino for path in LOGS.glob("*")} if LOGS.is_dir() else {}


def answered(port: int) -> bool:
    body = json.dumps({"sender": f"bench-{uuid.uuid4().hex}", "message": "hello"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200 and bool(json.loads(response.read()))
    except OSError:
        return False


def test_the_benchmark_serves_beside_make_run_without_touching_it(tmp_path):
    assert MODEL.exists(), "no trained model: `make test` trains one before running the tests"
    rasa_port, actions_port = some_free_ports(2)
    logs_before = make_run_logs()
    with make_run_is_up():
        served = stack.Stack("project", MODEL, rasa_port, actions_port, tmp_path / "project")
        try:
            # Up, and it stays up: every server serve.sh started, none that failed on a taken port.
            for _ in range(5):
                assert served.proc.poll() is None, (tmp_path / "project" / "serve.log").read_text()[-2000:]
                assert answered(rasa_port)
                time.sleep(1)
        finally:
            served.stop()
    assert make_run_logs() == logs_before  # make run's var/log neither rotated nor written to


def test_a_port_in_use_is_named_clearly(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit, match=rf"port {port} \(Rasa server\) already in use"):
            stack.Stack("project", MODEL, port, some_free_ports(1)[0], tmp_path / "project")
    assert not os.path.exists(tmp_path / "project" / "serve.log")  # nothing was started
