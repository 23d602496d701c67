"""The Insights tab in the agent console (insights.js, web/insights_api.py): a lead opens it and sees the
last 30 days of a seeded store, each figure as ops/insights.py counts it, every chart drawn (Chart.js)
beside its table, and each table's CSV holding the same numbers; another range is chosen by its days; an
agent sees no Insights tab and the API refuses them. The web server alone serves here (tests/unit/web_app.py)."""

import csv
import datetime as dt
import io

import pytest
from playwright.sync_api import expect

from ops import insights
from tests.browser.widget import AGENT_PASSWORD, screenshot, sign_in_to_console
from tests.insights_events import conversations, write_sqlite
from tests.unit.test_web_server import serve, store
from web.accounts import AccountStore

LEAD, AGENT = "lena", "alex"
TODAY = dt.datetime.now(dt.timezone.utc).date()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("insights")
    write_sqlite(folder / "t.db", list(conversations(400, TODAY - dt.timedelta(days=39), 40)))
    accounts = AccountStore(folder / "agents.json")
    accounts.add(LEAD, AGENT_PASSWORD, role="lead")
    accounts.add(AGENT, AGENT_PASSWORD)
    served = serve(store(folder / "t.db"), folder)
    yield served, store(folder / "t.db")
    served.stop()


@pytest.fixture
def console(browser):
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text and problems.append(m.text))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not problems


def number(text: str) -> float | None:
    text = text.replace(",", "").replace("%", "").replace("s", "").strip()
    return None if text in ("–", "") else float(text)


def test_a_lead_sees_the_last_30_days_as_charts_tables_and_the_same_csv(seeded, console):
    web, events = seeded
    page = console
    expected = insights.read(events, *insights.default_range())
    sign_in_to_console(page, web.url, LEAD)
    page.get_by_role("tab", name="Insights").click()
    expect(page.get_by_role("status").filter(has_text="UTC days")).to_be_visible()
    assert page.get_by_label("From", exact=True).input_value() == (TODAY - dt.timedelta(days=29)).isoformat()
    assert page.get_by_label("To", exact=True).input_value() == TODAY.isoformat()

    for item in expected.summary:
        shown = page.locator(f'[data-figure="{item["name"]}"] dd').inner_text()
        assert number(shown) == item["value"], item["name"]
    assert expected.figure("conversations") > 200 and expected.figure("handoffs") > 5

    charts = page.locator(".insights-chart")
    expect(charts).to_have_count(len(expected.tables))
    drawn = [t for t in expected.tables if t.chart]
    expect(page.locator(".insights-chart canvas[role=img]")).to_have_count(len(drawn))
    assert page.evaluate("() => [...document.querySelectorAll('.insights-chart canvas')].every(c => c.width > 0)")
    for table in expected.tables:
        section = page.locator(f'.insights-chart[data-table="{table.name}"]')
        expect(section.get_by_role("heading", name=table.title)).to_be_visible()
        cells = section.locator("tbody tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent))")
        assert len(cells) == len(table.rows)
        for row, want in zip(cells, table.rows, strict=True):
            assert row[0] == str(want[0])
            assert [number(c) if not isinstance(w, str) else c for c, w in zip(row[1:], want[1:], strict=True)] == list(
                want[1:]
            )
        with page.expect_download() as download:
            section.get_by_role("link", name=f"Download CSV: {table.title}").click()
        got = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
        assert got[0] == list(table.columns)
        assert got[1:] == [["" if c is None else str(c) for c in row] for row in table.rows]
    page.locator("#panel-insights").evaluate("panel => { panel.scrollTop = 0; }")
    screenshot(page, "insights")  # docs/screenshots/insights.png is a copy


def test_a_lead_chooses_another_range_by_its_days(seeded, console):
    web, events = seeded
    page = console
    sign_in_to_console(page, web.url, LEAD)
    page.get_by_role("tab", name="Insights").click()
    expect(page.locator(".insights-chart")).not_to_have_count(0)
    start, end = TODAY - dt.timedelta(days=35), TODAY - dt.timedelta(days=31)
    page.get_by_label("From", exact=True).fill(start.isoformat())
    page.get_by_label("To", exact=True).fill(end.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("status").filter(has_text=f"{start} to {end}")).to_be_visible()
    expected = insights.read(events, start, end)
    volume = page.locator('.insights-chart[data-table="volume"] tbody tr')
    expect(volume).to_have_count(5)
    shown = page.locator('[data-figure="messages"] dd').inner_text()
    assert number(shown) == expected.figure("messages") > 0


def test_an_agent_sees_no_insights_tab_and_the_api_refuses_them(seeded, console):
    web, _ = seeded
    sign_in_to_console(console, web.url, AGENT)
    expect(console.get_by_role("tab", name="Answer details")).to_be_visible()
    expect(console.get_by_role("tab", name="Insights")).to_be_hidden()
    for path in ("/api/insights", "/api/insights.csv?table=volume"):
        refused = console.request.get(f"{web.url}{path}")
        assert refused.status == 403 and "for leads" in refused.json()["error"]
