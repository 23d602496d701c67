"""The Insights tab's figures (ops/insights.py, stores/insights_sql.py): the SQL aggregates equal a plain
count of the same events, one at a time; `make review` prints the same figures for the same range; days
are UTC days; the aggregates read the indexes the Rasa server's tracker store creates."""

import datetime as dt

import pytest
import sqlalchemy as sa

from ops import insights, review
from stores.events_reader import EventsReader
from stores.insights_sql import INDEXES, create_indexes
from tests.insights_events import conversations, plain_count, write_sqlite

TODAY = dt.datetime.now(dt.timezone.utc).date()
FIRST_DAY = TODAY - dt.timedelta(days=44)  # the seeded 45 days reach past the default 30


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("insights") / "t.db"
    stored = list(conversations(600, FIRST_DAY, 45))
    write_sqlite(path, stored)
    return EventsReader(f"sqlite:///{path}"), stored


def test_the_figures_of_the_last_30_days_equal_a_plain_count_of_their_events(seeded):
    events, stored = seeded
    start, end = insights.default_range()
    assert (end - start).days == 29 and end == TODAY
    found = insights.read(events, start, end)
    plain = plain_count(stored, *insights.utc_range(start, end))
    assert 200 < len(plain.conversations) < 600  # the range cuts the seeded days
    assert found.figure("conversations") == len(plain.conversations)
    assert found.figure("messages") == plain.messages
    assert found.figure("fallback") == insights.share(plain.fallback, plain.messages)
    assert found.figure("out_of_scope") == insights.share(plain.out_of_scope, plain.messages)
    assert found.figure("answered") == insights.share(sum(plain.answers.values()), plain.messages)
    assert found.figure("uncovered") == insights.share(sum(plain.uncovered.values()), plain.messages)
    contained = len(plain.conversations - plain.asked_for_person)
    assert found.figure("containment") == insights.share(contained, len(plain.conversations))
    assert found.figure("handoffs") == plain.handoffs > 5
    assert found.figure("abandoned") == plain.abandoned > 0
    assert found.figure("wait_median") == insights.median(plain.waits)
    assert found.figure("wait_p90") == insights.p90(plain.waits)
    detail = found.table("answers_by_day")
    assert {(day, topic, region): n for day, topic, region, n in detail.rows} == dict(plain.answers)
    ratings = {(topic, rating): n for topic, helpful, unhelpful in found.table("ratings").rows
               for rating, n in (("helpful", helpful), ("unhelpful", unhelpful)) if n}  # fmt: skip
    assert ratings == dict(plain.ratings)


def test_every_day_of_the_range_has_a_row_and_the_days_add_up_to_the_range(seeded):
    events, _ = seeded
    start, end = insights.default_range()
    found = insights.read(events, start, end)
    volume = found.table("volume")
    assert [row[0] for row in volume.rows] == [(start + dt.timedelta(days=n)).isoformat() for n in range(30)]
    assert sum(row[2] for row in volume.rows) == found.figure("messages")
    assert sum(row[1] for row in found.table("handoffs").rows) == found.figure("handoffs")
    assert sum(row[1] for row in found.table("topics").rows) == sum(
        row[3] for row in found.table("answers_by_day").rows
    )
    regions = found.table("regions")
    assert "region not known" in regions.columns
    assert sum(sum(row[1:]) for row in regions.rows) == sum(row[1] for row in found.table("topics").rows)


def test_make_review_prints_the_figures_the_insights_tab_shows_for_the_same_range(seeded, capsys, tmp_path):
    events, _ = seeded
    start, end = TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=3)
    shown = insights.read(events, start, end)
    url = str(events.engine.url).replace("file:", "").split("?")[0]
    argv = ["--from", start.isoformat(), "--to", end.isoformat(), "--db", url, "--out", str(tmp_path)]
    assert review.main(argv) == 0
    printed = capsys.readouterr().out
    table = review.rows(review.read(events, start, end))
    volume = {item: count for section, item, count, _ in table if section == "volume"}
    assert volume["conversations"] == shown.figure("conversations")
    assert volume["messages"] == shown.figure("messages")
    messages = shown.figure("messages")
    failed = round(100 * volume["fallback or out of scope"] / messages, 1)
    assert failed == pytest.approx(shown.figure("fallback") + shown.figure("out_of_scope"), abs=0.1)
    answers = {(item, detail): count for section, item, count, detail in table if section == "answers"}
    detail = shown.table("answers_by_day").rows
    per_topic_region: dict = {}
    for _, topic, region, n in detail:
        per_topic_region[(topic, region)] = per_topic_region.get((topic, region), 0) + n
    assert answers == per_topic_region
    unhelpful = [item for section, item, _, _ in table if section == "rated unhelpful"]
    assert len(unhelpful) == sum(row[2] for row in shown.table("ratings").rows)
    uncovered = sum(count for section, _, count, _ in table if section == "uncovered region")
    assert round(100 * uncovered / messages, 1) == shown.figure("uncovered")
    assert f"{volume['messages']:6d}  messages" in printed


def test_days_are_utc_days(tmp_path):
    late = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.timezone.utc).timestamp()  # 16:30 in California
    stored = [("utc-day-0123456789", [{"event": "user", "timestamp": late, "text": "hi",
                                       "parse_data": {"intent": {"name": "greet"}}}])]  # fmt: skip
    write_sqlite(tmp_path / "t.db", stored)
    found = insights.read(EventsReader(f"sqlite:///{tmp_path / 't.db'}"), dt.date(2026, 3, 9), dt.date(2026, 3, 10))
    assert found.table("volume").rows == [("2026-03-09", 1, 1), ("2026-03-10", 0, 0)]
    assert found.as_json()["timezone"] == "UTC"


def test_a_store_without_conversations_shows_zeros_and_no_share(tmp_path):
    found = insights.read(EventsReader(f"sqlite:///{tmp_path / 'none.db'}"), TODAY, TODAY)
    assert found.figure("conversations") == 0 and found.figure("answered") is None
    assert found.table("volume").rows == [(TODAY.isoformat(), 0, 0)]


def test_the_median_and_90th_percentile_of_the_waits():
    assert insights.median([]) is None and insights.p90([]) is None
    assert insights.median([10, 20, 30, 40]) == 25
    assert insights.p90(list(range(1, 11))) == 9  # nearest rank: nine in ten waited no longer
    assert insights.p90([5.0]) == 5.0


def test_the_aggregates_read_the_indexes_the_tracker_store_creates(seeded, tmp_path):
    _, stored = seeded
    write_sqlite(tmp_path / "t.db", stored[:50])
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    create_indexes(engine)
    create_indexes(engine)  # idempotent: every start of the Rasa server
    with engine.connect() as connection:
        names = {row[1] for row in connection.execute(sa.text("PRAGMA index_list(events)"))}
        plan = " ".join(
            str(row[-1])
            for row in connection.execute(
                sa.text("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM events WHERE type_name = 'user' AND timestamp >= 0")
            )
        )
    assert {name for name, _ in INDEXES} <= names
    assert "events_type_time" in plan


def test_the_rasa_servers_tracker_store_creates_the_indexes(tmp_path):
    from stores.masking_sql import MaskingSQLTrackerStore

    MaskingSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    with sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}").connect() as connection:
        names = {row[1] for row in connection.execute(sa.text("PRAGMA index_list(events)"))}
    assert {name for name, _ in INDEXES} <= names
