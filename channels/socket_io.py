"""Rasa's socket.io channel (the web widget's) behind the same guard as the REST channel, with
the structured payload delivered.

Rasa 3.6's SocketIOOutput.send_custom_json splats the payload into AsyncServer.emit's keyword
arguments, so any payload with a key emit does not know ("type", "topic") raises TypeError: the
payload never reaches the browser and, because the error escapes before the tracker is saved, the
conversation is lost too. Here it is sent like every other message: {"custom": payload}.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from .guard import guarded


class PayloadSocketIOOutput(SocketIOOutput):
    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class GuardedSocketIOInput(SocketIOInput):
    """Same credentials, events and session persistence as Rasa's `socketio` channel."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        return PayloadSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handle = guarded(on_new_message)

        # The parent's message handler builds its own SocketIOOutput; swap it before anything,
        # the guard's own replies included, is sent through it.
        async def with_payload_output(message: UserMessage) -> None:
            message.output_channel = PayloadSocketIOOutput(self.sio, self.bot_message_evt)
            await handle(message)
        return super().blueprint(with_payload_output)
