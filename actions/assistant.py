"""The Assistant the action server uses, and its knowledge, reloaded when the file changes.

The file is loaded and validated when the server imports the actions package, so a malformed
knowledge file stops start-up with the validator's message naming the place. After that, an
operator's edit takes effect on the next message with no restart: the new file is validated
first, and a broken edit is refused loudly while the last good knowledge keeps serving.
"""
import logging
import os
from pathlib import Path

from broker_faq.answers import Assistant
from broker_faq.knowledge import DEFAULT_PATH, KnowledgeError, load_knowledge

logger = logging.getLogger(__name__)

KNOWLEDGE_FILE = Path(os.environ.get("KNOWLEDGE_FILE", str(DEFAULT_PATH)))


class _Current:
    def __init__(self, path: Path):
        self.path = path
        self.version = self._version()
        self.assistant = Assistant(load_knowledge(path))

    def _version(self) -> tuple[int, int]:
        stat = self.path.stat()
        return stat.st_mtime_ns, stat.st_size

    def get(self) -> Assistant:
        try:
            version = self._version()
        except OSError as err:
            logger.error("Knowledge file unreadable (%s); still serving the last good version", err)
            return self.assistant
        if version != self.version:
            self.version = version
            try:
                self.assistant = Assistant(load_knowledge(self.path))
                logger.info("Knowledge reloaded from %s", self.path)
            except KnowledgeError as err:
                logger.error("Knowledge edit refused, still serving the last good version: %s", err)
        return self.assistant


_CURRENT = _Current(KNOWLEDGE_FILE)


def assistant() -> Assistant:
    return _CURRENT.get()
