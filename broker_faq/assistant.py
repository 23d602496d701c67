"""Turn -> Reply: which questions a message asks, about which topic, for which region, and which
answer gives each.

Reading (places, teams, details) is done by the readers Replies holds; the reply building lives in
answers/replies.py and the computed answers in answers/ (registry.py). This module only decides which of them
answers, and joins the answers when one message asks several things.
"""

from __future__ import annotations

import re
from dataclasses import replace

from broker_faq import handoff
from broker_faq.answers import quoted_numbers
from broker_faq.answers.registry import COMPUTED
from broker_faq.answers.replies import Replies
from broker_faq.conversation import Ask, Button, Mention, Reply, Segment, State, Turn
from broker_faq.knowledge.loader import ContactRef, Knowledge, KnowledgeError
from broker_faq.knowledge.vocabulary import Vocabulary, load_vocabulary
from broker_faq.portal import Group, group_named
from broker_faq.reading.contact_requests import ContactRequest
from broker_faq.reading.counts import headquarters_cued
from broker_faq.reading.dates import find_dates, termination_in
from broker_faq.reading.places import Place, PlaceMention, Uncovered
from broker_faq.reading.premises import QuotedNumber, premise, quoted_numbers_in, topic_figures, verdict
from broker_faq.render import PARAGRAPH

# Intents that answer a question the assistant asked, or continue the last topic.
FOLLOW_UPS = frozenset({"inform_region", "inform_date", "inform_count", "affirm", "deny"})
# A date with no question before it can only be about the one date-based answer.
TOPIC_OF_BARE_FACT = {"inform_date": "reinstatement"}
TEAM_TOPIC = "team_contact"
# Answers whose cards already say what each team handles: "what it handles" is not led with again.
CARDS_SAY_WHAT_IT_HANDLES = frozenset({TEAM_TOPIC, "not_covered"})
# The details a contact card shows, each of which "just the fax" leaves out unless asked.
CARD_DETAILS = ("phone", "email", "fax", "hours", "address")
# What the assistant is and does, said with every region the knowledge holds (replies.about).
ABOUT = frozenset({"capabilities", "bot_challenge", "out_of_scope"})
# A message in Spanish is read through a gloss and answered in English, which the answer says first.
IN_ENGLISH = "Respondo en inglés; esto es lo que entendí. (I answer in English; here is what I understood.)"
# How sure the NLU must be of a part of a message to answer it as a question of its own.
MIN_PART_CONFIDENCE = 0.5
# A need in a list ("..., cancelling the group's contract, ...") is a few words: less sure, still a need.
MIN_LISTED_CONFIDENCE = 0.35


class Assistant:
    def __init__(self, knowledge: Knowledge, vocabulary: Vocabulary | None = None):
        unknown = {key: t.computed for key, t in knowledge.topics.items() if t.computed and t.computed not in COMPUTED}
        if unknown:
            key, name = next(iter(unknown.items()))
            raise KnowledgeError(f"topics.{key}.computed: unknown computation '{name}'")
        self.k = knowledge
        self.replies = Replies(knowledge, vocabulary or load_vocabulary())

    def respond(self, turn: Turn) -> Reply:
        turn = self._about_group(turn)
        reply = self._respond(turn)
        if turn.group is not None:
            reply = self._for_group(reply, turn.group)
        return self.replies.led(reply, IN_ENGLISH) if turn.language == "es" else reply

    # --- the broker's groups from the portal ----------------------------------------------------

    def _about_group(self, turn: Turn) -> Turn:
        """The portal group a message is about: the one it names ("does Harbor & Pine need to split?",
        "not that one, Rose City"), else the one asked about before, else the one open on the page. What
        the message says wins: a place it names turns the group off, and so does a region the broker
        gave earlier in the conversation (the portal's default never overrides the broker)."""
        context = turn.context
        if context is None:
            return turn
        found = self.replies.places.find(turn.words)
        # A place's name is no group's ("Harbor City" names no "Harbor & Pine"): read around the places.
        unplaced = "".join(" " if any(p.start <= i < p.end for p in found) else c for i, c in enumerate(turn.words))
        named = group_named(unplaced, context.groups).group
        state = turn.state
        places = [m for m in found if not m.aside]
        if places and named is None:
            return replace(turn, state=state.with_updates(group=None))
        if named is not None:
            group = named
        elif (earlier := context.group(state.group)) is not None:
            group = earlier
        elif state.region is None and context.opened is not None and not turn.is_payload:
            group = context.opened
        else:
            return turn
        if state.group != group.id:
            state = state.with_updates(group=group.id, region=group.hq_area, hq_area=None, subscribers=None)
        return replace(turn, state=state, group=group)

    def _for_group(self, reply: Reply, group: Group) -> Reply:
        """Every answer that used the portal's context says which group it assumed."""
        kind = (reply.payload or {}).get("type")
        if kind == "handoff":
            return reply  # the queue entry names the group itself
        if reply.state.group != group.id or kind not in ("answer", "question"):
            return reply
        area = self.replies.places.known(group.hq_area).name
        reply = self.replies.led(reply, f"For {group.name} ({area}):")
        return replace(reply, payload={**(reply.payload or {}), "group": group.name})  # shown to agents

    def _respond(self, turn: Turn) -> Reply:
        if turn.intent == handoff.TOPIC and turn.desk_open:  # "... about my Oregon group": the agent sees it
            return handoff.connecting_reply(replace(turn, state=self._whole_message_region(turn)))
        parts = self.parts(turn)
        if len(parts) < 2:
            return self._one(turn)
        replies, state = [], self._whole_message_region(turn)
        for part in parts:
            reply = self._one(replace(part, state=state))
            replies.append(reply)
            state = reply.state
        return self._together(replies)

    def _whole_message_region(self, turn: Turn) -> State:
        """Several questions and one group: "Who handles billing? Also ... This is for a Longview
        employer." The place said anywhere in the message is every part's, when it is one region's."""
        places = [m.place for m in self.replies.places.find(turn.words) if not m.aside]
        covered = [p for p in places if isinstance(p, Place)]
        if not covered or len(covered) < len(places) or len({p.region for p in covered}) > 1:
            return turn.state
        return turn.state.with_updates(region=covered[0].key)

    def side_by_side(self, topic_key: str) -> dict[str, Reply]:
        """One topic's answer for every region, for agents comparing them (region name -> reply):
        the region's own answer, or its source's honest silence with the nearest real contact."""
        topic = self.k.topics[topic_key]
        if not topic.answers:
            return {}
        return {region["name"]: self.replies.static(topic, State(region=key)) for key, region in self.k.regions.items()}

    # --- several questions in one message -------------------------------------------------------

    def parts(self, turn: Turn) -> list[Turn]:
        """The questions a message asks, each with the context before it: one Turn per topic."""
        segments = list(turn.segments)
        if len(segments) < 2 or turn.is_payload:
            return [turn]
        topics = [self._asks_about(turn, s) for s in segments]
        asking = [i for i, topic in enumerate(topics) if topic]
        # The same topic asked again next to itself is one question ("CA term line and the NW one").
        asking = [i for n, i in enumerate(asking) if n == 0 or topics[i] != topics[asking[n - 1]]]
        if len({topics[i] for i in asking}) < 2:
            return [turn]
        parts, start = [], 0
        for n, i in enumerate(asking):
            end = len(turn.text) if n == len(asking) - 1 else segments[i].end
            parts.append(self._part(turn, start, end, topics[i]))
            start = segments[i].end
        return parts

    def _asks_about(self, turn: Turn, segment: Segment) -> str | None:
        """The topic a part asks about on its own, if any: the classifier's when it is sure enough,
        the team answer when the part names a team ("what's the member services number")."""
        said = self.replies.contacts.read(turn.text[segment.start : segment.end])
        if not (segment.asks or said.teams or said.details):
            return None
        needed = MIN_LISTED_CONFIDENCE if segment.listed else MIN_PART_CONFIDENCE
        if segment.intent in self.k.topics and segment.confidence >= needed:
            return segment.intent
        return TEAM_TOPIC if said.teams or said.misprinted else None

    @staticmethod
    def _part(turn: Turn, start: int, end: int, intent: str | None) -> Turn:
        mentions = tuple(Mention(m.label, m.value, m.start - start) for m in turn.mentions if start <= m.start < end)
        return replace(turn, intent=intent, text=turn.text[start:end], mentions=mentions, segments=())

    def _together(self, replies: list[Reply]) -> Reply:
        """One reply for several answers: numbered, each with its own source; contacts of all."""
        intro = "You asked about several things:"
        text = PARAGRAPH.join([intro, *(f"{n}. {reply.text}" for n, reply in enumerate(replies, start=1))])
        payloads = [r.payload for r in replies if r.payload]
        answers = [p for p in payloads if p.get("type") == "answer"]
        # Each part's own words, numbered; a part that asks back keeps its whole text.
        bodies = [(r.payload or {}).get("body", r.text) for r in replies]
        payload = {
            "type": "answer",
            "body": PARAGRAPH.join([intro, *(f"{n}. {body}" for n, body in enumerate(bodies, start=1))]),
            "topic": answers[0]["topic"] if answers else None,
            "region": _same([p.get("region") for p in answers]),
            "sources": _union(p.get("sources", []) for p in answers),
            "contacts": _union(p.get("contacts", []) for p in answers),
            "links": _union(p.get("links", []) for p in answers),
            "parts": payloads,
        }
        asked = next((r for r in replies if r.state.requested), None)
        last = replies[-1].state
        teams = tuple(dict.fromkeys(t for r in replies for t in (r.state.last_teams or ())))
        regions = {r.state.region for r in replies}
        state = last.with_updates(
            last_teams=teams or None,
            region=last.region if len(regions) == 1 else None,
            pending_topic=asked.state.pending_topic if asked else None,
            requested=asked.state.requested if asked else None,
        )
        buttons = next((r.buttons for r in replies if r.buttons), ())
        return Reply(text, state, buttons=buttons, payload=payload)

    # --- one question -----------------------------------------------------------------------------

    def _one(self, turn: Turn) -> Reply:
        r = self.replies
        request = r.contacts.read(turn.words)
        places = [
            p for p in r.places.find(turn.words) if not any(s <= p.start < e for s, e in request.team_spans)
        ]  # "California Service Center" names a team, not the group's place
        request = r.contacts.read(turn.words, tuple((p.start, p.end) for p in places))
        mentioned = [p for p in places if not p.aside and not self._in_team_address(p, request)]
        if any(p.of_group for p in mentioned) and any(isinstance(p.place, Uncovered) for p in mentioned):
            # "a Honolulu client ... the 60 days California groups get": the client's place decides.
            mentioned = [p for p in mentioned if p.of_group]
        covered = [p.place for p in mentioned if isinstance(p.place, Place)]
        uncovered = [p.place for p in mentioned if isinstance(p.place, Uncovered)]
        topic_key = self.topic_of(turn, request)
        if uncovered and not covered:
            if self._only_out_of_scope(turn, request, topic_key, mentioned):
                return r.about("out_of_scope", turn.state)  # "weather in Boston?" asks nothing of a Boston group
            return r.uncovered(uncovered[0], topic_key, turn.state)
        links = r.links_named(turn.words)
        topic = self.k.topics.get(topic_key or "")
        if links and topic and not covered and not turn.state.region and (only := r.region_of_links(topic, links)):
            covered = [only]
        # Every region the message names, compared or not: "CA hours vs NW EBS hours" names two.
        named_regions = {p.place.region for p in places if isinstance(p.place, Place)}
        by_answer = self._places_by_answer(topic_key, covered)
        if len(by_answer) > 1 and not request.teams:
            return self._together(
                [self._for_places(turn, request, topic_key, [place], named_regions) for place in by_answer]
            )
        return self._for_places(turn, request, topic_key, covered, named_regions)

    def _termination_said(self, turn: Turn, topic_key: str | None, state: State) -> State:
        """ "Their termination was the end of February 2028" said on any topic: kept, so the
        reinstatement question that may follow has its date (that answer reads its own dates)."""
        topic = self.k.topics.get(topic_key or "")
        if topic is not None and topic.computed == "reinstatement":
            return state
        v = self.replies.vocabulary
        said = termination_in(turn.words, turn.today, v)
        return state.with_updates(termination_date=said.date.date.isoformat()) if said.date else state

    def _scene_headquarters(self, turn: Turn, state: State) -> State:
        """ "a marketing agency headquartered in Oakland - 16 on Kaiser there": the headquarters a scene
        names, kept for the split question that may follow ("they just opened a Pasadena office")."""
        areas = {
            Mention("region", p.text, p.start): p.place
            for p in self.replies.places.find(turn.words)
            if not p.aside and isinstance(p.place, Place) and p.place.is_area
        }
        cued = {areas[m].key for m in headquarters_cued(list(areas), turn.words)}
        return state.with_updates(hq_area=cued.pop()) if len(cued) == 1 else state

    @staticmethod
    def _only_out_of_scope(
        turn: Turn, request: ContactRequest, topic_key: str | None, mentioned: list[PlaceMention]
    ) -> bool:
        """A question outside the assistant's work that happens to name a place: no topic, no team,
        purpose or detail asked, and no group said to be there ("a Boston client" is still a group's place)."""
        return (
            turn.intent == "out_of_scope"
            and topic_key is None
            and not (request.teams or request.details or request.purposes)
            and not any(p.of_group for p in mentioned)
        )

    def _in_team_address(self, mention: PlaceMention, request: ContactRequest) -> bool:
        """ "CSC Denver phone": Denver is where the named team's mail goes, not where the group is
        (whether or not a region's file covers Denver)."""
        addresses = " ".join(
            line for t in request.teams for key in t.candidates for line in self.k.teams[key].get("address", [])
        )
        return re.search(rf"\b{re.escape(mention.text)}\b", addresses, re.IGNORECASE) is not None

    def _places_by_answer(self, topic_key: str | None, covered: list[Place]) -> list[Place]:
        """One place per distinct answer the topic gives them: "my San Diego group and my Salem group"
        get the California and the Northwest answer."""
        topic = self.k.topics.get(topic_key) if topic_key else None
        if topic is None or topic.computed:
            return covered[:1]
        distinct: dict[object, Place] = {}
        for place in covered:
            entry = self.replies.entry_for(topic, place)
            distinct.setdefault(id(entry) if entry else place.region, place)
        return list(distinct.values())

    def _for_places(
        self, turn: Turn, request: ContactRequest, topic_key: str | None, covered: list[Place], named_regions: set[str]
    ) -> Reply:
        r = self.replies
        state = turn.state.with_updates(region=covered[0].key) if covered else turn.state
        reply = self._answer(turn, request, topic_key, covered, state, named_regions)
        # "not the EBS folks": no refused team's card, and so no lead from one
        reply = r.without_teams(reply, frozenset(key for t in request.refused_teams for key in t.candidates))
        # "what about California?" after "CSC fax" asks the fax again, for the new region.
        asked = request.details or (state.last_details or () if turn.intent in FOLLOW_UPS and not request.teams else ())
        # A named team's card already says what it handles; lead with the other details asked. A number
        # quoted for confirmation ("866-868-7220, option 3, right?") gets its yes or no, not a phone lead.
        quoted = quoted_numbers_in(turn.text)
        confirmed = ("phone", "option") if quoted else ()
        details = tuple(
            d
            for d in asked
            if not (d == "handles" and reply.state.last_topic in CARDS_SAY_WHAT_IT_HANDLES) and d not in confirmed
        )
        reply = r.with_links_first(reply, r.links_named(turn.words))
        reply = r.with_phones(reply, request.phones)
        reply = r.with_lead(reply, details)
        reply = r.without_details(reply, request.refused_details)
        if request.only_asked:  # "just the fax": the cards show what was asked and nothing else
            kept = {*asked, *(("phone",) if {"option", "phone_tree"} & set(asked) else ())}
            reply = r.without_details(reply, tuple(d for d in CARD_DETAILS if d not in kept))
        reply = self._premise_checked(turn, topic_key, reply, quoted)
        if not reply.state.requested:
            reply = replace(reply, state=reply.state.with_updates(last_details=asked or None))
        return r.misprint_corrected(reply, request.misprinted) if request.misprinted else reply

    def _premise_checked(
        self, turn: Turn, topic_key: str | None, reply: Reply, quoted: tuple[QuotedNumber, ...]
    ) -> Reply:
        """ "reinstatement is 30 days, right?", "the CSC is 866-868-7220, right?": the answer starts with the
        yes or the no (a quoted number's first)."""
        topic = self.k.topics.get(topic_key or "")
        if topic is None or (reply.payload or {}).get("type") != "answer":
            return reply
        places = self.replies.places.find(turn.text)
        group = any(isinstance(m.place, Place) and m.place.is_area for m in places)
        checked = premise(turn.text, topic_figures(self.k, topic), about_a_group=group)
        reply = self.replies.led(reply, verdict(checked)) if checked else reply
        return quoted_numbers.checked(self.replies, reply, quoted)

    def _answer(
        self,
        turn: Turn,
        request: ContactRequest,
        topic_key: str | None,
        covered: list[Place],
        state: State,
        named_regions: set[str],
    ) -> Reply:
        r = self.replies
        state = self._termination_said(turn, topic_key, state)
        if request.teams and not self._teams_aside(request, topic_key, covered, state):
            return self._named_teams(request, covered, state, named_regions)
        if request.misprinted and topic_key in (None, TEAM_TOPIC):
            return r.team_cards(self.k.topics[TEAM_TOPIC], request.misprinted, state)
        last_teams = state.last_teams or ()
        if request.details_only and last_teams and not self._elsewhere(covered, last_teams):
            return r.team_cards(
                self.k.topics.get(state.last_topic or "") or self.k.topics[TEAM_TOPIC], last_teams, state
            )
        if topic_key is None and turn.intent in ABOUT:
            return r.about(turn.intent, state)  # and not a team or number named: those are answered above
        if topic_key is None:
            return r.no_topic(covered[0] if covered else None, self._scene_headquarters(turn, state))
        topic = self.k.topics[topic_key]
        if topic.computed:
            return COMPUTED[topic.computed](r, topic, turn, state)
        return r.static(topic, state)

    def _teams_aside(self, request: ContactRequest, topic_key: str | None, covered: list[Place], state: State) -> bool:
        """Teams named in passing: "Member Services hasn't fixed it. Where do I escalate?" asks the topic
        (escalation), and none of the teams named is the topic's contact, so the topic answers."""
        topic = self.k.topics.get(topic_key or "")
        if topic is None or topic.computed or request.details:
            return False
        place = covered[0] if covered else self.replies.places.place(state.region)
        entries = [self.replies.entry_for(topic, place)] if place else list(topic.answers.values())
        contacts = {ref.team for entry in entries if entry for ref in entry.contacts}
        return not any(c in contacts for mention in request.teams for c in mention.candidates)

    def _elsewhere(self, covered: list[Place], teams: tuple[str, ...]) -> bool:
        """The message names a region other than the one the teams serve ("and for Oregon?")."""
        regions = {self.k.teams[ContactRef.parse(t).team]["region"] for t in teams}
        return bool(covered) and any(region != covered[0].region for region in regions)

    def _named_teams(
        self, request: ContactRequest, covered: list[Place], state: State, named_regions: set[str]
    ) -> Reply:
        r, topic = self.replies, self.k.topics[TEAM_TOPIC]
        known = covered[0] if covered else r.places.place(state.region)
        keys: list[str] = []
        for mention in request.teams:
            candidates = r.contacts.region_teams(mention, known.region if known else None)
            if len({self.k.teams[c]["region"] for c in candidates}) > 1:
                return r.ask(
                    state,
                    topic,
                    Ask.TEAM,
                    f'"{mention.text}" can mean two teams. Which one do you need?',
                    tuple(
                        Button(self.k.teams[c]["name"], f'/team_contact{{"team": "{self.k.teams[c]["name"]}"}}')
                        for c in candidates
                    ),
                )
            keys += [c for c in self._with_details(candidates, request.details) if c not in keys]
        # A team of another region for a group placed in one region: never that team's number.
        if len(named_regions) == 1 and covered and self._elsewhere(covered, tuple(keys)):
            return r.not_in_region(topic, tuple(keys), covered[0], state)
        return r.team_cards(topic, tuple(keys), state, purposes=request.purposes)

    def _with_details(self, candidates: tuple[str, ...], details: tuple[str, ...]) -> tuple[str, ...]:
        """Of the teams one name may mean in a region ("AMT"), those that have the detail asked for."""
        having = tuple(c for c in candidates if all(self._has(c, d) for d in details))
        return having or candidates

    def _has(self, team: str, detail: str) -> bool:
        card = self.k.teams[team]
        field = {
            "phone": "phones",
            "option": "phones",
            "phone_tree": "phones",
            "email": "emails",
            "handles": "contact_for",
        }.get(detail, detail)
        return bool(card.get(field))

    def topic_of(self, turn: Turn, request: ContactRequest | None = None) -> str | None:
        state = turn.state
        # "they terminated 8/1/2026" right after we asked for the date answers our question, even
        # if it reads like a new question about terminating.
        if state.pending_topic and (
            (state.requested == Ask.TERMINATION_DATE and (turn.mentioned("date") or find_dates(turn.text, turn.today)))
            or (state.requested == Ask.SUBSCRIBERS and turn.mentioned("count"))
        ):
            return state.pending_topic
        if turn.intent in self.k.topics:
            return turn.intent
        if request is not None and (request.teams or request.misprinted):
            return TEAM_TOPIC
        if turn.intent in FOLLOW_UPS or (request is not None and request.details_only):
            return state.pending_topic or state.last_topic or TOPIC_OF_BARE_FACT.get(turn.intent or "")
        return None


def _same(values: list) -> object:
    return values[0] if values and all(v == values[0] for v in values) else None


def _union(lists) -> list:
    seen, out = set(), []
    for items in lists:
        for item in items:
            key = repr(item)
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out
