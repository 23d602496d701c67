"""The one runtime holder: the knowledge (knowledge/: topics.yml and one file per source document),
loaded, validated and reloaded when any of its files changes, with the Assistant and the PII masker
built from it. The action server, the channels and the tracker store all use it from here (domain
code: no Rasa imports).

The file is loaded and validated on first use (the action server and the Rasa server use it at
start-up), so malformed knowledge stops start-up with the validator's message naming the
place. After that, an operator's edit takes effect on the next message with no restart: the new
file is validated first, and a broken edit is refused loudly while the last good knowledge keeps
serving.
"""

from __future__ import annotations

import logging
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


def current() -> Loaded:
    """The knowledge in force (KNOWLEDGE_DIR, else knowledge/), loaded on first use."""
    global _RUNTIME
    if _RUNTIME is None:
        _RUNTIME = Runtime(knowledge_dir())
    return _RUNTIME.current()
