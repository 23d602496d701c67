"""The Insights tab's figures for a range of UTC days (web/insights_api.py): volume, what became of the
brokers' messages, containment, the live handoff, ratings and answers per topic and region, each per day,
as tables the console draws as charts and offers as CSV.

Every count comes from the SQL aggregates of stores/insights_sql.py, the ones `make review` prints
(ops/review.py), so the two agree for the same range (tests/unit/test_insights.py holds them together,
and both against a plain count of the same events). Here only the few rows those queries return are
arranged: days without events filled in, shares, the handoff waits' median and 90th percentile.

- Shares are of the brokers' messages (a rating's or a button's included): answered (an answer with a
  topic), fallback, out of scope, about a region no source covers.
- A conversation is contained on a day when none of its messages that day asked for a person (the
  `human_handoff` intent, typed or its button; every live handoff starts with one); over the range,
  when none of its messages in the range did.
- A live handoff is a request that joined the queue; its wait runs from "Connecting you…" to the note
  that an agent joined; abandoned: the broker left the queue, or no agent was left, before anyone took it.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field

from stores.events_reader import EventsReader
from stores.insights_sql import Handoff, Outcome, Rating, Totals, Volume

UTC = dt.timezone.utc
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Table:
    """One chart's numbers: the first column names the row (a day or a topic), the others its figures.
    `plotted`: the columns the chart draws (all but the first when empty)."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple]
    chart: str  # "bar", "stacked" (bars stacked), "line", "topics" (horizontal bars) or "" (a table alone)
    unit: str = "count"  # "count", "%" or "seconds"
    plotted: tuple[int, ...] = ()


@dataclass
class Insights:
    start: dt.date
    end: dt.date
    summary: list[dict] = field(default_factory=list)  # [{"name", "label", "value", "unit"}]
    tables: list[Table] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        return next((table for table in self.tables if table.name == name), None)

    def figure(self, name: str) -> float | int | None:
        return next(item["value"] for item in self.summary if item["name"] == name)

    def as_json(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "timezone": "UTC",
            "summary": self.summary,
            "tables": [{**asdict(table), "rows": [list(row) for row in table.rows]} for table in self.tables],
        }


def utc_range(start: dt.date, end: dt.date) -> tuple[float, float]:
    """The times from the start of the first day to the end of the last, UTC."""
    low = dt.datetime.combine(start, dt.time.min, tzinfo=UTC)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=UTC)
    return low.timestamp(), high.timestamp()


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 30 days, today (UTC) included."""
    end = today or dt.datetime.now(UTC).date()
    return end - dt.timedelta(days=DEFAULT_DAYS - 1), end


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank: the wait nine in ten requests did not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 1)


@dataclass
class Counted:
    """What the SQL aggregates returned for a range (stores/insights_sql.py)."""

    totals: Totals = field(default_factory=lambda: Totals(0, 0, 0, 0, 0))
    volume: list[Volume] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)


def counted(events: EventsReader, start: dt.date, end: dt.date) -> Counted:
    """The range's aggregates; none while the store holds no conversation (no events table yet)."""
    if not events.exists():
        return Counted()
    queries = events.insights()
    low, high = utc_range(start, end)
    return Counted(
        queries.totals(low, high),
        queries.volume(low, high),
        queries.outcomes(low, high),
        queries.ratings(low, high),
        queries.handoffs(low, high),
    )


def read(events: EventsReader, start: dt.date, end: dt.date) -> Insights:
    """The range's figures: the summary and one table per chart, every day of the range a row."""
    found = counted(events, start, end)
    days = [(start + dt.timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
    by_day = {v.day: v for v in found.volume}
    answers: Counter = Counter()  # (day, kind) -> count
    for o in found.outcomes:
        answers[(o.day, o.kind)] += o.count
    tables = [
        volume_table(days, by_day),
        outcomes_table(days, by_day, answers),
        containment_table(days, by_day),
        *handoff_tables(days, found.handoffs),
        *rating_tables(found.ratings),
        *answer_tables(days, found.outcomes),
    ]
    return Insights(start, end, summary(found), tables)


def summary(found: Counted) -> list[dict]:
    """The range at a glance (a conversation on several days counts once)."""
    totals, outcomes, handoffs = found.totals, found.outcomes, found.handoffs
    messages = totals.messages
    answered = sum(o.count for o in outcomes if o.kind == "answer")
    uncovered = sum(o.count for o in outcomes if o.kind != "answer")
    contained = totals.conversations - totals.asked_for_person
    waits = [h.taken - h.asked for h in handoffs if h.taken is not None]
    return [
        figure("conversations", "Conversations", totals.conversations),
        figure("messages", "Messages", messages),
        figure("answered", "Answered", share(answered, messages), "%"),
        figure("fallback", "Fallback", share(totals.fallback, messages), "%"),
        figure("out_of_scope", "Out of scope", share(totals.out_of_scope, messages), "%"),
        figure("uncovered", "Uncovered region", share(uncovered, messages), "%"),
        figure("containment", "Containment", share(contained, totals.conversations), "%"),
        figure("handoffs", "Live handoffs", len(handoffs)),
        figure("wait_median", "Wait for an agent, median", median(waits), "seconds"),
        figure("wait_p90", "Wait for an agent, 90th percentile", p90(waits), "seconds"),
        figure("abandoned", "Abandoned while waiting", sum(h.abandoned for h in handoffs)),
    ]


def figure(name: str, label: str, value: float | int | None, unit: str = "count") -> dict:
    return {"name": name, "label": label, "value": value, "unit": unit}


def empty(day: str) -> Volume:
    return Volume(day, 0, 0, 0, 0, 0)


def volume_table(days: list[str], by_day: dict[str, Volume]) -> Table:
    rows = [(day, by_day.get(day, empty(day)).conversations, by_day.get(day, empty(day)).messages) for day in days]
    return Table("volume", "Conversations and messages", ("Day", "Conversations", "Messages"), rows, "bar")


def outcomes_table(days: list[str], by_day: dict[str, Volume], answers: Counter) -> Table:
    rows = []
    for day in days:
        v = by_day.get(day, empty(day))
        rows.append(
            (
                day,
                share(answers[(day, "answer")], v.messages),
                share(v.fallback, v.messages),
                share(v.out_of_scope, v.messages),
                share(answers[(day, "uncovered_region")], v.messages),
            )
        )
    columns = ("Day", "Answered", "Fallback", "Out of scope", "Uncovered region")
    return Table("outcomes", "What became of the messages (share of messages)", columns, rows, "line", "%")


def containment_table(days: list[str], by_day: dict[str, Volume]) -> Table:
    rows = []
    for day in days:
        v = by_day.get(day, empty(day))
        contained = v.conversations - v.asked_for_person
        rows.append((day, v.conversations, contained, share(contained, v.conversations)))
    columns = ("Day", "Conversations", "Contained", "Containment")
    title = "Containment (conversations without a request for a person)"
    return Table("containment", title, columns, rows, "line", "%", plotted=(3,))


def handoff_tables(days: list[str], handoffs: list[Handoff]) -> list[Table]:
    counts: dict[str, list[Handoff]] = {day: [] for day in days}
    for h in handoffs:
        counts.setdefault(h.day, []).append(h)
    rows, waits = [], []
    for day in days:
        asked = counts[day]
        taken = [h.taken - h.asked for h in asked if h.taken is not None]
        rows.append((day, len(asked), len(taken), sum(h.abandoned for h in asked)))
        waits.append((day, median(taken), p90(taken)))
    columns = ("Day", "Handoffs", "Taken by an agent", "Abandoned while waiting")
    return [
        Table("handoffs", "Live handoffs", columns, rows, "bar"),
        Table("waits", "Wait for an agent (seconds)", ("Day", "Median", "90th percentile"), waits, "line", "seconds"),
    ]


def rating_tables(ratings: list[Rating]) -> list[Table]:
    per_topic: Counter = Counter()
    per_day: Counter = Counter()
    for r in ratings:
        per_topic[(r.topic or "?", r.rating)] += r.count
        per_day[(r.day, r.topic or "?", r.rating)] += r.count
    topics = sorted({topic for topic, _ in per_topic})
    topic_rows = [(t, per_topic[(t, "helpful")], per_topic[(t, "unhelpful")]) for t in topics]
    day_topics = sorted({(day, topic) for day, topic, _ in per_day})
    day_rows = [(d, t, per_day[(d, t, "helpful")], per_day[(d, t, "unhelpful")]) for d, t in day_topics]
    return [
        Table("ratings", "Ratings per topic", ("Topic", "Helpful", "Unhelpful"), topic_rows, "topics"),
        Table("ratings_by_day", "Ratings per day and topic", ("Day", "Topic", "Helpful", "Unhelpful"), day_rows, ""),
    ]


def answer_tables(days: list[str], outcomes: list[Outcome]) -> list[Table]:
    answers = [o for o in outcomes if o.kind == "answer"]
    per_topic: Counter = Counter()
    per_region: Counter = Counter()
    detail: Counter = Counter()
    for o in answers:
        per_topic[o.topic or "?"] += o.count
        per_region[(o.day, o.region)] += o.count
        detail[(o.day, o.topic or "?", o.region)] += o.count
    regions = sorted({region for _, region in per_region})
    region_rows = [(day, *[per_region[(day, region)] for region in regions]) for day in days]
    topic_rows = sorted(per_topic.items(), key=lambda item: (-item[1], item[0]))
    detail_rows = [(*key, count) for key, count in sorted(detail.items())]
    return [
        Table("topics", "Answers per topic", ("Topic", "Answers"), topic_rows, "topics"),
        Table("regions", "Answers per region", ("Day", *regions), region_rows, "stacked"),
        Table(
            "answers_by_day",
            "Answers per day, topic and region",
            ("Day", "Topic", "Region", "Answers"),
            detail_rows,
            "",
        ),
    ]
