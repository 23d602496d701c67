"""Type-ahead questions under the chat box, in the broker widget and in the agent console, used with the
keyboard alone: from the second character, at most five questions; Down and Up browse, Enter asks the
highlighted one (its topic's payload, no NLU guess), Escape closes the list only; typing is never held
up and nothing is sent until a question is chosen."""

from playwright.sync_api import Page, expect

from tests.browser.widget import WEB_URL, bot_messages, screenshot, sign_in_to_console


def suggestions(page: Page):
    return page.get_by_role("listbox", name="Suggested questions")


def open_chat_by_keyboard(page: Page):
    page.goto(f"{WEB_URL}/demo/")
    page.get_by_role("button", name="Chat: Broker assistant").focus()
    page.keyboard.press("Enter")
    box = page.get_by_role("combobox", name="Your question")
    expect(box).to_be_focused()
    expect(bot_messages(page).first).to_contain_text("Kaiser Permanente")  # the greeting
    return box


def test_the_widget_offers_questions_and_asks_the_chosen_topic_with_the_keyboard_alone(page):
    box = open_chat_by_keyboard(page)
    options = suggestions(page).get_by_role("option")
    page.keyboard.type("h")
    page.wait_for_timeout(600)
    expect(suggestions(page)).to_be_hidden()  # one character: nothing yet
    expect(box).to_have_attribute("aria-expanded", "false")

    page.keyboard.type("ow long does a sep", delay=25)
    expect(options.first).to_have_text("How long does a separation take?")
    expect(box).to_have_attribute("aria-expanded", "true")
    assert 1 <= options.count() <= 5
    expect(box).to_have_value("how long does a sep")  # every keystroke landed
    expect(page.locator(".kpc-user")).to_have_count(0)  # nothing sent

    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    page.keyboard.press("ArrowUp")  # wraps to the last
    expect(options.last).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")

    page.keyboard.press("Escape")  # the list closes, the chat stays open with the text
    expect(suggestions(page)).to_be_hidden()
    expect(box).to_have_value("how long does a sep")
    expect(box).to_be_focused()
    expect(page.locator(".kpc-user")).to_have_count(0)

    page.keyboard.press("ArrowDown")  # opens the list again on the first question
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.locator(".kpc-user").last).to_have_text("You: How long does a separation take?")
    expect(bot_messages(page).last).to_contain_text("about 4 weeks")
    expect(box).to_have_value("")
    expect(suggestions(page)).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Escape")  # with the list closed, Escape closes the chat as before
    expect(page.get_by_role("button", name="Chat: Broker assistant")).to_be_focused()


def test_enter_without_a_highlighted_question_sends_what_was_typed(page):
    box = open_chat_by_keyboard(page)
    typed = "terminating a contract"
    page.keyboard.type(typed, delay=10)
    # The topic's title: a topic is offered once, with its first entry on a tie.
    expect(suggestions(page).get_by_role("option").first).to_have_text("Terminating a small group's contract")
    page.keyboard.press("Enter")
    expect(page.locator(".kpc-user").last).to_have_text(f"You: {typed}")
    expect(bot_messages(page).last).to_contain_text("Which region")  # the assistant's own reading of it
    expect(box).to_have_value("")
    expect(suggestions(page)).to_be_hidden()


def test_the_console_chat_box_asks_the_chosen_topic_directly_with_the_keyboard_alone(page):
    sign_in_to_console(page)
    box = page.get_by_role("combobox", name="Your question")
    box.focus()
    page.keyboard.type("reinstatment", delay=25)  # a typo
    options = suggestions(page).get_by_role("option")
    expect(options.first).to_contain_text("reinstate")
    page.keyboard.press("ArrowDown")
    question = options.first.inner_text()
    screenshot(page, "agent-typeahead")
    page.keyboard.press("Enter")
    expect(page.locator(".kpc-user").last).to_have_text(f"You: {question}")
    # The topic's payload went out: no NLU guess, so the intent is certain.
    latest = page.locator(".turn").first
    expect(latest).to_contain_text("Broker: /reinstatement")
    expect(latest).to_contain_text("reinstatement (confidence 100.0%)")
    expect(latest).to_contain_text("within 60 days")


def test_at_most_five_questions_are_offered(page):
    box = open_chat_by_keyboard(page)
    page.keyboard.type("who hand", delay=25)  # more than five topics have a "Who handles ...?" question
    options = suggestions(page).get_by_role("option")
    expect(options).to_have_count(5)
    expect(options.first).to_have_text("Who handles terminations?")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_value("who hand")
    screenshot(page, "widget-typeahead")
