"""The contact directory and the type-ahead questions of the knowledge in force, built once per knowledge
(broker_faq/knowledge/runtime.py reloads it when the knowledge file changes) and shared by every request."""

from __future__ import annotations

from broker_faq.directory import Directory, Suggestions
from broker_faq.knowledge import runtime


class KnowledgeLookups:
    def __init__(self) -> None:
        self._built: tuple[object, Directory, Suggestions] | None = None

    def current(self) -> tuple[Directory, Suggestions]:
        knowledge = runtime.current().knowledge
        if self._built is None or self._built[0] is not knowledge:
            self._built = (knowledge, Directory(knowledge), Suggestions(knowledge))
        return self._built[1], self._built[2]
