"""A question near the domain that neither source answers ("does the plan cover chiropractic?"):
said plainly, with the nearest real contact (what is asked is read by reading/not_covered.py)."""

from __future__ import annotations

from broker_faq.answers.replies import Replies, said_together
from broker_faq.conversation import Reply, State, Turn
from broker_faq.knowledge.loader import ContactRef, Source, Topic


def not_covered(replies: Replies, topic: Topic, turn: Turn, state: State) -> Reply:
    """A question near the domain that neither source answers: said plainly, with the nearest real
    contact for the group's region (both regions' when none is known), never a guess."""
    kinds = replies.not_covered.find(turn.words) or replies.not_covered.find(turn.earlier_question or "")
    subject = " or ".join(replies.not_covered.subject(kind) for kind in kinds[:2]) or "that"
    titles = said_together([replies.k.source_title(doc) for doc in replies.k.sources], "and the")
    place = replies.places.place(state.region)
    regions = [place.region] if place else list(replies.k.regions)
    contacts = tuple(
        dict.fromkeys(
            ref for region in regions for kind in (kinds[:1] or ("",)) for ref in _nearest(replies, kind, region)
        )
    )
    where = f"For a group in {place.name}, the nearest contact is:" if place else (
        "The nearest contact for each region: " + "; ".join(
            f"{replies.k.regions[region]['name']}: the {replies.k.teams[ref.team]['name']}"
            for region in regions for ref in contacts if replies.k.teams[ref.team]["region"] == region
        ) + "."
    )  # fmt: skip
    body = f"My sources, the {titles}, don't cover {subject}, so I can't answer that. {where}"
    sources = [Source(**replies.k.teams[ref.team]["source"]) for ref in contacts]
    text, payload = replies.render.answer(
        topic.key, body, sources=sources, contacts=contacts, region=place.name if place else None
    )
    return replies.answered(topic, state, text, payload, teams=contacts)


def _nearest(replies: Replies, kind: str, region: str) -> tuple[ContactRef, ...]:
    return replies.not_covered.nearest(kind, region) if kind else replies.k.nearest_contact[region]
