"""The one runtime holder: the knowledge (knowledge/: topics.yml and one file per source document),
loaded, validated and reloaded when any of its files changes, with the Assistant and the PII masker
built from it. The action server, the channels and the tracker store all use it from here (domain
code: no Rasa imports).

The file is loaded and validated on first use (the action server and the Rasa server use it at
start-up), so malformed knowledge stops start-up with the validator's message naming the
place. After that, an operator's edit takes effect on the next message with no restart: the new
file is validated first, and a broken edit is refused loudly while the last good knowledge keeps
serving.

Whether a file changed is checked once per message, not at every use: the channels, the tracker
store and the actions handle each message inside `one_message()`, which reads the knowledge in force
once and hands that same version to every `current()` until the message is done (the check is a
directory read and a stat of every file; it was made 10-20 times per message).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from broker_faq.assistant import Assistant
from broker_faq.knowledge.loader import Knowledge, KnowledgeError, knowledge_dir, knowledge_version, load_knowledge
from broker_faq.knowledge.vocabulary import load_vocabulary
from broker_faq.privacy import PiiMasker

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """What one version of the knowledge gives: built together, replaced together."""

    knowledge: Knowledge
    assistant: Assistant
    masker: PiiMasker

    @classmethod
    def from_file(cls, path: Path) -> Loaded:
        knowledge = load_knowledge(path)
        return cls(knowledge, Assistant(knowledge, load_vocabulary()), PiiMasker.for_knowledge(knowledge))


class Runtime:
    def __init__(self, path: Path):
        self.path = path
        self.version = self._version()
        self.loaded = Loaded.from_file(path)

    def _version(self) -> tuple:
        return knowledge_version(self.path)  # any file edited, added or removed

    def current(self) -> Loaded:
        try:
            version = self._version()
        except OSError as err:
            logger.error("Knowledge file unreadable (%s); still serving the last good version", err)
            return self.loaded
        if version != self.version:
            self.version = version
            try:
                self.loaded = Loaded.from_file(self.path)
                logger.info("Knowledge reloaded from %s", self.path)
            except KnowledgeError as err:
                logger.error("Knowledge edit refused, still serving the last good version: %s", err)
        return self.loaded


_RUNTIME: Runtime | None = None
# The version one message is handled with (one_message), and the task handling it: a task started
# meanwhile inherits the variable, but not the pin (it may outlive the message).
_THIS_MESSAGE: ContextVar[tuple[object, Loaded] | None] = ContextVar("knowledge_of_this_message", default=None)


def _task() -> object:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no event loop in this thread
        return None


def _pinned() -> Loaded | None:
    pin = _THIS_MESSAGE.get()
    return pin[1] if pin is not None and pin[0] is _task() else None


def current() -> Loaded:
    """The knowledge in force (KNOWLEDGE_DIR, else knowledge/), loaded on first use; within
    `one_message()`, the version that message started with."""
    pinned = _pinned()
    if pinned is not None:
        return pinned
    global _RUNTIME
    if _RUNTIME is None:
        _RUNTIME = Runtime(knowledge_dir())
    return _RUNTIME.current()


@contextmanager
def one_message() -> Iterator[Loaded]:
    """Handle one message with one version of the knowledge, checked for an edit once, on entry.
    Nested, the outer one's version is kept (the socket.io channel's around the guard's)."""
    pinned = _pinned()
    if pinned is not None:
        yield pinned
        return
    loaded = current()
    token = _THIS_MESSAGE.set((_task(), loaded))
    try:
        yield loaded
    finally:
        _THIS_MESSAGE.reset(token)
