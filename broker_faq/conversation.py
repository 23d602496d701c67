"""What one turn brings in (Turn), what the assistant remembers (State), and what it says (Reply).

State mirrors the Rasa slots one to one (actions/tracker_adapter.py maps them), so the domain logic
can be driven and tested without Rasa.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace

from broker_faq.portal import Group, PortalContext


@dataclass(frozen=True)
class Mention:
    """An entity the NLU found: its label, text and where it starts in the message."""

    label: str
    value: str
    start: int = 0


@dataclass(frozen=True)
class State:
    region: str | None = None  # place key: a region ("california") or an area ("oregon")
    last_topic: str | None = None  # what "what about Oregon?" re-answers
    pending_topic: str | None = None  # the topic waiting for an answer to our question
    requested: str | None = None  # which fact we asked for (see Ask below)
    termination_date: str | None = None  # ISO date, for reinstatement
    request_date: str | None = None  # ISO date a reinstatement request was asked about, for a corrected one
    hq_area: str | None = None  # CID split: headquarters area
    other_locations: bool | None = None  # CID split: locations in the other California area too?
    subscribers: int | None = None  # CID split: subscribers at the non-headquarters area
    located_counts: tuple[str, ...] | None = None  # CID split: "torrance|southern_california|9" per office
    last_teams: tuple[str, ...] | None = None  # the teams the last answer gave: what "fax?" asks about
    last_details: tuple[str, ...] | None = None  # the details last asked ("fax"): "what about California?" too
    group: str | None = None  # the portal group last asked about (its id in the signed context)

    def with_updates(self, **changes) -> State:
        return replace(self, **changes)

    def changed_from(self, old: State) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) != getattr(old, f.name)}


class Ask:
    """The facts the assistant may ask for (values of State.requested)."""

    REGION = "region"
    HQ_AREA = "hq_area"
    OTHER_LOCATIONS = "other_locations"
    SUBSCRIBERS = "subscribers"
    TERMINATION_DATE = "termination_date"
    TEAM = "team"


@dataclass(frozen=True)
class Segment:
    """One candidate question of a message (broker_faq/reading/segments.py), as the NLU classified it."""

    start: int
    end: int
    asks: bool
    intent: str | None = None
    confidence: float = 0.0
    listed: bool = False  # one need of a list (segments.Span.listed)


@dataclass(frozen=True)
class Turn:
    intent: str | None
    text: str  # the message as the NLU read it: cleaned (broker_faq/reading/cleanup.py) and masked
    mentions: tuple[Mention, ...] = ()
    state: State = State()
    today: dt.date = field(default_factory=dt.date.today)
    segments: tuple[Segment, ...] = ()
    desk_open: bool = False  # an agent is connected and can take the conversation (socket.io only)
    earlier_question: str | None = None  # the broker's last message before this one, as stored
    language: str | None = None  # "es": written in Spanish (read through its gloss, answered in English)
    context: PortalContext | None = None  # the broker's groups, from the portal's signed claims
    group: Group | None = None  # the portal group this turn is about (set by the Assistant from `context`)

    def mentioned(self, label: str) -> list[Mention]:
        return [m for m in self.mentions if m.label == label]

    @property
    def is_payload(self) -> bool:
        """A button's payload ('/inform_region{"region": "oregon"}'): its entities say it all."""
        return self.text.startswith("/")

    @property
    def words(self) -> str:
        """What the broker said, for reading places and teams: a payload's entity values."""
        return " , ".join(m.value for m in self.mentions) if self.is_payload else self.text


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    state: State
    buttons: tuple[Button, ...] = ()
    payload: dict | None = None  # structured answer: topic, region, sources, contact cards, links
