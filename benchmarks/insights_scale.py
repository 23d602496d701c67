"""`make bench-insights`: the Insights tab's figures over 100,000 stored conversations, on SQLite and on
PostgreSQL (docs/performance.md, issue 22 §5).

Seeds CONVERSATIONS conversations (tests/insights_events.py: about ten events each, an answer's text and
payload as long as a real one's, misses, ratings and live handoffs) spread over DAYS UTC days ending
today, into Rasa's own `events` table (its schema, from rasa's SQLTrackerStore), by executemany on SQLite
and COPY on a throwaway PostgreSQL (Debian's, started as tests/scale does); creates the indexes as the Rasa
server's tracker store does on start-up (stores/insights_sql.create_indexes); then times what
GET /api/insights does (ops/insights.read through the read-only events reader) for the default 30 days
and for the whole range, and checks that both databases give the same figures.

    python -m benchmarks.insights_scale [--conversations 100000] [--days 365] [--no-postgres] [--repeat 3]

Run it in a network namespace of its own (the Makefile does): PostgreSQL listens on a fixed port.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa

from ops import insights
from stores.events_reader import EventsReader
from stores.insights_sql import create_indexes
from tests.insights_events import Row, conversations, rows

COPY_BATCH = 50_000


def seeded_rows(count: int, days: int) -> Iterator[Row]:
    first = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=days - 1)
    for sender, events in conversations(count, first, days):
        yield from rows(sender, events)


def rasa_schema(engine: sa.engine.Engine) -> None:
    """The events table exactly as the Rasa server creates it (with its one index, on sender_id)."""
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore.Base.metadata.create_all(engine)


def seed_sqlite(path: Path, count: int, days: int) -> int:
    rasa_schema(sa.create_engine(f"sqlite:///{path}"))
    with sqlite3.connect(path) as db:
        cursor = db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            seeded_rows(count, days),
        )
        return cursor.rowcount


def seed_postgres(url: str, count: int, days: int) -> int:
    engine = sa.create_engine(url)
    rasa_schema(engine)
    written = 0
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        batch: list[Row] = []
        for row in seeded_rows(count, days):
            batch.append(row)
            if len(batch) == COPY_BATCH:
                written += copy(cursor, batch)
                batch = []
        written += copy(cursor, batch)
        connection.commit()
        cursor.execute("ANALYZE events")
        connection.commit()
    finally:
        connection.close()
        engine.dispose()
    return written


def copy(cursor, batch: list[Row]) -> int:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(batch)  # None is written as an empty unquoted field: NULL in CSV COPY
    buffer.seek(0)
    columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
    cursor.copy_expert(f"COPY events ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
    return len(batch)


def timed(work: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return times, result


def measure(name: str, url: str, days: int, repeat: int) -> dict:
    """Index creation, then the Insights read for the last 30 days and the whole range, through the
    read-only reader the web server uses."""
    began = time.perf_counter()
    engine = sa.create_engine(url)
    create_indexes(engine)
    engine.dispose()
    indexing = time.perf_counter() - began
    reader = EventsReader(url)
    last_30 = insights.default_range()
    whole = (last_30[1] - dt.timedelta(days=days - 1), last_30[1])
    results, figures = {"database": name, "indexes_s": indexing}, {}
    for label, (start, end) in (("last 30 days", last_30), (f"whole range ({days} days)", whole)):
        times, found = timed(lambda s=start, e=end: insights.read(reader, s, e), repeat)
        results[label] = times
        figures[label] = found.as_json()  # type: ignore[attr-defined]
    low, high = insights.utc_range(*whole)
    queries = reader.insights()
    results["queries (whole range)"] = {
        query: timed(lambda q=query: getattr(queries, q)(low, high), 1)[0][0]
        for query in ("volume", "totals", "outcomes", "ratings", "handoffs")
    }
    reader.close()
    results["figures"] = figures
    return results


def report(result: dict, rows_written: int, seeding: float) -> None:
    print(f"\n{result['database']}: {rows_written:,} events seeded in {seeding:.0f} s; "
          f"indexes created in {result['indexes_s']:.1f} s")  # fmt: skip
    for label in [key for key in result if key.startswith(("last", "whole"))]:
        times = result[label]
        print(
            f"  Insights, {label:24s} first {times[0] * 1000:7.0f} ms, median {statistics.median(times) * 1000:7.0f} ms"
        )
    print("  queries over the whole range: " + ", ".join(
        f"{query} {seconds * 1000:.0f} ms" for query, seconds in result["queries (whole range)"].items()
    ))  # fmt: skip
    summary = {item["name"]: item["value"] for item in result["figures"]["last 30 days"]["summary"]}
    print(f"  last 30 days: {summary['conversations']:,} conversations, {summary['messages']:,} messages, "
          f"{summary['handoffs']:,} handoffs")  # fmt: skip


def postgres_url() -> tuple[str, Callable[[], None]]:
    from tests.scale.services import DB_NAME, DB_USER, PG_PORT, Services

    services = Services()
    services.init_postgres()

    def stop() -> None:
        services.stop_postgres()
        shutil.rmtree(services.dir, ignore_errors=True)

    url = f"postgresql://{DB_USER}:{services.db_password}@127.0.0.1:{PG_PORT}/{DB_NAME}"
    return url, stop


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    print(f"{args.conversations:,} conversations over {args.days} UTC days ending today")
    folder = Path(tempfile.mkdtemp(prefix="kp-insights-bench-"))
    results = []
    try:
        began = time.perf_counter()
        written = seed_sqlite(folder / "tracker.db", args.conversations, args.days)
        seeding = time.perf_counter() - began
        sqlite_result = measure("SQLite", f"sqlite:///{folder / 'tracker.db'}", args.days, args.repeat)
        report(sqlite_result, written, seeding)
        results.append(sqlite_result)
        if not args.no_postgres:
            url, stop = postgres_url()
            try:
                began = time.perf_counter()
                written = seed_postgres(url, args.conversations, args.days)
                seeding = time.perf_counter() - began
                pg_result = measure("PostgreSQL", url, args.days, args.repeat)
                report(pg_result, written, seeding)
                results.append(pg_result)
            finally:
                stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if len(results) == 2 and results[0]["figures"] != results[1]["figures"]:
        print("\nSQLite and PostgreSQL disagree on the figures", file=sys.stderr)
        return 1
    slowest = max(max(r["last 30 days"]) for r in results)
    print(f"\n{'same figures on both databases; ' if len(results) == 2 else ''}"
          f"slowest Insights answer for the last 30 days: {slowest * 1000:.0f} ms (limit 2,000 ms)")  # fmt: skip
    return 0 if slowest < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
