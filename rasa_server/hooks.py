"""The hooks the Rasa server needs whichever channels it opens, installed by one call.

Before, the REST channel's blueprint installed them for the whole server, so a server with the
socket.io channel alone (credentials.yml without REST) ran with Sanic's 100 MB body limit, no client
address for the rate limits and the loaded model inside every full garbage collection. Now every
channel calls `attach(blueprint)`, whose listeners run `install(app)` before the server starts and
`freeze_loaded_objects(app)` after; each does its work once per app, however many channels call it.

What install(app) does:
- the project's changes to Rasa (patches.py, with the log filter of private_logs.py; attach() applies
  them already, since one of them concerns the registration of the socket.io route);
- request bodies capped at 64 KB for every route, and a path with a control character (%00) refused
  (limits.py);
- the client address of every request (REST, socket.io polling and websocket upgrades) taken for the
  rate limits (rate_limit.py), as an application-wide middleware.

When the server stops (after_server_stop), the HTTP sessions it kept for the action server (patches.py)
are closed.

And once the model is loaded (after_server_start: Rasa loads it before_server_start), the objects it
left (hundreds of MB) are moved out of the garbage collector's view (`gc.freeze`). Otherwise every
full collection walked them all: a pause of 250-290 ms for every conversation in flight, several
times a minute under load.
"""

from __future__ import annotations

import gc
from typing import Any

from . import patches, rate_limit
from .limits import cap_request_size, refuse_control_characters

INSTALLED = "kp_server_hooks"  # flags on app.ctx: each step once per app
FROZEN = "kp_gc_frozen"


def install(app: Any, _loop: Any = None) -> None:
    """Everything the server needs before it starts; idempotent (a before_server_start listener)."""
    patches.apply()  # idempotent itself: a module-level patch, the same for every app
    if getattr(app.ctx, INSTALLED, False):
        return
    setattr(app.ctx, INSTALLED, True)
    cap_request_size(app)
    app.register_middleware(refuse_control_characters, "request")
    app.register_middleware(rate_limit.remember_address, "request")


async def freeze_loaded_objects(app: Any = None, _loop: Any = None) -> None:
    """After the model is loaded, keep what it left out of full collections; once per app."""
    if app is not None:
        if getattr(app.ctx, FROZEN, False):
            return
        setattr(app.ctx, FROZEN, True)
    gc.collect()
    gc.freeze()


async def close_sessions(app: Any = None, _loop: Any = None) -> None:
    """Close the action server's kept HTTP session (an after_server_stop listener)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    await patches.close_kept_sessions(getattr(agent, "action_endpoint", None))


def attach(blueprint: Any) -> None:
    """What each channel calls on its blueprint, before Rasa registers it: the patches (the socket.io
    route's is made when the blueprint is registered), and the listeners that install the hooks."""
    patches.apply()
    blueprint.listener("before_server_start")(install)
    blueprint.listener("after_server_start")(freeze_loaded_objects)
    blueprint.listener("after_server_stop")(close_sessions)
