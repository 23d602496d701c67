"""The agent console: the same chat plus each answer's source, intent, confidence and region,
behind the console token."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.widget import CONSOLE_TOKEN, WEB_URL, ask, screenshot


def transcript_status(token: str | None) -> int:
    request = urllib.request.Request(
        f"{WEB_URL}/api/conversations/someone", headers={"Authorization": f"Bearer {token}"} if token else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("token", [None, "wrong-token-of-good-length", CONSOLE_TOKEN[:-1]])
def test_the_transcript_endpoint_refuses_a_missing_or_wrong_token(assistant, token):
    assert transcript_status(token) == 401


def test_the_transcript_endpoint_answers_with_the_token(assistant):
    assert transcript_status(CONSOLE_TOKEN) == 200


def test_the_console_refuses_a_wrong_token(page):
    page.goto(f"{WEB_URL}/console/")
    page.get_by_label("Console token").fill("wrong-token-of-good-length")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Sign-in failed: that token is not valid.")
    expect(page.get_by_label("Your question")).to_be_hidden()


def test_the_console_shows_source_intent_confidence_and_region_and_copies_the_answer(page):
    page.goto(f"{WEB_URL}/console/")
    page.get_by_label("Console token").fill(CONSOLE_TOKEN)
    page.get_by_role("button", name="Sign in").click()
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
