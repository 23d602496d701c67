"""The Insights tab's endpoints, for leads only: the blueprint's middleware is the misses inbox's
(web/misses_api.lead_only), which lets a signed-in lead through, answers an agent 403 and anyone signed
out 401, before any handler runs.

    GET /api/insights?from=2026-11-01&to=2026-11-30           the range's figures (ops/insights.py) as JSON:
                                                              a summary and one table per chart
    GET /api/insights.csv?from=...&to=...&table=volume        one table as CSV, every text cell made safe
                                                              for a spreadsheet (ops/review.safe_cell)

Days are UTC days; without `from` and `to`, the last 30 (today included), at most MAX_DAYS.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from http import HTTPStatus

import sqlalchemy as sa
from sanic import Blueprint, HTTPResponse, Request

from ops.insights import Insights, default_range, read
from ops.review import safe_cell
from web.misses_api import in_thread, lead_only
from web.responses import json_reply
from web.services import arg, services

logger = logging.getLogger(__name__)

MAX_DAYS = 366

insights = Blueprint("insights")
insights.middleware("request")(lead_only)


def date_range(request: Request) -> tuple[dt.date, dt.date] | str:
    """The range the query names, or why it names none."""
    first, last = default_range()
    try:
        start = dt.date.fromisoformat(arg(request, "from")) if arg(request, "from") else None
        end = dt.date.fromisoformat(arg(request, "to")) if arg(request, "to") else last
    except ValueError:
        return "from and to are dates, YYYY-MM-DD"
    start = start or end - (last - first)
    if start > end:
        return "from is after to"
    if (end - start).days >= MAX_DAYS:
        return f"a range is at most {MAX_DAYS} days"
    return start, end


async def figures(request: Request) -> Insights | HTTPResponse:
    wanted = date_range(request)
    if isinstance(wanted, str):
        return json_reply(HTTPStatus.BAD_REQUEST, {"error": wanted})
    events = services(request).events
    try:
        return await in_thread(lambda: read(events, *wanted))
    except sa.exc.SQLAlchemyError as error:
        logger.warning("tracker store unreadable: %s", str(error).splitlines()[0])
        return json_reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "the conversation store cannot be read now"})


@insights.get("/api/insights")
async def insights_json(request: Request) -> HTTPResponse:
    found = await figures(request)
    return found if isinstance(found, HTTPResponse) else json_reply(HTTPStatus.OK, found.as_json())


@insights.get("/api/insights.csv")
async def insights_csv(request: Request) -> HTTPResponse:
    found = await figures(request)
    if isinstance(found, HTTPResponse):
        return found
    table = found.table(arg(request, "table"))
    if table is None:
        names = ", ".join(t.name for t in found.tables)
        return json_reply(HTTPStatus.BAD_REQUEST, {"error": f"name a table: {names}"})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(
        [table.columns, *[["" if cell is None else safe_cell(cell) for cell in row] for row in table.rows]]
    )
    name = f"insights-{table.name}-{found.start.isoformat()}-to-{found.end.isoformat()}.csv"
    headers = {"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'}
    return HTTPResponse(out.getvalue(), status=HTTPStatus.OK, headers=headers, content_type="text/csv; charset=utf-8")
