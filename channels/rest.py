"""Rasa's REST channel (/webhooks/rest/webhook) behind the guard, with request validation and a
health check. Rasa's own answers a malformed body with a 500 or an empty list.

The body is {"sender", "message", "message_id"}: `message_id` (8 to 128 letters, digits, '-' or '_')
names the message, so that sending it again (after a timeout, a lost connection, or by the load
balancer after a server died) returns the stored reply instead of acting twice (rasa_server/patches.py);
without one, the X-Request-ID header (nginx sets it, the same for each retry of a request) names it,
else the server makes one. What else a client sends is not kept: Rasa stored `input_channel` and
`metadata` as given, whatever their size; the input channel is now "rest", metadata is dropped
(channels/guard.py), and the body is at most 64 KB (rasa_server/limits.py, for every channel).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from rasa_server import hooks
from rasa_server.rate_limit import too_many_status
from tokens.portal import PortalKey

from .guard import guarded, lock_store_problem, portal_context, store_problem, valid_message_id, valid_sender
from .socket_io import widget_origins

# The message id of the request being handled: read with the body, given to its UserMessage (Rasa's
# REST handler builds that itself, without one). Set for every message, so never left from another.
_message_id: ContextVar[str | None] = ContextVar("rest_message_id", default=None)
# The broker's groups, from the request's portal token (verified by portal_bearer), for its message.
_portal: ContextVar[dict | None] = ContextVar("rest_portal", default=None)


def _body(request: Request) -> dict:
    body = request.json  # Sanic answers 400 itself when this is not JSON at all
    if not isinstance(body, dict):
        raise InvalidUsage('Expected a JSON object: {"sender": "<conversation id>", "message": "<text>"}')
    return body


async def json_from_allowed_origins(request: Request) -> response.HTTPResponse | None:
    """A message is posted as JSON, and from a page only on an origin the server's CORS allows: a page
    on any other site could post `text/plain` (no CORS preflight for it) into a conversation."""
    if request.method != "POST" or not request.path.endswith("/webhook"):
        return None
    if not (request.headers.get("content-type") or "").lower().startswith("application/json"):
        return response.json({"error": "send the message as JSON (Content-Type: application/json)"}, status=415)
    origin = request.headers.get("origin")
    allowed = widget_origins(request.app)
    if origin and allowed != "*" and origin not in allowed:
        return response.json({"error": "this origin may not post messages"}, status=403)
    return None


def portal_bearer(key: PortalKey | None) -> Callable[[Request], Awaitable[response.HTTPResponse | None]]:
    """`Authorization: Bearer <portal token>`: the broker's groups from the portal (docs/portal-context.md).
    A token that does not verify is refused with 401 and why, never half-trusted."""

    async def check(request: Request) -> response.HTTPResponse | None:
        request.ctx.portal = None
        if request.method != "POST" or not request.path.endswith("/webhook"):
            return None
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return response.json({"error": "send the portal token as 'Authorization: Bearer <token>'"}, status=401)
        context, refused = portal_context(token.strip(), key)
        if refused:
            return response.json({"error": refused}, status=401)
        request.ctx.portal = context
        return None

    return check


class GuardedRestInput(RestInput):
    async def _extract_sender(self, request: Request) -> str:
        sender = _body(request).get("sender")
        if not valid_sender(sender):
            raise InvalidUsage("'sender' must be a random conversation id: 16 to 128 letters, digits, '-' or '_'")
        return sender

    def _extract_message(self, request: Request) -> str:
        body = _body(request)
        message, message_id = body.get("message"), body.get("message_id")
        if not isinstance(message, str):
            raise InvalidUsage("'message' must be a string")
        if message_id is not None and not valid_message_id(message_id):
            raise InvalidUsage("'message_id' must be 8 to 128 letters, digits, '-' or '_'")
        request_id = request.headers.get("x-request-id")
        _message_id.set(message_id or (request_id if valid_message_id(request_id) else None))
        _portal.set(getattr(request.ctx, "portal", None))
        return message

    def _extract_input_channel(self, request: Request) -> str:
        return self.name()  # never the client's word for it

    def get_metadata(self, request: Request) -> None:
        return None  # the product reads none (channels/guard.py)

    def blueprint(self, on_new_message: Any) -> Blueprint:
        handle = guarded(on_new_message)

        async def with_message_id(message: UserMessage) -> None:
            message.message_id = _message_id.get() or message.message_id
            await handle(message, portal=_portal.get())

        blueprint = super().blueprint(with_message_id)
        blueprint.middleware("request")(json_from_allowed_origins)
        blueprint.middleware("request")(portal_bearer(PortalKey.from_env()))
        hooks.attach(blueprint)  # the server's own hooks, whichever channels are configured
        blueprint.middleware("response")(too_many_status)  # a REST message over a rate limit: 429

        @blueprint.route("/health", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            tracker, lock = store_problem(), lock_store_problem()
            return response.json(
                {"tracker_store": tracker or "ok", "lock_store": lock or "ok"}, status=503 if tracker or lock else 200
            )

        return blueprint
