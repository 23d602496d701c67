"""Live handoff from the broker widget to a signed-in agent: who waits, who holds which conversation,
which agents are connected, and what the broker and the agent are told. Plain Python (no Rasa, no
socket.io): the socket.io channel (channels/handoff.py) is a thin adapter over it, and the Redis board
of the production profile (stores/handoff_board.py, RedisBoard) keeps the same state where every server sees it.

The life of a handoff:
- waiting: the assistant answered "talk to a person" with "Connecting you…" (Assistant, when agents
  are connected) and paused the conversation; it is in the queue, oldest first.
- held: one agent took it (`claim` is atomic: of two agents taking it at once, exactly one gets it).
  Broker and agent talk; the assistant stays silent (the tracker is paused).
- released: the agent handed it back (the assistant carries on) or closed it; or the broker left the
  queue. A conversation whose agent stays disconnected longer than the grace period is `requeued`,
  ahead of the ones that came later (it keeps its place in time).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from typing import Protocol

from broker_faq.conversation import Reply, Turn

TOPIC = "human_handoff"  # the topic "talk to a person" is; its answer is the phone card without agents
CONNECTING = "Connecting you to an agent…"
GRACE_SECONDS = 20.0  # an agent's console may drop and reconnect (a network blip, a reload) this long


@dataclass(frozen=True)
class Waiting:
    """A conversation in the queue, as the console lists it; texts as the store holds them (masked)."""

    conversation: str
    question: str | None
    region: str | None
    topic: str | None
    since: float  # when it joined the queue (seconds since the epoch): the queue's order
    requeued: bool = False  # its agent was disconnected
    group: str | None = None  # the portal group the broker is asking about (its name), if any

    def listed(self, now: float) -> dict:
        return {**asdict(self), "waited_seconds": max(0, round(now - self.since))}


class Board(Protocol):
    """Where the handoff state lives: this process (MemoryBoard) or Redis (RedisBoard, stores/handoff_board.py)."""

    async def connected(self, sid: str, agent: str) -> None: ...
    async def connections(self, agent: str) -> int: ...
    async def disconnected(self, sid: str) -> str | None: ...
    async def agents(self) -> set[str]: ...
    async def enqueue(self, waiting: Waiting) -> int: ...
    async def queue(self) -> list[Waiting]: ...
    async def position(self, conversation: str) -> int | None: ...
    async def claim(self, conversation: str, agent: str) -> tuple[bool, str | None]: ...
    async def holder(self, conversation: str) -> str | None: ...
    async def held_by(self, agent: str) -> list[str]: ...
    async def release(self, conversation: str) -> Waiting | None: ...
    async def requeue(self, conversation: str) -> int | None: ...


class MemoryBoard:
    """The board of a single Rasa server (the default profile). Each method runs without awaiting in
    between, so on one event loop it is atomic: that is what makes `claim` exactly-once."""

    def __init__(self, clock=time.time) -> None:
        self.clock = clock
        self._sockets: dict[str, str] = {}  # socket id -> agent
        self._connections: dict[str, int] = {}  # agent -> how many times they connected
        self._waiting: dict[str, Waiting] = {}
        self._held: dict[str, tuple[str, Waiting]] = {}  # conversation -> (agent, how it waited)

    async def connected(self, sid: str, agent: str) -> None:
        self._sockets[sid] = agent
        self._connections[agent] = self._connections.get(agent, 0) + 1

    async def connections(self, agent: str) -> int:
        """How many times the agent connected so far: a grace period that sees it change was for an
        earlier disconnection, which a reconnection ended."""
        return self._connections.get(agent, 0)

    async def disconnected(self, sid: str) -> str | None:
        return self._sockets.pop(sid, None)

    async def agents(self) -> set[str]:
        return set(self._sockets.values())

    async def enqueue(self, waiting: Waiting) -> int:
        if waiting.conversation not in self._held:
            self._waiting.setdefault(waiting.conversation, waiting)
        return await self.position(waiting.conversation) or 0

    async def queue(self) -> list[Waiting]:
        return sorted(self._waiting.values(), key=lambda w: w.since)

    async def position(self, conversation: str) -> int | None:
        order = [w.conversation for w in await self.queue()]
        return order.index(conversation) + 1 if conversation in order else None

    async def claim(self, conversation: str, agent: str) -> tuple[bool, str | None]:
        if conversation in self._held:
            return False, self._held[conversation][0]
        waiting = self._waiting.pop(conversation, None)
        if waiting is None:
            return False, None
        self._held[conversation] = (agent, waiting)
        return True, agent

    async def holder(self, conversation: str) -> str | None:
        held = self._held.get(conversation)
        return held[0] if held else None

    async def held_by(self, agent: str) -> list[str]:
        return [conversation for conversation, (holder, _) in self._held.items() if holder == agent]

    async def release(self, conversation: str) -> Waiting | None:
        held = self._held.pop(conversation, None)
        waiting = self._waiting.pop(conversation, None)
        return held[1] if held else waiting

    async def requeue(self, conversation: str) -> int | None:
        held = self._held.pop(conversation, None)
        if held is None:
            return None
        self._waiting[conversation] = replace(held[1], requeued=True)
        return await self.position(conversation)


def connecting_reply(turn: Turn) -> Reply:
    """ "Talk to a person" while agents are connected: the conversation is to join the queue, with what
    the agent will want to see first (the channel queues it and pauses the assistant)."""
    state = turn.state
    payload = {
        "type": "handoff",
        "state": "waiting",
        "question": turn.earlier_question,
        "region": state.region,
        "topic": state.last_topic,
        "group": turn.group.name if turn.group else None,
    }
    return Reply(CONNECTING, state, payload=payload)


# What the broker is told (the widget shows these as the conversation's status, and they are stored). `agent`
# is the name the broker sees: the account's display name, else its name as typed (channels/handoff.py).
def connecting(position: int) -> str:
    return f"Connecting you to an agent… {place_in_queue(position)}"


def place_in_queue(position: int) -> str:
    return f"You're number {position} in the queue."


def joined(agent: str) -> str:
    return f"{agent} joined the conversation."


def handed_back(agent: str, region_name: str | None) -> str:
    region = f" I'll keep answering for {region_name}." if region_name else ""
    return f"{agent} handed the conversation back to me, the assistant.{region} What else can I help with?"


def closed(agent: str) -> str:
    return f"{agent} ended the chat. I'm the assistant again if you have another question."


def requeued(agent: str, position: int) -> str:
    return (
        f"{agent} was disconnected. You're back in the queue (number {position}); "
        "the next agent will see the conversation so far."
    )


def disconnected_nobody_left(agent: str) -> str:
    """The agent who had the chat is gone for good and no other is connected: said once, with the card."""
    return f"{agent} was disconnected and no other agent is available, so I'm back. Here is who can help you by phone:"


LEFT_QUEUE = "You left the queue. I'm the assistant again: what would you like to know?"
STILL_WAITING = "An agent will see this message when they join. You're number {position} in the queue."
LOST = (
    "The chat with an agent was interrupted, so I'm the assistant again. Please send your question once "
    "more, or ask to talk to a person."
)
NOBODY_LEFT = "No agent is available any more, so I'm back. Here is who can help you by phone:"
