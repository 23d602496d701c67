"""Questions near the domain that neither source answers ("does the plan cover chiropractic?", "what are
the premium rates?", "commission schedule"): which subject a message asks about, and the nearest real
contact for it in a region. The subjects and their words are language (knowledge/vocabulary.yml,
`not_covered`); which team handles what is the knowledge's `contact_for`."""

from __future__ import annotations

import functools
import re

from broker_faq.knowledge.loader import ContactRef, Knowledge
from broker_faq.knowledge.vocabulary import Vocabulary
from broker_faq.reading.phrases import PhraseIndex, tokens

# A headcount this large is no small business: "a 500-person group", "1,200 employees". The sources
# never state the market's upper bound, so the reply names no limit, only that they don't cover it.
LARGE_GROUP_OVER = 100
HEADCOUNT = re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+)\+?[\s-]*(?:person|people|employees?|staff|lives|employee)\b", re.I)


class NotCovered:
    def __init__(self, knowledge: Knowledge, vocabulary: Vocabulary):
        self.k = knowledge
        self.subjects = vocabulary.not_covered
        self._index = PhraseIndex((word, kind) for kind, entry in self.subjects.items() for word in entry["words"])

    def find(self, text: str) -> tuple[str, ...]:
        """The subject kinds a message names, in order (read once per text)."""
        return self._find(text)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - lives as long as its knowledge
    def _find(self, text: str) -> tuple[str, ...]:
        kinds = [kind for m in self._index.find(text, tokens(text)) for kind in m.value]
        if "large_groups" in self.subjects and any(
            int(m.group(1).replace(",", "")) > LARGE_GROUP_OVER for m in HEADCOUNT.finditer(text)
        ):
            kinds.append("large_groups")
        return tuple(dict.fromkeys(kinds))

    def subject(self, kind: str) -> str:
        return str(self.subjects[kind]["subject"])

    def nearest(self, kind: str, region: str) -> tuple[ContactRef, ...]:
        """The region's team whose card says it handles this kind of question, else the region's
        nearest contact."""
        handled = self.subjects[kind].get("handled_as")
        for key, team in self.k.teams.items():
            if team["region"] != region or handled not in (team.get("contact_for") or []):
                continue
            purpose = str(handled).replace(" ", "_")
            lines = [*team.get("phones", []), *team.get("emails", [])]
            return (ContactRef(key, purpose if any(e.get("for") == purpose for e in lines) else None),)
        return self.k.nearest_contact[region]
