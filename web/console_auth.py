"""Signing in to the agent console with a named account: what the web server's session endpoint
(POST / GET / DELETE /api/session) and every console endpoint ask of it. Accounts are
web/accounts.py's, sessions and the brake on failed sign-ins web/console_sessions.py's; sign-ins,
refusals and sign-outs go to the audit log (web/audit.py) with the agent's name.

The session cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
Path=/, with no lifetime of its own (the server ends sessions), and Secure when the console is reached
over TLS (a proxy's X-Forwarded-Proto: https, or CONSOLE_SECURE_COOKIE=1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie

from web.accounts import AccountStore
from web.audit import AuditLog
from web.console_sessions import Sessions, SignInBrake

COOKIE = "kp_console"
MAX_SIGN_IN_BYTES = 4096
WHY_SIGNED_OUT = {
    "none": "Sign in with your agent account.",
    "expired": "Your session ended after a while without activity. Sign in again.",
    "ended": "Your session ended: your password was reset or your account removed.",
}


@dataclass
class Answer:
    status: HTTPStatus
    body: dict
    headers: dict[str, str] = field(default_factory=dict)


def session_token(cookie_header: str | None) -> str | None:
    if not cookie_header:
        return None
    try:
        morsel = SimpleCookie(cookie_header).get(COOKIE)
    except CookieError:
        return None
    return morsel.value if morsel else None


class ConsoleAuth:
    def __init__(self, accounts: AccountStore, audit: AuditLog, idle_seconds: float, secure_cookies: bool = False):
        self.accounts, self.audit, self.secure_cookies = accounts, audit, secure_cookies
        self.idle_seconds = idle_seconds
        self.sessions = Sessions(lambda agent, changed: accounts.changed(agent) == changed, idle_seconds)
        self.brake = SignInBrake()

    def _cookie(self, value: str, over_tls: bool, clear: bool = False) -> dict[str, str]:
        attributes = ["Path=/", "HttpOnly", "SameSite=Strict"]
        if over_tls or self.secure_cookies:
            attributes.append("Secure")
        if clear:
            attributes.append("Max-Age=0")
        return {"Set-Cookie": "; ".join([f"{COOKIE}={value}", *attributes])}

    def agent(self, cookie_header: str | None, background: bool = False) -> tuple[str | None, str]:
        """Who the request's session belongs to, or None and why ("none", "expired", "ended")."""
        return self.sessions.agent(session_token(cookie_header), active=not background)

    def refused(self, why: str) -> Answer:
        return Answer(
            HTTPStatus.UNAUTHORIZED, {"error": WHY_SIGNED_OUT.get(why, WHY_SIGNED_OUT["none"]), "reason": why}
        )

    def whoami(self, cookie_header: str | None) -> Answer:
        agent, why = self.agent(cookie_header)
        if agent is None:
            return self.refused(why)
        return Answer(HTTPStatus.OK, {"agent": agent, "idle_minutes": round(self.idle_seconds / 60, 1)})

    def sign_in(self, address: str, body: bytes, over_tls: bool) -> Answer:
        try:
            sent = json.loads(body)
            name, password = str(sent["name"]).strip().lower()[:64], str(sent["password"])
        except (ValueError, KeyError, TypeError):
            return Answer(HTTPStatus.BAD_REQUEST, {"error": 'send {"name": …, "password": …} as JSON'})
        wait = self.brake.wait(address, name)
        if wait:
            self.audit.record(name, "sign-in refused (too many failures)")
            return Answer(
                HTTPStatus.TOO_MANY_REQUESTS,
                {"error": f"Too many failed sign-ins. Try again in {wait} seconds.", "retry_after": wait},
                {"Retry-After": str(wait)},
            )
        changed = self.accounts.changed(name)
        if changed is None or not self.accounts.verify(name, password):
            self.brake.failed(address, name)
            self.audit.record(name, "sign-in refused (wrong name or password)")
            return Answer(HTTPStatus.UNAUTHORIZED, {"error": "Wrong name or password.", "reason": "wrong"})
        self.brake.succeeded(address, name)
        self.audit.record(name, "sign-in")
        token = self.sessions.start(name, changed)
        return Answer(HTTPStatus.OK, {"agent": name}, self._cookie(token, over_tls))

    def sign_out(self, cookie_header: str | None, over_tls: bool) -> Answer:
        agent = self.sessions.end(session_token(cookie_header))
        if agent:
            self.audit.record(agent, "sign-out")
        return Answer(HTTPStatus.OK, {"signed_out": bool(agent)}, self._cookie("", over_tls, clear=True))
