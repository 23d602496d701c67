"""`make review`: what the assistant answered, where it failed, and what brokers rated unhelpful.

Reads Rasa's tracker store through the one reader of stored conversations (stores/events_reader.py):
by default the store named in the endpoints file ($SERVE_ENDPOINTS, else endpoints.yml: SQLite in
var/tracker.db unless TRACKER_DB says otherwise; PostgreSQL in the production profile), or the
SQLAlchemy URL given as --db or TRACKER_DB_URL. Prints, for a date range: conversations and
messages; answers per topic and region; messages that ended in fallback or out of scope, grouped by
similar wording, most frequent first; answers rated unhelpful with their comments; questions about
regions the knowledge does not cover. Days are UTC days, the default range the last 30 (today included),
and every figure is an SQL aggregate of stores/insights_sql.py, the same the console's Insights tab shows
(ops/insights.py), so the two agree for the same range. Writes the same as CSV, and per-day volume and fallback rate
as a PNG. User text is stored masked (stores/masking_sql.py), so personal data stays masked here too.

    python -m ops.review [--from 2026-11-01] [--to 2026-11-30] [--db URL] [--out results/review]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from ops.insights import default_range, utc_range
from stores.events_reader import EventsReader
from stores.insights_sql import FALLBACK, OUT_OF_SCOPE

FAILED_INTENTS = (FALLBACK, OUT_OF_SCOPE)
# CSV injection (OWASP): a spreadsheet takes a cell that starts with one of these as a formula, and the
# report's cells hold what brokers typed and what payloads carried ("=HYPERLINK(...)" as a region).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STOPWORDS = set(
    "a an the is are was were be to of for in on at and or with my our your their do does did "
    "can could how what who where when which i we you it this that me please about".split()
)


@dataclass
class Review:
    conversations: int = 0  # with a broker's message in the range
    messages_by_day: Counter = field(default_factory=Counter)
    failed_by_day: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)  # (topic, region) -> count
    failed_texts: list = field(default_factory=list)
    unhelpful: list = field(default_factory=list)  # (topic, region, comment)
    uncovered: Counter = field(default_factory=Counter)  # place -> count


def wording_key(text: str) -> frozenset:
    return frozenset(w for w in re.findall(r"[a-z0-9\[\]_]+", text.lower()) if w not in STOPWORDS)


def group_indices(texts: list[str], threshold: float = 0.5) -> list[list[int]]:
    """Greedy grouping by word overlap (Jaccard) with each group's first text, in order of first
    appearance: each group the indices of its texts, in their order."""
    groups: list[tuple[frozenset, list[int]]] = []
    for index, text in enumerate(texts):
        key = wording_key(text)
        for group_key, members in groups:
            union = key | group_key
            if union and len(key & group_key) / len(union) >= threshold:
                members.append(index)
                break
        else:
            groups.append((key, [index]))
    return [members for _, members in groups]


def group_similar(texts: list[str], threshold: float = 0.5) -> list[tuple[str, int]]:
    """Greedy grouping by word overlap (Jaccard), largest groups first; each with one example."""
    groups = group_indices(texts, threshold)
    return sorted(((texts[members[0]], len(members)) for members in groups), key=lambda g: -g[1])


def read(events: EventsReader, start: dt.date, end: dt.date) -> Review:
    """The range's figures (UTC days), from the SQL aggregates the Insights tab shows (stores/insights_sql.py)."""
    review = Review()
    if not events.exists():
        return review
    queries = events.insights()
    low, high = utc_range(start, end)
    totals = queries.totals(low, high)
    review.conversations = totals.conversations
    for volume in queries.volume(low, high):
        day = dt.date.fromisoformat(volume.day)
        review.messages_by_day[day] = volume.messages
        review.failed_by_day[day] = volume.fallback + volume.out_of_scope
    for outcome in queries.outcomes(low, high):
        if outcome.kind == "answer":
            review.answers[(outcome.topic, outcome.region)] += outcome.count
        else:
            review.uncovered[outcome.place] += outcome.count
    review.failed_texts = queries.failed_texts(low, high)
    review.unhelpful = [(u.topic, u.region, u.comment) for u in queries.unhelpful(low, high)]
    return review


def rows(review: Review) -> list[tuple[str, str, int, str]]:
    """(section, item, count, detail): the report as one table, for printing and CSV."""
    out = [
        ("volume", "conversations", review.conversations, ""),
        ("volume", "messages", sum(review.messages_by_day.values()), ""),
        ("volume", "fallback or out of scope", sum(review.failed_by_day.values()), ""),
    ]
    out += [("answers", topic, count, region) for (topic, region), count in review.answers.most_common()]
    out += [("fallback / out of scope", example, count, "") for example, count in group_similar(review.failed_texts)]
    out += [
        ("rated unhelpful", topic or "?", 1, f"{region or ''}: {comment}".strip(": "))
        for topic, region, comment in review.unhelpful
    ]
    out += [("uncovered region", place, count, "") for place, count in review.uncovered.most_common()]
    return out


def safe_cell(value: str | int) -> str | int:
    """A cell a spreadsheet shows as text: one that would start a formula gets a single quote in front,
    as OWASP advises (the text is kept whole after it). Counts are numbers and stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(table: list[tuple[str, str, int, str]], path: Path) -> None:
    """The report as CSV: every text cell made safe and quoted (OWASP), the counts as numbers."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerows(
            [("section", "item", "count", "detail"), *[[safe_cell(cell) for cell in row] for row in table]]
        )


def print_table(table: list[tuple[str, str, int, str]]) -> None:
    section = None
    for name, item, count, detail in table:
        if name != section:
            section = name
            print(f"\n{name.upper()}")
        print(f"  {count:6d}  {item[:70]:70s}  {detail[:100]}")


def plot(review: Review, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    days = sorted(review.messages_by_day)
    volume = [review.messages_by_day[d] for d in days]
    rate = [100 * review.failed_by_day[d] / review.messages_by_day[d] for d in days]
    fig, left = plt.subplots(figsize=(8, 4))
    left.bar([d.isoformat() for d in days], volume, color="#4a7ab5")
    left.set_ylabel("messages per day")
    right = left.twinx()
    right.plot([d.isoformat() for d in days], rate, color="#c0392b", marker="o")
    right.set_ylabel("fallback or out of scope (%)")
    right.set_ylim(0, 100)
    left.set_title("Broker assistant: daily volume and fallback rate")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def open_store(db_url: str | None) -> EventsReader:
    """The store at db_url, else the one the endpoints file names (TRACKER_DB defaulting as in serve.sh)."""
    if db_url:
        return EventsReader(db_url)
    os.environ.setdefault("TRACKER_DB", "var/tracker.db")
    return EventsReader.from_endpoints()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    first, last = default_range()  # the Insights tab's: the last 30 days, today (UTC) included
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, default=first)
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, default=last)
    parser.add_argument(
        "--db",
        default=os.environ.get("TRACKER_DB_URL"),
        help="SQLAlchemy URL of the tracker store (default: the one the endpoints file names)",
    )
    parser.add_argument("--out", type=Path, default=Path("results/review"))
    args = parser.parse_args(argv)
    try:
        events = open_store(args.db)
        if not events.exists():
            print(f"cannot read the tracker store at {events.where}: it holds no conversations yet", file=sys.stderr)
            return 1
        review = read(events, args.start, args.end)
    except (sa.exc.SQLAlchemyError, ValueError) as err:
        print(f"cannot read the tracker store: {str(err).splitlines()[0]}", file=sys.stderr)
        return 1
    table = rows(review)
    print(f"Review {args.start} to {args.end} ({events.where})")
    print_table(table)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(table, args.out / "review.csv")
    if review.messages_by_day:
        plot(review, args.out / "daily.png")
    print(f"\nwritten: {args.out / 'review.csv'}" + (f", {args.out / 'daily.png'}" if review.messages_by_day else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
