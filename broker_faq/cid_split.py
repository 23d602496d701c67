"""The California CID-split rule: when a group with locations in Northern and Southern California
may need to separate its contract (California FAQ). The threshold comes from the knowledge file."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .conversation import Mention

# Words that mark the headquarters in "HQ in Burbank" or "based in San Francisco".
HQ_CUE = re.compile(r"\b(hq|headquarter\w*|head\s*quarter\w*|based|main office|home office|head office)"
                    r"\W+(?:\w+\W+){0,3}$", re.IGNORECASE)

HQ_AFTER = re.compile(r"\W*(hq|headquarters?|head office|main office|home office)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SplitDecision:
    subscribers: int
    threshold: int

    @property
    def may_need_to_separate(self) -> bool:
        return self.subscribers >= self.threshold


def decide(subscribers_outside_hq: int, threshold: int) -> SplitDecision:
    return SplitDecision(subscribers_outside_hq, threshold)


def headquarters_first(mentions: list[Mention], text: str) -> list[Mention]:
    """Order place mentions so the headquarters comes first: a mention next to an HQ cue ("HQ in
    Burbank", "the Burbank HQ") wins; otherwise brokers name the headquarters first."""
    cued = [m for m in mentions if HQ_CUE.search(text[:m.start])
            or HQ_AFTER.match(text[m.start + len(m.value):])]
    return cued[:1] + [m for m in mentions if m not in cued[:1]]


# What follows a number says whether it can count people: "40 staff" can, "2 contracts" cannot.
NOT_A_HEADCOUNT = re.compile(r"\s*(contracts?|cids?|locations?|offices?|sites?|branch(es)?|regions?|"
                             r"plans?|weeks?|months?|days?|years?|%|percent|reports?)\b", re.IGNORECASE)


def subscriber_count(counts: list[Mention], anchor: Mention | None, text: str) -> Mention | None:
    """The number of subscribers at the non-headquarters place: numbers of contracts, weeks or
    offices are left out, and of several ("50 at HQ and 20 in San Diego") the one closest to
    that place counts."""
    people = [c for c in counts if not NOT_A_HEADCOUNT.match(text[c.start + len(c.value):])]
    if not people:
        return None
    if anchor is None:
        return people[0]
    return min(people, key=lambda c: abs(c.start - anchor.start))


WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}


def parse_count(text: str) -> int | None:
    digits = re.sub(r"[,\s]", "", text)
    if digits.isdigit():
        return int(digits)
    return WORD_NUMBERS.get(text.strip().lower())
