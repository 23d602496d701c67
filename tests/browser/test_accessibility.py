"""axe-core's WCAG 2.1 A and AA rules (tests/browser/axe.py) over every view a broker or an agent sees: the
widget on the demo page with a question answered, the widget waiting for an agent and talking with one, the
console's sign-in page and every tab of the console of a lead (who has every tab), each with something in
it. A serious or critical violation fails, named with its rule, impact and elements.

A new console tab is one line in CONSOLE_VIEWS: its tab name and what to do in it first."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible, describe, failing, violations
from tests.browser.test_handoff_browser import broker_waiting, live_chat, open_desk, status_lines, take, write
from tests.browser.widget import LEAD, WEB_URL, ask, open_chat, sign_in_to_console

ANSWERED = "How do I reinstate a terminated group in Oregon?"
MISSED = "who won the Lakers game last night"  # out of scope: a miss for the lead's inbox


def show_tab(name: str, then: Callable[[Page], None] = lambda page: None) -> Callable[[Page], None]:
    def show(page: Page) -> None:
        page.get_by_role("tab", name=name).click()
        expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
        then(page)

    return show


def a_turn_shown(page: Page) -> None:
    expect(page.locator(".turn").filter(has_text=ANSWERED)).to_contain_text("Source")


def every_team_listed(page: Page) -> None:
    expect(page.get_by_role("list", name="Teams").locator("article")).to_have_count(8)


def a_topic_compared(page: Page) -> None:
    page.get_by_label("Topic", exact=True).select_option(label="Terminating a small group's contract")
    expect(page.get_by_role("region", name="California")).to_contain_text("800-790-4661")


def this_chats_transcript(page: Page) -> None:
    page.get_by_role("button", name="Show transcript").click()
    expect(page.get_by_label("Transcript text")).to_contain_text(MISSED)


def the_miss_listed(page: Page) -> None:
    expect(page.locator(".miss").filter(has_text=MISSED).first).to_be_visible()


def the_charts_drawn(page: Page) -> None:
    expect(page.get_by_role("status").filter(has_text="UTC days")).to_be_visible()
    expect(page.locator(".insights-chart canvas[role=img]").first).to_be_visible()


def the_desk_available(page: Page) -> None:
    expect(page.get_by_role("status").filter(has_text="Available as")).to_be_visible()


# Every tab of the console, in order, with what brings it to a state worth checking.
CONSOLE_VIEWS: dict[str, Callable[[Page], None]] = {
    "Answer details": show_tab("Answer details", a_turn_shown),
    "Contact directory": show_tab("Contact directory", every_team_listed),
    "Regions side by side": show_tab("Regions side by side", a_topic_compared),
    "Transcript": show_tab("Transcript", this_chats_transcript),
    "Live chats": show_tab("Live chats", the_desk_available),
    "Misses": show_tab("Misses", the_miss_listed),
    "Insights": show_tab("Insights", the_charts_drawn),
}


def test_the_widget_with_an_answer_has_no_serious_accessibility_violation(page):
    open_chat(page)
    ask(page, ANSWERED)
    expect(page.locator(".kpc-answer").last).to_contain_text("Source")
    assert_accessible(page, "widget with an answer")


def test_the_widget_and_the_desk_waiting_for_and_talking_with_an_agent_have_none(new_page):
    agent, broker = new_page(), new_page()
    open_desk(agent)
    broker_waiting(broker, ANSWERED)
    assert_accessible(broker, "widget waiting for an agent")
    assert_accessible(agent, "console with a broker waiting")
    chat = take(agent, ANSWERED)
    write(chat, "Hello, I can help with that.")
    expect(status_lines(broker).filter(has_text="joined the conversation")).to_have_count(1)
    expect(broker.locator(".kpc-agent").last).to_contain_text("I can help with that")
    assert_accessible(broker, "widget talking with an agent")
    assert_accessible(agent, "console in a live chat")
    live_chat(agent, ANSWERED).get_by_role("button", name="Close chat").click()


def test_the_sign_in_page_and_every_console_tab_have_no_serious_accessibility_violation(page):
    page.goto(f"{WEB_URL}/console/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    found = describe("sign-in page", failing(violations(page)))
    sign_in_to_console(page, agent=LEAD)
    ask(page, ANSWERED)
    ask(page, MISSED)
    for tab, bring_up in CONSOLE_VIEWS.items():
        bring_up(page)
        found += describe(f"console, {tab}", failing(violations(page)))
    assert not found, "axe-core found:\n" + "\n".join(found)
