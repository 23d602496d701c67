"""The web server of `make run` (scripts/serve.sh web: `python -m web.server`): the broker widget, its demo
portal page and the agent console (web/pages.py), and the console's sign-in and, for a signed-in agent,
its transcript, contact directory, both-regions and desk-pass endpoints (web/console_api.py), and for a
lead the misses inbox (web/misses_api.py) and the Insights tab's figures (web/insights_api.py). Rasa's own
HTTP API stays off; this reads the tracker store instead: the one named in the endpoints file the Rasa
server runs with (stores/events_reader.py), SQLite or PostgreSQL. Configured by the environment
(web/settings.py); it listens on 127.0.0.1 only.

Built on Sanic 21.12, the framework Rasa 3.6 runs on and pins (requirements.lock: sanic==21.12.2), so no
new dependency: the standard library's http.server it replaces left Content-Length handling, concurrency
and a 180-line handler closure to this project (the sign-in hardening's findings). Here the routes are
declared, one event loop serves every connection, and what applies to all requests is in one place each:
the framing and size of a body (web/request_body.py), the session check (the console blueprint's
middleware), the security headers and JSON errors (web/responses.py). The CPU-heavy work, argon2
password checks, runs in a bounded thread pool off the loop (web/console_auth.CheckGate).
"""

from __future__ import annotations

import asyncio
import os
import sys

from sanic import Sanic

from ops.export_reviewed import reviewed_path
from stores.events_reader import EventsReader
from stores.miss_labels import label_store
from tokens.signed import AgentTokens, load_key
from web.accounts import AccountStore
from web.audit import REFUSALS_EVERY, AuditLog
from web.console_api import console, session
from web.console_auth import ConsoleAuth
from web.console_sessions import MAX_AGE
from web.insights_api import insights
from web.lookups import KnowledgeLookups
from web.misses_api import leads
from web.pages import pages
from web.request_body import MAX_BODY_BYTES, check_framing
from web.responses import JsonErrors, security_headers
from web.services import WebServices
from web.session_stores import session_store
from web.settings import Settings

APP_NAME = "kp_broker_web"
# The project's log line (as Rasa's), so scripts/serve.sh's filter shows this server's ERROR lines too.
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s  - %(message)s"
ACCESS_FORMAT = "%(asctime)s %(levelname)-8s %(name)s  - %(host)s %(request)s %(status)d %(byte)d"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": LOG_FORMAT}, "access": {"format": ACCESS_FORMAT}},
    "handlers": {
        "errors": {"class": "logging.StreamHandler", "formatter": "line", "stream": sys.stderr},
        "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": sys.stdout},
    },
    "loggers": {
        "sanic.root": {"level": "INFO", "handlers": ["errors"]},
        "sanic.error": {"level": "INFO", "handlers": ["errors"], "propagate": False},
        "sanic.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        "web": {"level": "INFO", "handlers": ["errors"]},
    },
}


def web_services(settings: Settings, events: EventsReader) -> WebServices:
    accounts = AccountStore(settings.accounts)
    audit_log = AuditLog(settings.audit_log, roles=accounts.role)
    sessions = session_store(settings.env, settings.accounts, lifetime=MAX_AGE)
    auth = ConsoleAuth(accounts, audit_log, settings.idle_seconds, settings.secure_cookie, sessions)
    tokens, labels = AgentTokens(load_key(settings.env)), label_store(settings.env, settings.accounts)
    return WebServices(auth, audit_log, events, tokens, KnowledgeLookups(), labels, reviewed_path(settings.env))


def build_app(settings: Settings, events: EventsReader, name: str = APP_NAME) -> Sanic:
    """The web server's app; `name` must be unique in a process (Sanic keeps a registry of apps)."""
    app = Sanic(name, error_handler=JsonErrors(), log_config=LOGGING)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.MOTD = False
    app.ctx.settings = settings
    app.ctx.services = web_services(settings, events)
    app.signal("http.lifecycle.request")(check_framing)
    app.register_middleware(security_headers(settings.content_security_policy()), "response")
    for blueprint in (
        session,
        console,
        leads,
        insights,
        pages,
    ):  # pages last: its /<path> takes what no other route does
        app.blueprint(blueprint)
    app.register_listener(start_audit_summaries, "after_server_start")
    app.register_listener(stop_audit_summaries, "before_server_stop")
    return app


async def start_audit_summaries(app: Sanic, _: object) -> None:
    """The audit log's pending summary of refused sign-ins written every interval (web/audit.py)."""

    async def every_interval() -> None:
        while True:
            await asyncio.sleep(REFUSALS_EVERY)
            app.ctx.services.audit.flush()

    app.ctx.audit_summaries = asyncio.get_running_loop().create_task(every_interval())


async def stop_audit_summaries(app: Sanic, _: object) -> None:
    app.ctx.audit_summaries.cancel()
    app.ctx.services.audit.flush()  # none left unwritten


def main() -> None:
    settings = Settings(dict(os.environ))
    app = build_app(settings, EventsReader.from_endpoints(settings.endpoints))
    print(f"Web server on http://localhost:{settings.port}", file=sys.stderr, flush=True)
    app.run(host="127.0.0.1", port=settings.port, workers=1, access_log=True)


if __name__ == "__main__":
    main()
