"""Reading a CID-split question: which place is the headquarters ("HQ in Burbank", "Fremont-based"),
which counts are subscribers rather than headcounts or waivers, each office's count and where it is
("the Folsom and Richmond branches have 7 and 6"). The decision is answers/cid_split.py's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from broker_faq.conversation import Mention

# Words that mark the headquarters in "HQ in Burbank" or "based in San Francisco".
HQ_CUE = re.compile(
    r"\b(hq|headquarter\w*|head\s*quarter\w*|based|main office|home office|head office|main site|main location|"
    r"primary location|corporate office|corporate|home base)"
    r"\W+(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)

HQ_AFTER = re.compile(
    r"\W*(hq|headquarters?|headquartered|head office|main office|home office|based|-based)\b", re.IGNORECASE
)  # "a Stockton-headquartered group" too


JUST_AND = re.compile(r"\s*(?:and|or|&)\s*$", re.IGNORECASE)
PLUS = re.compile(r"\s*(?:plus|\+)\s*$", re.IGNORECASE)


def summed(counts: list[Mention], text: str) -> list[Mention]:
    """Counts said as a sum, one count: "ten plus three subscribers" (text2num: "10 plus 3") is 13, not
    a 10 and a 3 to choose from."""
    merged: list[Mention] = []
    for count in counts:
        last = merged[-1] if merged else None
        if last is not None and PLUS.match(text[last.start + len(last.value) : count.start]):
            a, b = parse_count(last.value), parse_count(count.value)
            if a is not None and b is not None:
                total = str(a + b)  # placed to end where the sum ends: what follows it is what it counts
                merged[-1] = Mention(last.label, total, max(last.start, count.start + len(count.value) - len(total)))
                continue
        merged.append(count)
    return _with_more(merged, text)


# "a dozen subscribers in Chula Vista and just hired one more there": 13 (a lone "one" stays a word).
MORE_LATER = re.compile(r"\b(one|a|an|\d{1,3})\s+(?:more|additional|extra)\b", re.IGNORECASE)
SENTENCE = re.compile(r"[.!?\n]")
ELSEWHERE = re.compile(r"\s+(?:\w+\s+){0,2}(?:in|at)\b(?!\s+there\b)", re.IGNORECASE)


def _with_more(counts: list[Mention], text: str) -> list[Mention]:
    """A count and "N more" later in its sentence, one count: the first with the more added."""
    if not counts:
        return counts
    first = counts[0]
    end = next((m.start() for m in SENTENCE.finditer(text, first.start + len(first.value))), len(text))
    more = MORE_LATER.search(text, first.start + len(first.value), end)
    others = [c for c in counts[1:] if c.start < end and not (more and c.start == more.start(1))]
    if more is None or others or (base := parse_count(first.value)) is None:
        return counts
    if ELSEWHERE.match(text, more.end(), end):
        return counts  # "12 in LA and 2 more in Sacramento": the other office's, for per_location to place
    word = more.group(1).lower()
    extra = 1 if word in ("one", "a", "an") else int(word)
    rest = [c for c in counts[1:] if c.start >= end]
    return [Mention(first.label, str(base + extra), first.start), *rest]


def headquarters_cued(mentions: list[Mention], text: str) -> list[Mention]:
    """The mentions next to an HQ cue ("HQ in Burbank", "the Burbank HQ", "Fremont-based")."""
    return [m for m in mentions if HQ_CUE.search(text[: m.start]) or HQ_AFTER.match(text[m.start + len(m.value) :])]


def headquarters_first(mentions: list[Mention], text: str) -> list[Mention]:
    """Order place mentions so the headquarters comes first: a mention next to an HQ cue wins;
    otherwise brokers name the headquarters first."""
    cued = headquarters_cued(mentions, text)
    return cued[:1] + [m for m in mentions if m not in cued[:1]]


# What follows a number says whether it can count people: "40 staff" can, "2 contracts" cannot.
NOT_A_HEADCOUNT = re.compile(
    r"\s*(contracts?|cids?|locations?|offices?|sites?|branch(es)?|regions?|"
    r"plans?|weeks?|months?|days?|years?|%|percent|reports?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CountRoles:
    """The words that say what a number counts (knowledge/vocabulary.yml)."""

    subscribers: tuple[str, ...]
    headcount: tuple[str, ...]
    waived: tuple[str, ...]

    def of(self, following: str) -> str | None:
        """'subscribers', 'waived', 'staff' or None, from the words after a number (to the next comma)."""
        clause = " " + re.sub(r"[^\w\s-]", " ", re.split(r"[,;.!?\n(]|\d|\s-\s", following.lower())[0]) + " "
        # Enrolled or waived, whichever is said first ("11 of those employees are enrolled, the rest
        # waived" counts the enrolled; "not enrolled" begins before "enrolled"); staff only without either
        # ("40 staff enrolled" are subscribers).
        found = [(at, rank, role) for rank, (role, words) in enumerate((("waived", self.waived),
                                                                         ("subscribers", self.subscribers)))
                 for w in words if (at := clause.find(f" {w} ")) >= 0]  # fmt: skip
        if found:
            return min(found)[2]
        return "staff" if any(f" {w} " in clause for w in self.headcount) else None


def headcounts(counts: list[Mention], text: str, roles: CountRoles | None) -> list[Mention]:
    """The counts that may count people: not "2 contracts" or "3 offices", and a number in words ("one
    SoCal office in Riverside", text2num leaves a lone one or two as words) only right before a
    word for people ("two subscribers")."""
    people = [c for c in counts if not NOT_A_HEADCOUNT.match(text[c.start + len(c.value) :])]
    if roles is None:
        return people
    words = {w for group in (roles.subscribers, roles.headcount, roles.waived) for w in group}
    return [c for c in people if c.value.strip().isdigit() or _next_words(text, c) & words]


def _next_words(text: str, count: Mention) -> set[str]:
    following = re.findall(r"[a-z]+", text[count.start + len(count.value) :].lower())[:2]
    return {" ".join(following[:n]) for n in (1, 2)} | set(following)


@dataclass(frozen=True)
class SubscriberCount:
    count: Mention | None = None
    unclear: tuple[str, ...] = ()  # several counts, none said of the place asked about: ask
    staff: int | None = None  # only staff were counted ...
    waived: int = 0  # ... and this many of them waived: at most staff - waived are subscribers

    @property
    def at_most(self) -> int | None:
        return None if self.staff is None else self.staff - self.waived

    def said(self) -> str:
        """'18 staff (16 of whom waived)'."""
        return f"{self.staff} staff" + (f" ({self.waived} of whom waived)" if self.waived else "")


def subscriber_count(
    counts: list[Mention], anchor: Mention | None, text: str, roles: CountRoles | None = None
) -> SubscriberCount:
    """The number of subscribers at the non-headquarters place. Subscribers are people enrolled with
    Kaiser Permanente: "45 staff, 10 of them on our Kaiser plan" counts 10; numbers of contracts,
    weeks or offices are left out. Of several ("50 at HQ and 20 in San Diego") the one closest to
    that place counts. Only numbers of staff (or of those who waived) give no count."""
    people = headcounts(counts, text, roles)
    if roles is not None:
        labelled = [(c, _all_enrolled(roles.of(text[c.start + len(c.value) :]), c, text)) for c in people]
        people = [c for c, role in labelled if role in ("subscribers", None)]
        if not people:
            staff = [c for c, role in labelled if role == "staff"]
            waived = [c for c, role in labelled if role == "waived"]
            if not staff:
                return SubscriberCount()
            # "13 employees, 2 of them waived": at most 11 enrolled.
            total = parse_count(_nearest(staff, anchor, text).value)
            declined = sum(parse_count(w.value) or 0 for w in waived)
            if total is None:
                return SubscriberCount()
            return SubscriberCount(staff=total, waived=declined if declined < total else 0)
    if not people:
        return SubscriberCount()
    if anchor is not None and len(people) > 1 and not _in_clause_of(people, anchor, text):
        # "the counts are 16 and 11, not sure which is which": never guess which belongs where.
        return SubscriberCount(unclear=tuple(c.value for c in people))
    for first, second in zip(people, people[1:], strict=False):
        if JUST_AND.match(text[first.start + len(first.value) : second.start]):
            # "10 and 3 subscribers at Torrance": 13, or one of them? Ask, never pick one.
            return SubscriberCount(unclear=(first.value, second.value))
    return SubscriberCount(_nearest(people, anchor, text))


# "20 staff in San Diego, all of whom are on Kaiser": the staff counted are all subscribers.
ALL_ENROLLED = re.compile(
    r"^[^.;!?\n]*?(?<!not )\ball(?: of (?:whom|them))?(?: \d+)? (?:are |is )?"
    r"(?:on (?:kaiser|kp|the plan|our plan)|enrolled|covered|subscribers|members|with kaiser)",
    re.IGNORECASE,
)


def _all_enrolled(role: str | None, count: Mention, text: str) -> str | None:
    if role == "staff" and ALL_ENROLLED.match(text[count.start + len(count.value) :]):
        return "subscribers"
    return role


def per_location(
    counts: list[Mention],
    locations: list[tuple[Mention, str]],
    hq_area: str,
    text: str,
    roles: CountRoles | None = None,
) -> int | None:
    """Subscribers in the non-headquarters area added up over its locations, when each location
    named with a count has its own ("LA office 7 subscribers, Santa Monica office 9": 16 in
    Southern California; an office in the headquarters' own area is not counted). `locations` are
    the place mentions, the headquarters' too, each with its area. None when the counts are not
    each said of a location (then subscriber_count decides or asks)."""
    pairs = located(counts, locations, text, roles)
    if pairs is None or len(pairs) < 2:
        return None
    total = [n for _, area, n in pairs if area != hq_area]
    return sum(total) if total else None


def located(
    counts: list[Mention], locations: list[tuple[Mention, str]], text: str, roles: CountRoles | None = None
) -> list[tuple[str, str, int]] | None:
    """Each count with the location it is said of: (the location as named, its area, the count).
    None when the counts and locations do not pair up."""
    people = headcounts(counts, text, roles)
    if roles is not None:
        people = [c for c in people if roles.of(text[c.start + len(c.value) :]) in ("subscribers", None)]
    if not people or not locations:
        return None
    owner: dict[int, tuple[str, str]] = {}
    for clause in dict.fromkeys(_segment(text, c.start) for c in people):
        counted = [c for c in people if _segment(text, c.start) == clause]
        there = [(m, area) for m, area in locations if _segment(text, m.start) == clause]
        if len(there) == len(counted) + 1 and there[0][0] is locations[0][0]:
            there = there[1:]  # "based in Escondido and have a Ventura branch with 40": the HQ has no count here
        if len(there) != len(counted):
            return None  # a count with no location of its own, or locations and counts that do not pair up
        # One location and its count, or "the Folsom and Richmond branches have 7 and 6": in order.
        owner.update({c.start: (m.value.lower(), area) for c, (m, area) in zip(counted, there, strict=True)})
    pairs = [(*owner[c.start], parse_count(c.value)) for c in people]
    if any(n is None for _, _, n in pairs):
        return None
    return [(name, area, n) for name, area, n in pairs if n is not None]


CLAUSE_END = re.compile(r"[,;.!?\n]|\s(?:and|but|while|whereas)\s", re.IGNORECASE)


# Where a location's count may be said: up to a comma or a sentence's end ("and" joins a pair).
SEGMENT_END = re.compile(r"[,;.!?\n]")


def _segment(text: str, position: int) -> int:
    return len(SEGMENT_END.findall(text, 0, position))


def _clause(text: str, position: int) -> int:
    return len(CLAUSE_END.findall(text, 0, position))


def _in_clause_of(counts: list[Mention], anchor: Mention, text: str) -> list[Mention]:
    return [c for c in counts if _clause(text, c.start) == _clause(text, anchor.start)]


def _nearest(counts: list[Mention], anchor: Mention | None, text: str) -> Mention:
    """The count said of the anchor place: in its clause ("Anaheim location with 25 subscribers"),
    else the closest."""
    if anchor is None:
        return counts[0]
    return min(_in_clause_of(counts, anchor, text) or counts, key=lambda c: abs(c.start - anchor.start))


WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}


def parse_count(text: str) -> int | None:
    digits = re.sub(r"[,\s]", "", text)
    if digits.isascii() and digits.isdigit():  # "²" is a digit to str.isdigit(), not to int()
        return int(digits)
    return WORD_NUMBERS.get(text.strip().lower())
