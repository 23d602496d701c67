"""Reply building shared by every answer: a topic's static answer for a region, the honest "my source
for that region doesn't cover it", the uncovered-place answer, and the questions back.

Rules of the road, all from the product brief:
- an answer for one region is never given for another; a rule only the California FAQ states is
  not presented as Northwest policy (say so, give the region's nearest real contact);
- a place the sources do not cover gets "I only have ... information" and no number at all;
- when the answer differs by region and none is known yet, ask, with buttons.

The computed answers (answers/registry.py and its features) and the Assistant (assistant.py) build on this module; it
imports neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from broker_faq.conversation import Ask, Button, Reply, State
from broker_faq.knowledge.loader import Answer, ContactRef, Knowledge, Source, Topic
from broker_faq.knowledge.vocabulary import Vocabulary
from broker_faq.reading.contact_requests import ContactReader
from broker_faq.reading.links import LinkNames
from broker_faq.reading.not_covered import NotCovered
from broker_faq.reading.places import Gazetteer, Place, Uncovered
from broker_faq.render import PARAGRAPH, Renderer


class Replies:
    def __init__(self, knowledge: Knowledge, vocabulary: Vocabulary):
        self.k = knowledge
        self.vocabulary = vocabulary
        self.places = Gazetteer(knowledge, vocabulary)
        self.contacts = ContactReader(knowledge, vocabulary)
        self.render = Renderer(knowledge)
        self.not_covered = NotCovered(knowledge, vocabulary)
        self.links = LinkNames(knowledge)

    # --- answers from the knowledge -------------------------------------------------------

    def rule_region(self, topic: Topic) -> str:
        """The region whose source states a computed rule (the CID split and the reinstatement window are
        the California FAQ's): the one region file answering the topic, so no rule is a region literal and
        a place in any other region gets that region's honest silence and nearest contact."""
        return next(key for key in topic.answers if key in self.k.regions)

    def regions_of(self, topic: Topic) -> list[str]:
        return list(dict.fromkeys(self.places.known(key).region for key in topic.answers))

    def links_named(self, text: str) -> tuple[str, ...]:
        """The knowledge file's links a message names ("ppo plus website?")."""
        return self.links.named(text)

    def region_of_links(self, topic: Topic, keys: tuple[str, ...]) -> Place | None:
        """The one region whose answer gives the links named ("ppo plus" is on the Northwest sheet only)."""
        having = [area for area, answer in topic.answers.items() if set(keys) & set(answer.links)]
        return self.places.known(having[0]) if len(having) == 1 else None

    def entry_for(self, topic: Topic, place: Place) -> Answer | None:
        return topic.answers.get(place.key) or topic.answers.get(place.region)

    def static(self, topic: Topic, state: State, *, prefix: str = "", suffix: str = "") -> Reply:
        place = self.places.place(state.region)
        if place is None:
            regions = [topic.default_region] if topic.default_region else self.regions_of(topic)
            if len(regions) > 1:
                return self.ask_region(topic, state)
            place = self.places.known(regions[0])
            prefix = f"For {place.name} groups: {prefix}".strip()
        answer = self.entry_for(topic, place)
        if answer is None:
            return self.nearest(topic, place, state, prefix=prefix)
        text, payload = self.render.from_entry(
            topic.key, answer, prefix=prefix, suffix=" ".join(filter(None, (suffix, place.note))), region=place.name
        )
        return self.answered(topic, state, text, payload, teams=answer.contacts)

    @staticmethod
    def answered(topic: Topic, state: State, text: str, payload: dict, teams: tuple[ContactRef, ...] = ()) -> Reply:
        """A reply that answers `topic`: remembered as the last topic, with the teams it named (what
        "fax?" or "which option?" asks about next)."""
        # "team" or "team:purpose" (the Small Business Group's new-sales lines), as the knowledge writes them.
        last_teams = (
            tuple(dict.fromkeys(ref.team + (f":{ref.purpose}" if ref.purpose else "") for ref in teams)) or None
        )
        return Reply(
            text,
            state.with_updates(last_topic=topic.key, pending_topic=None, requested=None, last_teams=last_teams),
            payload=payload,
        )

    def team_cards(
        self, topic: Topic, teams: tuple[str, ...], state: State, *, prefix: str = "", purposes: tuple[str, ...] = ()
    ) -> Reply:
        """The named teams' cards, each with what it handles and its source; a team with lines for
        several purposes shows only the purpose asked about ("SBG new sales line")."""
        parsed = [ContactRef.parse(t) for t in teams]
        named = [self.k.teams[ref.team] for ref in parsed]
        refs = tuple(ContactRef(ref.team, ref.purpose or self._purpose(ref.team, purposes)) for ref in parsed)
        served = [
            f"the {t['name']}" + (f", the contact for {'; '.join(t['contact_for'])}" if t.get("contact_for") else "")
            for t in named
        ]
        body = f"{prefix} Here are the contact details for {' and for '.join(served)}.".strip()
        regions = {t["region"] for t in named}
        region = regions.pop() if len(regions) == 1 else None
        text, payload = self.render.answer(
            topic.key,
            body,
            sources=[Source(**t["source"]) for t in named],
            contacts=refs,
            region=self.k.regions[region]["name"] if region else None,
        )
        known = self.places.place(state.region)
        if region and (known is None or known.region != region):
            state = state.with_updates(region=region)  # what "and where do they pay online?" is about
        return self.answered(topic, state, text, payload, teams=refs)

    def _purpose(self, team: str, purposes: tuple[str, ...]) -> str | None:
        entries = [*self.k.teams[team].get("phones", []), *self.k.teams[team].get("emails", [])]
        served = [p for p in purposes if any(e.get("for") == p for e in entries)]
        return served[0] if len(served) == 1 else None

    def with_lead(self, reply: Reply, details: tuple[str, ...]) -> Reply:
        """The same answer, led by the contact details asked for ("EBS fax" -> "Fax for the ...")."""
        cards = (reply.payload or {}).get("contacts") or []
        if not details or not cards:
            return reply
        return _led(reply, self.render.lead(cards, details))

    def with_links_first(self, reply: Reply, keys: tuple[str, ...]) -> Reply:
        """ "NW dental url": the link asked for leads, before the answer's full list."""
        offered = {item["url"] for item in (reply.payload or {}).get("links") or []}
        asked = [self.k.links[key] for key in keys if self.k.links[key]["url"] in offered]
        if not asked:
            return reply
        return _led(reply, "\n".join(f"{link['label']}: {link['url']}" for link in asked))

    def with_phones(self, reply: Reply, kinds: tuple[tuple[str, bool], ...]) -> Reply:
        """Only the numbers asked for: "the 503 number, not the toll-free one", "toll-free only"."""
        if not kinds:
            return reply

        def narrowed(card: dict) -> dict:
            phones = [p for p in card.get("phones", []) if _phone_wanted(p["number"], kinds)]
            return {**card, "phones": phones} if phones else card  # never a card without its only line

        return self._cards_narrowed(reply, narrowed)

    def without_details(self, reply: Reply, refused: tuple[str, ...]) -> Reply:
        """The same answer with the details the broker refused ("skip the phone") left out of its
        contact cards, in the text and in the payload."""
        fields = {_CARD_FIELD.get(detail, detail) for detail in refused}
        if not fields:
            return reply
        return self._cards_narrowed(
            reply, lambda card: {key: value for key, value in card.items() if key not in fields}
        )

    def without_teams(self, reply: Reply, refused: frozenset[str]) -> Reply:
        """ "Not the EBS escalation folks, just the normal billing team": the refused teams' cards left out
        of the answer, in the text and in the payload, when another card is left to give."""
        cards = (reply.payload or {}).get("contacts") or []
        kept = [card for card in cards if card.get("team") not in refused]
        if not kept or len(kept) == len(cards):
            return reply
        text = reply.text
        for card in cards:
            if card not in kept:
                text = text.replace(PARAGRAPH + self.render.card_text(card), "", 1)
        return replace(reply, text=text, payload={**(reply.payload or {}), "contacts": kept})

    def _cards_narrowed(self, reply: Reply, narrow: Callable[[dict], dict]) -> Reply:
        """The answer with each contact card narrowed, in the text and in the payload alike."""
        cards = (reply.payload or {}).get("contacts") or []
        if not cards:
            return reply
        text, kept = reply.text, []
        for card in cards:
            narrowed = narrow(card)
            text = text.replace(self.render.card_text(card), self.render.card_text(narrowed), 1)
            kept.append(narrowed)
        return replace(reply, text=text, payload={**(reply.payload or {}), "contacts": kept})

    @staticmethod
    def led(reply: Reply, paragraph: str) -> Reply:
        """The same answer with a paragraph before it (the yes or no to what was asked)."""
        return _led(reply, paragraph)

    def misprint_corrected(self, reply: Reply, teams: tuple[str, ...]) -> Reply:
        """A quoted misprint of a Kaiser number is corrected, without repeating the wrong digits."""
        notes = []
        for key in teams:
            team = self.k.teams[key]
            right = self.render.phones_text(self.render.card(ContactRef(key)))
            notes.append(
                f"The number you quoted is misprinted in the {self.k.source_title(team['source']['doc'])}: "
                f"the {team['name']} line is {right}."
            )
        return _led(reply, " ".join(notes))

    # --- when the sources cannot answer for the region -----------------------------------------

    def nearest(self, topic: Topic, place: Place, state: State, *, prefix: str = "") -> Reply:
        """A topic the region's own source is silent on: say so and give its nearest real contact."""
        region = self.k.regions[place.region]
        covering = {self.k.source_title(a.source.doc) for a in topic.answers.values()}
        contacts = self.k.nearest_contact[place.region]
        body = (
            f'{prefix} The source I have for {place.name}, "{self.k.source_title(region["source"])}", '
            f"doesn't cover {topic.subject}. What I have on it comes from the "
            f"{' and '.join(sorted(covering))}, so I won't present it as {place.name} policy. For a group "
            f"in {place.name}, the nearest contact is:"
        ).strip()
        sources = [Source(**self.k.teams[ref.team]["source"]) for ref in contacts]
        text, payload = self.render.answer(topic.key, body, sources=sources, contacts=contacts, region=place.name)
        return self.answered(topic, state.with_updates(region=place.key), text, payload, teams=contacts)

    def equivalents(self, teams: tuple[str, ...], region: str) -> tuple[str, ...]:
        """The teams of `region` that go by a name the given teams go by: "CSC" is the Consolidated
        Service Center in the Northwest and the California Service Center in California."""
        names = {alias.lower() for t in teams for alias in self.k.teams[ContactRef.parse(t).team].get("aliases", [])}
        return tuple(
            key
            for key, team in self.k.teams.items()
            if team["region"] == region and names & {a.lower() for a in team.get("aliases", [])}
        )

    def not_in_region(self, topic: Topic, teams: tuple[str, ...], place: Place, state: State) -> Reply:
        """Teams of another region asked for a group in `place`: that region's team of the same name if
        there is one; otherwise say so and give the region's nearest real contact (never the other
        region's number for this group)."""
        same = self.equivalents(teams, place.region)
        if same:
            names = " and the ".join(self.k.teams[t]["name"] for t in same)
            return self.team_cards(
                topic,
                same,
                state.with_updates(region=place.key),
                prefix=f"For a group in {place.name}, that is the {names}.",
            )
        region = self.k.regions[place.region]
        named = [self.k.teams[ContactRef.parse(t).team] for t in teams]
        names = " and the ".join(t["name"] for t in named)
        home = {self.k.regions[t["region"]]["name"] for t in named}
        contacts = self.k.nearest_contact[place.region]
        body = (
            f"The {names} serves {' and '.join(sorted(home))} groups; my {place.name} source, "
            f'"{self.k.source_title(region["source"])}", doesn\'t list an equivalent. For a group in '
            f"{place.name}, the nearest contact is:"
        )
        sources = [Source(**self.k.teams[ref.team]["source"]) for ref in contacts]
        text, payload = self.render.answer(topic.key, body, sources=sources, contacts=contacts, region=place.name)
        return self.answered(topic, state.with_updates(region=place.key), text, payload, teams=contacts)

    def uncovered(self, place: Uncovered, topic_key: str | None, state: State) -> Reply:
        text = (
            f"I only have {self.region_names('and')} information, so I can't give you a contact or a "
            f"rule for {place.name}. Please check with the Kaiser Permanente team that serves that "
            f"region. If the group is in {self.region_names('or')}, tell me and I'll answer for it."
        )
        keep = {"pending_topic": topic_key, "requested": Ask.REGION} if topic_key else {}
        return Reply(
            text,
            state.with_updates(region=None, last_teams=None, **keep),
            buttons=self.region_buttons(),
            payload={"type": "uncovered_region", "place": place.name},
        )

    # --- questions back to the broker ----------------------------------------------------------

    def region_buttons(self) -> tuple[Button, ...]:
        return tuple(Button(r["name"], f'/inform_region{{"region": "{key}"}}') for key, r in self.k.regions.items())

    def ask_region(self, topic: Topic, state: State) -> Reply:
        names = said_together([self.k.regions[key]["name"] for key in self.regions_of(topic)], "and")
        text = f"Which region is the group in? For {topic.subject}, the answer differs between {names}."
        return Reply(
            text,
            state.with_updates(pending_topic=topic.key, requested=Ask.REGION),
            buttons=self.region_buttons(),
            payload={"type": "question", "asks": Ask.REGION},
        )

    @staticmethod
    def ask(state: State, topic: Topic, fact: str, text: str, buttons: tuple[Button, ...] = ()) -> Reply:
        """Ask for one missing fact, remembering which topic waits for it."""
        return Reply(
            text,
            state.with_updates(pending_topic=topic.key, requested=fact),
            buttons=tuple(buttons),
            payload={"type": "question", "asks": fact},
        )

    def service_unavailable(self, *, storing: bool) -> Reply:
        """What to say when a part of the assistant is down: never silence, always a real contact."""
        problem = "save this conversation" if storing else "look that up"
        teams = [
            (self.k.regions[region]["name"], ref) for region, refs in self.k.nearest_contact.items() for ref in refs
        ]
        body = (
            f"Sorry, I can't {problem} right now. Please try again in a minute, or contact the team for "
            f"the group's region: "
            + "; ".join(f"{name}: {self.k.teams[ref.team]['name']}" for name, ref in teams)
            + "."
        )
        text, payload = self.render.answer(
            "service_unavailable",
            body,
            sources=[Source(**self.k.teams[ref.team]["source"]) for _, ref in teams],
            contacts=tuple(ref for _, ref in teams),
        )
        return Reply(text, State(), payload=payload)

    def suggest(self, ranking: list[str], state: State) -> Reply:
        """Low NLU confidence: offer the likeliest topics as buttons (first stage of the fallback)."""
        last = (Button("Something else", "/out_of_scope"), TALK_TO_A_PERSON)
        # A likely topic the last buttons already offer ("Talking to a person" is /human_handoff too)
        # is not offered twice.
        offered = {button.payload for button in last}
        likely = [self.k.topics[i] for i in ranking if i in self.k.topics and f"/{i}" not in offered][:3]
        buttons = [Button(t.title, f"/{t.key}") for t in likely] + list(last)
        text = (
            "I'm not sure I understood. Did you mean one of these?"
            if likely
            else "I'm not sure I understood. Could you tell me a bit more?"
        )
        return Reply(text, state, buttons=tuple(buttons), payload={"type": "question", "asks": "topic"})

    def no_topic(self, place: Place | None, state: State) -> Reply:
        if place is not None:
            note = f" {place.note}" if place.note else ""
            text = f"Got it: a group in {place.name}.{note} What would you like to know?"
        else:
            text = f"What would you like to know? {self._offers()}"
        return Reply(text, state, payload={"type": "question", "asks": "topic"})

    # --- what the assistant is and does: every region named from the knowledge ---------------------

    def about(self, intent: str, state: State) -> Reply:
        """ "What can you do?", "are you a bot?" and "outside what I can help with", naming every region
        and source the knowledge holds (a new region's file is enough to be named here)."""
        if intent == "bot_challenge":
            titles = said_together([s["title"] for s in self.k.sources.values()], "and")
            text = (
                f"I'm a virtual assistant (a bot), not a person. I answer from Kaiser Permanente's {titles}, "
                "and I can point you to the right team."
            )
            return Reply(text, state, payload={"type": "about"})
        if intent == "out_of_scope":
            text = (
                "Sorry, that's outside what I can help with. I only answer Kaiser Permanente small-business "
                f"broker questions for {self.region_names('and')}."
            )
            return Reply(text, state, buttons=(TALK_TO_A_PERSON,), payload={"type": "out_of_scope"})
        return Reply(
            f"{self._offers()} Tell me the group's region and I'll give the right phone, option, e-mail or fax.",
            state,
            payload={"type": "about"},
        )

    def region_names(self, word: str) -> str:
        """ "California and Northwest (Oregon and Southwest Washington)"; with three, "A, B and C"."""
        return said_together([r["name"] for r in self.k.regions.values()], word)

    def _offers(self) -> str:
        return "I can " + said_together([" ".join(r["offers"].split()) for r in self.k.regions.values()], "and") + "."


def said_together(items: list[str], word: str) -> str:
    """ "A", "A and B", "A, B and C": a list as a sentence says it."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _phone_wanted(number: str, kinds: tuple[tuple[str, bool], ...]) -> bool:
    digits = re.sub(r"\D", "", number)
    digits = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    toll_free = digits[:3] in ("800", "833", "844", "855", "866", "877", "888")

    def kind_of(kind: str) -> bool:
        return toll_free if kind == "toll_free" else not toll_free if kind == "local" else digits.startswith(kind)

    wanted = [kind for kind, yes in kinds if yes]
    if any(kind_of(kind) for kind, yes in kinds if not yes):
        return False
    return not wanted or any(kind_of(kind) for kind in wanted)


# A detail's field on a contact card (render.Renderer.card); an IVR option is part of the phones.
_CARD_FIELD = {"phone": "phones", "option": "phones", "phone_tree": "phones", "email": "emails"}

# Offered where the assistant could not help: after a fallback and a second "not helpful".
TALK_TO_A_PERSON = Button("Talk to a person", "/human_handoff")


def _led(reply: Reply, paragraph: str) -> Reply:
    """The reply with a paragraph before it, in its text and in an answer payload's body."""
    payload = reply.payload
    if payload and "body" in payload:
        payload = {**payload, "body": paragraph + PARAGRAPH + payload["body"]}
    return replace(reply, text=paragraph + PARAGRAPH + reply.text, payload=payload)
