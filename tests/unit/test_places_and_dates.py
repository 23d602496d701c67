"""Places and dates as brokers write them."""

import datetime as dt

import pytest

from broker_faq.answers.reinstatement import reinstatement_window
from broker_faq.reading.dates import parse_date
from broker_faq.reading.places import Gazetteer, Place, Uncovered
from tests.conftest import TODAY


@pytest.mark.parametrize(
    "mention, key",
    [
        ("Oakland", "northern_california"),
        ("Bay Area", "northern_california"),
        ("NorCal", "northern_california"),
        ("Fresno", "northern_california"),
        ("SoCal", "southern_california"),
        ("Los Angeles", "southern_california"),
        ("San Diego", "southern_california"),
        ("LA", "southern_california"),
        ("California", "california"),
        ("CA", "california"),
        ("Portland", "oregon"),
        ("Salem", "oregon"),
        ("Eugene", "oregon"),
        ("OR", "oregon"),
        ("Vancouver WA", "southwest_washington"),
        ("Vancouver, WA", "southwest_washington"),
        ("Northwest", "northwest"),
        ("Portland, OR", "oregon"),
    ],
)
def test_covered_places_resolve(knowledge, mention, key):
    place = Gazetteer(knowledge).resolve(mention)
    assert isinstance(place, Place) and place.key == key


@pytest.mark.parametrize("mention", ["Colorado", "Georgia", "Hawaii", "Seattle", "Texas", "Denver"])
def test_uncovered_places_are_recognised(knowledge, mention):
    assert isinstance(Gazetteer(knowledge).resolve(mention), Uncovered)


def test_washington_alone_is_taken_as_southwest_washington_with_a_caveat(knowledge):
    place = Gazetteer(knowledge).resolve("Washington")
    assert place.region == "northwest" and "not in my sources" in place.note


@pytest.mark.parametrize(
    "text",
    [
        "October 1, 2026",
        "2026-10-01",
        "10/1/2026",
        "Oct 1st 2026",
        "1 October 2026",
        "Oct. 1, 2026",
        "terminated on 10-01-2026",
    ],
)
def test_common_date_spellings(text):
    assert parse_date(text, TODAY).date == dt.date(2026, 10, 1)


def test_jan_20_2026_and_a_missing_year():
    assert parse_date("Jan 20 2026", TODAY).date == dt.date(2026, 1, 20)
    parsed = parse_date("they termed March 3rd", TODAY)
    assert parsed.date == dt.date(2026, 3, 3) and parsed.year_assumed


def test_impossible_dates_and_non_dates_are_not_dates():
    assert parse_date("2/30/2026", TODAY) is None
    assert parse_date("we may need to separate", TODAY) is None


def test_reinstatement_window_is_60_days_from_termination():
    window = reinstatement_window(dt.date(2026, 6, 1), 60, TODAY)
    assert window.last_day == dt.date(2026, 7, 31) and not window.is_open
    window = reinstatement_window(dt.date(2026, 11, 1), 60, TODAY)
    assert window.last_day == dt.date(2026, 12, 31) and window.days_left == 38


def test_a_date_corrected_away_is_not_a_candidate(chat):
    chat.say("reinstatement", "The group termed on the 1st of August 2027, reinstatement deadline? LA client")
    reply = chat.say("inform_date", "wait, it was July 31st 2027, not August 1st")
    assert "termination date of July 31, 2027" in reply.text and "September 29, 2027" in reply.text
    assert "August 1" not in reply.text


def test_a_lone_refused_date_is_no_termination_date(chat):
    reply = chat.say("reinstatement", "it's not 9/30/2027, what's the reinstatement deadline then?")
    assert "November 29, 2027" not in reply.text and "Tell me the termination date" in reply.text


@pytest.mark.parametrize(
    ("follow_up", "verdict"),
    [
        ("Is the 14th of May 2027 too late to ask for reinstatement?", "No: a request on May 14, 2027 would be 2 days"),
        ("is May 10, 2027 still ok?", "Yes: a request on May 10, 2027 is within the window."),
        ("would a request on May 12, 2027 be in time?", "Yes: a request on May 12, 2027 is within the window."),
    ],
)
def test_a_day_asked_about_after_the_termination_date_gets_the_yes_or_no(chat, follow_up, verdict):
    chat.say("reinstatement", "Client in Stockton, CA terminated on the 13th of March 2027.")
    reply = chat.say("reinstatement", follow_up)
    assert reply.text.startswith(verdict) and "termination date of March 13, 2027" in reply.text


def test_a_date_of_something_else_before_a_question_is_not_the_day_asked_about(chat):
    chat.say("reinstatement", "Client in Stockton, CA terminated on the 13th of March 2027.")
    reply = chat.say("reinstatement", "the owner was born 1/2/1980, who do I call about reinstating?")
    assert not reply.text.startswith(("Yes", "No", "January 2, 1980")) and "May 12, 2027" in reply.text


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("effective New Year's Eve 2027", dt.date(2027, 12, 31)),
        ("termed Christmas Day, 2027", dt.date(2027, 12, 25)),
        ("ended new years day of 2028", dt.date(2028, 1, 1)),
        ("terminated on Independence Day 2027", dt.date(2027, 7, 4)),
    ],
)
def test_holidays_on_a_fixed_day_are_dates(text, date):
    assert parse_date(text, TODAY).date == date


def test_a_holiday_termination_gets_its_deadline(chat):
    reply = chat.say("reinstatement", "Termination was effective New Year's Eve 2027 for a Long Beach group. Deadline?")
    assert "termination date of December 31, 2027" in reply.text and "February 29, 2028" in reply.text


def test_a_day_asked_about_is_checked_again_when_the_termination_date_is_corrected(chat):
    chat.say("reinstatement", "LA group terminated September 15, 2027. Can they still request on November 10, 2027?")
    reply = chat.say("inform_date", "Sorry, termination was actually August 15, 2027.")
    assert reply.text.startswith("No: a request on November 10, 2027 would be 27 days too late")
    assert "October 14, 2027" in reply.text


def test_a_new_reinstatement_question_forgets_the_day_asked_about_before(chat):
    chat.say("reinstatement", "LA group terminated September 15, 2027. Can they still request on November 10, 2027?")
    reply = chat.say("reinstatement", "another client, terminated August 15, 2027 - what's their deadline?")
    assert "November 10" not in reply.text and "October 14, 2027" in reply.text


def test_a_termination_date_said_on_another_topic_is_kept_for_reinstatement(chat):
    chat.say("inform_region", "Client in Santa Monica.")
    chat.say("terminate_contract", "Their termination was the end of February 2028.")
    reply = chat.say("reinstatement", "last day to request reinstatement?")
    assert "termination date of February 29, 2028" in reply.text and "April 29, 2028" in reply.text
