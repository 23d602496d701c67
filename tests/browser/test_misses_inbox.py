"""The misses inbox in the agent console (misses.js, web/misses_api.py): a lead sees the Misses tab, labels a
group of similar missed messages with the topic that should have answered them, sees who labelled it and
when, undoes one, and opens a miss's conversation in a click; an agent sees no Misses tab. The web server
alone serves here (tests/unit/web_app.py), over a tracker store of misses (tests/unit/misses_store.py)."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.widget import AGENT_PASSWORD, SCREENSHOTS, sign_in_to_console
from tests.unit.misses_store import write_misses
from tests.unit.test_web_server import serve, store
from web.accounts import AccountStore
from web.audit import AuditLog

LEAD, AGENT = "lena", "alex"


@pytest.fixture
def web(tmp_path):
    write_misses(tmp_path / "t.db")
    accounts = AccountStore(tmp_path / "agents.json")
    accounts.add(LEAD, AGENT_PASSWORD, role="lead")
    accounts.add(AGENT, AGENT_PASSWORD)
    served = serve(store(tmp_path / "t.db"), tmp_path, REVIEWED_NLU=str(tmp_path / "reviewed.yml"))
    yield served
    served.stop()


@pytest.fixture
def console(browser):
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not problems


def test_a_lead_labels_a_group_of_misses_undoes_one_and_opens_a_conversation(web, console, tmp_path):
    page = console
    sign_in_to_console(page, web.url, LEAD)
    page.get_by_role("tab", name="Misses").click()
    group = page.locator(".miss-group").filter(has_text="2 similar messages")
    expect(group).to_contain_text("fax number for EBS please")
    expect(group).to_contain_text("what is the fax for EBS")
    expect(page.locator(".miss-group")).to_have_count(4)
    group.get_by_label("Label for the group").select_option("update_address")
    group.get_by_role("button", name="Label the group").click()
    expect(page.get_by_role("status").filter(has_text="Labelled the group")).to_be_visible()
    labelled = page.locator(".miss-group").filter(has_text="2 similar messages").locator(".miss-label")
    expect(labelled).to_have_count(2)
    expect(labelled.first).to_contain_text(f"by {LEAD}")
    entries = [e for e in AuditLog(tmp_path / "console-audit.log").entries() if e["action"] == "label"]
    assert [(e["agent"], e["role"], e["label"], len(e["messages"])) for e in entries] == [
        (LEAD, "lead", "update_address", 2)
    ]

    page.locator(".miss-group").filter(has_text="2 similar messages").get_by_role("button", name="Undo").first.click()
    expect(page.locator(".miss-label")).to_have_count(0)  # the group's labelling was one batch: both undone

    lakers = page.locator(".miss").filter(has_text="who won the Lakers game")
    lakers.get_by_role("button", name="Conversation").click()
    expect(page.get_by_role("tab", name="Transcript")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#transcript")).to_contain_text("who won the Lakers game")


def test_an_agent_sees_the_console_without_the_misses_tab(web, console):
    sign_in_to_console(console, web.url, AGENT)
    expect(console.get_by_role("tab", name="Answer details")).to_be_visible()
    expect(console.get_by_role("tab", name="Misses")).to_be_hidden()


def test_the_labelled_inbox_has_no_serious_accessibility_violation_and_its_screenshot(web, console):
    """The inbox with every kind of miss, a group labelled (its Undo buttons and who labelled it): axe-core's
    WCAG 2.1 A/AA rules (tests/browser/axe.py), then the desk column as docs/screenshots/misses-inbox.png
    is taken from (test-output/screenshots/misses-inbox.png)."""
    page = console
    sign_in_to_console(page, web.url, LEAD)
    page.get_by_role("tab", name="Misses").click()
    group = page.locator(".miss-group").filter(has_text="2 similar messages")
    group.get_by_label("Label for the group").select_option("update_address")
    group.get_by_role("button", name="Label the group").click()
    expect(group.locator(".miss-label")).to_have_count(2)
    assert_accessible(page, "console, Misses with a labelled group")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1300})  # the whole inbox, from its heading
    page.evaluate("() => { for (const el of document.querySelectorAll('*')) el.scrollTop = 0; window.scrollTo(0, 0); }")
    page.locator(".desk-column").screenshot(path=SCREENSHOTS / "misses-inbox.png")
