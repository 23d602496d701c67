"""Live handoff over socket.io: the agents' side (the `/desk` namespace the console connects to) and
what the broker's socket is sent, around the state broker_faq/handoff.py keeps (the Board).

The assistant stays silent while a person has the conversation the way Rasa provides: the
`ConversationPaused` event (returned by action_answer with "Connecting you…", when agents are
connected) and `ConversationResumed` when the agent hands back or closes, or the broker leaves the
queue. Everything said is in the tracker: the broker's messages as usual (Rasa logs them while paused,
and predicts nothing), the agent's as bot messages marked with the name the broker saw, the account's
display name or else its name as typed (`{"type": "agent_message", "agent": "Maria Lopez"}`), and each
change of hands as a bot message of its own (`{"type": "handoff", "state": ...}`). The tracker
store masks them all like the rest.

The desk namespace (the console's events; each answers with an acknowledgement):
- connect with `auth: {"token": …}`: an agent pass the web server issues to a signed-in agent
  (tokens.signed.AgentTokens, GET /api/desk-token). Nothing else may connect, so a broker can
  neither read the queue nor speak as an agent. On connect the console gets `queue` and `held`.
- `take {conversation}` -> {"ok": true} or {"ok": false, "error": "taken", "by": "Maria"} / "gone".
- `say {conversation, message}` -> {"ok": true, "text": as stored}; `typing {conversation, typing}` ->
  {"ok": true}. Each agent's messages and typing notices are rate-limited (rasa_server/rate_limit.py):
  over the limit, {"ok": false, "error": "too many ...", "retry_after": seconds} and nothing is sent.
- Requests for a person are rate-limited per client address: over the limit the broker gets the team's
  card (TOO_MANY_HANDOFFS) instead of a place in the queue.
- `hand_back {conversation}`, `close {conversation}`.
- Sent to agents: `queue` (every change), `broker_uttered {conversation, text}`, `released
  {conversation, why}`.
Sent to the broker (the default namespace, the conversation's room): `handoff {state, text, position,
agent}` with state waiting | joined | handed_back | closed | left | requeued | unavailable,
`handoff_position {position, text}` whenever the queue moves (a status to update, not a message),
`agent_uttered {text, agent}`, `agent_typing {typing, agent}`.

Rooms are named by conversation in both namespaces; with a Redis client manager (the production
profile, stores/handoff_board.py) an emit reaches sockets on every server.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import re
import time
from collections.abc import Callable
from typing import Any, Protocol

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed, Event
from sanic import Sanic
from socketio import AsyncServer

from broker_faq import handoff
from broker_faq.conversation import State
from broker_faq.handoff import Board, Waiting
from broker_faq.knowledge import runtime
from broker_faq.render import answer_text_beside_payload
from rasa_server.rate_limit import current_address, over_limit
from tokens.signed import AgentTokens

from .guard import MAX_MESSAGE_CHARS, clean_text

logger = logging.getLogger(__name__)

DESK = "/desk"
AGENTS_ROOM = "agents"
SWEEP_SECONDS = 1.0  # how often open consoles' accounts are checked
# Over a limit of rasa_server/rate_limit.py: what the broker or the agent is told.
TOO_MANY_HANDOFFS = (
    "Many people on your network are asking for a person right now, so I can't add you to the queue. "
    "Please contact the team below, or ask again in a few minutes."
)
TOO_MANY_SAID = "too many messages at once: wait {seconds} s, then send it again"
TOO_MANY_TYPING = "too many typing notices: wait {seconds} s"


class Accounts(Protocol):
    """What the desk asks of the console's accounts (web/accounts.AccountStore)."""

    def known(self) -> bool: ...

    def standing_since(self, name: str) -> float | None: ...

    def display_name(self, name: str) -> str | None: ...


CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def _conversation(data: Any) -> str | None:
    value = data.get("conversation") if isinstance(data, dict) else None
    return value if isinstance(value, str) and CONVERSATION_ID.fullmatch(value) else None


async def maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):  # python-socketio's room calls became coroutines after 5.9
        await result


class Handoff:
    def __init__(
        self,
        sio: AsyncServer,
        board: Board,
        tokens: AgentTokens,
        origin_allowed: Callable[[dict], bool],
        grace_seconds: float = handoff.GRACE_SECONDS,
        namespace: str = "/",
        accounts: Accounts | None = None,
    ) -> None:
        self.sio, self.board, self.tokens, self.origin_allowed = sio, board, tokens, origin_allowed
        self.grace, self.namespace = grace_seconds, namespace
        self.accounts = accounts
        self._sweeping: asyncio.Task | None = None
        for event in ("connect", "disconnect", "take", "say", "typing", "hand_back", "close"):
            sio.on(event, namespace=DESK)(getattr(self, f"on_{event}"))

    # --- what the broker's channel asks --------------------------------------------------------

    async def metadata(self) -> dict:
        """What action_answer reads to answer "talk to a person": whether an agent is connected. With
        the board unreadable (Redis down), none is: the broker gets the phone card, never silence."""
        try:
            agents = len(await self.board.agents())
        except Exception as error:
            logger.error("Handoff board unavailable: %s", error.__class__.__name__)
            agents = 0
        return {"desk": {"agents": agents}}

    async def in_handoff(self, conversation: str) -> bool:
        """Whether a person has (or is about to take) the conversation; unknown counts as no, so the
        assistant answers rather than nobody."""
        try:
            return (
                await self.board.holder(conversation) is not None or await self.board.position(conversation) is not None
            )
        except Exception as error:
            logger.error("Handoff board unavailable: %s", error.__class__.__name__)
            return False

    async def started(self, conversation: str, payload: dict) -> None:
        """action_answer said "Connecting you…" and paused the conversation: it joins the queue (or,
        with the board unavailable, the assistant takes the conversation back with the phone card)."""
        if await over_limit("handoff_address", current_address()):  # one address filling the queue
            await self._back_with_card(conversation, payload.get("region"), TOO_MANY_HANDOFFS)
            return
        waiting = Waiting(
            conversation,
            payload.get("question"),
            payload.get("region"),
            payload.get("topic"),
            time.time(),
            group=payload.get("group") if isinstance(payload.get("group"), str) else None,
        )
        try:
            position = await self.board.enqueue(waiting)
        except Exception as error:
            logger.error("Handoff board unavailable, no queue: %s", error.__class__.__name__)
            await self._back_with_card(conversation, payload.get("region"), handoff.NOBODY_LEFT)
            return
        await self._to_broker(conversation, "waiting", handoff.connecting(position), position=position)
        await self.queue_changed()

    async def broker_said(self, conversation: str, text: str) -> None:
        """A broker's message while waiting or held (stored by Rasa, the assistant silent): to the agent."""
        if await self.board.holder(conversation):
            await self.sio.emit(
                "broker_uttered", {"conversation": conversation, "text": text}, room=conversation, namespace=DESK
            )
            return
        position = await self.board.position(conversation)
        if position is not None:
            text = handoff.STILL_WAITING.format(position=position)
            await self._to_broker(conversation, "waiting", text, position=position)

    async def leave_queue(self, conversation: str) -> dict:
        """The broker stops waiting (before an agent took the conversation)."""
        if await self.board.holder(conversation) or await self.board.release(conversation) is None:
            return {"ok": False}
        await self._record(conversation, *resumed(), handoff_note("left", handoff.LEFT_QUEUE))
        await self._to_broker(conversation, "left", handoff.LEFT_QUEUE)
        await self.queue_changed()
        return {"ok": True}

    async def status(self, conversation: str, sid: str) -> None:
        """After a reload: where the broker's handoff stands, to that socket only."""
        holder = await self.board.holder(conversation)
        position = await self.board.position(conversation)
        state: dict[str, Any]
        if holder:
            shown = self._shown(holder)
            state = {"state": "joined", "agent": shown, "text": handoff.joined(shown)}
        elif position is not None:
            state = {"state": "waiting", "position": position, "text": handoff.connecting(position)}
        else:
            return
        await self.sio.emit("handoff", {**state, "restored": True}, room=sid, namespace=self.namespace)

    # --- the agents' console ---------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict, auth: Any) -> bool:
        token = auth.get("token") if isinstance(auth, dict) else None
        agent, issued = self.tokens.agent(token), self.tokens.issued(token)
        if agent is None or issued is None or not self.origin_allowed(environ) or not self._standing(agent, issued):
            return False  # a pass issued before the account was reset or removed opens nothing
        await self.sio.save_session(sid, {"agent": agent, "issued": issued}, namespace=DESK)
        self._sweep_soon()
        await self.board.connected(sid, agent)
        await maybe_await(self.sio.enter_room(sid, AGENTS_ROOM, namespace=DESK))
        held = await self.board.held_by(agent)
        for conversation in held:  # a reconnection within the grace period keeps its conversations
            await maybe_await(self.sio.enter_room(sid, conversation, namespace=DESK))
        await self.sio.emit("queue", await self._queue(), room=sid, namespace=DESK)
        await self.sio.emit("held", {"conversations": held, "agent": self._shown(agent)}, room=sid, namespace=DESK)
        return True

    async def on_disconnect(self, sid: str) -> None:
        agent = await self.board.disconnected(sid)
        if agent is not None:
            connections = await self.board.connections(agent)
            asyncio.get_running_loop().create_task(self._after_grace(agent, connections))

    async def _after_grace(self, agent: str, connections: int) -> None:
        """The agent's conversations go back to the queue if they did not come back in time. Coming back
        ends this grace period even if they are away again now (that absence has a grace of its own)."""
        await asyncio.sleep(self.grace)
        others = await self.board.agents()
        if agent in others or await self.board.connections(agent) != connections:
            return
        shown = self._shown(agent)
        for conversation in await self.board.held_by(agent):
            if not others:  # nobody to requeue for: one line, "disconnected, nobody left", not two
                if (waited := await self.board.release(conversation)) is not None:
                    await self._back_with_card(conversation, waited.region, handoff.disconnected_nobody_left(shown))
                continue
            position = await self.board.requeue(conversation)
            if position is not None:
                logger.info("Handoff: agent %s disconnected; conversation %s back in the queue", agent, conversation)
                text = handoff.requeued(shown, position)
                await self._record(conversation, handoff_note("requeued", text, shown))
                await self._to_broker(conversation, "requeued", text, position=position)
        if not others:
            await self._nobody_left()
        await self.queue_changed()

    async def _nobody_left(self) -> None:
        """The last agent is gone for good: the waiting brokers get the phone card, as without agents."""
        for waiting in await self.board.queue():
            if await self.board.release(waiting.conversation) is not None:
                await self._back_with_card(waiting.conversation, waiting.region, handoff.NOBODY_LEFT)

    async def _back_with_card(self, conversation: str, region: str | None, why: str) -> None:
        text, payload = handoff_card(region)
        await self._record(
            conversation, *resumed(), handoff_note("unavailable", why), BotUttered(text, data={"custom": payload})
        )
        await self._to_broker(conversation, "unavailable", why)
        message = {"text": answer_text_beside_payload(text, payload), "custom": payload}
        await self.sio.emit("bot_uttered", message, room=conversation, namespace=self.namespace)

    async def recover(self, message: UserMessage) -> bool:
        """A message that got no reply because its conversation is still paused while no agent has it:
        the handoff was lost (a restart of the server that kept it). The assistant takes over again and
        says so; the broker asks again."""
        tracker = await Sanic.get_app().ctx.agent.processor.get_tracker(message.sender_id)
        if not tracker.is_paused() or await self.in_handoff(message.sender_id):
            return False
        await self._record(message.sender_id, *resumed(), handoff_note("unavailable", handoff.LOST))
        await self._to_broker(message.sender_id, "unavailable", handoff.LOST)
        return True

    async def _agent(self, sid: str) -> str | None:
        """The socket's agent, while the account stands; a removed or reset one is cut off here too."""
        session = await self.sio.get_session(sid, namespace=DESK)
        agent, issued = session.get("agent"), session.get("issued")
        if agent is not None and not self._standing(agent, issued):
            await self._cut(sid, agent)
            return None
        return agent

    # --- accounts that change under an open console ----------------------------------------------

    def _standing(self, agent: str, issued: int | None) -> bool:
        """The account exists and has not changed its password or signed out since the pass was issued.
        Without an accounts file on this server (another machine), the pass alone decides, as before."""
        if self.accounts is None or not self.accounts.known():
            return True
        since = self.accounts.standing_since(agent)
        return since is not None and issued is not None and since <= issued + 1

    def _shown(self, agent: str) -> str:
        """What brokers, the console's live chats and its transcripts call the agent: the account's display
        name (web/accounts.py), else the account name as typed, as on a Rasa server without the accounts file."""
        if self.accounts is None or not self.accounts.known():
            return agent
        return self.accounts.display_name(agent) or agent

    async def _cut(self, sid: str, agent: str) -> None:
        logger.info("Handoff: agent %s signed out or was reset or removed; the console's desk is closed", agent)
        await self.sio.emit("revoked", {"why": "account changed"}, room=sid, namespace=DESK)
        await self.sio.disconnect(sid, namespace=DESK)

    def _sweep_soon(self) -> None:
        if self.accounts is not None and (self._sweeping is None or self._sweeping.done()):
            self._sweeping = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self) -> None:
        """Every second while consoles are connected: an idle console whose account was reset or removed
        stops receiving the queue within a second, not at its next event."""
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                sids = list(self.sio.manager.get_participants(DESK, AGENTS_ROOM))
            except KeyError:  # no console has joined yet
                sids = []
            if not sids:
                return
            for sid, _ in sids:
                try:
                    await self._agent(sid)
                except KeyError:  # disconnected meanwhile
                    continue

    async def on_take(self, sid: str, data: Any = None) -> dict:
        agent, conversation = await self._agent(sid), _conversation(data)
        if agent is None or conversation is None:
            return {"ok": False, "error": "bad request"}
        taken, holder = await self.board.claim(conversation, agent)
        if not taken:
            by = self._shown(holder) if holder else None
            return {"ok": False, "error": "taken" if holder else "gone", "by": by}
        await maybe_await(self.sio.enter_room(sid, conversation, namespace=DESK))
        logger.info("Handoff: agent %s took conversation %s", agent, conversation)  # who read and wrote it
        text = handoff.joined(self._shown(agent))
        await self._record(conversation, handoff_note("joined", text, self._shown(agent)))
        await self._to_broker(conversation, "joined", text, agent=self._shown(agent))
        await self.queue_changed()
        return {"ok": True, "conversation": conversation}

    async def _holding(self, sid: str, data: Any) -> tuple[str, str] | None:
        """(agent, conversation) when this socket's agent holds the conversation the event names."""
        agent, conversation = await self._agent(sid), _conversation(data)
        if agent is None or conversation is None or await self.board.holder(conversation) != agent:
            return None
        return agent, conversation

    async def on_say(self, sid: str, data: Any = None) -> dict:
        holding = await self._holding(sid, data)
        if holding is None:
            return {"ok": False, "error": "not yours"}
        agent, conversation = holding
        raw = data.get("message")
        text = clean_text(raw) if isinstance(raw, str) else ""
        if not text or len(text) > MAX_MESSAGE_CHARS:
            return {"ok": False, "error": f"a message is 1 to {MAX_MESSAGE_CHARS:,} characters of text"}
        if wait := await over_limit("desk_say", agent):
            return {"ok": False, "error": TOO_MANY_SAID.format(seconds=math.ceil(wait)), "retry_after": wait}
        text = runtime.current().masker.mask(text)
        name = self._shown(agent)
        await self._record(conversation, BotUttered(text, data={"custom": {"type": "agent_message", "agent": name}}))
        await self.sio.emit(
            "agent_typing", {"typing": False, "agent": name}, room=conversation, namespace=self.namespace
        )
        await self.sio.emit("agent_uttered", {"text": text, "agent": name}, room=conversation, namespace=self.namespace)
        return {"ok": True, "text": text}

    async def on_typing(self, sid: str, data: Any = None) -> dict:
        holding = await self._holding(sid, data)
        if holding is None:
            return {"ok": False, "error": "not yours"}
        if wait := await over_limit("desk_typing", holding[0]):
            return {"ok": False, "error": TOO_MANY_TYPING.format(seconds=math.ceil(wait)), "retry_after": wait}
        typing = {"typing": bool(data.get("typing")), "agent": self._shown(holding[0])}
        await self.sio.emit("agent_typing", typing, room=holding[1], namespace=self.namespace)
        return {"ok": True}

    async def on_hand_back(self, sid: str, data: Any = None) -> dict:
        return await self._release(sid, data, "handed_back")

    async def on_close(self, sid: str, data: Any = None) -> dict:
        return await self._release(sid, data, "closed")

    async def _release(self, sid: str, data: Any, how: str) -> dict:
        holding = await self._holding(sid, data)
        if holding is None:
            return {"ok": False, "error": "not yours"}
        agent, conversation = holding
        waited = await self.board.release(conversation)
        logger.info("Handoff: agent %s %s conversation %s", agent, how.replace("_", " "), conversation)
        region = region_name(await self._region_now(conversation), waited.region if waited else None)
        shown = self._shown(agent)
        text = handoff.handed_back(shown, region) if how == "handed_back" else handoff.closed(shown)
        await self._record(conversation, *resumed(), handoff_note(how, text, shown))
        await self._to_broker(conversation, how, text, agent=shown)
        await self.sio.emit("released", {"conversation": conversation, "why": how}, room=conversation, namespace=DESK)
        await maybe_await(self.sio.leave_room(sid, conversation, namespace=DESK))
        return {"ok": True}

    async def queue_changed(self) -> None:
        """The consoles get the queue; each waiting broker their place in it, as it moves."""
        listed = await self._queue()
        await self.sio.emit("queue", listed, room=AGENTS_ROOM, namespace=DESK)
        for position, waiting in enumerate(listed["waiting"], start=1):
            place = {"position": position, "text": handoff.place_in_queue(position)}
            await self.sio.emit("handoff_position", place, room=waiting["conversation"], namespace=self.namespace)

    async def _queue(self) -> dict:
        now = time.time()
        waiting = [{**w.listed(now), "region_name": region_name(w.region)} for w in await self.board.queue()]
        return {"waiting": waiting, "agents": len(await self.board.agents())}

    # --- the broker's side and the record ----------------------------------------------------------

    async def _to_broker(self, conversation: str, state: str, text: str, **extra: Any) -> None:
        """The broker's status line (what is stored, the caller records with the rest of its events)."""
        message = {"state": state, "text": text, **extra}
        await self.sio.emit("handoff", message, room=conversation, namespace=self.namespace)

    async def _record(self, conversation: str, *events: Event) -> None:
        """Append to the conversation's tracker under its lock, as Rasa's own HTTP API does."""
        agent = Sanic.get_app().ctx.agent
        async with agent.lock_store.lock(conversation):
            tracker = await agent.processor.get_tracker(conversation)
            for event in events:
                tracker.update(event)
            await agent.processor.save_tracker(tracker)

    async def _region_now(self, conversation: str) -> str | None:
        tracker = await Sanic.get_app().ctx.agent.processor.get_tracker(conversation)
        return tracker.get_slot("region")


def resumed() -> tuple[Event, ...]:
    """The assistant's turn again: Rasa's resume, and the listen that ended the assistant's last turn
    (the pause stopped it before), so the broker's next message is read as a fresh question."""
    return ConversationResumed(), ActionExecuted(ACTION_LISTEN_NAME)


def handoff_note(state: str, text: str, agent: str | None = None) -> BotUttered:
    """A change of hands as the tracker records it (and the transcript shows it): what the broker was told,
    `agent` the name they saw (Handoff._shown)."""
    custom = {"type": "handoff", "state": state, **({"agent": agent} if agent else {})}
    return BotUttered(text, data={"custom": custom})


def region_name(*keys: str | None) -> str | None:
    """The name of the first region or area the keys give ("oregon" -> "Oregon")."""
    places = runtime.current().assistant.replies.places
    found = next((place for key in keys if (place := places.place(key)) is not None), None)
    return found.name if found else None


def handoff_card(region: str | None) -> tuple[str, dict]:
    """Today's answer to "talk to a person" for the group's region (both regions' when unknown)."""
    loaded = runtime.current()
    topic = loaded.knowledge.topics["human_handoff"]
    if region:
        reply = loaded.assistant.replies.static(topic, State(region=region))
        return reply.text, reply.payload or {}
    both = loaded.assistant.side_by_side("human_handoff")
    first = next(iter(both.values()))
    text = "\n\n".join(f"{name}: {reply.text}" for name, reply in both.items())
    return text, first.payload or {}
