"""The Insights endpoints (web/insights_api.py): a signed-in lead gets the range's figures and each table
as CSV, its cells the JSON's and none a live formula; an agent gets 403, anyone signed out 401; a range
that is no range is refused."""

import csv
import datetime as dt
import io
import json

import pytest

from ops.review import safe_cell
from tests.insights_events import conversations, write_sqlite
from tests.unit.test_web_server import PASSWORD, call, cookie_of, serve, sign_in, store
from web.accounts import AccountStore

LEAD = "unit-lead"
TODAY = dt.datetime.now(dt.timezone.utc).date()


@pytest.fixture
def server(tmp_path):
    seeded = list(conversations(120, TODAY - dt.timedelta(days=9), 10))
    formula = {"event": "user", "timestamp": seeded[0][1][0]["timestamp"] + 1, "text": "x",
               "parse_data": {"intent": {"name": "x"}}}  # fmt: skip
    rated = {"event": "slot", "name": "feedback", "timestamp": formula["timestamp"],
             "value": {"rating": "unhelpful", "topic": '=HYPERLINK("http://evil.example")'}}  # fmt: skip
    write_sqlite(tmp_path / "t.db", [*seeded, ("formula-0123456789", [formula, rated])])
    AccountStore(tmp_path / "agents.json").add(LEAD, PASSWORD, role="lead")
    served = serve(store(tmp_path / "t.db"), tmp_path)
    yield served
    served.stop()


def get(server, path, cookie):
    status, headers, body = call(f"{server.url}{path}", cookie=cookie)
    return status, headers, body


def test_a_lead_gets_the_last_30_days_and_each_table_as_the_same_csv(server):
    lead = cookie_of(sign_in(server.url, LEAD))
    status, _, body = get(server, "/api/insights", lead)
    shown = json.loads(body)
    assert status == 200 and shown["timezone"] == "UTC"
    assert shown["to"] == TODAY.isoformat() and shown["from"] == (TODAY - dt.timedelta(days=29)).isoformat()
    summary = {item["name"]: item["value"] for item in shown["summary"]}
    assert summary["conversations"] == 121 and summary["handoffs"] > 0
    for table in shown["tables"]:
        query = f"/api/insights.csv?from={shown['from']}&to={shown['to']}&table={table['name']}"
        status, headers, body = get(server, query, lead)
        assert status == 200 and headers["Content-Type"].startswith("text/csv")
        assert f"insights-{table['name']}-" in headers["Content-Disposition"]
        read = list(csv.reader(io.StringIO(body)))
        assert read[0] == table["columns"]
        assert read[1:] == [["" if cell is None else str(safe_cell(cell)) for cell in row] for row in table["rows"]]


def test_no_csv_cell_starts_a_formula(server):
    lead = cookie_of(sign_in(server.url, LEAD))
    _, _, body = get(server, "/api/insights.csv?table=ratings", lead)
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_a_range_is_chosen_by_its_first_and_last_day(server):
    lead = cookie_of(sign_in(server.url, LEAD))
    day = (TODAY - dt.timedelta(days=2)).isoformat()
    shown = json.loads(get(server, f"/api/insights?from={day}&to={day}", lead)[2])
    assert [row[0] for row in next(t for t in shown["tables"] if t["name"] == "volume")["rows"]] == [day]
    for wrong in ("from=2026-13-01", f"from={TODAY}&to={TODAY - dt.timedelta(days=1)}", "from=2020-01-01"):
        status, _, body = get(server, f"/api/insights?{wrong}", lead)
        assert status == 400 and json.loads(body)["error"]
    assert get(server, "/api/insights.csv?table=nope", lead)[0] == 400


def test_an_agent_is_refused_insights_and_no_one_signed_out_gets_in(server):
    agent = cookie_of(sign_in(server.url))
    for path in ("/api/insights", "/api/insights.csv?table=volume"):
        status, _, body = get(server, path, agent)
        assert status == 403 and "for leads" in json.loads(body)["error"]
        assert get(server, path, None)[0] == 401
