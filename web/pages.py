"""The public side: the static pages and scripts (the broker widget, its demo portal page, the agent
console) from web/static, the socket.io browser client and Chart.js from node_modules, and the type-ahead questions the
widget and the console offer (topic titles and questions, no conversation data). A page gets the Rasa
server's URL written into it ({{RASA_URL}}) and, from web/responses.py's middleware, the content security
policy naming that server."""

from __future__ import annotations

import mimetypes
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote

from sanic import Blueprint, HTTPResponse, Request
from sanic.response import redirect

from web.demo_portal import demo_token
from web.responses import json_reply
from web.services import arg, services
from web.settings import ROOT, Settings

STATIC = ROOT / "web" / "static"
SOCKET_IO_CLIENT = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
# The Insights tab's charts (web/static/console/insights.js): Chart.js, pinned in package.json, drawn on
# canvas with no inline script or style, so the pages' content security policy stays as strict.
CHART_JS = ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"

pages = Blueprint("pages")


@pages.get("/")
async def home(_: Request) -> HTTPResponse:
    return redirect("/demo/")


@pages.get("/api/suggest")
async def suggest(request: Request) -> HTTPResponse:
    _, suggestions = services(request).lookups.current()
    found = [{"topic": s.topic, "question": s.question, "payload": f"/{s.topic}"}
             for s in suggestions.suggest(arg(request, "q"))]  # fmt: skip
    # Public and read-only, so a portal page that embeds the widget may ask from its own origin.
    return json_reply(HTTPStatus.OK, {"suggestions": found}, {"Access-Control-Allow-Origin": "*"})


@pages.get("/vendor/socket.io.min.js")
async def socket_io_client(request: Request) -> HTTPResponse:
    return file_reply(SOCKET_IO_CLIENT, request.app.ctx.settings)


@pages.get("/vendor/chart.umd.min.js")
async def chart_js(request: Request) -> HTTPResponse:
    return file_reply(CHART_JS, request.app.ctx.settings)


@pages.get("/<path:path>")
async def static(request: Request, path: str) -> HTTPResponse:
    """A file of web/static (a folder's index.html), never one outside it (.., %2e%2e)."""
    target = (STATIC / unquote(path).lstrip("/")).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(STATIC):
        return not_found()
    reply = file_reply(target, request.app.ctx.settings)
    if target == STATIC / "demo" / "index.html" and reply.status == HTTPStatus.OK:
        # The demo portal signs its broker's groups, as a portal would (web/demo_portal.py).
        token = demo_token(request.app.ctx.settings.env, arg(request, "group") or None)
        reply.body = (reply.body or b"").replace(b"{{PORTAL_TOKEN}}", token.encode())
    return reply


def not_found() -> HTTPResponse:
    return json_reply(HTTPStatus.NOT_FOUND, {"error": "not found"})


def file_reply(target: Path, settings: Settings) -> HTTPResponse:
    if not target.is_file():
        return not_found()
    body = target.read_bytes()  # a few kB each, from the local disk
    if target.suffix == ".html":
        body = body.replace(b"{{RASA_URL}}", settings.rasa_url.encode())
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
        content_type += "; charset=utf-8"
    return HTTPResponse(body, status=HTTPStatus.OK, content_type=content_type)
