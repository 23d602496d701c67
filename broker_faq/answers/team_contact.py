"""A team's card when no team is named in the message (named teams are answered in assistant.py)."""

from __future__ import annotations

from broker_faq.answers.replies import Replies
from broker_faq.conversation import Ask, Button, Reply, State, Turn
from broker_faq.knowledge.loader import ContactRef, Topic


def team_contact(replies: Replies, topic: Topic, turn: Turn, state: State) -> Reply:
    """A team's card when no team is named in the message (those are answered in assistant.py): the
    teams of the last answer, for the region now asked about ("same for Oregon"), or a question back."""
    last = state.last_teams or ()
    place = replies.places.place(state.region)
    if (
        last
        and place is not None
        and any(replies.k.teams[ContactRef.parse(t).team]["region"] != place.region for t in last)
    ):
        return replies.not_in_region(topic, last, place, state)
    if last:
        return replies.team_cards(topic, last, state)
    teams = [t for t in replies.k.teams.values() if t.get("aliases")]
    return replies.ask(
        state,
        topic,
        Ask.TEAM,
        "Which team do you need?",
        tuple(Button(t["name"], f'/team_contact{{"team": "{t["name"]}"}}') for t in teams),
    )
