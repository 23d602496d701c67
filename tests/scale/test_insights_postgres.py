"""The Insights figures on the production profile's PostgreSQL (stores/insights_sql.py's PostgreSQL SQL):
the same conversations give the same figures, table for table, as on SQLite, read through the read-only
events reader; the indexes are created there as on SQLite."""

import datetime as dt

import psycopg2
import pytest
import sqlalchemy as sa

from benchmarks.insights_scale import seed_postgres
from ops import insights
from stores.events_reader import EventsReader
from stores.insights_sql import INDEXES, create_indexes
from tests.insights_events import conversations, write_sqlite
from tests.scale.services import DB_USER, PG_PORT

DB = "kp_insights"
TODAY = dt.datetime.now(dt.timezone.utc).date()


@pytest.fixture(scope="module")
def postgres_url(services):
    connection = psycopg2.connect(**services._pg_login("postgres"))
    connection.autocommit = True
    connection.cursor().execute(f"CREATE DATABASE {DB}")
    connection.close()
    return f"postgresql://{DB_USER}:{services.db_password}@127.0.0.1:{PG_PORT}/{DB}"


def test_postgresql_and_sqlite_give_the_same_figures_for_the_same_conversations(postgres_url, tmp_path):
    seed_postgres(postgres_url, 500, 45)  # the same seed as below: the same conversations
    write_sqlite(tmp_path / "t.db", list(conversations(500, TODAY - dt.timedelta(days=44), 45)))
    engine = sa.create_engine(postgres_url)
    create_indexes(engine)
    with engine.connect() as connection:
        names = set(
            connection.execute(sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'events'")).scalars()
        )
    engine.dispose()
    assert {name for name, _ in INDEXES} <= names
    on_postgres, on_sqlite = EventsReader(postgres_url), EventsReader(f"sqlite:///{tmp_path / 't.db'}")
    for start, end in (insights.default_range(), (TODAY - dt.timedelta(days=44), TODAY)):
        shown = insights.read(on_postgres, start, end).as_json()
        assert shown == insights.read(on_sqlite, start, end).as_json()
        summary = {item["name"]: item["value"] for item in shown["summary"]}
        assert summary["conversations"] > 100 and summary["handoffs"] > 0 and summary["wait_p90"] is not None


def test_the_profiles_rasa_servers_created_the_indexes_in_their_tracker_store(cluster, services):
    connection = psycopg2.connect(**services._pg_login())
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'events'")
            names = {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()
    assert {name for name, _ in INDEXES} <= names
