"""The agent console's endpoints. The session itself (GET, POST, DELETE /api/session: who is signed in,
sign-in, sign-out; web/console_auth.py) is public; everything else needs a signed-in agent's session, which
the `signed_in` middleware of the `console` blueprint checks before any of its handlers runs
(request.ctx.agent), answering 401 otherwise: a conversation's transcript (every read in the audit log),
the contact directory, the topics and their two regions side by side, and the pass the console's live
connection to the Rasa servers needs (the handoff desk, tokens/signed.AgentTokens)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from http import HTTPStatus
from urllib.parse import urlsplit

import sqlalchemy as sa
from sanic import Blueprint, HTTPResponse, Request

from broker_faq.knowledge import runtime
from web.console_auth import AuthReply
from web.request_body import Refused, sign_in_body
from web.responses import json_reply
from web.services import arg, services
from web.transcript import conversation_turns

logger = logging.getLogger(__name__)

CONVERSATION_ID = r"[A-Za-z0-9_-]{1,128}"

session = Blueprint("session")
console = Blueprint("console")


def reply(answer: AuthReply) -> HTTPResponse:
    return json_reply(answer.status, answer.body, answer.headers)


def from_own_page(request: Request) -> bool:
    """No other site's page may sign in or out (the cookie is SameSite=Strict as well)."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def over_tls(request: Request) -> bool:
    return request.headers.get("x-forwarded-proto", "").lower() == "https"


def client(request: Request) -> str:
    """The client's address for the sign-in brake: a local proxy's X-Forwarded-For, else the peer's."""
    peer = request.ip
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
    return forwarded if forwarded and ipaddress.ip_address(peer).is_loopback else peer


# --- the session ----------------------------------------------------------------------------------------------
@session.get("/api/session")
async def whoami(request: Request) -> HTTPResponse:
    return reply(services(request).auth.whoami(request.headers.get("cookie")))


@session.post("/api/session", stream=True)  # streamed: nothing of the body is read before it is checked
async def sign_in(request: Request) -> HTTPResponse:
    """Sign-in: {"name", "password"} as JSON, from the console's own page."""
    if not from_own_page(request) or not request.headers.get("content-type", "").startswith("application/json"):
        raise Refused(HTTPStatus.FORBIDDEN, "sign in from the agent console")
    body = await sign_in_body(request)
    answer = await services(request).auth.sign_in(client(request), body, over_tls(request))
    if answer.status == HTTPStatus.BAD_REQUEST:
        raise Refused(answer.status, answer.body["error"])  # a malformed sign-in ends its connection
    return reply(answer)


@session.delete("/api/session")
async def sign_out(request: Request) -> HTTPResponse:
    if not from_own_page(request):
        return json_reply(HTTPStatus.FORBIDDEN, {"error": "sign out from the agent console"})
    return reply(services(request).auth.sign_out(request.headers.get("cookie"), over_tls(request)))


# --- for a signed-in agent only -------------------------------------------------------------------------------
@console.middleware("request")
async def signed_in(request: Request) -> HTTPResponse | None:
    """The session's agent in request.ctx.agent, or a 401. The console's background polling says so
    (X-Console-Background: 1) and does not keep an idle session alive."""
    auth = services(request).auth
    background = request.headers.get("x-console-background") == "1"
    agent, why = auth.agent(request.headers.get("cookie"), background)
    if agent is None:
        return reply(auth.refused(why))
    request.ctx.agent = agent
    return None


@console.get("/api/desk-token")
async def desk_token(request: Request) -> HTTPResponse:
    agent = request.ctx.agent
    return json_reply(HTTPStatus.OK, {"token": services(request).agent_tokens.issue(agent), "agent": agent})


@console.get("/api/directory")
async def directory(request: Request) -> HTTPResponse:
    found, _ = services(request).lookups.current()
    teams = [{"team": e.team, "region": e.region, "card": e.card} for e in found.find(arg(request, "q"))]
    return json_reply(HTTPStatus.OK, {"teams": teams})


@console.get("/api/topics")
async def topics(_: Request) -> HTTPResponse:
    """The topics that can be compared (those answered by region), titled, in the knowledge's order."""
    knowledge = runtime.current().knowledge
    found = [{"topic": key, "title": t.title} for key, t in knowledge.topics.items() if t.answers]
    return json_reply(HTTPStatus.OK, {"topics": found})


@console.get("/api/compare")
async def compare(request: Request) -> HTTPResponse:
    topic = arg(request, "topic")
    knowledge = runtime.current().knowledge
    if topic not in knowledge.topics:
        return json_reply(HTTPStatus.NOT_FOUND, {"error": "no such topic", "topics": sorted(knowledge.topics)})
    answers = runtime.current().assistant.side_by_side(topic)
    regions = [{"region": name, "text": r.text, "payload": r.payload} for name, r in answers.items()]
    return json_reply(HTTPStatus.OK, {"topic": topic, "title": knowledge.topics[topic].title, "regions": regions})


@console.get(f"/api/conversations/<sender_id:{CONVERSATION_ID}>")
async def conversation(request: Request, sender_id: str) -> HTTPResponse:
    """A conversation's turns; `purpose` (view, copy, download) says what the transcript panel reads it
    for, and every read is in the audit log with the agent's name. The store is read in a thread: a
    PostgreSQL round trip (or a store that is down) must not hold up the other requests."""
    shared = services(request)
    try:
        turns = await asyncio.get_running_loop().run_in_executor(None, conversation_turns, shared.events, sender_id)
    except sa.exc.SQLAlchemyError as error:
        logger.warning("tracker store unreadable: %s", str(error).splitlines()[0])
        return json_reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "the conversation store cannot be read now"})
    if turns:
        shared.audit.transcript_read(request.ctx.agent, arg(request, "purpose"), sender_id)
    return json_reply(HTTPStatus.OK, {"sender_id": sender_id, "turns": turns})
