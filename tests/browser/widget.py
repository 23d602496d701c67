"""What the browser tests share: where the assistant runs, the console's agent account, and the steps
a broker takes in the widget. (Kept out of conftest.py, which pytest imports under another name.)"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.rasa_cli import ROOT

RASA_PORT, ACTIONS_PORT, WEB_PORT = 5205, 5255, 8280
WEB_URL = f"http://localhost:{WEB_PORT}"
AGENT = "desk-agent"  # the console account conftest.py makes for the tests, with this password
AGENT_PASSWORD = "browser-tests-" + os.urandom(12).hex()
LEAD = "desk-lead"  # a lead's account (every tab, the misses inbox too), same password
# More agents for the live handoff, same password, each with the display name brokers see (web/accounts.py);
# `desk-agent` has none, so brokers see it as typed.
HANDOFF_AGENTS = {
    "maria": "Maria",
    "sam": "Sam",
    "kim": "Kim",
    "dana": "Dana Reyes",
    "lee": "Lee <img src=x onerror=alert(1)> & Co",  # markup in a display name is text wherever it is shown
}
HANDOFF_GRACE_SECONDS = 3  # an agent's console may be away this long before its chats go back to the queue
SCREENSHOTS = ROOT / "test-output" / "screenshots"
REPLY_TIMEOUT_MS = 20_000


# The demo portal's signing secret for the tests (the web server signs the demo page's groups with it and
# the Rasa server verifies them, docs/portal-context.md): made per run, as `make run` does.
PORTAL_ENV = {"PORTAL_TOKEN_SECRET": "browser-portal-" + os.urandom(16).hex(), "PORTAL_TOKEN_ISSUER": WEB_URL}


def console_env(workdir: Path, **more: str) -> dict[str, str]:
    """Where the web server keeps the console's accounts and audit log: the test's own folder; a short
    grace period for a disconnected agent's chats; the demo portal's signing secret."""
    return {
        "CONSOLE_ACCOUNTS": str(workdir / "agents.json"),
        "CONSOLE_AUDIT_LOG": str(workdir / "console-audit.log"),
        "HANDOFF_GRACE_SECONDS": str(HANDOFF_GRACE_SECONDS),
        **PORTAL_ENV,
        **more,
    }


def open_chat(page: Page) -> None:
    page.goto(f"{WEB_URL}/demo/")
    page.get_by_role("button", name="Chat: Broker assistant").click()
    expect(page.get_by_label("Your question")).to_be_focused()
    expect(bot_messages(page).first).to_contain_text("Kaiser Permanente")  # the greeting


def bot_messages(page: Page):
    return page.locator(".kpc-bot")


def ask(page: Page, question: str) -> None:
    """Type a question and send it, then wait for the assistant's first message in reply."""
    before = bot_messages(page).count()
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Send").click()
    expect(bot_messages(page)).not_to_have_count(before)


def sign_in_to_console(page: Page, web_url: str = WEB_URL, agent: str = AGENT) -> None:
    page.goto(f"{web_url}/console/")
    page.get_by_label("Name").fill(agent)
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {agent}")).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


# WCAG contrast ratio of an element's text against the first opaque background behind it
# (crossing out of the widget's shadow root to the page when needed).
_CONTRAST_JS = """el => {
  const rgb = (css) => css.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let node = el, background = [255, 255, 255];
  while (node) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] > 0) { background = colour; break; }
    node = node.parentElement || node.getRootNode().host;
  }
  const [light, dark] = [luminance(rgb(getComputedStyle(el).color)), luminance(background)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""


def contrast(locator) -> float:
    return locator.evaluate(_CONTRAST_JS)
