"""The misses inbox, for leads only (web/accounts.py's roles): the `leads` blueprint's middleware lets a
signed-in lead through, answers an agent 403 and anyone signed out 401, before any handler runs.

    GET  /api/misses?days=30            the misses of the last days, grouped (ops/misses.py), and the labels
                                        a lead may choose: every topic, out of scope, needs a new topic
    POST /api/misses/labels             {"label", "message": id} or {"label", "group": id of one of its
                                        messages}: labels the message, or every message of its group now
    POST /api/misses/labels/<batch>/undo  undoes one labelling
    POST /api/misses/export             writes the reviewed NLU file (ops/export_reviewed.py)

Labels are kept with who and when (stores/miss_labels.py) and every labelling, undo and export is in the
audit log with the lead's name and role. A POST comes from the console's own page, as JSON.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import TypeVar

import sqlalchemy as sa
from sanic import Blueprint, HTTPResponse, Request

from broker_faq.knowledge import runtime
from ops.export_reviewed import export_reviewed
from ops.misses import inbox, read_misses
from stores.miss_labels import NEW_TOPIC, OUT_OF_SCOPE
from web.console_api import from_own_page, signed_in
from web.responses import json_reply
from web.services import arg, services

logger = logging.getLogger(__name__)

LEAD = "lead"
DEFAULT_DAYS, MAX_DAYS = 30, 366
BATCH = r"[0-9a-f]{32}"
T = TypeVar("T")

leads = Blueprint("leads")


@leads.middleware("request")  # also the Insights blueprint's (web/insights_api.py)
async def lead_only(request: Request) -> HTTPResponse | None:
    refused = await signed_in(request)
    if refused is not None:
        return refused
    if services(request).auth.accounts.role(request.ctx.agent) != LEAD:
        return json_reply(HTTPStatus.FORBIDDEN, {"error": "the misses inbox and Insights are for leads"})
    return None


def label_choices() -> list[dict]:
    knowledge = runtime.current().knowledge
    topics = [{"label": key, "title": topic.title} for key, topic in knowledge.topics.items()]
    others = [{"label": OUT_OF_SCOPE, "title": "Out of scope"}, {"label": NEW_TOPIC, "title": "Needs a new topic"}]
    return [*topics, *others]


def days(request: Request) -> int:
    sent = arg(request, "days")
    return min(int(sent), MAX_DAYS) if sent.isdigit() and int(sent) > 0 else DEFAULT_DAYS


async def in_thread(work: Callable[[], T]) -> T:
    """Off the event loop: a PostgreSQL round trip (or a store that is down) must not hold up other requests."""
    return await asyncio.get_running_loop().run_in_executor(None, work)


def read_inbox(request: Request, since_days: int) -> list[dict]:
    shared = services(request)
    now = time.time()
    return inbox(read_misses(shared.events, now - since_days * 86400, now + 60), shared.labels.current())


@leads.get("/api/misses")
async def misses(request: Request) -> HTTPResponse:
    since = days(request)
    try:
        groups = await in_thread(lambda: read_inbox(request, since))
    except sa.exc.SQLAlchemyError as error:
        logger.warning("tracker store unreadable: %s", str(error).splitlines()[0])
        return json_reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "the conversation store cannot be read now"})
    return json_reply(HTTPStatus.OK, {"days": since, "groups": groups, "labels": label_choices()})


def posted(request: Request) -> dict | None:
    """The JSON object a POST from the console's own page sends; None for anything else."""
    if not from_own_page(request) or not request.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        sent = json.loads(request.body or b"")
    except (ValueError, RecursionError):
        return None
    return sent if isinstance(sent, dict) else None


def chosen(groups: list[dict], sent: dict) -> dict[str, str]:
    """The messages (id -> text) a labelling names: the one message, or every message of its group."""
    wanted = sent.get("group") or sent.get("message")
    for group in groups:
        if any(m["id"] == wanted for m in group["messages"]):
            picked = group["messages"] if sent.get("group") else [m for m in group["messages"] if m["id"] == wanted]
            return {m["id"]: m["text"] for m in picked}
    return {}


@leads.post("/api/misses/labels")
async def label(request: Request) -> HTTPResponse:
    sent = posted(request)
    if sent is None:
        return json_reply(HTTPStatus.FORBIDDEN, {"error": "label from the agent console, as JSON"})
    if sent.get("label") not in {choice["label"] for choice in label_choices()}:
        return json_reply(HTTPStatus.BAD_REQUEST, {"error": "label with a topic, out_of_scope or new_topic"})
    if not isinstance(sent.get("group") or sent.get("message"), str):
        return json_reply(HTTPStatus.BAD_REQUEST, {"error": "name a message or a group by a message's id"})
    shared, lead = services(request), request.ctx.agent
    messages = chosen(await in_thread(lambda: read_inbox(request, MAX_DAYS)), sent)
    if not messages:
        return json_reply(HTTPStatus.NOT_FOUND, {"error": "no such miss"})
    batch = shared.labels.label(messages, sent["label"], lead)
    shared.audit.record(lead, "label", label=sent["label"], batch=batch, messages=sorted(messages))
    return json_reply(HTTPStatus.OK, {"batch": batch, "label": sent["label"], "by": lead, "messages": sorted(messages)})


@leads.post(f"/api/misses/labels/<batch:{BATCH}>/undo")
async def undo(request: Request, batch: str) -> HTTPResponse:
    if posted(request) is None:
        return json_reply(HTTPStatus.FORBIDDEN, {"error": "undo from the agent console, as JSON"})
    shared, lead = services(request), request.ctx.agent
    undone = shared.labels.undo(batch, lead)
    if not undone:
        return json_reply(HTTPStatus.NOT_FOUND, {"error": "no such labelling, or it was undone"})
    shared.audit.record(lead, "undo label", batch=batch, messages=sorted(undone))
    return json_reply(HTTPStatus.OK, {"batch": batch, "undone": sorted(undone)})


@leads.post("/api/misses/export")
async def export(request: Request) -> HTTPResponse:
    if posted(request) is None:
        return json_reply(HTTPStatus.FORBIDDEN, {"error": "export from the agent console, as JSON"})
    shared = services(request)
    topics = set(runtime.current().knowledge.topics)
    done = await in_thread(lambda: export_reviewed(shared.labels.current().values(), topics, shared.reviewed))
    shared.audit.record(request.ctx.agent, "export reviewed", file=str(shared.reviewed), **done.summary())
    return json_reply(HTTPStatus.OK, {"file": shared.reviewed.name, **done.summary()})
