"""The agent console: the same chat plus each answer's source, intent, confidence and region, for an
agent signed in with their own account (a session cookie): sign-in, a wrong password, sign-out, an
expired session, and console API calls without a session (401)."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.widget import (
    ACTIONS_PORT,
    AGENT,
    AGENT_PASSWORD,
    RASA_PORT,
    WEB_URL,
    ask,
    console_env,
    screenshot,
    sign_in_to_console,
)
from tests.live.servers import running
from web.accounts import AccountStore

EXPIRY_WEB_PORT = 8281  # a second web server, whose sessions expire after 3 s idle


def status_of(path: str, cookie: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(f"{WEB_URL}{path}", headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def session_cookie(page) -> str:
    [cookie] = [c for c in page.context.cookies() if c["name"] == "kp_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # no script on the page can read it
    return f"kp_console={cookie['value']}"


@pytest.mark.parametrize("cookie", [None, "kp_console=forged-session-value"])
@pytest.mark.parametrize(
    "path", ["/api/conversations/someone", "/api/directory?q=ebs", "/api/compare?topic=reinstatement"]
)
def test_console_api_calls_without_a_session_get_401(assistant, path, cookie):
    status, body = status_of(path, cookie)
    assert status == 401 and "turns" not in body and "teams" not in body and "regions" not in body


def test_the_console_api_answers_a_signed_in_agent(page):
    sign_in_to_console(page)
    assert status_of("/api/conversations/someone", session_cookie(page)) == (200, {"sender_id": "someone", "turns": []})


def test_the_console_refuses_a_wrong_password(page):
    page.goto(f"{WEB_URL}/console/")
    page.get_by_label("Name").fill(AGENT)
    page.get_by_label("Password").fill(AGENT_PASSWORD + "x")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Sign-in failed: wrong name or password.")
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_label("Your question")).to_be_hidden()
    assert [c for c in page.context.cookies() if c["name"] == "kp_console"] == []


def test_signing_out_ends_the_session_on_the_server(page):
    sign_in_to_console(page)
    cookie = session_cookie(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert")).to_have_text("You have signed out.")
    expect(page.get_by_label("Name")).to_be_visible()
    expect(page.get_by_label("Your question")).to_be_hidden()
    assert status_of("/api/conversations/someone", cookie)[0] == 401  # the old cookie, kept by hand
    page.reload()  # and the page does not come back signed in
    expect(page.get_by_label("Password")).to_be_visible()


def test_an_idle_session_expires_and_the_console_says_so(browser, assistant, tmp_path):
    AccountStore(tmp_path / "agents.json").add(AGENT, AGENT_PASSWORD)
    env = console_env(tmp_path, CONSOLE_IDLE_MINUTES="0.05")
    with running(tmp_path, RASA_PORT, ACTIONS_PORT, components=("web",), web_port=EXPIRY_WEB_PORT, env=env):
        context = browser.new_context()
        page = context.new_page()
        sign_in_to_console(page, f"http://localhost:{EXPIRY_WEB_PORT}")
        page.wait_for_timeout(4000)  # longer than the idle time; the console's background polling does not count
        page.get_by_role("tab", name="Contact directory").click()  # the next call finds the session gone
        expect(page.get_by_role("alert")).to_have_text(
            "Your session ended after a while without activity. Sign in again."
        )
        expect(page.get_by_label("Password")).to_be_visible()
        context.close()


def test_the_console_shows_source_intent_confidence_and_region_and_copies_the_answer(page):
    sign_in_to_console(page)
    ask(page, "How do I terminate a California small group contract?")

    latest = page.locator(".turn").first
    expect(latest).to_contain_text("Broker: How do I terminate a California small group contract?")
    expect(latest).to_contain_text("terminate_contract (confidence 9")
    expect(latest).to_contain_text("Region assumedCalifornia")
    expect(latest).to_contain_text(
        "California Small Business Broker FAQ, section “How do I help a small group terminate their contract?”"
    )
    latest.get_by_role("button", name="Copy answer").click()
    expect(page.get_by_role("status").filter(has_text="copied")).to_have_count(1)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "800-790-4661, option 3" in copied and "terminate" in copied
    screenshot(page, "agent-console")
