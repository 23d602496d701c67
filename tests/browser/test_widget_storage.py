"""What the widget keeps in the browser (issue 15, findings 5 and 8): only what a reload needs, the
broker's messages as the server stores them (personal data masked), forgotten after 24 hours without
a message and at "New conversation"; and a conversation continues only with the session token the
server gave the widget, never by its id alone."""

import json
import sqlite3
import time

from playwright.sync_api import expect

from tests.browser.widget import WEB_URL, ask, bot_messages, open_chat

STORED = "JSON.stringify(Object.values(localStorage))"
SAVED = "JSON.parse(Object.values(localStorage)[0])"
PERSONAL = "SSN 123-45-6789"


def stored(page) -> str:
    return page.evaluate(STORED)


def wait_until_stored(page, text: str) -> None:
    page.wait_for_function(f"{STORED}.includes({json.dumps(text)})")


def test_local_storage_keeps_what_the_server_stores_not_what_was_typed(page):
    open_chat(page)
    ask(page, f"My {PERSONAL}: how do I terminate a California small group contract?")
    expect(page.locator(".kpc-card").last).to_contain_text("800-790-4661")
    wait_until_stored(page, "My SSN [SSN]: how do I terminate")  # acknowledged, as stored
    assert "123-45-6789" not in stored(page)
    page.reload()
    expect(page.get_by_role("log")).to_contain_text("My SSN [SSN]: how do I terminate")
    expect(page.get_by_role("log")).not_to_contain_text("123-45-6789")


def test_only_what_a_reload_needs_is_kept(page):
    open_chat(page)
    ask(page, "How do I terminate a California small group contract?")
    wait_until_stored(page, "How do I terminate")
    saved = page.evaluate(SAVED)
    assert set(saved) <= {"sessionId", "token", "events", "rated", "open", "greeted", "updatedAt"}
    for event in saved["events"]:
        if event["from"] == "user":
            assert set(event) <= {"from", "text", "id"}
        else:
            assert set(event["message"]) <= {"text", "quick_replies", "custom", "reply_to", "n"}


def test_a_conversation_idle_for_24_hours_is_forgotten(page):
    open_chat(page)
    ask(page, "who do I contact about stopping autopay?")
    wait_until_stored(page, "stopping autopay")
    old_id = page.evaluate(f"{SAVED}.sessionId")
    page.evaluate(
        """() => {
        const [key] = Object.keys(localStorage);
        const saved = JSON.parse(localStorage.getItem(key));
        saved.updatedAt = Date.now() - 25 * 60 * 60 * 1000;
        localStorage.setItem(key, JSON.stringify(saved));
    }"""
    )
    page.reload()
    page.get_by_role("button", name="Chat: Broker assistant").click()
    expect(bot_messages(page)).to_have_count(1)  # a new conversation's greeting, nothing before it
    expect(page.get_by_role("log")).not_to_contain_text("autopay")
    assert "autopay" not in stored(page)
    assert page.evaluate(f"{SAVED}.sessionId") != old_id


def test_new_conversation_leaves_nothing_of_the_old_one(page):
    open_chat(page)
    ask(page, "How do I terminate a California small group contract?")
    wait_until_stored(page, "How do I terminate")
    page.get_by_role("button", name="New conversation").click()
    expect(bot_messages(page)).to_have_count(1)
    assert "terminate" not in stored(page)


def test_a_conversation_id_without_its_token_continues_nothing(page, browser):
    open_chat(page)
    ask(page, "How do I terminate a California small group contract?")
    wait_until_stored(page, "How do I terminate")
    owner = page.evaluate(SAVED)

    other = browser.new_context()
    try:
        intruder = other.new_page()
        intruder.goto(f"{WEB_URL}/demo/")
        # The owner's conversation id, and a token of the right shape that the server did not sign.
        forged = {**owner, "token": owner["token"][:-4] + "AAAA", "events": [], "greeted": True, "open": False}
        intruder.evaluate(
            "forged => { localStorage.setItem(Object.keys(localStorage)[0], JSON.stringify(forged)); }", forged
        )
        intruder.reload()
        intruder.get_by_role("button", name="Chat: Broker assistant").click()
        intruder.wait_for_function(f"{SAVED}.sessionId && {SAVED}.sessionId !== {json.dumps(owner['sessionId'])}")
        ask(intruder, "what about Oregon?")
        expect(intruder.locator(".kpc-bot").last).not_to_contain_text("terminations")  # not the owner's topic
    finally:
        other.close()


def test_each_message_goes_with_the_widget_s_own_id(page, assistant):
    """The id that makes a message handled once however often it is sent (issue 15, finding 14)."""
    open_chat(page)
    ask(page, "How do I terminate a California small group contract?")
    wait_until_stored(page, "How do I terminate")
    saved = page.evaluate(SAVED)
    sent = [event["id"] for event in saved["events"] if event["from"] == "user"]
    with sqlite3.connect(assistant.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (saved["sessionId"],))
        stored = [json.loads(data)["message_id"] for (data,) in rows]
    assert sent and set(sent) <= set(stored) and len(stored) == len(set(stored))


def test_a_copied_token_opens_nothing_once_its_broker_starts_a_new_conversation(page, browser):
    """Hardening issue 21: "New conversation" ends the old one on the server (`session_end`), so a copy of
    its token (a shared computer's storage, a stolen token) no longer opens it; before, it did for 24 hours."""
    open_chat(page)
    ask(page, "How do I terminate a California small group contract?")
    wait_until_stored(page, "How do I terminate")
    copied = page.evaluate(SAVED)
    page.get_by_role("button", name="New conversation").click()
    wait_for_another_session(page, copied["sessionId"])  # the new conversation, confirmed

    other = browser.new_context()
    try:
        thief = other.new_page()
        thief.goto(f"{WEB_URL}/demo/")
        stolen = {**copied, "events": [], "greeted": True, "open": False}
        thief.evaluate(
            "stolen => { localStorage.setItem(Object.keys(localStorage)[0], JSON.stringify(stolen)); }", stolen
        )
        thief.reload()
        thief.get_by_role("button", name="Chat: Broker assistant").click()
        wait_for_another_session(thief, copied["sessionId"])
        ask(thief, "what about Oregon?")
        expect(thief.locator(".kpc-bot").last).not_to_contain_text("terminations")  # not the old topic
    finally:
        other.close()


def wait_for_another_session(page, session_id: str, timeout: float = 20) -> None:
    """Until the widget keeps a conversation other than `session_id` (polled from here: the page's CSP
    forbids the string evaluation wait_for_function falls back to while it polls)."""
    kept = (
        "() => { const kept = Object.values(localStorage)[0]; const id = kept && JSON.parse(kept).sessionId; "
        "return id || null; }"
    )
    deadline = time.monotonic() + timeout
    while (current := page.evaluate(kept)) in (None, session_id):
        assert time.monotonic() < deadline, f"the widget still keeps {current!r}, the conversation of the copied token"
        time.sleep(0.1)
