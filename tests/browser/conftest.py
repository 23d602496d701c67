"""The real assistant (scripts/serve.sh: actions, Rasa, web server) on ports of its own, and
Debian's Chromium driven headless by Playwright (browser downloads are impossible here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser.widget import (
    ACTIONS_PORT,
    AGENT,
    AGENT_PASSWORD,
    HANDOFF_AGENTS,
    LEAD,
    RASA_PORT,
    REPLY_TIMEOUT_MS,
    WEB_PORT,
    WEB_URL,
    console_env,
)
from tests.live.servers import running
from web.accounts import AccountStore

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serve")
    accounts = AccountStore(workdir / "agents.json")
    accounts.add(AGENT, AGENT_PASSWORD)
    for agent, shown in HANDOFF_AGENTS.items():
        accounts.add(agent, AGENT_PASSWORD, display_name=shown)
    accounts.add(LEAD, AGENT_PASSWORD, role="lead")
    with running(
        workdir,
        rasa_port=RASA_PORT,
        actions_port=ACTIONS_PORT,
        web_port=WEB_PORT,
        components=("actions", "rasa", "web"),
        env=console_env(workdir),
    ) as live:
        yield live


@pytest.fixture
def audit_log(assistant) -> Path:
    """The web server's record of transcript views and exports (web/audit.py)."""
    return assistant.workdir / "console-audit.log"


# One browser per test module, not per session: Playwright's sync API keeps an event loop running in
# this thread while it is open, and later tests in the same run (tests/unit) need asyncio.run().
@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _watched_page(browser, viewport: dict, problems: list[str]) -> Page:
    """A page in a fresh browser profile (so a new conversation) whose script errors and dialogs are
    noted in `problems`: an alert() would mean something a user typed ran as code."""
    context = browser.new_context(viewport=viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=WEB_URL)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.set_default_timeout(REPLY_TIMEOUT_MS)
    return page


@pytest.fixture
def page(assistant, browser, request) -> Page:
    """A fresh browser profile that fails the test on any script error or dialog."""
    problems: list[str] = []
    page = _watched_page(browser, getattr(request, "param", {"width": 1280, "height": 800}), problems)
    yield page
    page.context.close()
    assert not problems


@pytest.fixture
def new_page(assistant, browser):
    """More people at once (a broker and agents): each call opens a page in a browser profile of its
    own, watched like `page`; a test may close one early (an agent's console going away)."""
    problems: list[str] = []
    opened: list[Page] = []

    def open_page() -> Page:
        opened.append(_watched_page(browser, {"width": 1280, "height": 800}, problems))
        return opened[-1]

    yield open_page
    for page in opened:
        page.context.close()
    assert not problems
