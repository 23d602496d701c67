"""The agents' desk in the console: the contact directory of both regions, filtered as the agent types
(typos included), every number and e-mail a link with a copy button."""

from playwright.sync_api import Page, expect

from tests.browser.widget import screenshot, sign_in_to_console

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
    page.get_by_role("tab", name="Both regions").click()
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
    northwest.get_by_role("button", name="Copy the Northwest (Oregon and Southwest Washington) answer").click()
    assert "503-813-2630, option 3" in page.evaluate("navigator.clipboard.readText()")


def test_a_topic_one_source_is_silent_on_says_so_with_the_nearest_real_contact(page):
    california, northwest = open_comparison(page, "Reinstating a terminated contract")
    expect(california).to_contain_text("within 60 days of its termination date")
    expect(northwest).to_contain_text("doesn't cover reinstating a terminated contract")
    expect(northwest).to_contain_text("the nearest contact is")
    expect(northwest).to_contain_text("Small Business Group")
    expect(northwest).not_to_contain_text("60 days")
    screenshot(page, "agent-both-regions")
