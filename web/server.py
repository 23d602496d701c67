"""The web server of `make run`: the broker widget, its demo portal page and the agent console
(static files), the socket.io browser client from node_modules, the console's sign-in (named agent
accounts, a session cookie: web/console_auth.py) and, for a signed-in agent, its transcript, contact
directory and both-regions endpoints, the pass its live connection to the Rasa servers needs (the
handoff desk: GET /api/desk-token, channels/sessions.AgentTokens), and the type-ahead questions the
widget and the console offer (public: topic titles and questions, no conversation data). Rasa's own HTTP
API stays off; this reads the tracker store instead: the one named in the endpoints file the Rasa server
runs with (stores/events_reader.py), SQLite or PostgreSQL.

Configured by the environment: WEB_PORT (8080), RASA_URL (the Rasa server the widget talks to),
SERVE_ENDPOINTS (endpoints.yml) and the variables it names (TRACKER_DB, or TRACKER_DB_HOST, ... in the
production profile), CONSOLE_ACCOUNTS (var/agents.json, web/accounts.py), CONSOLE_IDLE_MINUTES (30),
CONSOLE_SECURE_COOKIE (1 when a proxy serves the console over TLS without saying so),
CONSOLE_AUDIT_LOG (var/console-audit.log, web/audit.py). It listens on 127.0.0.1 only.

A sign-in (POST /api/session) is read only when its request is well formed, and anything else gets a
clear 4xx at once, its body unread and the connection closed: no Content-Length (a chunked body
included), 411; a Content-Length that is not a whole number of bytes (negative, not an integer, given
twice with different values, or beside Transfer-Encoding), 400; over MAX_SIGN_IN_BYTES, 413; a body that
stops short of its length for BODY_SECONDS, 408; one that is not JSON of the right shape, 400
(web/console_auth.py).
"""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import os
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa

from broker_faq import runtime
from broker_faq.directory import Directory, Suggestions
from stores.events_reader import EventsReader
from tokens.signed import AgentTokens, load_key
from web.accounts import AccountStore, accounts_path
from web.audit import AuditLog
from web.console_auth import MAX_SIGN_IN_BYTES, Answer, ConsoleAuth
from web.transcript import conversation_turns

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "web" / "static"
SOCKET_IO_CLIENT = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
CONVERSATION_PATH = re.compile(r"/api/conversations/([A-Za-z0-9_-]{1,128})")
MAX_QUERY_CHARS = 200  # what a filter or type-ahead box sends; longer is cut
BODY_SECONDS = 10.0  # a sign-in body is a few hundred bytes: one that does not arrive in this time is dropped
LENGTH_DIGITS = 7  # a Content-Length of more digits (leading zeros aside) is far over any cap here


class WebServer(ThreadingHTTPServer):
    request_queue_size = 64  # connections waiting to be accepted: a crowd of 30 is not reset


class Desk:
    """The directory and the type-ahead of the knowledge in force, rebuilt when it is reloaded."""

    def __init__(self) -> None:
        self._built: tuple[object, Directory, Suggestions] | None = None

    def current(self) -> tuple[Directory, Suggestions]:
        knowledge = runtime.current().knowledge
        if self._built is None or self._built[0] is not knowledge:
            self._built = (knowledge, Directory(knowledge), Suggestions(knowledge))
        return self._built[1], self._built[2]


class Settings:
    def __init__(self, env: dict[str, str]):
        self.env = env  # also where the session-token key is found (channels/sessions.py)
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


def make_handler(settings: Settings, events: EventsReader) -> type[BaseHTTPRequestHandler]:
    desk = Desk()
    audit = AuditLog(settings.audit_log)
    # The console's pass to its live connection with the Rasa servers (the handoff queue and chats).
    agent_tokens = AgentTokens(load_key(settings.env))
    auth = ConsoleAuth(AccountStore(settings.accounts), audit, settings.idle_seconds, settings.secure_cookie)

    class Handler(BaseHTTPRequestHandler):
        server_version = "kp-broker-web"
        sys_version = ""
        agent = ""  # the signed-in agent, once signed_in() found one

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = unquote(parts.path), parse_qs(parts.query)

            def arg(name: str) -> str:
                return (query.get(name) or [""])[0][:MAX_QUERY_CHARS]

            if path == "/api/suggest":
                self.suggest(arg("q"))
            elif path == "/api/session":
                self.answer(auth.whoami(self.headers.get("Cookie")))
            elif path == "/api/directory" and self.signed_in():
                self.directory(arg("q"))
            elif path == "/api/compare" and self.signed_in():
                self.compare(arg("topic"))
            elif path == "/api/topics" and self.signed_in():
                self.topics()
            elif path == "/api/desk-token" and self.signed_in():
                self.json(HTTPStatus.OK, {"token": agent_tokens.issue(self.agent), "agent": self.agent})
            elif path in ("/api/directory", "/api/compare", "/api/topics", "/api/desk-token"):
                return  # signed_in() answered 401
            elif path == "/":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", "/demo/")
                self.end_headers()
            elif match := CONVERSATION_PATH.fullmatch(path):
                self.conversation(match.group(1), arg("purpose"))
            elif path == "/vendor/socket.io.min.js":
                self.file(SOCKET_IO_CLIENT)
            else:
                self.static(path)

        def do_POST(self) -> None:
            """Sign-in: {"name", "password"} as JSON, from the console's own page."""
            if urlsplit(self.path).path != "/api/session":
                self.send_error(HTTPStatus.NOT_FOUND)
            elif not self.from_own_page() or not self.headers.get("Content-Type", "").startswith("application/json"):
                self.json(HTTPStatus.FORBIDDEN, {"error": "sign in from the agent console"})
            else:
                body = self.sign_in_body()
                if body is not None:
                    self.answer(auth.sign_in(self.client(), body, self.over_tls()))

        def do_DELETE(self) -> None:
            """Sign-out."""
            if urlsplit(self.path).path != "/api/session":
                self.send_error(HTTPStatus.NOT_FOUND)
            elif not self.from_own_page():
                self.json(HTTPStatus.FORBIDDEN, {"error": "sign out from the agent console"})
            else:
                self.answer(auth.sign_out(self.headers.get("Cookie"), self.over_tls()))

        def sign_in_body(self) -> bytes | None:
            """The sign-in's body, or None and a 4xx answered (the body unread, the connection closed)."""
            length = self.sign_in_length()
            if isinstance(length, tuple):
                self.refuse(*length)
                return None
            try:
                self.connection.settimeout(BODY_SECONDS)
                body = self.rfile.read(length)
            except TimeoutError:
                self.refuse(HTTPStatus.REQUEST_TIMEOUT, f"the body did not arrive in {BODY_SECONDS:g} s")
                return None
            if len(body) < length:
                self.refuse(HTTPStatus.BAD_REQUEST, "the body is shorter than its Content-Length")
                return None
            return body

        def sign_in_length(self) -> int | tuple[HTTPStatus, str]:
            """The sign-in body's length in bytes, or the status and error a request saying otherwise gets."""
            lengths = {value.strip(" \t") for value in self.headers.get_all("Content-Length") or []}
            if self.headers.get("Transfer-Encoding") and lengths:
                return HTTPStatus.BAD_REQUEST, "send either Content-Length or Transfer-Encoding, not both"
            if not lengths:  # none given, or a chunked body
                return HTTPStatus.LENGTH_REQUIRED, "send the sign-in with a Content-Length"
            if len(lengths) > 1 or not re.fullmatch(r"[0-9]+", value := lengths.pop()):
                return HTTPStatus.BAD_REQUEST, "Content-Length must be one whole number of bytes"
            digits = value.lstrip("0") or "0"
            if len(digits) > LENGTH_DIGITS or int(digits) > MAX_SIGN_IN_BYTES:
                return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a sign-in is at most {MAX_SIGN_IN_BYTES} bytes"
            return int(digits)

        def refuse(self, status: HTTPStatus, error: str) -> None:
            """A 4xx for a request whose body is not (all) read: the connection ends after it, the rest
            of the body never read as a next request."""
            self.close_connection = True
            self.json(status, {"error": error}, {"Connection": "close"})

        def signed_in(self) -> bool:
            """A signed-in agent's session (self.agent set), or a 401 answered. The console's background
            polling says so (X-Console-Background: 1) and does not keep an idle session alive."""
            background = self.headers.get("X-Console-Background") == "1"
            agent, why = auth.agent(self.headers.get("Cookie"), background)
            if agent is None:
                self.answer(auth.refused(why))
                return False
            self.agent = agent
            return True

        def from_own_page(self) -> bool:
            """No other site's page may sign in or out (the cookie is SameSite=Strict as well)."""
            origin = self.headers.get("Origin")
            return origin is None or urlsplit(origin).netloc == self.headers.get("Host")

        def over_tls(self) -> bool:
            return self.headers.get("X-Forwarded-Proto", "").lower() == "https"

        def client(self) -> str:
            """The client's address for the sign-in brake: a local proxy's X-Forwarded-For, else the peer's."""
            peer = self.client_address[0]
            forwarded = self.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
            return forwarded if forwarded and ipaddress.ip_address(peer).is_loopback else peer

        def answer(self, answer: Answer) -> None:
            self.json(answer.status, answer.body, answer.headers)

        def suggest(self, typed: str) -> None:
            _, suggestions = desk.current()
            found = [{"topic": s.topic, "question": s.question, "payload": f"/{s.topic}"}
                     for s in suggestions.suggest(typed)]  # fmt: skip
            # Public and read-only, so a portal page that embeds the widget may ask from its own origin.
            self.json(HTTPStatus.OK, {"suggestions": found}, {"Access-Control-Allow-Origin": "*"})

        def directory(self, typed: str) -> None:
            directory, _ = desk.current()
            teams = [{"team": e.team, "region": e.region, "card": e.card} for e in directory.find(typed)]
            self.json(HTTPStatus.OK, {"teams": teams})

        def topics(self) -> None:
            """The topics that can be compared (those answered by region), titled, in the knowledge's order."""
            knowledge = runtime.current().knowledge
            found = [{"topic": key, "title": t.title} for key, t in knowledge.topics.items() if t.answers]
            self.json(HTTPStatus.OK, {"topics": found})

        def compare(self, topic: str) -> None:
            knowledge = runtime.current().knowledge
            if topic not in knowledge.topics:
                self.json(HTTPStatus.NOT_FOUND, {"error": "no such topic", "topics": sorted(knowledge.topics)})
                return
            answers = runtime.current().assistant.side_by_side(topic)
            regions = [{"region": name, "text": r.text, "payload": r.payload} for name, r in answers.items()]
            self.json(HTTPStatus.OK, {"topic": topic, "title": knowledge.topics[topic].title, "regions": regions})

        def conversation(self, sender_id: str, purpose: str) -> None:
            """A conversation's turns; `purpose` (view, copy, download) says what the transcript panel
            reads it for, and every read is in the audit log with the agent's name."""
            if not self.signed_in():
                return
            try:
                turns = conversation_turns(events, sender_id)
            except sa.exc.SQLAlchemyError as error:
                self.log_error("tracker store unreadable: %s", str(error).splitlines()[0])
                self.json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "the conversation store cannot be read now"})
                return
            if turns:
                audit.transcript_read(self.agent, purpose, sender_id)
            self.json(HTTPStatus.OK, {"sender_id": sender_id, "turns": turns})

        def static(self, path: str) -> None:
            target = (STATIC / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(STATIC):
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            self.file(target)

        def file(self, target: Path) -> None:
            if not target.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            body = target.read_bytes()
            if target.suffix == ".html":
                body = body.replace(b"{{RASA_URL}}", settings.rasa_url.encode())
            self.reply(
                HTTPStatus.OK,
                body,
                mimetypes.guess_type(target.name)[0] or "application/octet-stream",
                {"Content-Security-Policy": settings.content_security_policy()} if target.suffix == ".html" else {},
            )

        def json(self, status: HTTPStatus, value: dict, headers: dict | None = None) -> None:
            self.reply(
                status, json.dumps(value).encode(), "application/json", {"Cache-Control": "no-store", **(headers or {})}
            )

        def reply(self, status: HTTPStatus, body: bytes, content_type: str, headers: dict) -> None:
            self.send_response(status)
            if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
                content_type += "; charset=utf-8"
            for name, value in {
                "Content-Type": content_type,
                "Content-Length": str(len(body)),
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
                **headers,
            }.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


def main() -> None:
    settings = Settings(dict(os.environ))
    events = EventsReader.from_endpoints(settings.endpoints)
    server = WebServer(("127.0.0.1", settings.port), make_handler(settings, events))
    print(f"Web server on http://localhost:{settings.port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
