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
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from .guard import guarded


def answer_text_beside_payload(text: str, payload: dict | None) -> str:
    """An answer's text without what its payload carries (the contact cards and the sources): the
    payload's `body`, which the renderer writes. Any other message is sent whole."""
    if not payload or payload.get("type") != "answer" or not isinstance(payload.get("body"), str):
        return text
    return payload["body"]


class PayloadSocketIOOutput(SocketIOOutput):
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
        if one:
            await self._send_message(recipient_id, one)
        # Images, attachments, elements: as Rasa sends them (this project sends none).
        await super().send_response(recipient_id, rest)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """A payload sent on its own (not through send_response) goes as a message too, never as emit()'s
        keyword arguments."""
        await self._send_message(recipient_id, {"custom": json_message})


class GuardedSocketIOInput(SocketIOInput):
    """Same credentials, events and session persistence as Rasa's `socketio` channel."""

    def get_output_channel(self) -> OutputChannel | None:
        return PayloadSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handle = guarded(on_new_message)

        # The parent's message handler builds its own SocketIOOutput; swap it before anything,
        # the guard's own replies included, is sent through it.
        async def with_payload_output(message: UserMessage) -> None:
            message.output_channel = PayloadSocketIOOutput(self.sio, self.bot_message_evt)
            await handle(message)

        return super().blueprint(with_payload_output)
