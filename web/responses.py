"""What every answer of the web server carries: JSON answers are uncached and UTF-8, every answer has the
security headers, every HTML page the content security policy, and every error is JSON
({"error": ...}), including Sanic's own (404, 405, 413, ...)."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from sanic import HTTPResponse, Request
from sanic.exceptions import SanicException
from sanic.handlers import ErrorHandler

from web.request_body import Refused, hang_up

logger = logging.getLogger(__name__)

SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def json_reply(status: int, value: dict, headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(
        json.dumps(value),
        status=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
        content_type="application/json; charset=utf-8",
    )


def security_headers(policy: str):
    """A response middleware: the security headers on every answer, the policy on every page."""

    async def add(_: Request, response: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if (response.content_type or "").startswith("text/html"):
            response.headers["Content-Security-Policy"] = policy

    return add


class JsonErrors(ErrorHandler):
    """Errors as JSON; a refused request's connection ended; a traceback only for the server's own faults."""

    def default(self, request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, Refused):
            hang_up(request)
        if isinstance(exception, SanicException) and exception.status_code < 500:
            return json_reply(exception.status_code, {"error": str(exception)})
        logger.error("%s %s failed", request.method, request.path, exc_info=exception)
        return json_reply(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "the web server failed to answer"})
