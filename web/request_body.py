"""What a request's body may be, checked before Sanic reads a byte of it, and how a sign-in's body is
read.

Sanic reads Content-Length with `int()` and trusts it: `-1` (then a body read to the end of the stream),
`1_0` (ten), a length given twice (the first wins) and one beside Transfer-Encoding (the chunks win) are
all taken, and `abc` is a ValueError answered with 500. So every request's framing is checked first, in
the `http.lifecycle.request` signal (after the head is parsed, before Sanic looks at the length): a
Content-Length must be one whole number of bytes (given twice only with the same value), never beside
Transfer-Encoding (400), and at most MAX_BODY_BYTES (413: the largest body this server takes is a
sign-in, so that is the whole server's cap, Sanic's REQUEST_MAX_SIZE too). Sanic answers an error raised
there and closes the connection, the body unread.

A sign-in's body (POST /api/session, a streamed route so nothing is read before these checks) must have a
Content-Length (411: a chunked body has none) and arrive within BODY_SECONDS (408). Every refusal of a
sign-in ends its connection (hang_up): the rest of its body is never read, neither as this request's nor
as the next one's.
"""

from __future__ import annotations

import asyncio
import re
from http import HTTPStatus

from sanic import Request
from sanic.exceptions import SanicException

from web.console_auth import MAX_SIGN_IN_BYTES

MAX_BODY_BYTES = MAX_SIGN_IN_BYTES  # no request to this server carries more than a sign-in
BODY_SECONDS = 10.0  # a sign-in body is a few hundred bytes: one that does not arrive in this time is dropped
LENGTH_DIGITS = 7  # a Content-Length of more digits (leading zeros aside) is far over any cap here


class Refused(SanicException):
    """A request answered with a 4xx and its connection ended (web/responses.py's error handler)."""

    quiet = True  # the client's mistake: no traceback in the log

    def __init__(self, status: HTTPStatus, error: str):
        super().__init__(error, status_code=status)


def content_length(request: Request) -> int | None:
    """The request's Content-Length as a number of bytes, None when it has none; Refused when it is not
    one whole number, is beside Transfer-Encoding, or is over MAX_BODY_BYTES."""
    lengths = {value.strip(" \t") for value in request.headers.getall("content-length", [])}
    if not lengths:
        return None
    if request.headers.get("transfer-encoding"):
        raise Refused(HTTPStatus.BAD_REQUEST, "send either Content-Length or Transfer-Encoding, not both")
    if len(lengths) > 1 or not re.fullmatch(r"[0-9]+", value := lengths.pop()):
        raise Refused(HTTPStatus.BAD_REQUEST, "Content-Length must be one whole number of bytes")
    digits = value.lstrip("0") or "0"
    if len(digits) > LENGTH_DIGITS or int(digits) > MAX_BODY_BYTES:
        raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a request body is at most {MAX_BODY_BYTES} bytes")
    return int(digits)


async def check_framing(request: Request) -> None:
    """The `http.lifecycle.request` signal: every request's Content-Length, before Sanic reads it."""
    content_length(request)


def hang_up(request: Request) -> None:
    """End the connection after this answer, without reading what is left of the body: Sanic would
    otherwise read it out (waiting for a body that never comes) to keep the connection for the next one."""
    if request.stream is not None:
        request.stream.keep_alive = False
        request.stream.request_body = None


async def sign_in_body(request: Request) -> bytes:
    """The whole body of a sign-in, or Refused (411, 408)."""
    length = content_length(request)
    if length is None:
        raise Refused(HTTPStatus.LENGTH_REQUIRED, "send the sign-in with a Content-Length")
    try:
        await asyncio.wait_for(request.receive_body(), BODY_SECONDS)
    except asyncio.TimeoutError:
        raise Refused(HTTPStatus.REQUEST_TIMEOUT, f"the body did not arrive in {BODY_SECONDS:g} s") from None
    return request.body
