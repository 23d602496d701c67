"""Rasa's socket.io channel (the web widget's) behind the same guard as the REST channel."""
from typing import Any

from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from .guard import guarded


class GuardedSocketIOInput(SocketIOInput):
    def blueprint(self, on_new_message: Any) -> Blueprint:
        return super().blueprint(guarded(on_new_message))
