"""What the web server's handlers share: one WebServices per app (app.ctx.services, made by
web/server.build_app), and how a handler reads its query arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sanic import Request

from stores.events_reader import EventsReader
from stores.miss_labels import LabelStore
from tokens.signed import AgentTokens
from web.audit import AuditLog
from web.console_auth import ConsoleAuth
from web.lookups import KnowledgeLookups

MAX_QUERY_CHARS = 200  # what a filter or type-ahead box sends; longer is cut


@dataclass
class WebServices:
    """What the handlers share, one per app (app.ctx.services)."""

    auth: ConsoleAuth
    audit: AuditLog
    events: EventsReader
    agent_tokens: AgentTokens  # the console's pass to its live connection with the Rasa servers
    lookups: KnowledgeLookups
    labels: LabelStore  # the leads' labels on the misses inbox (web/misses_api.py)
    reviewed: Path  # where the labelled misses are exported as NLU examples (ops/export_reviewed.py)


def services(request: Request) -> WebServices:
    return request.app.ctx.services


def arg(request: Request, name: str) -> str:
    return request.args.get(name, "")[:MAX_QUERY_CHARS]
