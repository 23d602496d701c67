"""What the web server is told by its environment (scripts/serve.sh sets most of it):

WEB_PORT (8080), RASA_URL (the Rasa server the widget talks to), SERVE_ENDPOINTS (endpoints.yml) and the
variables it names (TRACKER_DB, or TRACKER_DB_HOST, ... in the production profile), CONSOLE_ACCOUNTS
(var/agents.json, web/accounts.py), CONSOLE_IDLE_MINUTES (30), CONSOLE_SECURE_COOKIE (1 when a proxy
serves the console over TLS without saying so), CONSOLE_AUDIT_LOG (var/console-audit.log, web/audit.py),
and where the console's sessions are kept (web/session_stores.py): CONSOLE_SESSIONS_DB (an SQLite file,
by default console-sessions.db beside the accounts file), or Redis when CONSOLE_SESSIONS_REDIS_URL is set
or the production profile's lock store (LOCK_STORE_HOST, ...) is configured.
"""

from __future__ import annotations

import re
from pathlib import Path

from web.accounts import accounts_path

ROOT = Path(__file__).resolve().parent.parent


class Settings:
    def __init__(self, env: dict[str, str]):
        self.env = env  # also where the session-token key and the sessions' store are found
        self.port = int(env.get("WEB_PORT", "8080"))
        self.rasa_url = env.get("RASA_URL", "http://localhost:5005").rstrip("/")
        self.accounts = accounts_path(env)
        self.idle_seconds = float(env.get("CONSOLE_IDLE_MINUTES", "30")) * 60
        self.secure_cookie = env.get("CONSOLE_SECURE_COOKIE", "") == "1"
        # The endpoints file the Rasa server runs with: its tracker store is the one read.
        self.endpoints = env.get("SERVE_ENDPOINTS", "endpoints.yml")
        self.audit_log = ROOT / env.get("CONSOLE_AUDIT_LOG", "var/console-audit.log")

    def content_security_policy(self) -> str:
        # The pages run only their own scripts and talk only to this server and the Rasa server.
        websocket = re.sub(r"^http", "ws", self.rasa_url)
        return (
            f"default-src 'self'; connect-src 'self' {self.rasa_url} {websocket}; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
