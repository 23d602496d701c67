"""Turn -> Reply: which topic a message is about, for which region, and which answer gives it.

The reply building lives in replies.py and the computed answers in computed.py; this module only
decides which of them answers a turn.
"""
from __future__ import annotations

from .computed import COMPUTED
from .conversation import Ask, Reply, Turn
from .knowledge import Knowledge, KnowledgeError
from .places import Place, Uncovered
from .replies import Replies

# Intents that answer a question the assistant asked, or continue the last topic.
FOLLOW_UPS = frozenset({"inform_region", "inform_date", "inform_count", "affirm", "deny"})
# A date with no question before it can only be about the one date-based answer.
TOPIC_OF_BARE_FACT = {"inform_date": "reinstatement"}


class Assistant:
    def __init__(self, knowledge: Knowledge):
        unknown = {key: t.computed for key, t in knowledge.topics.items()
                   if t.computed and t.computed not in COMPUTED}
        if unknown:
            key, name = next(iter(unknown.items()))
            raise KnowledgeError(f"topics.{key}.computed: unknown computation '{name}'")
        self.k = knowledge
        self.replies = Replies(knowledge)

    def respond(self, turn: Turn) -> Reply:
        r = self.replies
        topic_key = self.topic_of(turn)
        places = [r.places.resolve(m.value) for m in turn.mentioned("region")]
        covered = [p for p in places if isinstance(p, Place)]
        uncovered = [p for p in places if isinstance(p, Uncovered)]
        if uncovered and not covered:
            return r.uncovered(uncovered[0], topic_key, turn.state)
        state = turn.state.with_updates(region=covered[0].key) if covered else turn.state
        if topic_key is None:
            return r.no_topic(covered[0] if covered else None, state)
        topic = self.k.topics[topic_key]
        if topic.computed:
            return COMPUTED[topic.computed](r, topic, turn, state)
        return r.static(topic, state)

    def topic_of(self, turn: Turn) -> str | None:
        state = turn.state
        # "they terminated 8/1/2026" right after we asked for the date answers our question, even
        # if it reads like a new question about terminating.
        if state.pending_topic and (
                (state.requested == Ask.TERMINATION_DATE and turn.mentioned("date"))
                or (state.requested == Ask.SUBSCRIBERS and turn.mentioned("count"))):
            return state.pending_topic
        if turn.intent in self.k.topics:
            return turn.intent
        if turn.intent in FOLLOW_UPS:
            return state.pending_topic or state.last_topic or TOPIC_OF_BARE_FACT.get(turn.intent)
        return None
