"""Rasa's socket.io channel (the web widget's) behind the same guard as the REST channel, with each
bot message sent to the browser as one socket.io message that carries its structure.

Rasa 3.6's SocketIOOutput sends what the action uttered in pieces: every paragraph of the text as a
message of its own, then the structured payload on its own, and that last one never arrived:
send_custom_json splats the payload into AsyncServer.emit's keyword arguments, so a payload with a
key emit does not know ("type", "topic") raises TypeError, and because the error escapes before the
tracker is saved, the conversation was lost too. The widget then had to hold card-like text back and
match it to the payload with a regular expression tied to the text layout.

Here one bot message is one `bot_uttered` event: {"text", "quick_replies", "custom"}, each when
present. For an answer, `text` is what the payload does not carry: the payload's `body`, which the renderer
writes beside the cards and the sources (the widget draws those from the payload); no text is parsed
back. REST clients are not affected: their replies are Rasa's (the
text, then the payload as a separate `custom` message), and so is what the tracker stores.

The channel's events are the project's own (Rasa's blueprint is not used), for what Rasa 3.6 leaves open:
- Origins: a browser page may connect only from an origin the Rasa server's CORS allows (`--cors`,
  which scripts/serve.sh sets to the web server's) or the server's own, over websocket and polling
  alike; Rasa allowed any.
- Sessions (tokens/signed.py): `session_request` joins the conversation its session token names,
  or a new one the server makes; `session_confirm` answers {"session_id", "session_token"}. A message
  goes to the socket's own conversation only; one naming another `session_id` is refused.
  `session_end {session_token?}` (the widget's "New conversation") ends the token's conversation, else
  the socket's own: no token opens it again, on any server (stores/ended_conversations.py), and a socket
  still in it (one opened with a copied token) gets "not valid" for its messages.
- Messages: `user_uttered` is {"message": text, "message_id": the client's id, "session_id"}; its
  acknowledgement is {"message_id", "text": the message as stored (cleaned, masked), "session_token":
  a fresh one}, which is what the widget keeps. A message that is not text gets a clear reply;
  metadata is not read (Rasa's raised on metadata that was not JSON).
- Size: a socket.io message or polling request over 64 KB is refused, as REST bodies are.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from socketio import AsyncServer

from broker_faq.handoff import GRACE_SECONDS
from broker_faq.knowledge import runtime
from broker_faq.render import answer_text_beside_payload
from rasa_server import hooks
from rasa_server.limits import MAX_BODY_BYTES
from stores.ended_conversations import ended_conversations
from stores.handoff_board import board_and_manager
from tokens.portal import PortalKey
from tokens.signed import AgentTokens, SessionTokens, load_key
from web.accounts import AccountStore, accounts_path

from .guard import MAX_MESSAGE_CHARS, guarded, portal_context, stored_text, valid_message_id
from .handoff import Handoff, maybe_await

logger = logging.getLogger(__name__)

NOT_TEXT_REPLY = "I can only read text messages. Please type your question."
BAD_SESSION_REPLY = "This chat session is not valid. Please reload the page to start a new conversation."


def widget_origins(app: Sanic) -> list[str] | str:
    """The origins the server's CORS allows (Rasa's `--cors`): a list ([] for none), or "*" for any."""
    origins: list[str] = []
    for _, options in getattr(getattr(app.ctx, "sanic_cors", None), "resources", []) or []:
        value = options.get("origins") or []
        origins += [value] if isinstance(value, str) else [str(origin) for origin in value]
    if any(origin in ("*", ".*") for origin in origins):
        return "*"
    return [origin for origin in origins if origin]


def origin_allowed(environ: dict, allowed: list[str] | str) -> bool:
    """A browser's connection (it sends Origin) from an allowed origin only; clients that send no
    Origin are no web page, and CORS does not concern them. Never "the server's own origin" from the
    Host header: a page on a rebinding domain sends Origin and Host alike (`evil.example:5005`)."""
    origin = environ.get("HTTP_ORIGIN")
    if not origin or allowed == "*":
        return True
    return origin in allowed


def text_bodies_only(socketio_path: str) -> Callable[[Request], Coroutine[Any, Any, response.HTTPResponse | None]]:
    """A request middleware: a polling request's body is engine.io text (binary goes base64), so one
    that is not UTF-8 is refused with 400. engine.io decoded it unchecked: a UnicodeDecodeError traceback
    in the log, and the client answered 200 as if the message had been read."""
    path = "/" + socketio_path.strip("/")

    async def refuse_undecodable(request: Request) -> response.HTTPResponse | None:
        if request.method != "POST" or request.path.rstrip("/") != path or not request.body:
            return None
        try:
            request.body.decode("utf-8")
        except UnicodeDecodeError:
            return response.text("a socket.io message must be UTF-8 text", status=400)
        return None

    return refuse_undecodable


class PayloadSocketIOOutput(SocketIOOutput):
    """Each bot message as one socket.io message; the replies to a user message are numbered with its
    id ({"reply_to": id, "n": 0, 1, ...}), so a client that sent a message again knows the replies it
    already has (the replies to a repeat are the stored ones, in the same order)."""

    def __init__(self, sio: Any, bot_message_evt: str, reply_to: str | None = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.reply_to, self._sent = reply_to, 0
        self.handoff: dict | None = None  # the "Connecting you…" payload, when the assistant sent one

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if self.reply_to and isinstance(response, dict):
            response = {**response, "reply_to": self.reply_to, "n": self._sent}
            self._sent += 1
        await super()._send_message(socket_id, response)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        rest = dict(message)
        text, payload = rest.pop("text", None), rest.pop("custom", None)
        replies = rest.pop("quick_replies", None) or rest.pop("buttons", None)
        rest.pop("buttons", None)
        one: dict[str, Any] = {}
        if text:
            one["text"] = answer_text_beside_payload(text, payload)
        if replies:
            one["quick_replies"] = [
                {"content_type": "text", "title": reply["title"], "payload": reply["payload"]} for reply in replies
            ]
        if payload:
            one["custom"] = payload
            if payload.get("type") == "handoff":
                self.handoff = payload
        if one:
            await self._send_message(recipient_id, one)
        # Images, attachments, elements: as Rasa sends them (this project sends none).
        await super().send_response(recipient_id, rest)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """A payload sent on its own (not through send_response) goes as a message too, never as emit()'s
        keyword arguments."""
        await self._send_message(recipient_id, {"custom": json_message})


class GuardedSocketIOInput(SocketIOInput):
    """Same credentials as Rasa's `socketio` channel (events, namespace, path, jwt_key); session
    persistence is always on (a conversation outlives its socket)."""

    def get_output_channel(self) -> OutputChannel | None:
        return PayloadSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        key = load_key()
        tokens = SessionTokens(key)
        board, manager = board_and_manager()
        ended = ended_conversations()
        # CORS headers are the server's (sanic-cors, Rasa's --cors): engine.io adding its own would
        # double them, so its CORS handling stays off and the connect handler checks the origin.
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=MAX_BODY_BYTES, client_manager=manager
        )
        self.sio = sio
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        hooks.attach(blueprint)  # the server's own hooks, with or without the REST channel
        allowed: dict[str, list[str] | str] = {"origins": []}  # none until the server's CORS is read
        desk = Handoff(
            sio,
            board,
            AgentTokens(key),
            lambda environ: origin_allowed(environ, allowed["origins"]),
            grace_seconds=float(os.environ.get("HANDOFF_GRACE_SECONDS", GRACE_SECONDS)),
            accounts=AccountStore(accounts_path()),  # an agent reset or removed loses the desk at once
        )
        handle = guarded(on_new_message, server_metadata=desk.metadata, on_silence=desk.recover)
        portal_key = PortalKey.from_env()  # the portal's signed context (docs/portal-context.md), if configured

        @blueprint.listener("before_server_start")
        async def allow_widget_origins(app: Sanic, _: Any) -> None:
            allowed["origins"] = widget_origins(app)
            app.register_middleware(text_bodies_only(self.socketio_path), "request")

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            if not origin_allowed(environ, allowed["origins"]):
                logger.warning("socket.io connection refused: origin not allowed")
                return False
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:  # an event may come without data
            presented = data.get("session_token") if isinstance(data, dict) else None
            conversation = tokens.conversation(presented)
            if conversation is None or await ended.ended(conversation):  # none, invalid, or its broker ended it
                conversation = tokens.new_conversation()
            session = await sio.get_session(sid, namespace=self.namespace)
            if session.get("conversation") not in (None, conversation):
                await maybe_await(sio.leave_room(sid, session["conversation"], namespace=self.namespace))
            portal, refused = portal_context(data.get("portal_token") if isinstance(data, dict) else None, portal_key)
            await sio.save_session(sid, {"conversation": conversation, "portal": portal}, namespace=self.namespace)
            await maybe_await(sio.enter_room(sid, conversation, namespace=self.namespace))
            confirmed = {"session_id": conversation, "session_token": tokens.issue(conversation)}
            await sio.emit("session_confirm", confirmed, room=sid, namespace=self.namespace)
            if refused:  # a forged or expired portal token: said plainly, and no context
                await sio.emit(self.bot_message_evt, {"text": refused}, room=sid, namespace=self.namespace)
            await desk.status(conversation, sid)

        @sio.on("session_end", namespace=self.namespace)
        async def session_end(sid: str, data: Any = None) -> dict:
            presented = data.get("session_token") if isinstance(data, dict) else None
            session = await sio.get_session(sid, namespace=self.namespace)
            conversation = tokens.conversation(presented) or session.get("conversation")
            if conversation is None:
                return {"ok": False, "error": "session"}
            await ended.end(conversation)
            await desk.leave_queue(conversation)  # nobody waits for it any more (if it was waiting)
            await maybe_await(sio.close_room(conversation, namespace=self.namespace))  # every socket in it
            if session.get("conversation") == conversation:
                await sio.save_session(sid, {}, namespace=self.namespace)
            logger.info("Conversation %s ended by its broker; its session tokens no longer open it", conversation)
            return {"ok": True}

        @sio.on("handoff_cancel", namespace=self.namespace)
        async def leave_queue(sid: str, _: Any = None) -> dict:
            conversation = (await sio.get_session(sid, namespace=self.namespace)).get("conversation")
            return await desk.leave_queue(conversation) if conversation else {"ok": False}

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> dict:
            session = await sio.get_session(sid, namespace=self.namespace)
            conversation = session.get("conversation")
            data = data if isinstance(data, dict) else {}
            ours = conversation is not None and data.get("session_id") in (None, conversation)
            if not ours or await ended.ended(conversation):
                await sio.emit(self.bot_message_evt, {"text": BAD_SESSION_REPLY}, room=sid, namespace=self.namespace)
                return {"error": "session"}
            text = data.get("message")
            if not isinstance(text, str):
                await sio.emit(self.bot_message_evt, {"text": NOT_TEXT_REPLY}, room=sid, namespace=self.namespace)
                return {"error": "message"}
            message_id = data.get("message_id") if valid_message_id(data.get("message_id")) else uuid.uuid4().hex
            output = PayloadSocketIOOutput(sio, self.bot_message_evt, reply_to=message_id)
            message = UserMessage(text, output, conversation, input_channel=self.name(), message_id=message_id)
            with runtime.one_message():  # the same knowledge for the guard, the store and the acknowledgement
                with_agent = await desk.in_handoff(conversation)  # the assistant is paused: no reply expected
                await handle(message, quiet=with_agent, portal=session.get("portal"))
                said = stored_text(text)
            if with_agent and said and len(said) <= MAX_MESSAGE_CHARS:  # what the guard let through
                await desk.broker_said(conversation, said)
            elif output.handoff is not None:
                await desk.started(conversation, output.handoff)
            return {"message_id": message.message_id, "text": said, "session_token": tokens.issue(conversation)}

        return blueprint
