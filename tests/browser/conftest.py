"""The real assistant (scripts/serve.sh: actions, Rasa, web server) on ports of its own, and
Debian's Chromium driven headless by Playwright (browser downloads are impossible here)."""
from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser.widget import (ACTIONS_PORT, CONSOLE_TOKEN, RASA_PORT, REPLY_TIMEOUT_MS, WEB_PORT,
                                  WEB_URL)
from tests.rasa_cli import ENV, MODEL, ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


class Assistant:
    """scripts/serve.sh as `make run` starts it; stop() and start() restart every server."""

    def __init__(self, log: Path):
        self.log, self.process = log, None

    def start(self) -> None:
        assert not _ready(f"{WEB_URL}/demo/"), f"something else already serves {WEB_URL}"
        self.process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, stdout=self.log.open("a"),
            stderr=subprocess.STDOUT, start_new_session=True,
            env={**ENV, "RASA_PORT": str(RASA_PORT), "ACTIONS_PORT": str(ACTIONS_PORT),
                 "WEB_PORT": str(WEB_PORT), "AGENT_CONSOLE_TOKEN": CONSOLE_TOKEN,
                 "TRACKER_DB": str(self.log.parent / "tracker.db")})
        deadline = time.monotonic() + 240
        while not (_ready(f"{WEB_URL}/demo/") and _ready(f"http://localhost:{RASA_PORT}/")):
            assert self.process.poll() is None, f"the assistant failed to start; see {self.log}"
            assert time.monotonic() < deadline, f"the assistant did not start in time; see {self.log}"
            time.sleep(1)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    assert MODEL.exists(), "no trained model: `make test` trains one before running the tests"
    server = Assistant(tmp_path_factory.mktemp("serve") / "serve.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(assistant, browser, request) -> Page:
    """A fresh browser profile (so a new conversation) that fails the test on any script error
    or dialog: an alert() would mean something a user typed ran as code."""
    viewport = getattr(request, "param", {"width": 1280, "height": 800})
    context = browser.new_context(viewport=viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=WEB_URL)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.set_default_timeout(REPLY_TIMEOUT_MS)
    yield page
    context.close()
    assert not problems
