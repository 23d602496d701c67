"""The computed answers: CID split, reinstatement deadline, a named team's card.

Each works from one long sentence or asks for what is missing, one fact at a time, remembering
what it was told in State. Each registers itself under the name the knowledge's `computed:`
uses (COMPUTED below is the one registry; a test holds the knowledge against it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace

from .cid_split import (
    CountRoles,
    SubscriberCount,
    decide,
    headquarters_cued,
    headquarters_first,
    located,
    parse_count,
    per_location,
    subscriber_count,
)
from .conversation import Ask, Button, Mention, Reply, State, Turn
from .dates import on_or_after, reinstatement_window, spell, termination_date
from .knowledge import ContactRef, Source, Topic
from .places import Place
from .premises import premise, topic_figures
from .replies import Replies

ComputedAnswer = Callable[[Replies, Topic, Turn, State], Reply]
COMPUTED: dict[str, ComputedAnswer] = {}


def computed(name: str) -> Callable[[ComputedAnswer], ComputedAnswer]:
    def register(answer: ComputedAnswer) -> ComputedAnswer:
        COMPUTED[name] = answer
        return answer

    return register


def rule_region(a: Replies, topic: Topic) -> str:
    """The region whose source states a computed rule (the CID split and the reinstatement window are
    the California FAQ's): the one region file answering the topic, so no rule is a region literal and
    a place in any other region gets that region's honest silence and nearest contact."""
    return next(key for key in topic.answers if key in a.k.regions)


def _count_roles(a: Replies) -> CountRoles:
    v = a.vocabulary
    return CountRoles(v.subscriber_words, v.headcount_words, v.waived_words)


YES_NO = (Button("Yes", "/affirm"), Button("No", "/deny"))
# "4 more subscribers", "5 additional": added to the count the broker gave before.
MORE = re.compile(r"\s*(?:more|additional|extra|new)\b", re.IGNORECASE)
# What a separation sets in motion, told after "may need to separate" (each from its own FAQ entry).
AFTER_SEPARATION = ("separation_timeline", "edi_after_split", "oas_after_split", "bills_after_split")


@computed("cid_split")
def cid_split(a: Replies, topic: Topic, turn: Turn, state: State) -> Reply:
    places = {
        Mention("region", p.text, p.start): p.place
        for p in a.places.find(turn.words)
        if not p.aside and isinstance(p.place, Place)
    }
    region = rule_region(a, topic)
    ca_mentions = [m for m, p in places.items() if p.region == region and p.is_area]
    known = a.places.place(state.region)
    elsewhere = [p for p in places.values() if p.region != region] or (
        [known] if known and known.region != region and state.hq_area is None else []
    )
    if elsewhere and not ca_mentions:
        return a.nearest(topic, elsewhere[0], state)
    adds = state.subscribers is not None and any(
        MORE.match(turn.text[m.start + len(m.value) :]) for m in turn.mentioned("count")
    )
    new_question = turn.intent == topic.key and not state.pending_topic and not adds
    if new_question:
        # A new question about a (possibly different) group: start from what this message says.
        state = state.with_updates(hq_area=None, other_locations=None, subscribers=None, located_counts=None)
        checked = premise(turn.text, topic_figures(a.k, topic), about_a_group=bool(ca_mentions))
        if checked is not None or (not ca_mentions and not turn.mentioned("count") and _asks_rule(a, turn.text)):
            # The rule itself was asked ("what's the threshold for a split?"): give it, offer to apply it.
            return a.static(
                topic,
                state.with_updates(region=region),
                suffix=(
                    "Tell me where the group is headquartered and how many subscribers it has in the other "
                    "region, and I'll work out whether it needs to separate."
                ),
            )
    state, count = _cid_facts(a, turn, state, places, ca_mentions, follow_up=not new_question)
    return _cid_decision(a, topic, state, count)


def _asks_rule(a: Replies, text: str) -> bool:
    low = f" {text.lower()} "
    return any(f" {cue} " in low or f" {cue}?" in low for cue in a.vocabulary.rule_question_cues)


def _cid_facts(
    a: Replies, turn: Turn, state: State, places: dict, ca_mentions: list[Mention], follow_up: bool = False
) -> tuple:
    """What the message says of the headquarters, the other locations and the subscribers there."""
    ordered = headquarters_first(ca_mentions, turn.text)
    counts = turn.mentioned("count")
    cued = bool(headquarters_cued(ca_mentions, turn.text))
    areas = {places[m].key for m in ordered}
    if ordered and not cued and len(areas) > 1 and len(counts) > 1:
        ordered = []  # "20 in San Diego and 10 in Sacramento": which is the headquarters? Ask.
    if ordered:
        hq = places[ordered[0]]
        # "it's the other way round - HQ is in Riverside": a headquarters named anew replaces the old one.
        moved = follow_up and cued and state.hq_area is not None and hq.key != state.hq_area
        if state.hq_area is None or state.requested == Ask.HQ_AREA or moved:
            state = state.with_updates(hq_area=hq.key, region=hq.key)
        if any(places[m].key != state.hq_area for m in ordered):
            state = state.with_updates(other_locations=True)
        elif corrected(a, turn):
            # "actually that office is in San Jose, not Irvine": the other area's location was a mistake.
            state = state.with_updates(other_locations=False)
        elif len({m.value.lower() for m in ordered}) > 1 and state.other_locations is None:
            # "HQ in Oakland, second office in San Jose": every location named is in one area.
            state = state.with_updates(other_locations=False)
    if state.requested == Ask.OTHER_LOCATIONS and turn.intent in ("affirm", "deny"):
        state = state.with_updates(other_locations=turn.intent == "affirm")
    # The count that matters is the other area's: anchored on its first location, not on a second
    # office in the headquarters' own area.
    away = [m for m in ordered[1:] if places[m].key != state.hq_area] or ordered[1:]
    count = subscriber_count(counts, away[0] if away else None, turn.text, _count_roles(a))
    located_mentions = [(m, places[m].key) for m in ordered]
    added = per_location(counts, located_mentions, state.hq_area, turn.text, _count_roles(a)) if state.hq_area else None
    # "4 more" at an office in the headquarters' own area adds nothing to the other area's count.
    at_home = bool(ordered) and all(places[m].key == state.hq_area for m in ordered)
    more = None if at_home else more_than_before(counts, turn.text, state.subscribers)
    pairs = located(counts, located_mentions, turn.text, _count_roles(a)) or []
    if added is not None:
        state = state.with_updates(located_counts=tuple(f"{name}|{area}|{n}" for name, area, n in pairs))
    elif follow_up and state.located_counts and len(pairs) == 1 and state.hq_area:
        # "I undercounted - Torrance actually has 11": that office's count changes, the others stand.
        offices = {name: (area, int(n)) for name, area, n in (e.split("|") for e in state.located_counts)}
        name, area, n = pairs[0]
        offices[name] = (area, n)
        total = sum(n for area, n in offices.values() if area != state.hq_area)
        entries = tuple(f"{k}|{area}|{n}" for k, (area, n) in offices.items())
        return state.with_updates(subscribers=total, located_counts=entries), SubscriberCount()
    if more is not None:
        state, count = state.with_updates(subscribers=more), SubscriberCount()
    elif at_home and state.subscribers is not None and state.hq_area:
        count = SubscriberCount()  # a count at the headquarters' own area: the other area's stands
    elif added is not None:
        state = state.with_updates(subscribers=added)
        count = SubscriberCount()
    elif count.count is not None and parse_count(count.count.value) is not None:
        state = state.with_updates(subscribers=parse_count(count.count.value))
    return state, count


def corrected(a: Replies, turn: Turn) -> bool:
    """The message corrects a place away ("..., not Irvine")."""
    return any(p.refused for p in a.places.find(turn.words))


def more_than_before(counts: list[Mention], text: str, before: int | None) -> int | None:
    """ "forgot the Berkeley office: 4 more subscribers there" after 12: 16. "5 more down there, so 15
    now" after 10: 15, the total said agreeing. None when no count is said to be more, or the total
    said disagrees (then the counts decide or ask)."""
    if before is None:
        return None
    extra = [c for c in counts if MORE.match(text[c.start + len(c.value) :])]
    if len(extra) != 1 or (n := parse_count(extra[0].value)) is None:
        return None
    total = before + n
    others = [parse_count(c.value) for c in counts if c is not extra[0]]
    return total if all(o == total for o in others) else None


def _cid_decision(a: Replies, topic: Topic, state: State, count) -> Reply:
    if state.hq_area is None:
        areas = a.places.areas(rule_region(a, topic))
        return a.ask(
            state,
            topic,
            Ask.HQ_AREA,
            "Where is the group headquartered: " + " or ".join(p.name for p in areas) + "?",
            tuple(Button(p.name, f'/inform_region{{"region": "{p.name}"}}') for p in areas),
        )
    hq, other = a.places.known(state.hq_area), a.places.other_area(state.hq_area)
    if state.other_locations is None:
        return a.ask(
            state,
            topic,
            Ask.OTHER_LOCATIONS,
            f"Headquarters in {hq.name}. Does the group also have locations in {other.name}?",
            YES_NO,
        )
    threshold = a.k.fact("cid_split_min_subscribers")
    rule = topic.answers[rule_region(a, topic)]
    if not state.other_locations:
        body = (
            f"Then the group doesn't need to separate its contract: separation applies only to groups "
            f"with locations in both {hq.name} and {other.name}."
        )
        return _decided(a, topic, state, body, rule.source)
    at_most = count.at_most
    if state.subscribers is None and at_most is not None and at_most < threshold:
        # Subscribers are the staff enrolled with Kaiser Permanente: fewer staff, fewer subscribers.
        body = (
            f"No: with {count.said()} in {other.name}, the non-headquarters region, the group has at most "
            f"{at_most} Kaiser Permanente subscribers there, fewer than {threshold}, so it does not need to "
            f"separate its contract. Separation applies only when the non-headquarters region has at "
            f"least {threshold} subscribers (people enrolled with Kaiser Permanente)."
        )
        return _decided(a, topic, state, body, rule.source)
    if state.subscribers is None and count.unclear:
        return a.ask(
            state,
            topic,
            Ask.SUBSCRIBERS,
            f"You gave {' and '.join(count.unclear)}: which is the number of Kaiser Permanente subscribers in "
            f"{other.name}, the non-headquarters region? A group may need to separate when that number is at "
            f"least {threshold}.",
            tuple(Button(value, value) for value in count.unclear),
        )
    if state.subscribers is None:
        note = (
            f"You gave {count.said()} there; the rule counts subscribers, the people enrolled with Kaiser Permanente. "
            if count.staff is not None
            else ""
        )
        return a.ask(
            state,
            topic,
            Ask.SUBSCRIBERS,
            f"{note}A group may need to separate when the non-headquarters region has at least "
            f"{threshold} subscribers. How many Kaiser Permanente subscribers does the group have in "
            f"{other.name}, the non-headquarters region?",
        )
    return _decided(a, topic, state, *_split_verdict(a, rule, decide(state.subscribers, threshold), other.name))


def _split_verdict(a: Replies, rule, decision, other: str) -> tuple:
    threshold = decision.threshold
    if decision.may_need_to_separate:
        follow = [a.k.topics[key] for key in AFTER_SEPARATION]
        body = (
            f"Yes: with {decision.subscribers} subscribers in {other}, the non-headquarters region "
            f"(at least {threshold}), the group may need to separate its contract. Each location then "
            f"gets its own contract and customer identification number (CID). What follows:\n"
            + "\n".join(f"- {t.title}: {a.render.fill(t.answers[rule_region(a, t)].text)}" for t in follow)
        )
        return (body, rule.source, *(t.answers[rule_region(a, t)].source for t in follow))
    body = (
        f"No: with {decision.subscribers} subscribers in {other}, the non-headquarters region, "
        f"fewer than {threshold}, the group does not need to separate its contract. Separation "
        f"applies only when the non-headquarters region has at least {threshold} Kaiser "
        f"Permanente subscribers."
    )
    return (body, rule.source)


def _decided(a: Replies, topic: Topic, state: State, body: str, *sources: Source) -> Reply:
    text, payload = a.render.answer(
        topic.key,
        body,
        sources=list(sources),
        contacts=topic.answers[rule_region(a, topic)].contacts,
        region=a.places.known(rule_region(a, topic)).name,
    )
    return a.answered(topic, state, text, payload)


@computed("reinstatement")
def reinstatement(a: Replies, topic: Topic, turn: Turn, state: State) -> Reply:
    place = a.places.place(state.region)
    if place is not None and place.region != rule_region(a, topic):
        return a.nearest(topic, place, state)
    v = a.vocabulary
    said = termination_date(turn.words, turn.today, v.termination_cues, v.other_date_cues, v.request_date_cues)
    parsed = said.date
    if said.unclear:
        dates = " or ".join(spell(d.date) for d in said.unclear)
        question = (
            f"Which of these is the group's termination date: {dates}?"
            if len(said.unclear) > 1
            else f"What was the group's termination date? Is it {dates}?"
        )
        return a.ask(
            state,
            topic,
            Ask.TERMINATION_DATE,
            f"{question} I'll work out the reinstatement deadline from it.",
            tuple(Button(spell(d.date), spell(d.date)) for d in said.unclear),
        )
    if parsed:
        state = state.with_updates(termination_date=parsed.date.isoformat())
    if state.termination_date is None and state.requested == Ask.TERMINATION_DATE and turn.intent != topic.key:
        return a.ask(
            state,
            topic,
            Ask.TERMINATION_DATE,
            "I didn't find a date there. What was the group's "
            "termination date? For example 2026-10-01, 10/1/2026 or October 1, 2026.",
        )
    if state.termination_date is None:
        reply = a.static(
            topic, state, suffix="Tell me the termination date and I'll work out the last day to request it."
        )
        return replace(reply, state=reply.state.with_updates(pending_topic=topic.key, requested=Ask.TERMINATION_DATE))
    days = a.k.fact("reinstatement_window_days")
    window = reinstatement_window(dt.date.fromisoformat(state.termination_date), days, turn.today)
    assumed = f" (I took the year to be {window.termination.year}.)" if parsed and parsed.year_assumed else ""
    when = f"With a termination date of {spell(window.termination)}{assumed},"
    if window.is_open:
        left = "that is today" if window.days_left == 0 else f"{window.days_left} days from today"
        result = (
            f"{when} the last day to request reinstatement is {spell(window.last_day)} "
            f"({days} days after termination; {left})."
        )
    else:
        result = (
            f"{when} the last day to request reinstatement was {spell(window.last_day)}, so the "
            f"{days}-day window has passed ({-window.days_left} days ago). Contact the Account "
            f"Management Support team about the group's options."
        )
    if said.request_on is not None:  # "if they call on Jan 5, are they in time?": the yes or no first
        day = on_or_after(said.request_on, window.termination)
        result = _request_day(day, window.termination, window.last_day) + " " + result
    return a.static(topic, state, prefix=result)


def _request_day(day: dt.date, termination: dt.date, last_day: dt.date) -> str:
    late = (day - last_day).days
    if late > 0:
        days = f"{late} day{'s' if late > 1 else ''}"
        return f"No: a request on {spell(day)} would be {days} too late, outside the window."
    if day < termination:
        return (
            f"{spell(day)} is before the termination date, {spell(termination)}: the window counts from the "
            "termination date."
        )
    return f"Yes: a request on {spell(day)} is within the window."


@computed("team_contact")
def team_contact(a: Replies, topic: Topic, turn: Turn, state: State) -> Reply:
    """A team's card when no team is named in the message (those are answered in assistant.py): the
    teams of the last answer, for the region now asked about ("same for Oregon"), or a question back."""
    last = state.last_teams or ()
    place = a.places.place(state.region)
    if last and place is not None and any(a.k.teams[ContactRef.parse(t).team]["region"] != place.region for t in last):
        return a.not_in_region(topic, last, place, state)
    if last:
        return a.team_cards(topic, last, state)
    teams = [t for t in a.k.teams.values() if t.get("aliases")]
    return a.ask(
        state,
        topic,
        Ask.TEAM,
        "Which team do you need?",
        tuple(Button(t["name"], f'/team_contact{{"team": "{t["name"]}"}}') for t in teams),
    )


@computed("not_covered")
def not_covered(a: Replies, topic: Topic, turn: Turn, state: State) -> Reply:
    """A question near the domain that neither source answers: said plainly, with the nearest real
    contact for the group's region (both regions' when none is known), never a guess."""
    kinds = a.not_covered.find(turn.words) or a.not_covered.find(turn.earlier_question or "")
    subject = " or ".join(a.not_covered.subject(kind) for kind in kinds[:2]) or "that"
    titles = " and the ".join(a.k.source_title(doc) for doc in a.k.sources)
    place = a.places.place(state.region)
    regions = [place.region] if place else list(a.k.regions)
    contacts = tuple(
        dict.fromkeys(ref for region in regions for kind in (kinds[:1] or ("",)) for ref in _nearest(a, kind, region))
    )
    where = f"For a group in {place.name}, the nearest contact is:" if place else (
        "The nearest contact for each region: " + "; ".join(
            f"{a.k.regions[region]['name']}: the {a.k.teams[ref.team]['name']}"
            for region in regions for ref in contacts if a.k.teams[ref.team]["region"] == region
        ) + "."
    )  # fmt: skip
    body = f"My sources, the {titles}, don't cover {subject}, so I can't answer that. {where}"
    sources = [Source(**a.k.teams[ref.team]["source"]) for ref in contacts]
    text, payload = a.render.answer(
        topic.key, body, sources=sources, contacts=contacts, region=place.name if place else None
    )
    return a.answered(topic, state, text, payload, teams=contacts)


def _nearest(a: Replies, kind: str, region: str) -> tuple[ContactRef, ...]:
    return a.not_covered.nearest(kind, region) if kind else a.k.nearest_contact[region]
