"""How much one request may carry, for every channel of the Rasa server.

Sanic accepts request bodies up to 100 MB, and Rasa's REST channel stored whatever a client put in
them: a body with `"input_channel": "Q" * 10**7` was stored (10 MB per message) and held in the
tracker cache. A message is at most 5,000 characters (channels/guard.py), so a body over
MAX_BODY_BYTES (64 KB: the longest message, each character 4 bytes in UTF-8 and escaped, with room
to spare) is refused with 413 before it is read; socket.io messages and polling requests have the
same limit (channels/socket_io.py). The cap is set for the whole server by rasa_server/hooks.py.
"""

from __future__ import annotations

from typing import Any

MAX_BODY_BYTES = 64 * 1024


def cap_request_size(app: Any) -> None:
    """Before the server starts (rasa_server/hooks.py): Sanic reads the limit for each new connection."""
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
