"""Start and stop the real servers for live and browser tests, one component at a time, through
scripts/serve.sh (the same command `make run` uses), on ports and a tracker database of their own."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.rasa_cli import ENV, MODEL, ROOT


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


# How each component of scripts/serve.sh shows it is ready.
READY_PATH = {"actions": "/health", "rasa": "/", "web": "/demo/"}


class Assistant:
    def __init__(self, workdir: Path, rasa_port: int, actions_port: int, web_port: int = 8080, env: dict | None = None):
        assert MODEL.exists(), "no trained model: `make test` trains one before running the tests"
        self.workdir, self.rasa_port, self.actions_port = workdir, rasa_port, actions_port
        self.ports = {"actions": actions_port, "rasa": rasa_port, "web": web_port}
        self.tracker_db = workdir / "tracker.db"
        self.procs: dict[str, subprocess.Popen] = {}
        self.extra_env = env or {}
        self.url = f"http://localhost:{rasa_port}/webhooks/rest/webhook"

    def start(self, component: str, timeout: float = 240) -> None:
        url = f"http://localhost:{self.ports[component]}{READY_PATH[component]}"
        # A server already on the port would be taken for ours and test the wrong code.
        assert not _up(url), f"port {self.ports[component]} is already in use by another server"
        log = (self.workdir / f"{component}.log").open("a")
        env = {
            **ENV,
            "RASA_PORT": str(self.rasa_port),
            "ACTIONS_PORT": str(self.actions_port),
            "WEB_PORT": str(self.ports["web"]),
            "TRACKER_DB": str(self.tracker_db),
            # The console's accounts and audit log beside the tracker database, not the developer's var/.
            "CONSOLE_ACCOUNTS": str(self.workdir / "agents.json"),
            "CONSOLE_AUDIT_LOG": str(self.workdir / "console-audit.log"),
            **self.extra_env,
        }
        self.procs[component] = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh"), component],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not _up(url):
            assert self.procs[component].poll() is None, f"{component} failed to start; see {log.name}"
            assert time.monotonic() < deadline, f"{component} did not start in time; see {log.name}"
            time.sleep(0.5)

    def stop(self, component: str) -> None:
        proc = self.procs.pop(component, None)
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)

    def stop_all(self) -> None:
        for component in list(self.procs):
            self.stop(component)

    def say(self, sender: str, text, timeout: float = 60) -> list[dict]:
        status, body = self.post({"sender": sender, "message": text}, timeout)
        assert status == 200, body
        return json.loads(body)

    def post(self, body, timeout: float = 60, raw: bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(self.url, data, {"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()


def health(rasa_port: int) -> int:
    """The status of the Rasa server's health check (200, or 503 while a store is down)."""
    try:
        with urllib.request.urlopen(f"http://localhost:{rasa_port}/webhooks/rest/health", timeout=15) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


@contextlib.contextmanager
def running(workdir: Path, rasa_port: int, actions_port: int, components=("actions", "rasa"), **options):
    """An Assistant with `components` started, stopped again whatever happens."""
    live = Assistant(workdir, rasa_port, actions_port, **options)
    try:
        for component in components:
            live.start(component)
        yield live
    finally:
        live.stop_all()


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages if m.get("text"))


RUN_EVAL = ROOT.parent / "shared" / "eval" / "run_eval.py"


def run_answer_checks(cases: Path, url: str, out: Path, timeout: float = 900) -> dict:
    """The shared black-box answer checker (../shared/eval/run_eval.py) on a case file against the
    live assistant; its failures are printed, its JSON report returned."""
    result = subprocess.run(
        [sys.executable, str(RUN_EVAL), str(cases), "--url", url, "--json", str(out), "--show-failures"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    print(result.stdout[-20000:], result.stderr[-3000:])
    return json.loads(out.read_text())
