"""The broker widget in the demo portal page, as a broker uses it."""

import pytest
from playwright.sync_api import expect

from tests.browser.widget import WEB_URL, ask, bot_messages, contrast, open_chat, screenshot


def test_an_answer_gives_the_phone_number_as_a_tel_link_in_a_contact_card_with_its_source(page):
    open_chat(page)
    ask(page, "How do I terminate a California small group contract?")
    card = page.locator(".kpc-card").last
    expect(card).to_contain_text("Small Business Account Management Support Team")
    expect(card).to_contain_text("option 3")
    phone = card.get_by_role("link", name="800-790-4661")
    expect(phone).to_have_attribute("href", "tel:+18007904661")
    expect(page.locator(".kpc-source").last).to_contain_text(
        "California Small Business Broker FAQ, “How do I help a small group terminate their contract?”"
    )
    expect(page.get_by_text("  Phone: 800-790-4661")).to_have_count(0)  # the card replaces the text
    screenshot(page, "widget-desktop")


def test_an_answer_arrives_as_one_message_and_is_drawn_whole_at_once(page):
    """No hold timer: the answer's text, contact card, source and rating come in one socket.io message
    and are drawn together as one item, the moment it arrives; nothing follows it."""
    open_chat(page)
    before = bot_messages(page).count()
    ask(page, "How do I terminate a California small group contract?")
    answer = bot_messages(page).nth(before)
    # Read at once, not waited for: all of it came with the message that made the item appear.
    assert answer.locator(".kpc-text").inner_text().startswith("To help a California small group terminate")
    assert answer.locator(".kpc-card").count() == 1 and answer.locator(".kpc-source").count() == 1
    assert answer.get_by_role("group", name="Was this answer helpful?").count() == 1
    page.wait_for_timeout(2000)  # longer than the old widget's 1.5 s hold: no second part arrives
    expect(bot_messages(page)).to_have_count(before + 1)
    received = page.evaluate("JSON.parse(Object.values(localStorage)[0]).events")
    question = max(i for i, event in enumerate(received) if event["from"] == "user")
    [reply] = [event["message"] for event in received[question + 1 :]]
    assert reply["text"].startswith("To help a California small group terminate") and "Phone:" not in reply["text"]
    assert reply["custom"]["contacts"][0]["phones"][0] == {"number": "800-790-4661", "option": "3"}


def test_e_mail_addresses_are_mailto_links(page):
    open_chat(page)
    ask(page, "What is the e-mail of the Northwest Consolidated Service Center?")
    expect(page.get_by_role("link", name="csc-den-roc-group@kp.org").first).to_have_attribute(
        "href", "mailto:csc-den-roc-group@kp.org"
    )


def test_a_quick_reply_answers_the_region_question(page):
    open_chat(page)
    ask(page, "who do I contact about stopping autopay?")
    replies = page.get_by_role("group", name="Suggested replies")
    replies.get_by_role("button", name="California").click()
    expect(page.locator(".kpc-user").last).to_have_text("You: California")
    expect(page.locator(".kpc-card").last).to_contain_text("California Service Center")
    expect(replies).to_have_count(0)  # answered: the suggestions are gone


def test_a_reload_keeps_the_history_and_the_same_conversation(page):
    open_chat(page)
    ask(page, "who do I contact about stopping autopay?")
    page.get_by_role("button", name="California").click()
    expect(page.locator(".kpc-card").last).to_contain_text("California Service Center")
    session_id = page.evaluate("JSON.parse(Object.values(localStorage)[0]).sessionId")

    page.reload()
    expect(page.get_by_role("log")).to_contain_text("who do I contact about stopping autopay?")
    expect(page.locator(".kpc-card").last).to_contain_text("California Service Center")
    assert page.evaluate("JSON.parse(Object.values(localStorage)[0]).sessionId") == session_id
    # The server remembers the topic only if this is the same conversation.
    ask(page, "what about Oregon?")
    expect(page.locator(".kpc-card").last).to_contain_text("Consolidated Service Center")


def test_what_a_user_types_is_shown_as_text_never_run(page):
    attack = "<img src=x onerror=alert(1)>"
    open_chat(page)
    ask(page, attack)
    expect(page.locator(".kpc-user").last).to_have_text(f"You: {attack}")
    expect(page.locator("img")).to_have_count(0)
    # No dialog either: the page fixture fails the test on any.


def test_keyboard_only_use_with_a_visible_focus_ring(page):
    page.goto(f"{WEB_URL}/demo/")
    launcher = page.get_by_role("button", name="Chat: Broker assistant")
    for _ in range(20):
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el.getRootNode().activeElement === el"):
            break
    expect(launcher).to_be_focused()
    assert launcher.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    question = page.get_by_label("Your question")
    expect(question).to_be_focused()
    page.keyboard.type("How do I terminate a California small group contract?")
    page.keyboard.press("Enter")
    expect(page.locator(".kpc-card").last).to_contain_text("800-790-4661")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()


def test_text_and_controls_have_at_least_aa_contrast(page):
    page.goto(f"{WEB_URL}/demo/")
    launcher = page.get_by_role("button", name="Chat: Broker assistant")
    assert contrast(launcher) >= 4.5
    launcher.click()
    ask(page, "How do I stop autopay?")
    assert contrast(page.get_by_role("button", name="California")) >= 4.5
    ask(page, "California")
    expect(page.locator(".kpc-card").last).to_be_visible()
    for selector in [
        ".kpc-title",
        ".kpc-header-button",
        ".kpc-user .kpc-line",
        ".kpc-bot .kpc-line",
        ".kpc-card a",
        ".kpc-card dt",
        ".kpc-source",
        ".kpc-send",
    ]:
        ratio = contrast(page.locator(selector).first)
        assert ratio >= 4.5, f"{selector}: contrast {ratio:.2f}"


@pytest.mark.parametrize("page", [{"width": 390, "height": 844}], indirect=True)
def test_on_a_phone_the_open_chat_fills_the_screen(page):
    open_chat(page)
    ask(page, "who do I contact about stopping autopay?")
    expect(page.get_by_role("button", name="California")).to_be_visible()
    box = page.get_by_role("region", name="Broker assistant").bounding_box()
    assert (box["width"], box["height"]) == (390, 844)
    screenshot(page, "widget-phone")


def test_new_conversation_starts_afresh_with_a_new_id(page):
    open_chat(page)
    ask(page, "How do I terminate a California small group contract?")
    old_id = page.evaluate("JSON.parse(Object.values(localStorage)[0]).sessionId")
    page.get_by_role("button", name="New conversation").click()
    expect(page.get_by_role("log")).not_to_contain_text("terminate")
    expect(bot_messages(page)).to_have_count(1)  # the greeting of the new conversation
    new_id = page.evaluate("JSON.parse(Object.values(localStorage)[0]).sessionId")
    assert new_id != old_id and len(new_id) >= 32
