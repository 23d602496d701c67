"""'Was this helpful?' in the widget: the rating and comment are stored with the answer they rate."""

import json
import sqlite3

from playwright.sync_api import expect

from tests.browser.widget import ask, open_chat


def stored_feedback(assistant) -> list[dict]:
    with sqlite3.connect(assistant.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE type_name = 'slot' AND action_name = 'feedback'")
        return [json.loads(data)["value"] for (data,) in rows]


def test_an_unhelpful_rating_with_a_comment_is_stored_with_its_answer(page, assistant):
    open_chat(page)
    ask(page, "Northwest small business new sales phone")
    rating = page.get_by_role("group", name="Was this answer helpful?").last
    rating.get_by_role("button", name="No").click()
    page.get_by_label("What was missing? (optional)").fill("I needed the fax number")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".kpc-bot").last).to_contain_text("the team reviews answers marked unhelpful")
    expect(rating).to_contain_text("Thanks for your feedback.")
    assert {
        "rating": "unhelpful",
        "topic": "new_sales",
        "comment": "I needed the fax number",
    }.items() <= stored_feedback(assistant)[-1].items()


def test_a_helpful_rating_is_kept_across_a_reload(page, assistant):
    open_chat(page)
    ask(page, "member services phone in the northwest")
    page.get_by_role("group", name="Was this answer helpful?").last.get_by_role("button", name="Yes").click()
    expect(page.locator(".kpc-bot").last).to_contain_text("Thanks for letting me know")
    assert stored_feedback(assistant)[-1]["rating"] == "helpful"
    page.reload()
    expect(page.get_by_role("group", name="Was this answer helpful?").last).to_contain_text("Thanks for your feedback.")
