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
