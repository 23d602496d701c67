"""The agents' desk in the console: the contact directory of both regions, filtered as the agent types
(typos included), every number and e-mail a link with a copy button; both regions' answers side by
side; a conversation's transcript for the record, personal data masked as stored."""

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.widget import AGENT, ask, screenshot, sign_in_to_console

CSC_DETAILS = [
    "1-866-868-7220",
    "csc-den-roc-group@kp.org",
    "Fax1-866-311-5974",
    "Monday through Friday, 8 a.m. to 5 p.m.",
    "P.O. Box 203012",
    "Denver, CO 80220-9012",
    "membership enrollments, changes, or dependents",
    "Northwest Small Business: Helpful Contacts, “Consolidated Service Center (CSC)”",
]


def open_directory(page: Page):
    sign_in_to_console(page)
    page.get_by_role("tab", name="Contact directory").click()
    teams = page.get_by_role("list", name="Teams").get_by_role("listitem").filter(has=page.locator("article"))
    expect(teams).to_have_count(8)
    return teams


def filter_directory(page: Page, typed: str) -> None:
    box = page.get_by_label("Filter by team, acronym, need, number or e-mail")
    box.fill("")
    box.press_sequentially(typed, delay=40)  # as an agent types: one debounced request at the end


def test_the_directory_shows_every_team_of_both_regions_with_its_details_and_source(page):
    teams = open_directory(page)
    expect(page.get_by_role("status").filter(has_text="8 teams in both regions.")).to_have_count(1)
    csc = teams.filter(has_text="Consolidated Service Center (CSC)")
    for detail in CSC_DETAILS:
        expect(csc).to_contain_text(detail)
    amt = teams.filter(has_text="Small Business Account Management Support Team")
    expect(amt).to_contain_text("California")
    expect(amt.get_by_role("link", name="800-790-4661")).to_have_attribute("href", "tel:+18007904661")
    expect(amt).to_contain_text("800-790-4661, option 3")
    expect(csc.get_by_role("link", name="csc-den-roc-group@kp.org")).to_have_attribute(
        "href", "mailto:csc-den-roc-group@kp.org"
    )
    expect(page.get_by_text("4611")).to_have_count(0)  # the FAQ's misprint is never shown


def test_the_filter_narrows_as_the_agent_types_by_acronym_need_number_e_mail_and_with_typos(page):
    teams = open_directory(page)
    for typed, first, count in [
        ("ebs", "Employer and Broker Service (EBS)", None),
        ("consolidted", "Consolidated Service Center (CSC)", None),  # a typo
        ("5500 report", "Employer and Broker Service (EBS)", None),  # a need
        ("dependnts", "Consolidated Service Center (CSC)", None),  # a need, with a typo
        ("member servces", "Member Services", None),
        ("4661", "Small Business Account Management Support Team", 2),  # digits of a number two teams share
        ("small.group.resp", "Small Business Group", 1),  # part of an e-mail
    ]:
        filter_directory(page, typed)
        expect(page.get_by_role("status").filter(has_text=f"“{typed}”")).to_have_count(1)
        expect(teams.first.get_by_role("heading")).to_have_text(first)
        if count:
            expect(teams).to_have_count(count)
    filter_directory(page, "acupuncture")
    expect(page.get_by_role("status").filter(has_text="No team matches “acupuncture”.")).to_have_count(1)
    expect(teams).to_have_count(0)
    filter_directory(page, "")
    expect(teams).to_have_count(8)


def test_a_number_is_copied_with_its_option_by_its_copy_button(page):
    teams = open_directory(page)
    filter_directory(page, "account management support")
    amt = teams.filter(has_text="Small Business Account Management Support Team")
    amt.get_by_role("button", name="Copy 800-790-4661, option 3").click()
    expect(page.get_by_role("status").filter(has_text="Copied 800-790-4661, option 3")).to_have_count(1)
    assert page.evaluate("navigator.clipboard.readText()") == "800-790-4661, option 3"
    filter_directory(page, "ebs")
    teams.first.get_by_role("button", name="Copy nw.kp.ebs@kp.org").click()
    expect(page.get_by_role("status").filter(has_text="Copied nw.kp.ebs@kp.org")).to_have_count(1)
    assert page.evaluate("navigator.clipboard.readText()") == "nw.kp.ebs@kp.org"


def test_screenshot_of_the_directory_filtered(page):
    teams = open_directory(page)
    filter_directory(page, "csc")  # the California Service Center and the Northwest's Consolidated one
    expect(teams).to_have_count(2)
    screenshot(page, "agent-directory")


def open_comparison(page: Page, title: str):
    sign_in_to_console(page)
    page.get_by_role("tab", name="Regions side by side").click()
    page.get_by_label("Topic", exact=True).select_option(label=title)
    expect(page.locator("#compare-title")).to_have_text(title)
    return page.get_by_role("region", name="California"), page.get_by_role(
        "region", name="Northwest (Oregon and Southwest Washington)"
    )


def test_both_regions_answers_side_by_side_with_their_contacts_and_sources(page):
    california, northwest = open_comparison(page, "Terminating a small group's contract")
    expect(california).to_contain_text("Small Business Account Management Support Team")
    expect(california).to_contain_text("800-790-4661, option 3")
    expect(california.get_by_role("link", name="800-790-4661")).to_have_attribute("href", "tel:+18007904661")
    expect(california).to_contain_text(
        "Source: California Small Business Broker FAQ, “How do I help a small group terminate their contract?”"
    )
    expect(northwest).to_contain_text("503-813-2630, option 3")
    expect(northwest).to_contain_text("Source: Northwest Small Business: Helpful Contacts")
    # Next to each other: the same row, California on the left.
    left, right = california.bounding_box(), northwest.bounding_box()
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2
    northwest.get_by_role("button", name="Copy answer for Northwest (Oregon and Southwest Washington)").click()
    assert "503-813-2630, option 3" in page.evaluate("navigator.clipboard.readText()")


def test_a_topic_one_source_is_silent_on_says_so_with_the_nearest_real_contact(page):
    california, northwest = open_comparison(page, "Reinstating a terminated contract")
    expect(california).to_contain_text("within 60 days of its termination date")
    expect(northwest).to_contain_text("doesn't cover reinstating a terminated contract")
    expect(northwest).to_contain_text("the nearest contact is")
    expect(northwest).to_contain_text("Small Business Group")
    expect(northwest).not_to_contain_text("60 days")
    screenshot(page, "agent-both-regions")


PII_QUESTION = (
    "My SSN is 123-45-6789, call me at 415-555-0134 or jane.doe@example.com. "
    "How do I terminate a California small group contract?"
)
ORIGINALS = ["123-45-6789", "415-555-0134", "jane.doe@example.com", "6789", "0134", "jane.doe"]


def assert_a_masked_transcript(text: str, conversation_id: str) -> None:
    assert f"Broker assistant conversation {conversation_id}" in text
    lines = text.splitlines()
    [asked] = [line for line in lines if "] Broker: " in line]
    assert re.fullmatch(
        r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Broker: My SSN is \[SSN\], call me at \[PHONE\] or \[EMAIL\]\. .*", asked
    )
    assert re.search(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Assistant: \S", text, re.M)
    assert "    To help a California small group terminate its contract" in text
    assert "    Phone: 800-790-4661, option 3" in text
    assert (
        "    (answer: topic terminate_contract, region California; source: California Small Business Broker FAQ, "
        "“How do I help a small group terminate their contract?”)"
    ) in text
    assert not [original for original in ORIGINALS if original in text]


def test_a_transcript_is_shown_copied_and_downloaded_with_times_sources_and_pii_masked_as_stored(page, audit_log):
    sign_in_to_console(page)
    ask(page, PII_QUESTION)
    expect(page.locator(".turn").first).to_contain_text("terminate_contract")  # stored and read back
    conversation_id = page.evaluate("JSON.parse(Object.values(localStorage)[0]).sessionId")

    page.get_by_role("tab", name="Transcript").click()
    expect(page.get_by_label("Conversation id")).to_have_value(conversation_id)  # the chat beside it
    page.get_by_role("button", name="Show transcript").click()
    shown = page.get_by_label("Transcript text")
    expect(shown).to_contain_text("Broker: My SSN is [SSN]")
    assert_a_masked_transcript(shown.inner_text(), conversation_id)

    page.get_by_role("button", name="Copy as text").click()
    expect(page.get_by_role("status").filter(has_text="Transcript copied")).to_have_count(1)
    assert_a_masked_transcript(page.evaluate("navigator.clipboard.readText()"), conversation_id)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download .txt").click()
    assert download.value.suggested_filename.startswith(f"transcript-{conversation_id}-")
    assert_a_masked_transcript(Path(download.value.path()).read_text(encoding="utf-8"), conversation_id)

    records = [json.loads(line) for line in audit_log.read_text().splitlines()]
    mine = [(r["agent"], r["action"]) for r in records if r.get("conversation") == conversation_id]
    assert mine == [(AGENT, action) for action in ("details", "view", "copy", "download")]
    assert (AGENT, "sign-in") in [(r["agent"], r["action"]) for r in records]
    assert not [original for original in ORIGINALS if original in audit_log.read_text()]


def test_a_topic_is_found_by_question_with_the_keyboard_alone_typos_included(page):
    sign_in_to_console(page)
    page.get_by_role("tab", name="Regions side by side").click()
    box = page.get_by_role("combobox", name="Find a topic by question")
    box.focus()
    page.keyboard.type("reinstatment", delay=30)  # a typo
    topics = page.get_by_role("listbox", name="Topics")
    options = topics.get_by_role("option")
    expect(options.first).to_have_text("What is the reinstatement deadline after termination?")
    expect(box).to_have_attribute("aria-expanded", "true")
    assert options.count() <= 5
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    page.keyboard.press("Enter")
    expect(page.locator("#compare-title")).to_have_text("Reinstating a terminated contract")
    expect(page.get_by_role("region", name="California")).to_contain_text("within 60 days")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_be_focused()

    page.keyboard.type("autopay", delay=30)
    expect(options.first).to_be_visible()
    page.keyboard.press("Escape")  # closes the list, keeps the text
    expect(topics).to_be_hidden()
    expect(box).to_have_value("autopay")
    expect(box).to_have_attribute("aria-expanded", "false")
