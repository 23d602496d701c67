"""The broker's groups from the portal, in the demo portal page (docs/portal-context.md): the page signs
its broker's groups (web/demo_portal.py), the widget passes the token, and the assistant answers for
the group open on the page or named, naming it, without asking the region; a forged token gets nothing
but a plain word; the agents' queue shows the group."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_handoff_browser import open_desk, queued, say, status_lines
from tests.browser.widget import WEB_URL, ask, bot_messages


def open_portal_chat(page: Page, group: str | None = None) -> None:
    page.goto(f"{WEB_URL}/demo/" + (f"?group={group}" if group else ""))
    page.get_by_role("button", name="Chat: Broker assistant").click()
    expect(bot_messages(page).filter(has_text="Kaiser Permanente")).to_have_count(1)  # the greeting


def test_the_group_open_on_the_page_answers_without_a_region_question(page):
    open_portal_chat(page, "rose-city")
    ask(page, "who handles billing questions?")
    answer = bot_messages(page).last
    expect(answer).to_contain_text("For Rose City Print Co. (Oregon):")
    expect(answer).to_contain_text("1-866-868-7220")
    expect(page.get_by_text("Which region is the group in?")).to_have_count(0)


def test_a_group_named_gets_the_split_decision_from_its_counts(page):
    open_portal_chat(page)
    ask(page, "does Harbor & Pine need to split?")
    answer = bot_messages(page).last
    expect(answer).to_contain_text("For Harbor & Pine Logistics (Southern California):")
    expect(answer).to_contain_text("may need to separate")


def test_a_forged_token_gets_no_context_and_a_plain_word(page):
    # A token with no signature ("alg": "none") in place of the page's, before the widget reads it.
    page.add_init_script(
        """new MutationObserver(() => {
             const embed = document.querySelector("script[data-portal-token]");
             if (embed) embed.dataset.portalToken = "eyJhbGciOiJub25lIn0.e30.";
           }).observe(document, { childList: true, subtree: true });"""
    )
    open_portal_chat(page, "bayview")
    expect(page.get_by_text(re.compile("I couldn't use your portal session"))).to_be_visible()
    ask(page, "who handles billing questions?")
    expect(bot_messages(page).last).to_contain_text("Which region is the group in?")
    expect(page.get_by_text("Bayview Dental Partners (Northern California):")).to_have_count(0)


def test_the_agents_queue_shows_the_group(new_page):
    agent, broker = new_page(), new_page()
    open_desk(agent)
    open_portal_chat(broker, "harbor-pine")
    question = "who handles billing questions for Harbor & Pine?"
    ask(broker, question)
    say(broker, "talk to a person")
    expect(status_lines(broker).last).to_contain_text("Connecting you to an agent")
    expect(queued(agent, question)).to_contain_text("Harbor & Pine Logistics")
    broker.get_by_role("button", name="Leave the queue").click()
