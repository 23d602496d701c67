"""One guard in front of every channel, for what Rasa 3.6 leaves to chance.

- Bad input gets a clear reply: empty text, text over the limit, control characters, and Rasa's own
  commands typed as a message ("/restart", "/session_start", "/back").
- Personal data is masked before anything reads it (broker_faq.privacy): the NLU never takes a date
  of birth for a termination date, and nothing downstream can store or log it.
- Conversation ids must look random (the widget's are); short guessable ones are refused. A
  message id (the client's, for handling each message once: rasa_server/patches.py) must look like one too,
  else the message gets a new one.
- What a client adds to a message is not kept: its metadata (the product reads none; Rasa stored it
  unmasked in the user event and the session's metadata slot) is dropped, so nothing it carries is
  stored, logged or held in memory; REST's client-chosen input channel name is replaced by the
  channel's (channels/rest.py).
- No silence: if processing sends nothing (action server down or too slow, an exception), the
  broker still gets a reply with real contacts from the knowledge file.
- A failing tracker store is refused loudly, instead of Rasa's silent switch to an empty or
  in-memory conversation (see stores/masking_sql.py); so is a Redis lock store that is down
  (production profile), where Rasa would fail the message with a LockError.
No user text is ever logged here: it may carry member data.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeGuard

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.lock_store import LockError, RedisLockStore
from sanic import Sanic

from broker_faq.knowledge import runtime
from rasa_server import rate_limit
from stores.masking_sql import MaskingSQLTrackerStore
from tokens.portal import PortalKey, PortalTokenError, verified_context

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000
SENDER_ID = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
# Metadata keys a client may send that the product reads: none. (A key added here is kept, its value
# masked by the tracker store like everything else it writes.)
CLIENT_METADATA_KEYS: frozenset[str] = frozenset()
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")

EMPTY_REPLY = "Your message looks empty. What would you like to know about a small-business group?"
TOO_LONG_REPLY = (
    f"That message is too long for me: the limit is {MAX_MESSAGE_CHARS:,} characters. "
    'Please send just the question, for example "who handles billing questions in Oregon?"'
)
BAD_ID_REPLY = "This chat session is not valid. Please reload the page to start a new conversation."
# Rasa's own intents that run its own actions (action_restart, action_session_start, action_back), which
# a message "/restart" would trigger: typed by a broker, they reset or rewound the conversation and sent
# no reply, so the broker got "can't look that up right now" and the log a false ERROR (action server down).
RASA_COMMANDS = re.compile(r"^/(restart|session_start|back)\s*(\{.*)?$", re.DOTALL)
COMMAND_REPLY = (
    'Commands such as "/restart" are not available here. To start over, use "New conversation"; '
    "otherwise, just type your question."
)


def clean_text(text: str) -> str:
    """Normalise what was pasted: one Unicode form, no control or zero-width characters."""
    return CONTROL_CHARS.sub("", unicodedata.normalize("NFC", text)).strip()


def valid_sender(sender_id: Any) -> TypeGuard[str]:
    return isinstance(sender_id, str) and SENDER_ID.fullmatch(sender_id) is not None


def valid_message_id(message_id: Any) -> bool:
    return isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id) is not None


def client_metadata(metadata: Any) -> dict | None:
    """What is kept of a client's metadata: the keys the product reads (none), short strings only."""
    if not isinstance(metadata, dict):
        return None
    kept = {k: v for k, v in metadata.items() if k in CLIENT_METADATA_KEYS and isinstance(v, str) and len(v) <= 200}
    return kept or None


def stored_text(text: str) -> str:
    """A message as the assistant reads and stores it: cleaned and masked (what the widget may keep)."""
    return runtime.current().masker.mask(clean_text(text))


class CountingOutput:
    """Passes every bot message on and counts them, so silence can be noticed."""

    def __init__(self, inner: OutputChannel):
        self._inner, self.sent = inner, 0

    async def send_response(self, recipient_id: str, message: dict) -> None:
        self.sent += 1
        await self._inner.send_response(recipient_id, message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def configured_store() -> MaskingSQLTrackerStore | None:
    """The project's tracker store behind Rasa's wrappers, if it is the one in use."""
    store = Sanic.get_app().ctx.agent.tracker_store
    while hasattr(store, "_tracker_store"):  # FailSafeTrackerStore / AwaitableTrackerStore
        store = store._tracker_store
    return store if isinstance(store, MaskingSQLTrackerStore) else None


def store_problem() -> str | None:
    store = configured_store()
    if store is None:
        return "the configured tracker store is not in use (Rasa fell back to another store)"
    try:
        store.ping()
    except Exception as err:
        return str(err).splitlines()[0]
    return None


def lock_store_problem() -> str | None:
    lock_store = Sanic.get_app().ctx.agent.lock_store
    if not isinstance(lock_store, RedisLockStore):
        return None  # the in-memory default cannot be down
    try:
        lock_store.red.ping()
    except Exception as err:
        return str(err).splitlines()[0]
    return None


async def _send(output: OutputChannel, recipient_id: str, text: str, payload: dict | None = None) -> None:
    await output.send_response(recipient_id, {"text": text, **({"custom": payload} if payload else {})})


async def _handle_once_more_if_the_lock_expired(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
) -> None:
    """Rasa's lock store fails a message with LockError when every ticket of its conversation has
    expired while it waited, its own included: the ticket's lifetime counts from when it was issued,
    waiting included. That happens when a server died holding the conversation (its ticket blocks
    the others until it expires) and the message waited since about the same moment, as nginx's retry
    of the dead server's own message does. Nobody holds the conversation then: the message is handled
    under a new lock (once per message id, so never twice: rasa_server/patches.py)."""
    try:
        await on_new_message(message)
    except LockError:
        logger.warning("Conversation %s: its lock expired while a message waited; handled again", message.sender_id)
        await on_new_message(message)


def portal_context(token: Any, key: PortalKey | None) -> tuple[dict | None, str | None]:
    """The broker's groups a portal token carries, verified (tokens/portal.py), as kept with each
    message's metadata; or why it was refused, in words for the broker. No token, no context."""
    if token is None or token == "":
        return None, None
    if key is None:
        return None, "This assistant is not set up to read your portal's groups, so I'll answer without them."
    try:
        context = verified_context(token, key, runtime.current().assistant.replies.places.area_keys())
    except PortalTokenError as err:
        logger.warning("Portal token refused: %s", err)
        return None, f"I couldn't use your portal session ({err}), so I'll answer without your groups."
    return context.as_dict(), None


def guarded(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    server_metadata: Callable[[], Awaitable[dict]] | None = None,
    on_silence: Callable[[UserMessage], Awaitable[bool]] | None = None,
) -> Callable[..., Awaitable[None]]:
    """The guard around a channel's message handler. `server_metadata` adds what the
    server knows to each message's metadata (the socket.io channel: whether agents are connected, for
    "talk to a person"), after the client's is dropped, so no client can set it.

    A message handled with `quiet=True` may get no reply: it was said while an agent has the
    conversation (channels/handoff.py), and the assistant is paused. When another message gets none,
    `on_silence` may explain it and answer (True) before the guard's fallback would."""

    async def handle(message: UserMessage, quiet: bool = False, portal: dict | None = None) -> None:
        with runtime.one_message():  # one version of the knowledge for all of it, the store's masking too
            await handle_with_knowledge(message, quiet, portal)

    async def handle_with_knowledge(message: UserMessage, quiet: bool, portal: dict | None) -> None:
        output, sender = message.output_channel, message.sender_id
        message.metadata = client_metadata(message.metadata)
        if server_metadata is not None:
            message.metadata = {**(message.metadata or {}), **await server_metadata()}
        if portal is not None:  # verified by the channel (portal_context): the broker's groups
            message.metadata = {**(message.metadata or {}), "portal": portal}
        if not valid_message_id(message.message_id):
            message.message_id = uuid.uuid4().hex
        if not valid_sender(sender):
            await _send(output, str(sender)[:128], BAD_ID_REPLY)
            return
        if await rate_limit.refused(message):  # too many from this conversation or address: told so
            return
        message.text = clean_text(message.text or "")
        if not message.text:
            await _send(output, sender, EMPTY_REPLY)
            return
        if len(message.text) > MAX_MESSAGE_CHARS:
            await _send(output, sender, TOO_LONG_REPLY)
            return
        if RASA_COMMANDS.match(message.text):
            await _send(output, sender, COMMAND_REPLY)
            return
        message.text = runtime.current().masker.mask(message.text)
        for store_name, problem in (("Tracker store", store_problem()), ("Lock store", lock_store_problem())):
            if problem:
                logger.error("%s unavailable, message refused: %s", store_name, problem)
                reply = runtime.current().assistant.replies.service_unavailable(storing=True)
                await _send(output, sender, reply.text, reply.payload)
                return
        counting = CountingOutput(output)
        message.output_channel = counting
        try:
            await _handle_once_more_if_the_lock_expired(on_new_message, message)
        except Exception as err:  # Rasa's REST channel would swallow this and answer nothing
            logger.error("Message handling failed: %s", err.__class__.__name__, exc_info=False)
        store = configured_store()
        if store is not None and store.last_error is not None:
            logger.error("Tracker store failed while handling a message: %s", str(store.last_error).splitlines()[0])
            reply = runtime.current().assistant.replies.service_unavailable(storing=True)
            await _send(output, sender, reply.text, reply.payload)
        if counting.sent == 0 and not quiet and on_silence is not None and await on_silence(message):
            return
        if counting.sent == 0 and not quiet:
            logger.error("No reply was produced (action server down or too slow?); sent the fallback")
            reply = runtime.current().assistant.replies.service_unavailable(storing=False)
            await _send(output, sender, reply.text, reply.payload)

    return handle
