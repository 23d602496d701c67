"""A new region is data: the test-only third sheet (tests/fixtures/knowledge/colorado.yml, fictitious
555-01xx numbers, never shipped), copied beside the real two, gets answers, region questions with its
button, the directory, the side-by-side, the handoff card, "what can you do" and the review report,
with no code change for it."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time

import pytest

from broker_faq.assistant import Assistant
from broker_faq.conversation import Mention, State, Turn
from broker_faq.directory import Directory
from broker_faq.knowledge import runtime
from broker_faq.knowledge.loader import load_knowledge
from ops import review
from tests.knowledge_files import with_third_region

DESK = "303-555-0100"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def knowledge_dir(tmp_path_factory):
    return with_third_region(tmp_path_factory.mktemp("three-regions"))


@pytest.fixture(scope="module")
def assistant(knowledge_dir):
    return Assistant(load_knowledge(knowledge_dir))


def say(assistant, intent, text, state=None):
    return assistant.respond(Turn(intent, text, (), state or State(), TODAY))


def test_a_group_in_the_new_region_gets_its_own_team(assistant):
    reply = say(assistant, "billing_questions", "who handles billing questions for my Denver group?")
    assert DESK in reply.text and "Colorado Service Desk" in reply.text
    assert "1-866-868-7220" not in reply.text  # never the Northwest's CSC
    assert reply.payload["region"] == "Colorado Front Range"  # the area the city is in
    assert reply.payload["sources"][0]["document"].startswith("Colorado Small Business")


def test_the_region_question_offers_its_button_and_the_button_answers(assistant):
    asked = say(assistant, "billing_questions", "who handles billing questions?")
    assert "differs between California, Colorado and Northwest (Oregon and Southwest Washington)" in asked.text
    colorado = next(b for b in asked.buttons if b.title == "Colorado")
    assert colorado.payload == '/inform_region{"region": "colorado"}'
    # The button's entity, as the action reads it from the payload (actions/tracker_adapter.py).
    pressed = Turn("inform_region", colorado.payload, (Mention("region", "colorado", 0),), asked.state, TODAY)
    answered = assistant.respond(pressed)
    assert DESK in answered.text


def test_a_topic_its_sheet_is_silent_on_gets_its_nearest_real_contact(assistant):
    reply = say(assistant, "stop_autopay", "how does a Boulder group stop autopay?")
    assert DESK in reply.text and "800-790-4661" not in reply.text


def test_the_california_rules_stay_californias(assistant):
    """The CID split is the California FAQ's rule: for a Colorado group, no decision, the nearest contact."""
    reply = say(assistant, "cid_split", "does a group in Denver with 20 subscribers in Boulder need to split?")
    assert DESK in reply.text and "separate" not in reply.text.split(".")[0]
    split = say(assistant, "cid_split", "HQ in Oakland, 15 subscribers in San Diego: do they need to separate?")
    assert "may need to separate" in split.text


def test_its_places_are_no_longer_uncovered_and_a_team_address_is_no_group_place(assistant):
    assert "I only have" not in say(assistant, "billing_questions", "billing contact for a Denver client").text
    csc = say(assistant, "team_contact", "CSC Denver phone number")
    assert "1-866-868-7220" in csc.text and DESK not in csc.text  # the CSC's mail goes to Denver


def test_what_it_does_names_every_region(assistant):
    assert "Colorado team for billing" in say(assistant, "capabilities", "what can you do").text
    outside = say(assistant, "out_of_scope", "what's the weather")
    assert "for California, Colorado and Northwest (Oregon and Southwest Washington)." in outside.text
    assert "Colorado Small Business" in say(assistant, "bot_challenge", "are you a bot").text
    uncovered = say(assistant, "billing_questions", "billing for a Honolulu group")
    assert "I only have California, Colorado and Northwest (Oregon and Southwest Washington) information" in (
        uncovered.text
    )
    assert any(b.title == "Colorado" for b in uncovered.buttons)


def test_the_directory_and_the_side_by_side_hold_it(assistant, knowledge_dir):
    found = Directory(load_knowledge(knowledge_dir)).find("service desk")
    assert found[0].team == "co_service_desk" and found[0].region == "Colorado"
    side = assistant.side_by_side("billing_questions")
    assert set(side) == {"California", "Northwest (Oregon and Southwest Washington)", "Colorado"}
    assert DESK in side["Colorado"].text


def test_the_handoff_card_gives_its_team(knowledge_dir, monkeypatch):
    from channels.handoff import handoff_card

    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setattr(runtime, "_RUNTIME", None)
    text, _ = handoff_card("colorado")
    assert DESK in text
    every, _ = handoff_card(None)
    assert every.count(": I can't transfer you") == 3 and DESK in every


def test_the_review_report_counts_its_answers(assistant, tmp_path):
    reply = say(assistant, "billing_questions", "billing contact for a Denver client")
    now = time.time()
    path = tmp_path / "tracker.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
            "timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        event = {"event": "bot", "timestamp": now, "text": reply.text, "data": {"custom": reply.payload}}
        db.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "VALUES ('broker-0123456789', 'bot', ?, NULL, NULL, ?)",
            (now, json.dumps(event)),
        )
    today = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()  # the review's days are UTC days
    found = review.read(review.open_store(f"sqlite:///{path}"), today, today)
    assert found.answers[("billing_questions", "Colorado Front Range")] == 1
