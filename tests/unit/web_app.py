"""The web server's Sanic app (web/server.build_app) serving in this process, on a free port of its own,
in a thread with its own event loop: as `python -m web.server` serves it, without a process to start."""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading

from sanic import Sanic
from sanic.touchup import TouchUp

from stores.events_reader import EventsReader
from web.server import build_app
from web.settings import Settings

_names = itertools.count()
# Several apps in one process, one after another, as Sanic's own test client runs them: at each start
# Sanic rewrites its HTTP class's methods for the app's signals (sanic/touchup), from the original only in
# test mode.
Sanic.test_mode = True
_touch_up = TouchUp.run
_touched_up_for: list[tuple] = []


def _touch_up_once(app: Sanic) -> None:
    """Sanic's rewrite of its classes' methods (TouchUp.run) at an app's start, skipped when the last one
    was for the same signals: the rewrite (the methods' source parsed, the dispatch of signals nobody
    handles taken out, compiled) depends on nothing else and changes those classes for every app, and it was
    60 of the ~75 ms of each of the ~80 starts of `make unit`. A server process starts one app and does it
    once, as here."""
    touched_for = (sorted(route.path for route in app.signal_router.routes), app.state.verbosity)
    if _touched_up_for != [touched_for]:
        _touch_up(app)
        _touched_up_for[:] = [touched_for]


TouchUp.run = _touch_up_once  # type: ignore[method-assign]


class ServedApp:
    def __init__(self, settings: Settings, events: EventsReader):
        self.app = build_app(settings, events, name=f"web_under_test_{next(_names)}")
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        assert self._ready.wait(30), "the web server did not start"

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))  # Sanic takes port 0 for its default, 8000: a free one is bound here
        server = self.loop.run_until_complete(
            self.app.create_server(sock=listening, return_asyncio_server=True, access_log=False)
        )
        self.server = server
        self.loop.run_until_complete(server.startup())
        self.loop.run_until_complete(server.before_start())
        self.loop.run_until_complete(server.after_start())
        self.port = server.server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        async def close() -> None:
            await self.server.before_stop()
            self.server.close()
            await self.server.wait_closed()
            await self.server.after_stop()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)
