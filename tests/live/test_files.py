"""What scripts/serve.sh leaves on disk: the conversations and the servers' logs are for the service
account alone (0600), and the agent console's token goes to a terminal, never into a file (issue 15,
finding 6). Ports 5111/5161/8111, a tracker database and log folder of their own."""

import os
import pty
import select
import signal
import sqlite3
import stat
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

from tests.live.servers import _up
from tests.rasa_cli import ENV, ROOT

SERVE = str(ROOT / "scripts" / "serve.sh")
PORTS = {"RASA_PORT": "5111", "ACTIONS_PORT": "5161", "WEB_PORT": "8111"}
TOKEN = f"files-test-{uuid.uuid4().hex}"


def others_may_read(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def say(text: str) -> None:
    body = f'{{"sender": "files-{uuid.uuid4().hex}", "message": "{text}"}}'.encode()
    url = f"http://localhost:{PORTS['RASA_PORT']}/webhooks/rest/webhook"
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200


def test_make_run_keeps_conversations_and_logs_private_and_the_token_out_of_every_file(tmp_path):
    for port in PORTS.values():
        assert not _up(f"http://localhost:{port}/"), f"port {port} is already in use by another server"
    var, logs = tmp_path / "var", tmp_path / "log"
    var.mkdir()
    logs.mkdir()
    # What an earlier version left: a tracker database and a log that anyone on the machine could read.
    sqlite3.connect(var / "tracker.db").close()
    (logs / "rasa.log").write_text("an earlier run\n")
    for path in (var / "tracker.db", logs / "rasa.log"):
        path.chmod(0o644)
    output = tmp_path / "make-run.out"  # `make run > file`: the script's own output is a file, not a terminal
    env = {**ENV, **PORTS, "TRACKER_DB": str(var / "tracker.db"), "SERVE_LOG_DIR": str(logs)}
    with output.open("w") as out:
        proc = subprocess.Popen(
            [SERVE],
            cwd=ROOT,
            env={**env, "AGENT_CONSOLE_TOKEN": TOKEN},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # no controlling terminal either
        )
    try:
        deadline = time.monotonic() + 240
        while "The assistant is ready" not in output.read_text():
            assert proc.poll() is None, output.read_text()[-3000:]
            assert time.monotonic() < deadline, "serve.sh did not start in time"
            time.sleep(1)
        say("How do I terminate a California small group contract?")  # a conversation in the store
    finally:
        stop(proc)

    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert {"tracker.db", "actions.log", "rasa.log", "rasa.log.1", "web.log"} <= {p.name for p in written}
    private = [path for path in written if path != output] + [logs]
    assert [str(path) for path in private if others_may_read(path)] == []
    assert [str(path) for path in written if TOKEN.encode() in path.read_bytes()] == []
    assert "console token:     not shown (no terminal)" in output.read_text()


def test_the_console_token_is_shown_on_the_terminal(tmp_path):
    port = "8112"
    assert not _up(f"http://localhost:{port}/"), f"port {port} is already in use by another server"
    terminal, its_end = pty.openpty()
    proc = subprocess.Popen(
        [SERVE, "web"],
        cwd=ROOT,
        env={**ENV, "WEB_PORT": port, "AGENT_CONSOLE_TOKEN": TOKEN},
        stdin=its_end,
        stdout=its_end,
        stderr=its_end,
        start_new_session=True,
    )
    os.close(its_end)
    shown = b""
    try:
        deadline = time.monotonic() + 60
        while TOKEN.encode() not in shown and time.monotonic() < deadline and proc.poll() is None:
            if select.select([terminal], [], [], 1)[0]:
                shown += os.read(terminal, 4096)
    finally:
        stop(proc)
        os.close(terminal)
    assert f"console token:     {TOKEN}".encode() in shown, shown.decode(errors="replace")[-2000:]
