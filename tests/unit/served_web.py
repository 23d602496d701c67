"""A web server under test (web/server.py) in this process: its accounts file with one agent, as
AccountStore.add writes it but hashed once a run (argon2id takes 0.1-0.5 s a hash on this shared 2-core
machine, and the web tests start about 65 servers: 13 s of `make unit` when each hashed its own), and the
server serving in a thread."""

from __future__ import annotations

import functools
import shutil
import socketserver
import tempfile
import threading
from pathlib import Path

from web.accounts import AccountStore


def with_agent(path: Path, name: str, password: str) -> AccountStore:
    """The accounts at `path`, a new file holding the agent `name` with `password`."""
    shutil.copy(_made(name, password), path)  # the mode too: 0600, as AccountStore writes it
    return AccountStore(path)


@functools.cache
def _made(name: str, password: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="kp-test-agents-"))
    AccountStore(folder / "agents.json").add(name, password)
    return folder / "agents.json"


def serve_in_thread(server: socketserver.BaseServer) -> None:
    """`server` serving in a thread of its own, until its shutdown(): which waits for the serving loop to
    look up, every 10 ms here rather than socketserver's 0.5 s (half a second a test, 30 s of `make unit`)."""
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
