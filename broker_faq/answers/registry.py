"""The computed answers by the name the knowledge's `computed:` uses: the one registry (a test holds
the knowledge against it; the Assistant refuses knowledge naming another). Each feature is a module of
its own in this room; each works from one long sentence or asks for what is missing, one fact at a
time, remembering what it was told in State."""

from __future__ import annotations

from collections.abc import Callable

from broker_faq.answers import cid_split, not_covered, reinstatement, team_contact
from broker_faq.answers.replies import Replies
from broker_faq.conversation import Reply, State, Turn
from broker_faq.knowledge.loader import Topic

ComputedAnswer = Callable[[Replies, Topic, Turn, State], Reply]

COMPUTED: dict[str, ComputedAnswer] = {
    "cid_split": cid_split.cid_split,
    "reinstatement": reinstatement.reinstatement,
    "team_contact": team_contact.team_contact,
    "not_covered": not_covered.not_covered,
}
