"""What scripts/serve.sh leaves on disk: the conversations, the servers' logs and the console's agent
accounts are for the service account alone (0600), and the first agent account's password, made on a
fresh clone, goes to a terminal, never into a file (issue 15, finding 6; the console's named accounts).
Ports 5111/5161/8111, a tracker database, log folder and accounts file of their own."""

import json
import os
import pty
import select
import signal
import sqlite3
import stat
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from tests.live.servers import _up
from tests.rasa_cli import ENV, ROOT

SERVE = str(ROOT / "scripts" / "serve.sh")
PORTS = {"RASA_PORT": "5111", "ACTIONS_PORT": "5161", "WEB_PORT": "8111"}


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


def sign_in(port: str, name: str, password: str) -> int:
    body = json.dumps({"name": name, "password": password}).encode()
    request = urllib.request.Request(
        f"http://localhost:{port}/api/session", body, {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_make_run_keeps_conversations_logs_and_accounts_private_and_no_password_in_any_file(tmp_path):
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
    env = {
        **ENV,
        **PORTS,
        "TRACKER_DB": str(var / "tracker.db"),
        "SERVE_LOG_DIR": str(logs),
        "CONSOLE_ACCOUNTS": str(var / "agents.json"),  # none yet: a fresh clone
        "CONSOLE_AUDIT_LOG": str(var / "console-audit.log"),
    }
    with output.open("w") as out:
        proc = subprocess.Popen(
            [SERVE],
            cwd=ROOT,
            env=env,
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
    assert {"tracker.db", "actions.log", "rasa.log", "rasa.log.1", "web.log", "agents.json"} <= {
        p.name for p in written
    }
    private = [path for path in written if path != output] + [logs]
    assert [str(path) for path in private if others_may_read(path)] == []
    # The first account was made (an agent); its password is shown nowhere, and only its argon2id hash is kept.
    [(name, account)] = json.loads((var / "agents.json").read_text())["agents"].items()
    assert name == "agent" and set(account) == {"hash", "changed", "role"} and account["role"] == "agent"
    assert account["hash"].startswith("$argon2id$")
    assert "console sign-in:   name agent; its password is not shown (no terminal)" in output.read_text()


def test_the_first_accounts_password_is_shown_on_the_terminal_only_and_signs_in(tmp_path):
    port = "8112"
    assert not _up(f"http://localhost:{port}/"), f"port {port} is already in use by another server"
    terminal, its_end = pty.openpty()
    proc = subprocess.Popen(
        [SERVE, "web"],
        cwd=ROOT,
        env={
            **ENV,
            "WEB_PORT": port,
            "CONSOLE_ACCOUNTS": str(tmp_path / "agents.json"),
            "CONSOLE_AUDIT_LOG": str(tmp_path / "console-audit.log"),
        },
        stdin=its_end,
        stdout=its_end,
        stderr=its_end,
        start_new_session=True,
    )
    os.close(its_end)
    shown = b""
    try:
        deadline = time.monotonic() + 60
        while b"console sign-in:" not in shown and time.monotonic() < deadline and proc.poll() is None:
            if select.select([terminal], [], [], 1)[0]:
                shown += os.read(terminal, 4096)
        text = shown.decode(errors="replace")
        assert "console sign-in:   name agent, password " in text, text[-2000:]
        password = text.split("password ", 1)[1].split()[0]
        assert sign_in(port, "agent", password) == 200 and sign_in(port, "agent", password + "x") == 401
    finally:
        stop(proc)
        os.close(terminal)
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written and [str(path) for path in written if password.encode() in path.read_bytes()] == []
