"""How much one request may carry, for every channel of the Rasa server.

Sanic accepts request bodies up to 100 MB, and Rasa's REST channel stored whatever a client put in
them: a body with `"input_channel": "Q" * 10**7` was stored (10 MB per message) and held in the
tracker cache. A message is at most 5,000 characters (channels/guard.py), so a body over
MAX_BODY_BYTES (64 KB: the longest message, each character 4 bytes in UTF-8 and escaped, with room
to spare) is refused with 413 before it is read; socket.io messages and polling requests have the
same limit (channels/socket_io.py). The cap is set for the whole server by rasa_server/hooks.py.

Nor may a request's path carry a control character (`%00` ... `%1F`, `%7F`): Rasa's HTTP API (open with
RASA_ENABLE_API and a token) took `/conversations/%00/tracker` as a conversation id, created a tracker
named by a NUL (SQLite) or failed in the database driver (PostgreSQL cannot store one), and a conversation
id never holds one (channels/guard.py). Such a request is refused with 400 before any route runs.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from sanic import response

MAX_BODY_BYTES = 64 * 1024


def cap_request_size(app: Any) -> None:
    """Before the server starts (rasa_server/hooks.py): Sanic reads the limit for each new connection."""
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES


CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")


async def refuse_control_characters(request: Any) -> response.HTTPResponse | None:
    """A request middleware (rasa_server/hooks.py): 400 for a path with a control character."""
    if CONTROL_IN_PATH.search(unquote(request.path)):
        return response.json({"error": "the address holds a control character (such as %00)"}, status=400)
    return None
