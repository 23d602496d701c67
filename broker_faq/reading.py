"""The understanding layer the NLU runs before and after classifying a message (nlu_components/):
clean the text, cut it into candidate questions, and route what the classifier alone would miss.

Plain Python, so it is tested without Rasa; the Rasa components are thin adapters over it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .cleanup import Cleaner
from .contact_requests import ContactReader
from .knowledge import Knowledge
from .places import Gazetteer, Place, Uncovered
from .segments import ASKING, Span, question_spans
from .spelling import Speller
from .vocabulary import Vocabulary

# Intents that answer on their own, so the router leaves them alone.
KEEP = frozenset({"inform_region", "inform_date", "inform_count"})
# Small talk is routed only when it also asks for a detail: "thanks! and the fax?", not "thanks for
# the number".
SOCIAL = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "capabilities", "rate_helpful", "rate_unhelpful"}
)
# A contact detail asked with no team named ("5500 report, who do I e-mail?") goes to the likeliest
# topic when the classifier gives it at least this much.
MIN_TOPIC_FOR_DETAIL = 0.15
TEAM_TOPIC = "team_contact"
# What a statement that only sets the scene may be taken for by the classifier.
SETS_THE_SCENE = frozenset({"nlu_fallback", "out_of_scope", "greet", "capabilities"})
REGION_GIVEN = "inform_region"
UNSURE = "nlu_fallback"  # the FallbackClassifier's intent


def knowledge_words(knowledge: Knowledge, vocabulary: Vocabulary) -> set[str]:
    """The words of every name, answer and title in the knowledge file, and the vocabulary's."""
    texts = [t.title for t in knowledge.topics.values()]
    texts += [a.text for t in knowledge.topics.values() for a in t.answers.values()]
    for entry in [
        knowledge.uncovered_places,
        *knowledge.regions.values(),
        *(a for r in knowledge.regions.values() for a in r["areas"].values()),
    ]:
        texts += [str(s) for s in [*entry.get("aliases", []), *entry.get("cities", [])]]
        texts.append(str(entry.get("name", "")))
    for team in knowledge.teams.values():
        texts += [team["name"], *team.get("aliases", []), *team.get("contact_for", [])]
    return {w for text in texts for w in re.findall(r"[a-z]+", text.lower())} | vocabulary.words()


class Reader:
    def __init__(self, knowledge: Knowledge, vocabulary: Vocabulary, extra_words: Iterable[str] = ()):
        self.cleaner = Cleaner(vocabulary, Speller(knowledge_words(knowledge, vocabulary) | set(extra_words)))
        self.contacts = ContactReader(knowledge, vocabulary)
        self.places = Gazetteer(knowledge, vocabulary)
        self.topics = frozenset(knowledge.topics)

    def clean(self, text: str) -> str:
        return self.cleaner.clean(text)

    @staticmethod
    def spans(text: str) -> list[Span]:
        return question_spans(text)

    def route(
        self,
        intent: str | None,
        text: str,
        segment_intents: list[str | None],
        ranking: Sequence[tuple[str, float]] = (),
    ) -> str | None:
        """The intent to act on when the classifier's misses what the message plainly asks: a team or a
        contact detail ("EBS fax", "fax?") or a quoted misprint goes to the team answer, and a message
        whose parts ask about topics goes to the first of them. None: keep the classifier's."""
        if intent in self.topics or intent in KEEP:
            return None
        if intent in SETS_THE_SCENE and self._sets_the_scene(text):
            return REGION_GIVEN
        request = self.contacts.read(text)
        if intent in SOCIAL and "?" not in text:
            return None
        if request.details and not (request.teams or request.misprinted or request.details_only):
            likely = next(
                (name for name, confidence in ranking if name in self.topics and confidence >= MIN_TOPIC_FOR_DETAIL),
                None,
            )
            if likely:
                return likely
        if request.teams or request.misprinted or request.details:
            return TEAM_TOPIC
        places = [m.place for m in self.places.find(text) if not m.comparison]
        if intent == UNSURE and places and all(isinstance(p, Uncovered) for p in places):
            # "contacts for Washington, D.C.?": the honest "I only have ..." for that place. Not for a
            # message surely out of scope ("the weather in Boston"), which gets the out-of-scope reply.
            return TEAM_TOPIC

        return next((i for i in segment_intents if i in self.topics), None)

    def _sets_the_scene(self, text: str) -> bool:
        """ "morning, got a Gresham client today", "prospect in Bend, OR, about 15 people": a statement
        that names where the group is and asks nothing yet. Remembered as the region (inform_region),
        so the next question is answered for it."""
        if "?" in text or any(span.asks and ASKING.match(text[span.start : span.end]) for span in self.spans(text)):
            return False
        places = [m.place for m in self.places.find(text) if not m.comparison]
        return bool(places) and all(isinstance(p, Place) for p in places)
