"""Links named in a message ("ppo plus website?", "NW dental url"): the knowledge's links by their
label and aliases. One index, used by the NLU's reading and by the answers."""

from __future__ import annotations

from broker_faq.knowledge.loader import Knowledge
from broker_faq.reading.phrases import PhraseIndex


class LinkNames:
    def __init__(self, knowledge: Knowledge):
        self._index = PhraseIndex(
            (name, key) for key, link in knowledge.links.items() for name in [link["label"], *link.get("aliases", [])]
        )

    def named(self, text: str) -> tuple[str, ...]:
        """The keys of the links a text names, in order."""
        return tuple(dict.fromkeys(key for m in self._index.find(text) for key in m.value))
