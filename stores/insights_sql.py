"""The figures of the console's Insights tab and of `make review`, as SQL aggregates over Rasa's `events`
table, on SQLite and PostgreSQL alike: each query groups in the database and hands back rows per day,
topic and region (or one per live handoff), never the events themselves, so the last 30 days of 100,000
stored conversations answer in under 0.5 s (benchmarks/insights_scale.py, docs/performance.md).

Days are UTC days: grouped as whole days since the epoch (timestamp / 86400, the same on both), formatted
as dates only for the grouped rows (SQLite's date(..., 'unixepoch'), PostgreSQL's to_timestamp(...) AT
TIME ZONE 'UTC'). What a bot message carried (an answer's topic and region, an uncovered place, a change
of hands in the live handoff) is read from its JSON in `data` (json_extract on SQLite, jsonb on PostgreSQL).

The queries read a time range of one event type, so they need the indexes of INDEXES, which Rasa does
not create: the Rasa server's tracker store creates them on start-up (stores/masking_sql.py,
`create_indexes`); the readers here are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

FALLBACK, OUT_OF_SCOPE = "nlu_fallback", "out_of_scope"
HANDOFF_INTENT = "human_handoff"  # "talk to a person", typed or its button
NO_REGION = "region not known"

# (name, columns): a time range of one event type, for every query, with the two columns the brokers'
# messages are counted by, so those counts read the index alone (on SQLite 0.8 s -> 0.3 s for a year of
# 100,000 conversations, benchmarks/insights_scale.py); and a time range of every type (ops/misses.py and
# the review's former reading, EventsReader.between()).
INDEXES = (
    ("events_type_time", "type_name, timestamp, intent_name, sender_id"),
    ("events_time", "timestamp"),
)


def create_indexes(engine: sa.engine.Engine) -> None:
    """The indexes the aggregates need, if the events table lacks them (Rasa creates it with sender_id's
    only). Idempotent; on PostgreSQL a few seconds per million rows the first time."""
    with engine.begin() as connection:
        for name, columns in INDEXES:
            connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON events ({columns})"))


class Dialect:
    """The two SQL fragments that differ between SQLite and PostgreSQL."""

    def __init__(self, name: str):
        if name not in ("sqlite", "postgresql"):
            raise ValueError(f"the Insights queries run on SQLite or PostgreSQL, not {name}")
        self.name = name

    def day_number(self, column: str = "timestamp") -> str:
        """The UTC day of a time in seconds since the epoch, as days since 1970-01-01: what is grouped by,
        cheaper per row than formatting a date."""
        if self.name == "sqlite":
            return f"CAST({column} / 86400 AS INTEGER)"  # truncates: the floor, for times after 1970
        return f"CAST(floor({column} / 86400) AS INTEGER)"

    def iso_day(self, day_number: str) -> str:
        """A day number as YYYY-MM-DD (UTC), for the few grouped rows."""
        if self.name == "sqlite":
            return f"date({day_number} * 86400, 'unixepoch')"
        return f"to_char(to_timestamp({day_number} * 86400) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

    def field(self, *path: str) -> str:
        """A text field of the event's JSON (`data`): field("data", "custom", "type")."""
        if self.name == "sqlite":  # SQLite parses a row's JSON once for all the calls of a statement
            return f"json_extract(data, '$.{'.'.join(path)}')"
        return f"(data::json #>> '{{{','.join(path)}}}')"

    def custom(self) -> str:
        """A bot message's payload (data.custom), parsed once to read several fields from: jsonb on
        PostgreSQL, where each operator on a `json` value parses its text again; SQLite needs no help."""
        return "data" if self.name == "sqlite" else "(data::jsonb #> '{data,custom}')"

    def custom_field(self, name: str) -> str:
        """A text field of the payload custom() gave, as `custom`."""
        if self.name == "sqlite":
            return f"json_extract(custom, '$.data.custom.{name}')"
        return f"(custom ->> '{name}')"

    def once(self) -> str:
        """What keeps a subquery's columns computed once per row: PostgreSQL would otherwise inline the
        subquery, copying the parse into every use (OFFSET 0 is its documented fence)."""
        return "" if self.name == "sqlite" else "OFFSET 0"


@dataclass(frozen=True)
class Volume:
    day: str
    conversations: int  # with a broker's message that day
    messages: int  # the brokers' messages
    fallback: int
    out_of_scope: int
    asked_for_person: int  # conversations with a "talk to a person" that day


@dataclass(frozen=True)
class Totals:
    conversations: int
    messages: int
    fallback: int
    out_of_scope: int
    asked_for_person: int  # conversations


@dataclass(frozen=True)
class Outcome:
    day: str
    kind: str  # "answer" or "uncovered_region"
    topic: str | None  # an answer's
    region: str  # an answer's (NO_REGION when none was known)
    place: str | None  # an uncovered region's
    count: int


@dataclass(frozen=True)
class Rating:
    day: str
    topic: str | None
    rating: str  # "helpful" or "unhelpful"
    count: int


@dataclass(frozen=True)
class Unhelpful:
    topic: str | None
    region: str | None
    comment: str


@dataclass(frozen=True)
class Handoff:
    """One request for a person that reached the queue: when, when an agent took it, or when the broker
    stopped waiting (left, or no agent was left) before anyone did."""

    day: str
    asked: float
    taken: float | None
    gave_up: float | None

    @property
    def abandoned(self) -> bool:
        return self.taken is None and self.gave_up is not None


class InsightsQueries:
    """The aggregates over an engine's events table between two times (start <= timestamp < end)."""

    def __init__(self, engine: sa.engine.Engine):
        self.engine = engine
        self.sql = Dialect(engine.dialect.name)

    def _rows(self, query: str, start: float, end: float, **params: object) -> list[sa.engine.Row]:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.text(query), {"start": start, "end": end, **params}))

    def volume(self, start: float, end: float) -> list[Volume]:
        """Per day: conversations, messages, fallbacks, out of scope, conversations asking for a person."""
        query = f"""
            SELECT {self.sql.iso_day("day")}, conversations, messages, fallback, out_of_scope, asked FROM (
                SELECT {self.sql.day_number()} AS day, COUNT(DISTINCT sender_id) AS conversations,
                       COUNT(*) AS messages,
                       SUM(CASE WHEN intent_name = :fallback THEN 1 ELSE 0 END) AS fallback,
                       SUM(CASE WHEN intent_name = :out_of_scope THEN 1 ELSE 0 END) AS out_of_scope,
                       COUNT(DISTINCT CASE WHEN intent_name = :handoff THEN sender_id END) AS asked
                FROM events WHERE type_name = 'user' AND timestamp >= :start AND timestamp < :end
                GROUP BY day
            ) AS daily ORDER BY day"""
        rows = self._rows(query, start, end, **self._intents())
        return [Volume(r[0], r[1], r[2], int(r[3] or 0), int(r[4] or 0), r[5]) for r in rows]

    def totals(self, start: float, end: float) -> Totals:
        """The same over the whole range (a conversation on several days counts once)."""
        query = """
            SELECT COUNT(DISTINCT sender_id), COUNT(*),
                   SUM(CASE WHEN intent_name = :fallback THEN 1 ELSE 0 END),
                   SUM(CASE WHEN intent_name = :out_of_scope THEN 1 ELSE 0 END),
                   COUNT(DISTINCT CASE WHEN intent_name = :handoff THEN sender_id END)
            FROM events WHERE type_name = 'user' AND timestamp >= :start AND timestamp < :end"""
        (row,) = self._rows(query, start, end, **self._intents())
        return Totals(row[0], row[1], int(row[2] or 0), int(row[3] or 0), row[4])

    def outcomes(self, start: float, end: float) -> list[Outcome]:
        """Per day, the answers by topic and region and the questions about uncovered places."""
        sql = self.sql
        kind, topic = sql.custom_field("type"), sql.custom_field("topic")
        region, place = sql.custom_field("region"), sql.custom_field("place")
        query = f"""
            SELECT {sql.iso_day("day")}, kind, topic, region, place, COUNT(*) FROM (
                SELECT day, {kind} AS kind,
                       CASE WHEN {kind} = 'answer' THEN {topic} END AS topic,
                       CASE WHEN {kind} = 'answer' THEN COALESCE(NULLIF({region}, ''), :no_region) ELSE '' END
                           AS region,
                       CASE WHEN {kind} = 'uncovered_region' THEN COALESCE({place}, '?') END AS place
                FROM (
                    SELECT {sql.day_number()} AS day, {sql.custom()} AS custom
                    FROM events WHERE type_name = 'bot' AND timestamp >= :start AND timestamp < :end {sql.once()}
                ) AS bot
            ) AS said
            WHERE kind IN ('answer', 'uncovered_region')
            GROUP BY day, kind, topic, region, place ORDER BY day"""
        rows = self._rows(query, start, end, no_region=NO_REGION)
        return [Outcome(*row) for row in rows]

    def ratings(self, start: float, end: float) -> list[Rating]:
        """Per day and topic, the brokers' "Was this helpful?" ratings."""
        rating, topic = self.sql.field("value", "rating"), self.sql.field("value", "topic")
        query = f"""
            SELECT {self.sql.iso_day("day")}, topic, rating, COUNT(*) FROM (
                SELECT {self.sql.day_number()} AS day, {topic} AS topic, {rating} AS rating
                FROM events WHERE type_name = 'slot' AND action_name = 'feedback'
                                  AND timestamp >= :start AND timestamp < :end
            ) AS rated
            WHERE rating IN ('helpful', 'unhelpful')
            GROUP BY day, topic, rating ORDER BY day"""
        return [Rating(*row) for row in self._rows(query, start, end)]

    def unhelpful(self, start: float, end: float) -> list[Unhelpful]:
        """Every unhelpful rating with its topic, region and comment, in the order stored (the review's list)."""
        rating = self.sql.field("value", "rating")
        topic, region = self.sql.field("value", "topic"), self.sql.field("value", "region")
        query = f"""
            SELECT {topic}, {region}, {self.sql.field("value", "comment")} FROM events
            WHERE type_name = 'slot' AND action_name = 'feedback' AND timestamp >= :start AND timestamp < :end
                  AND {rating} = 'unhelpful'
            ORDER BY id"""
        return [Unhelpful(r[0], r[1], r[2] or "") for r in self._rows(query, start, end)]

    def failed_texts(self, start: float, end: float) -> list[str]:
        """The messages that ended in a fallback or out of scope, in the order stored (the review groups them)."""
        query = f"""
            SELECT {self.sql.field("text")} FROM events
            WHERE type_name = 'user' AND intent_name IN (:fallback, :out_of_scope)
                  AND timestamp >= :start AND timestamp < :end
            ORDER BY id"""
        return [row[0] or "" for row in self._rows(query, start, end, **self._intents())]

    def handoffs(self, start: float, end: float) -> list[Handoff]:
        """Each request that joined the queue ("Connecting you…", a handoff note of state `waiting`), with
        the first note after it that an agent joined, or that the broker left or was given the phone card.
        The notes are numbered per conversation by the requests before them (a window function), so a
        conversation asking twice has two handoffs. One row per handoff: a few hundred a day at most.
        LIKE first: a handoff note's JSON holds the string "handoff", and a text search is far cheaper
        than parsing every bot message's JSON (most are answers)."""
        kind, state = self.sql.field("data", "custom", "type"), self.sql.field("data", "custom", "state")
        query = f"""
            WITH notes AS (
                SELECT sender_id, id, timestamp, {state} AS state FROM events
                WHERE type_name = 'bot' AND timestamp >= :start AND timestamp < :end
                      AND data LIKE '%"handoff"%' AND {kind} = 'handoff'
            ), numbered AS (
                SELECT sender_id, timestamp, state,
                       SUM(CASE WHEN state = 'waiting' THEN 1 ELSE 0 END)
                           OVER (PARTITION BY sender_id ORDER BY id) AS request
                FROM notes
            ), requests AS (
                SELECT MIN(CASE WHEN state = 'waiting' THEN timestamp END) AS asked,
                       MIN(CASE WHEN state = 'joined' THEN timestamp END) AS taken,
                       MIN(CASE WHEN state IN ('left', 'unavailable') THEN timestamp END) AS gave_up
                FROM numbered WHERE request > 0 GROUP BY sender_id, request
            )
            SELECT {self.sql.iso_day(self.sql.day_number("asked"))}, asked, taken, gave_up
            FROM requests ORDER BY asked"""
        return [Handoff(*row) for row in self._rows(query, start, end)]

    @staticmethod
    def _intents() -> dict[str, str]:
        return {"fallback": FALLBACK, "out_of_scope": OUT_OF_SCOPE, "handoff": HANDOFF_INTENT}
