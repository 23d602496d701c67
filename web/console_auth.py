"""Signing in to the agent console with a named account: what the web server's session endpoint
(POST / GET / DELETE /api/session) and every console endpoint ask of it. Accounts are
web/accounts.py's, sessions and the brake on failed sign-ins web/console_sessions.py's; sign-ins,
refusals and sign-outs go to the audit log (web/audit.py) with the agent's name (the sign-ins turned away
unchecked, 429, in a summary per interval).

The session cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
Path=/, with no lifetime of its own (the server ends sessions), and Secure when the console is reached
over TLS (a proxy's X-Forwarded-Proto: https, or CONSOLE_SECURE_COOKIE=1).

A sign-in's attempt is reserved with the brake before its password is checked, and checks run
MAX_CHECKS at a time, in a thread of their own (argon2id takes 64 MiB and both cores for each, ~60-200 ms:
on the event loop it would stall every other request; 30 at once took the old threaded server to
~1.9 GB): up to MAX_QUEUED more wait their turn, at most QUEUE_SECONDS, and any beyond are turned away
with 429 and Retry-After, unchecked and not counted as failures. Every sign-in, whether the name exists
or not, is one password check (web/accounts.py's AccountStore.check). A body that is not a JSON object
with a string name and password, or is nested deeper than MAX_JSON_DEPTH, gets 400.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from typing import TypeVar

from web.accounts import AccountStore
from web.audit import AuditLog
from web.console_sessions import Sessions, SignInBrake
from web.session_stores import SessionStore

COOKIE = "kp_console"
MAX_SIGN_IN_BYTES = 4096
MAX_JSON_DEPTH = 8  # a sign-in is one flat object; this leaves room for a field or two of other shapes
MAX_CHECKS = 1  # password checks at a time: one already keeps both cores busy (4 argon2 lanes)
MAX_QUEUED = 8  # sign-ins waiting for a check; about 2 s at the back of the queue
QUEUE_SECONDS = 5.0
NAME_CHARS = 64
WHY_SIGNED_OUT = {
    "none": "Sign in with your agent account.",
    "expired": "Your session ended after a while without activity. Sign in again.",
    "ended": "Your session ended: your password was reset or your account removed.",
}


@dataclass
class AuthReply:
    """What a session endpoint answers: its HTTP status, JSON body and headers (the cookie)."""

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


T = TypeVar("T")


class Busy(Exception):
    """No room for another password check now."""


class CheckGate:
    """At most `at_once` password checks run together, each in the gate's own threads (off the event
    loop); up to `queued` more wait their turn (each at most `patience` seconds) and any more are turned
    away (Busy) at once, so a crowd of sign-ins holds neither the memory of a check each nor a queue
    without end. The thread pool is as large as `at_once`, so even a waiter given up on (its client gone)
    cannot make two checks run together."""

    def __init__(self, at_once: int = MAX_CHECKS, queued: int = MAX_QUEUED, patience: float = QUEUE_SECONDS):
        self._threads = ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="password-check")
        self._running = asyncio.Semaphore(at_once)
        self._room = at_once + queued
        self._admitted = 0  # checks running or waiting; only the event loop's thread counts them
        self.patience = patience

    async def run(self, check: Callable[[], T]) -> T:
        if self._admitted >= self._room:
            raise Busy
        self._admitted += 1
        try:
            try:
                await asyncio.wait_for(self._running.acquire(), self.patience)
            except asyncio.TimeoutError:
                raise Busy from None
            try:
                return await asyncio.get_running_loop().run_in_executor(self._threads, check)
            finally:
                self._running.release()
        finally:
            self._admitted -= 1


def json_depth(body: bytes) -> int:
    """How deep a JSON text's arrays and objects nest (brackets inside strings not counted)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def sign_in_fields(body: bytes) -> tuple[str, str]:
    """The name (trimmed, lower-case, at most NAME_CHARS) and password a sign-in body sends; ValueError
    saying what is wrong with it otherwise."""
    if json_depth(body) > MAX_JSON_DEPTH:
        raise ValueError("JSON nested too deep")
    try:
        sent = json.loads(body)
    except (ValueError, RecursionError):
        raise ValueError("not JSON") from None
    if not isinstance(sent, dict):
        raise ValueError("not a JSON object")
    name, password = sent.get("name"), sent.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        raise ValueError("name and password must be strings")
    return name.strip().lower()[:NAME_CHARS], password


class ConsoleAuth:
    def __init__(
        self,
        accounts: AccountStore,
        audit: AuditLog,
        idle_seconds: float,
        secure_cookies: bool = False,
        sessions: SessionStore | None = None,
    ):
        """`sessions`: where sessions are kept (web/session_stores.py; this process's memory if None)."""
        self.accounts, self.audit, self.secure_cookies = accounts, audit, secure_cookies
        self.idle_seconds = idle_seconds
        self.sessions = Sessions(
            lambda agent, changed: accounts.changed(agent) == changed, idle_seconds, store=sessions
        )
        self.brake = SignInBrake()
        self.checks = CheckGate()

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

    def refused(self, why: str) -> AuthReply:
        return AuthReply(
            HTTPStatus.UNAUTHORIZED, {"error": WHY_SIGNED_OUT.get(why, WHY_SIGNED_OUT["none"]), "reason": why}
        )

    def whoami(self, cookie_header: str | None) -> AuthReply:
        agent, why = self.agent(cookie_header)
        if agent is None:
            return self.refused(why)
        idle = round(self.idle_seconds / 60, 1)
        answer = {"agent": agent, "role": self.accounts.role(agent), "display_name": self.accounts.display_name(agent)}
        return AuthReply(HTTPStatus.OK, {**answer, "idle_minutes": idle})

    async def sign_in(self, address: str, body: bytes, over_tls: bool) -> AuthReply:
        try:
            name, password = sign_in_fields(body)
        except ValueError as error:
            return AuthReply(HTTPStatus.BAD_REQUEST, {"error": f'send {{"name": …, "password": …}} as JSON ({error})'})
        wait = self.brake.reserve(address, name)  # counted as a failure until the check says otherwise
        if wait:
            self.audit.refused(name, "sign-in refused (too many failures)")
            return self._too_many(f"Too many failed sign-ins. Try again in {wait} seconds.", wait)
        try:
            changed = await self.checks.run(lambda: self.accounts.check(name, password))
        except Busy:
            self.brake.release(address, name)
            self.audit.refused(name, "sign-in refused (too many at once)")
            return self._too_many("Too many sign-ins at once. Try again in a moment.", 1)
        if changed is None:
            self.audit.record(name, "sign-in refused (wrong name or password)")
            return AuthReply(HTTPStatus.UNAUTHORIZED, {"error": "Wrong name or password.", "reason": "wrong"})
        self.brake.succeeded(address, name)
        shown = self.accounts.display_name(name)
        # Who the account is to brokers from now on, beside its name in the record (only when they differ).
        self.audit.record(name, "sign-in", **({"display_name": shown} if shown != name else {}))
        token = self.sessions.start(name, changed)
        answer = {"agent": name, "role": self.accounts.role(name), "display_name": shown}
        return AuthReply(HTTPStatus.OK, answer, self._cookie(token, over_tls))

    @staticmethod
    def _too_many(error: str, wait: int) -> AuthReply:
        return AuthReply(
            HTTPStatus.TOO_MANY_REQUESTS, {"error": error, "retry_after": wait}, {"Retry-After": str(wait)}
        )

    def sign_out(self, cookie_header: str | None, over_tls: bool) -> AuthReply:
        agent = self.sessions.end(session_token(cookie_header))
        if agent:
            self.audit.record(agent, "sign-out")
            self.accounts.signed_out(agent)  # the live desk closes too (channels/handoff.py)
        return AuthReply(HTTPStatus.OK, {"signed_out": bool(agent)}, self._cookie("", over_tls, clear=True))
