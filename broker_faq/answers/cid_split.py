"""The CID split, computed (California FAQ, "Separating a group's contract"): from one long sentence
or a question at a time, where the headquarters is, whether the group has locations in the region's
other area and how many subscribers are there, remembered in State; then the decision by the
knowledge's threshold, with what a separation sets in motion."""

from __future__ import annotations

import re
from dataclasses import dataclass

from broker_faq.answers.replies import Replies
from broker_faq.conversation import Ask, Button, Mention, Reply, State, Turn
from broker_faq.knowledge.loader import Source, Topic
from broker_faq.portal import Group
from broker_faq.reading.counts import (
    SENTENCE,
    CountRoles,
    SubscriberCount,
    headquarters_cued,
    headquarters_first,
    located,
    parse_count,
    per_location,
    subscriber_count,
    summed,
)
from broker_faq.reading.places import Place
from broker_faq.reading.premises import premise, topic_figures


@dataclass(frozen=True)
class SplitDecision:
    subscribers: int
    threshold: int

    @property
    def may_need_to_separate(self) -> bool:
        return self.subscribers >= self.threshold


def decide(subscribers_outside_hq: int, threshold: int) -> SplitDecision:
    return SplitDecision(subscribers_outside_hq, threshold)


def _count_roles(replies: Replies) -> CountRoles:
    v = replies.vocabulary
    return CountRoles(v.subscriber_words, v.headcount_words, v.waived_words)


YES_NO = (Button("Yes", "/affirm"), Button("No", "/deny"))
# "4 more subscribers", "5 additional": added to the count the broker gave before.
MORE = re.compile(r"\s*(?:more|additional|extra|new)\b", re.IGNORECASE)
# What a separation sets in motion, told after "may need to separate" (each from its own FAQ entry).
AFTER_SEPARATION = ("separation_timeline", "edi_after_split", "oas_after_split", "bills_after_split")


def cid_split(replies: Replies, topic: Topic, turn: Turn, state: State) -> Reply:
    places = {
        Mention("region", p.text, p.start): p.place
        for p in replies.places.find(turn.words)
        if not p.aside and isinstance(p.place, Place)
    }
    region = replies.rule_region(topic)
    ca_mentions = [m for m, p in places.items() if p.region == region and p.is_area]
    known = replies.places.place(state.region)
    elsewhere = [p for p in places.values() if p.region != region] or (
        [known] if known and known.region != region and state.hq_area is None else []
    )
    if elsewhere and not ca_mentions:
        return replies.nearest(topic, elsewhere[0], state)
    adds = state.subscribers is not None and any(
        MORE.match(turn.text[m.start + len(m.value) :]) for m in turn.mentioned("count")
    )
    new_question = turn.intent == topic.key and not state.pending_topic and not adds
    if new_question:
        # A new question about a (possibly different) group: start from what this message says.
        # The headquarters a scene named just before ("an agency headquartered in Oakland") stays, unless
        # this message names one or an earlier split question was about a group of its own.
        kept = (
            state.hq_area if state.last_topic != topic.key and not headquarters_cued(ca_mentions, turn.text) else None
        )
        state = state.with_updates(hq_area=kept, other_locations=None, subscribers=None, located_counts=None)
        checked = premise(turn.text, topic_figures(replies.k, topic), about_a_group=bool(ca_mentions))
        if checked is not None or (not ca_mentions and not turn.mentioned("count") and _asks_rule(replies, turn.text)):
            # The rule itself was asked ("what's the threshold for a split?"): give it, offer to apply it.
            return replies.static(
                topic,
                state.with_updates(region=region),
                suffix=(
                    "Tell me where the group is headquartered and how many subscribers it has in the other "
                    "region, and I'll work out whether it needs to separate."
                ),
            )
    if new_question and turn.group is not None and not ca_mentions and not turn.mentioned("count"):
        return _cid_decision(replies, topic, _group_facts(replies, turn.group, state), SubscriberCount())
    state, count = _cid_facts(replies, turn, state, places, ca_mentions, follow_up=not new_question)
    return _cid_decision(replies, topic, state, count)


def _group_facts(replies: Replies, group: Group, state: State) -> State:
    """What the portal says of the group: its headquarters, and the subscribers of its locations in
    the other area, added up over them."""
    other = replies.places.other_area(group.hq_area)
    located = [loc for loc in group.locations if loc.area == other.key]
    return state.with_updates(
        hq_area=group.hq_area,
        region=group.hq_area,
        other_locations=bool(located),
        subscribers=group.subscribers_in(other.key) if located else None,
    )


def _asks_rule(replies: Replies, text: str) -> bool:
    low = f" {text.lower()} "
    return any(f" {cue} " in low or f" {cue}?" in low for cue in replies.vocabulary.rule_question_cues)


def _cid_facts(
    replies: Replies, turn: Turn, state: State, places: dict, ca_mentions: list[Mention], follow_up: bool = False
) -> tuple:
    """What the message says of the headquarters, the other locations and the subscribers there."""
    ordered = headquarters_first(ca_mentions, turn.text)
    counts = summed(turn.mentioned("count"), turn.text)
    cued = bool(headquarters_cued(ca_mentions, turn.text))
    areas = {places[m].key for m in ordered}
    if ordered and not cued and len(areas) > 1 and len(counts) > 1:
        ordered = []  # "20 in San Diego and 10 in Sacramento": which is the headquarters? Ask.
    earlier = replies.places.place(turn.state.region)  # where the group was said to be before this message
    if (
        ordered
        and not cued
        and state.hq_area is None
        and state.requested != Ask.HQ_AREA
        and earlier
        and earlier.is_area
        and earlier.key not in areas
    ):
        ordered = []  # "an agency in Oakland" then "they opened a Pasadena office": which is the headquarters?
    if ordered:
        hq = places[ordered[0]]
        # "it's the other way round - HQ is in Riverside": a headquarters named anew replaces the old one.
        moved = follow_up and cued and state.hq_area is not None and hq.key != state.hq_area
        if state.hq_area is None or state.requested == Ask.HQ_AREA or moved:
            state = state.with_updates(hq_area=hq.key, region=hq.key)
        if any(places[m].key != state.hq_area for m in ordered):
            state = state.with_updates(other_locations=True)
        elif corrected(replies, turn):
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
    count = subscriber_count(counts, away[0] if away else None, turn.text, _count_roles(replies))
    located_mentions = [(m, places[m].key) for m in ordered]
    added = (
        per_location(counts, located_mentions, state.hq_area, turn.text, _count_roles(replies))
        if state.hq_area
        else None
    )
    # "4 more" at an office in the headquarters' own area adds nothing to the other area's count.
    at_home = bool(ordered) and all(places[m].key == state.hq_area for m in ordered)
    more = None if at_home else more_than_before(counts, turn.text, state.subscribers)
    pairs = located(counts, located_mentions, turn.text, _count_roles(replies)) or []
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
    each = _each(replies, turn, counts, ordered, places, state.hq_area)
    if each is not None:  # "Roseville and Davis, seven subscribers each": 14 in Northern California
        state, count = state.with_updates(subscribers=each), SubscriberCount()
    elif more is not None:
        state, count = state.with_updates(subscribers=more), SubscriberCount()
    elif at_home and state.subscribers is not None and state.hq_area:
        count = SubscriberCount()  # a count at the headquarters' own area: the other area's stands
    elif at_home and state.hq_area and len(pairs) == 1:
        # "a group with 14 in Pasadena", Pasadena taken as the headquarters: those 14 are not the other
        # area's, whose count is still to be asked.
        count = SubscriberCount()
    elif added is not None:
        state = state.with_updates(subscribers=added)
        count = SubscriberCount()
    elif count.count is not None and parse_count(count.count.value) is not None:
        state = state.with_updates(subscribers=parse_count(count.count.value))
    return state, count


# "seven subscribers each", "7 each": one count said of every location before it.
EACH = re.compile(r"\s*(?:[a-z]+\s+){0,2}each\b", re.IGNORECASE)


def _each(
    replies: Replies, turn: Turn, counts: list[Mention], ordered: list[Mention], places: dict, hq_area: str | None
) -> int | None:
    """The other area's subscribers when one count is said of each of its cities named in the same
    sentence ("two NorCal offices, Roseville and Davis, seven subscribers each": 14). None otherwise."""
    text = turn.text
    each = [c for c in counts if EACH.match(text[c.start + len(c.value) :])]
    n = parse_count(each[0].value) if len(each) == 1 else None
    if n is None or hq_area is None:
        return None
    sentence = len(SENTENCE.findall(text, 0, each[0].start))
    named_by_city = {p.start for p in replies.places.find(turn.words) if p.city}
    cities = {
        m.value.lower().strip(" .,;:!?")  # "Long Beach."
        for m in ordered
        if places[m].key != hq_area and m.start in named_by_city and len(SENTENCE.findall(text, 0, m.start)) == sentence
    }
    return n * len(cities) if len(cities) >= 2 else None


def corrected(replies: Replies, turn: Turn) -> bool:
    """The message corrects a place away ("..., not Irvine")."""
    return any(p.refused for p in replies.places.find(turn.words))


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


def _cid_decision(replies: Replies, topic: Topic, state: State, count) -> Reply:
    if state.hq_area is None:
        areas = replies.places.areas(replies.rule_region(topic))
        return replies.ask(
            state,
            topic,
            Ask.HQ_AREA,
            "Where is the group headquartered: " + " or ".join(p.name for p in areas) + "?",
            tuple(Button(p.name, f'/inform_region{{"region": "{p.name}"}}') for p in areas),
        )
    hq, other = replies.places.known(state.hq_area), replies.places.other_area(state.hq_area)
    if state.other_locations is None:
        return replies.ask(
            state,
            topic,
            Ask.OTHER_LOCATIONS,
            f"Headquarters in {hq.name}. Does the group also have locations in {other.name}?",
            YES_NO,
        )
    threshold = replies.k.fact("cid_split_min_subscribers")
    rule = topic.answers[replies.rule_region(topic)]
    if not state.other_locations:
        body = (
            f"Then the group doesn't need to separate its contract: separation applies only to groups "
            f"with locations in both {hq.name} and {other.name}."
        )
        return _decided(replies, topic, state, body, rule.source)
    at_most = count.at_most
    if state.subscribers is None and at_most is not None and at_most < threshold:
        # Subscribers are the staff enrolled with Kaiser Permanente: fewer staff, fewer subscribers.
        body = (
            f"No: with {count.said()} in {other.name}, the non-headquarters region, the group has at most "
            f"{at_most} Kaiser Permanente subscribers there, fewer than {threshold}, so it does not need to "
            f"separate its contract. Separation applies only when the non-headquarters region has at "
            f"least {threshold} subscribers (people enrolled with Kaiser Permanente)."
        )
        return _decided(replies, topic, state, body, rule.source)
    if state.subscribers is None and count.unclear:
        return replies.ask(
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
        return replies.ask(
            state,
            topic,
            Ask.SUBSCRIBERS,
            f"{note}A group may need to separate when the non-headquarters region has at least "
            f"{threshold} subscribers. How many Kaiser Permanente subscribers does the group have in "
            f"{other.name}, the non-headquarters region?",
        )
    return _decided(
        replies, topic, state, *_split_verdict(replies, rule, decide(state.subscribers, threshold), other.name)
    )


def _split_verdict(replies: Replies, rule, decision, other: str) -> tuple:
    threshold = decision.threshold
    if decision.may_need_to_separate:
        follow = [replies.k.topics[key] for key in AFTER_SEPARATION]
        body = (
            f"Yes: with {decision.subscribers} subscribers in {other}, the non-headquarters region "
            f"(at least {threshold}), the group may need to separate its contract. Each location then "
            f"gets its own contract and customer identification number (CID). What follows:\n"
            + "\n".join(f"- {t.title}: {replies.render.fill(t.answers[replies.rule_region(t)].text)}" for t in follow)
        )
        return (body, rule.source, *(t.answers[replies.rule_region(t)].source for t in follow))
    body = (
        f"No: with {decision.subscribers} subscribers in {other}, the non-headquarters region, "
        f"fewer than {threshold}, the group does not need to separate its contract. Separation "
        f"applies only when the non-headquarters region has at least {threshold} Kaiser "
        f"Permanente subscribers."
    )
    return (body, rule.source)


def _decided(replies: Replies, topic: Topic, state: State, body: str, *sources: Source) -> Reply:
    text, payload = replies.render.answer(
        topic.key,
        body,
        sources=list(sources),
        contacts=topic.answers[replies.rule_region(topic)].contacts,
        region=replies.places.known(replies.rule_region(topic)).name,
    )
    return replies.answered(topic, state, text, payload)
