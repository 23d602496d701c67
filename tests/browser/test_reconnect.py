"""The widget says it is offline while the Rasa server restarts, reconnects by itself, and the
conversation goes on."""

from playwright.sync_api import expect

from tests.browser.widget import ask, open_chat

RESTART_TIMEOUT_MS = 120_000


def test_after_a_server_restart_the_widget_reconnects_and_answers(page, assistant):
    open_chat(page)
    ask(page, "who do I contact about stopping autopay?")
    page.get_by_role("button", name="California").click()
    expect(page.locator(".kpc-card").last).to_contain_text("California Service Center")

    offline = page.get_by_text("Offline: reconnecting to the assistant…")
    assistant.stop("rasa")
    expect(offline).to_be_visible()
    assistant.start("rasa")
    expect(offline).to_be_hidden(timeout=RESTART_TIMEOUT_MS)

    ask(page, "what about Oregon?")  # the topic is remembered: the same conversation
    expect(page.locator(".kpc-card").last).to_contain_text("Consolidated Service Center")
