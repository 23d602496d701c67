"""Rasa's REST channel (/webhooks/rest/webhook) behind the guard, with request validation and a
health check. Rasa's own answers a malformed body with a 500 or an empty list."""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from .guard import guarded, lock_store_problem, store_problem, valid_sender
from .rasa_fixes import freeze_loaded_objects
from .rate_limit import install as install_rate_limits


def _body(request: Request) -> dict:
    body = request.json  # Sanic answers 400 itself when this is not JSON at all
    if not isinstance(body, dict):
        raise InvalidUsage('Expected a JSON object: {"sender": "<conversation id>", "message": "<text>"}')
    return body


class GuardedRestInput(RestInput):
    async def _extract_sender(self, request: Request) -> str:
        sender = _body(request).get("sender")
        if not valid_sender(sender):
            raise InvalidUsage("'sender' must be a random conversation id: 16 to 128 letters, digits, '-' or '_'")
        return sender

    def _extract_message(self, request: Request) -> str:
        message = _body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage("'message' must be a string")
        return message

    def blueprint(self, on_new_message: Any) -> Blueprint:
        blueprint = super().blueprint(guarded(on_new_message))
        blueprint.listener("after_server_start")(freeze_loaded_objects)
        install_rate_limits(blueprint)  # every request's client address; a refused REST message gets 429

        @blueprint.route("/health", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            tracker, lock = store_problem(), lock_store_problem()
            return response.json(
                {"tracker_store": tracker or "ok", "lock_store": lock or "ok"}, status=503 if tracker or lock else 200
            )

        return blueprint
