"""A socket.io client for the live tests, speaking to the Rasa server as the widget does: connect
(optionally from a page's Origin), ask for a session, send messages, collect the bot's messages."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import socketio


class EventLog:
    """The socket.io events a client received, as (name, data), and a wait for one of them."""

    def __init__(self, client: socketio.AsyncClient, names: tuple[str, ...], namespace: str = "/"):
        self.events: list[tuple[str, Any]] = []
        for name in names:
            client.on(name, self._recorder(name), namespace=namespace)

    def _recorder(self, name: str):
        async def record(data: Any) -> None:
            self.events.append((name, data))

        return record

    async def wait_for(self, name: str, check=lambda data: True, timeout: float = 15) -> Any:
        """The latest `name` event whose data passes `check`, once there is one."""

        async def found() -> Any:
            while True:
                for event, data in reversed(self.events):
                    if event == name and check(data):
                        return data
                await asyncio.sleep(0.05)

        return await asyncio.wait_for(found(), timeout)


class Chat:
    def __init__(self, url: str, origin: str | None = None):
        self.url, self.origin = url, origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.bot: list[dict] = []
        self.session: Any = None
        self._confirmed = asyncio.Event()
        self.client.on("bot_uttered", self.bot.append)
        self.client.on("session_confirm", self._on_confirm)
        # What the live handoff sent this broker.
        self.handoff = EventLog(self.client, ("handoff", "handoff_position", "agent_uttered", "agent_typing"))
        self.wait_handoff = self.handoff.wait_for

    async def _on_confirm(self, data: Any) -> None:
        self.session = data
        self._confirmed.set()

    @property
    def session_id(self) -> str | None:
        """The conversation the server confirmed (a plain id from Rasa's own channel)."""
        return self.session.get("session_id") if isinstance(self.session, dict) else self.session

    @property
    def token(self) -> str | None:
        return self.session.get("session_token") if isinstance(self.session, dict) else None

    async def connect(self, transports: tuple[str, ...] = ("websocket",)) -> None:
        headers = {"Origin": self.origin} if self.origin else {}
        await self.client.connect(self.url, headers=headers, transports=list(transports), wait_timeout=10)

    async def start(self, session_id: str | None = None, token: str | None = None) -> None:
        """A session: the one a token opens, or (Rasa's channel) the id asked for, else a new one."""
        self._confirmed.clear()
        request = {key: value for key, value in (("session_id", session_id), ("session_token", token)) if value}
        await self.client.emit("session_request", request)
        await asyncio.wait_for(self._confirmed.wait(), 10)

    async def say(self, message: Any, replies: int = 1, timeout: float = 30, **fields: Any) -> list[dict]:
        """Send a message (to the confirmed session unless `session_id` says otherwise) and wait for
        `replies` new bot messages; returns them."""
        before = len(self.bot)
        data = {"message": message, "session_id": self.session_id, **fields}
        await self.client.emit("user_uttered", data)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wait_for(before + replies), timeout)
        return self.bot[before:]

    async def call(self, data: dict, timeout: float = 30) -> Any:
        """Send a message and return the server's acknowledgement."""
        return await self.client.call("user_uttered", data, timeout=timeout)

    async def _wait_for(self, count: int) -> None:
        while len(self.bot) < count:
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.client.disconnect()


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


class Desk:
    """An agent's console as the Rasa server sees it: the /desk namespace, opened with an agent pass."""

    def __init__(self, url: str, token: str | None):
        self.url, self.token = url, token
        self.client = socketio.AsyncClient(reconnection=False)
        self.log = EventLog(self.client, ("queue", "held", "broker_uttered", "released"), namespace="/desk")
        self.wait_for = self.log.wait_for

    async def connect(self) -> None:
        await self.client.connect(
            self.url, namespaces=["/desk"], auth={"token": self.token}, transports=["websocket"], wait_timeout=10
        )

    async def call(self, event: str, data: dict, timeout: float = 30) -> Any:
        return await self.client.call(event, data, namespace="/desk", timeout=timeout)

    async def close(self) -> None:
        await self.client.disconnect()


async def waiting_broker(url: str, question: str, transports: tuple[str, ...] = ("websocket",)) -> Chat:
    """A broker who asked `question`, then for a person, and is in the queue."""
    chat = Chat(url)
    await chat.connect(transports)
    await chat.start()
    await chat.say(question)
    await chat.say("talk to a person")
    await chat.wait_handoff("handoff", lambda d: d["state"] == "waiting")
    return chat
